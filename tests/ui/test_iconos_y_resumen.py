"""Estado del motor → estado de la bandeja → icono."""

import datetime as dt
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QFile

from ui.iconos import TAMANOS, icono, ruta_icono
from ui.resumen import ESTADOS_BANDEJA, estado_bandeja, resumir

RAIZ = Path(__file__).resolve().parents[2]


def estado(conexion="al día", cola=None, conflictos=0, **extra):
    return {
        "conexion": {
            "estado": conexion,
            "ultimo_empuje_ok": "2026-11-28T03:00:00+00:00",
            "ultima_descarga_ok": "2026-11-28T03:01:00+00:00",
            "desfase_ms": 120,
        },
        "cola": cola or {"PENDIENTE": 0, "COMPLETADO": 5},
        "conflictos": conflictos,
        "modelos": {
            "productos.Producto": {
                "filas": 10,
                "completo": True,
                "critico": True,
                "actualizado_en": "2026-11-28T02:59:00+00:00",
            }
        },
        "lista_para_vender_offline": True,
        **extra,
    }


@pytest.mark.parametrize(
    ("datos", "esperado"),
    [
        (estado(), "al_dia"),
        (estado(cola={"PENDIENTE": 3}), "sincronizando"),
        (estado("sincronizando"), "sincronizando"),
        (estado("sin conexión", cola={"PENDIENTE": 3}), "sin_conexion"),
        (estado("sin conexión", conflictos=2), "conflictos"),
        (estado(conflictos=1), "conflictos"),
        (estado("error de autenticación", conflictos=4), "autenticacion"),
        (estado("sin configurar", conflictos=1), "autenticacion"),
        (estado("error del servidor"), "error"),
        (estado("sin conexión", cola={"ERROR": 1}), "sin_conexion"),
        (estado(cola={"ERROR": 1, "PENDIENTE": 2}), "error"),
        (estado("error del servidor", conflictos=1), "conflictos"),
    ],
)
def test_estado_de_bandeja_por_gravedad(datos, esperado):
    """Autenticación > conflictos > sin conexión > error > sincronizando > al día."""
    assert estado_bandeja(resumir(datos)) == esperado


def test_orden_de_gravedad_documentado_es_el_de_la_tupla():
    import ui.resumen

    assert ESTADOS_BANDEJA == (
        "autenticacion",
        "conflictos",
        "sin_conexion",
        "error",
        "sincronizando",
        "al_dia",
    )
    documentado = re.findall(r"^\d\. ``(\w+)``", ui.resumen.__doc__, re.MULTILINE)
    assert tuple(documentado) == ESTADOS_BANDEJA


@pytest.mark.parametrize("fallo", ["sin conexión", "error del servidor"])
def test_un_reintento_no_cambia_el_icono_de_un_fallo(fallo):
    pendiente = {"PENDIENTE": 3}
    mostrado = estado_bandeja(resumir(estado(fallo, cola=pendiente)))
    assert mostrado in ("sin_conexion", "error")
    reintento = resumir(estado("sincronizando", cola=pendiente))
    assert estado_bandeja(reintento, mostrado) == mostrado  # no parpadea en azul
    assert estado_bandeja(reintento, "al_dia") == "sincronizando"  # sin fallo previo, sí
    assert estado_bandeja(resumir(estado(cola=pendiente)), mostrado) == "sincronizando"
    assert estado_bandeja(resumir(estado()), mostrado) == "al_dia"


def test_resumen_lee_el_estado_del_motor():
    r = resumir(
        estado(
            cola={"PENDIENTE": 2, "PROCESANDO": 1, "ERROR": 1, "COMPLETADO": 9, "DESCARTADO": 1},
            antiguedad_pendiente_s=75.5,
        )
    )
    assert r.conexion == "al_dia"
    assert (r.pendientes, r.errores, r.antiguedad_pendiente_s) == (4, 1, 75.5)
    assert r.ultimo_exito == dt.datetime(2026, 11, 28, 3, 1, tzinfo=dt.UTC)
    assert r.precios_a == dt.datetime(2026, 11, 28, 2, 59, tzinfo=dt.UTC)
    assert r.desfase_ms == 120 and r.lista_para_vender
    assert [m.nombre for m in r.modelos] == ["productos.Producto"]
    assert resumir({}).conexion == "sin_conexion"


def test_cada_estado_tiene_su_icono_en_los_recursos_y_nitido_a_cada_tamano(qapp):
    rutas = {ruta_icono(e) for e in ESTADOS_BANDEJA}
    assert len(rutas) == len(ESTADOS_BANDEJA)
    for e in ESTADOS_BANDEJA:
        assert QFile.exists(ruta_icono(e)), e
        for lado in TAMANOS:
            imagen = icono(e).pixmap(lado, lado).toImage()
            assert (imagen.width(), imagen.height()) == (lado, lado)
            centro = imagen.pixelColor(lado // 2, lado // 2)
            assert centro.alpha() > 0, (e, lado)
    with pytest.raises(ValueError, match="sin icono"):
        ruta_icono("feliz")


def test_iconos_distintos_entre_estados(qapp):
    imagenes = {e: icono(e).pixmap(32, 32).toImage() for e in ESTADOS_BANDEJA}
    for a in ESTADOS_BANDEJA:
        for b in ESTADOS_BANDEJA:
            if a < b:
                assert imagenes[a] != imagenes[b], (a, b)


def test_cada_icono_es_un_svg_del_paquete():
    """Los iconos son datos del paquete ``ui`` (nada generado): existen y Qt los pinta."""
    for estado in (*ESTADOS_BANDEJA, "sincro"):
        ruta = Path(ruta_icono(estado))
        assert ruta.is_file() and ruta.suffix == ".svg"
        assert ruta.is_relative_to(RAIZ / "ui" / "datos" / "iconos")
