"""Umbrales de salud de las terminales (``central.salud.evaluar``, función pura)."""

from __future__ import annotations

import datetime as dt

import pytest

from central.salud import AMBAR, ROJO, VERDE, DatosSalud, Umbrales, duracion, evaluar

AHORA = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


def hace(**delta: float) -> dt.datetime:
    return AHORA - dt.timedelta(**delta)


def test_al_dia_es_verde():
    estado = evaluar(DatosSalud(ultimo_contacto=hace(seconds=20), desfase_ms=800), AHORA)
    assert (estado.nivel, estado.motivos, estado.texto) == (VERDE, (), "Al día")


@pytest.mark.parametrize(
    ("minutos", "nivel", "texto"),
    [
        (9, VERDE, None),
        (10, AMBAR, "Sin contacto desde hace 10 min"),
        (59, AMBAR, "Sin contacto desde hace 59 min"),
        (60, ROJO, "Sin contacto desde hace 1 h"),
        (120, ROJO, "Sin contacto desde hace 2 h"),
        (125, ROJO, "Sin contacto desde hace 2 h 5 min"),
    ],
)
def test_sin_contacto(minutos, nivel, texto):
    estado = evaluar(DatosSalud(ultimo_contacto=hace(minutes=minutos)), AHORA)
    assert estado.nivel == nivel
    assert estado.motivos == ((texto,) if texto else ())


def test_nunca_conecto_es_ambar():
    assert evaluar(DatosSalud(), AHORA).motivos == ("Nunca ha conectado",)


def test_la_venta_pendiente_sigue_envejeciendo_desde_que_se_informo():
    # Informó hace 2 h de una venta pendiente de 1 h: ahora tiene 3 h.
    datos = DatosSalud(
        ultimo_contacto=hace(seconds=5),
        informado_en=hace(hours=2),
        pendientes=1,
        antiguedad_pendiente_s=3600,
    )
    estado = evaluar(datos, AHORA)
    assert estado.nivel == ROJO
    assert estado.motivos == ("Venta pendiente más antigua: 3 h",)
    # Sin pendientes, la antigüedad que quedara informada no cuenta.
    sin = evaluar(DatosSalud(ultimo_contacto=hace(seconds=5), antiguedad_pendiente_s=9999), AHORA)
    assert sin.nivel == VERDE


@pytest.mark.parametrize(
    ("desfase_ms", "nivel", "texto"),
    [
        (59_000, VERDE, None),
        (-60_000, AMBAR, "Reloj desfasado 1 min"),
        (300_000, ROJO, "Reloj desfasado 5 min"),
        (-3_000_000, ROJO, "Reloj desfasado 50 min"),
    ],
)
def test_reloj(desfase_ms, nivel, texto):
    estado = evaluar(DatosSalud(ultimo_contacto=hace(seconds=1), desfase_ms=desfase_ms), AHORA)
    assert estado.nivel == nivel
    assert estado.motivos == ((texto,) if texto else ())


def test_incidencias_reparaciones_y_errores_con_su_nivel_configurable():
    datos = DatosSalud(
        ultimo_contacto=hace(seconds=1), incidencias_diario=2, reparadas=3, errores=1
    )
    estado = evaluar(datos, AHORA)
    assert estado.nivel == ROJO  # incidencias del diario: rojo por defecto
    assert estado.motivos == (
        "Diario de ventas con 2 incidencias sin revisar",
        "La caché tuvo que reparar 3 filas",
        "0 conflictos y 1 errores por revisar en la caja",
    )
    suaves = Umbrales(incidencias_diario=AMBAR, reparaciones=VERDE, errores=VERDE)
    estado = evaluar(datos, AHORA, suaves)
    assert (estado.nivel, estado.motivos) == (
        AMBAR,
        ("Diario de ventas con 2 incidencias sin revisar",),
    )


def test_el_nivel_es_el_peor_y_los_motivos_van_del_mas_grave():
    datos = DatosSalud(ultimo_contacto=hace(minutes=15), desfase_ms=400_000)
    estado = evaluar(datos, AHORA)
    assert estado.nivel == ROJO
    assert estado.motivos == ("Reloj desfasado 6 min", "Sin contacto desde hace 15 min")


def test_umbrales_desde_los_ajustes():
    u = Umbrales.desde_ajustes({"sin_contacto_rojo_min": 5, "webhook": "https://x", "otra": 1})
    assert u.sin_contacto_rojo_min == 5 and u.pendiente_rojo_min == 60
    estado = evaluar(DatosSalud(ultimo_contacto=hace(minutes=6)), AHORA, u)
    assert estado.nivel == ROJO
    with pytest.raises(ValueError, match="desfase_rojo_s"):
        Umbrales(desfase_rojo_s=0)
    with pytest.raises(ValueError, match="reparaciones"):
        Umbrales(reparaciones="morado")


def test_duracion():
    assert [duracion(s) for s in (0, 45, 60, 3599, 3600, 7500, 86400, 200000)] == [
        "0 s",
        "45 s",
        "1 min",
        "59 min",
        "1 h",
        "2 h 5 min",
        "1 día",
        "2 días",
    ]
