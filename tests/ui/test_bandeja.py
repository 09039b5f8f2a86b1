"""Bandeja: icono y menú según el estado, tooltip y avisos."""

import datetime as dt

import pytest

from ui.bandeja import Bandeja, texto_tooltip
from ui.notificaciones import Avisador
from ui.resumen import Resumen, resumir

AHORA = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def r(conexion="al_dia", conflictos=0, pausado=False, **cola):
    return Resumen(conexion=conexion, conflictos=conflictos, pausado=pausado,
                   cola={k.lower(): v for k, v in cola.items()})


@pytest.fixture
def bandeja(qapp):
    b = Bandeja()
    yield b
    b.ocultar()
    b.menu.deleteLater()
    b.deleteLater()


def test_menu_al_dia(bandeja):
    bandeja.actualizar(r())
    bandeja.menu.aboutToShow.emit()
    assert bandeja.textos_menu() == ["Abrir Sincro", "Sincronizar ahora", "Pausar",
                                     "Conflictos (0)", "Configuración", "Salir"]
    activas = {a.objectName(): a.isEnabled() for a in bandeja.menu.actions() if a.objectName()}
    assert activas["conflictos"] is False and activas["sincronizar"] is True


def test_menu_se_reconstruye_con_el_estado_del_momento(bandeja):
    bandeja.actualizar(r(conflictos=3, pausado=True))
    bandeja.menu.aboutToShow.emit()
    assert bandeja.textos_menu() == ["Abrir Sincro", "Sincronizar ahora", "Reanudar",
                                     "Conflictos (3)", "Configuración", "Salir"]
    activas = {a.objectName(): a.isEnabled() for a in bandeja.menu.actions() if a.objectName()}
    assert activas["conflictos"] is True and activas["sincronizar"] is False


def test_acciones_del_menu_emiten_su_clave(bandeja, qtbot):
    bandeja.actualizar(r(conflictos=1))
    bandeja.menu.aboutToShow.emit()
    for clave in ("abrir", "sincronizar", "pausar", "conflictos", "configuracion", "salir"):
        accion = next(a for a in bandeja.menu.actions() if a.objectName() == clave)
        with qtbot.waitSignal(bandeja.accion) as senal:
            accion.trigger()
        assert senal.args == [clave]


@pytest.mark.parametrize(("resumen", "estado"), [
    (r(), "al_dia"), (r(pendiente=2), "sincronizando"), (r("sin_conexion"), "sin_conexion"),
    (r(conflictos=1), "conflictos"), (r("error_autenticacion"), "error"),
])
def test_icono_cambia_con_el_estado(bandeja, resumen, estado):
    bandeja.actualizar(resumen)
    assert bandeja.estado == estado
    assert not bandeja.icono.icon().isNull()


def test_tooltip_dice_estado_pendientes_antiguedad_ultima_sincronizacion_y_precios(qapp):
    resumen = resumir({
        "conexion": {"estado": "sin conexión", "ultimo_empuje_ok": "2026-11-27T10:00:00+00:00"},
        "cola": {"PENDIENTE": 7}, "antiguedad_pendiente_s": 3900,
        "modelos": {"productos.Producto": {"critico": True,
                                           "actualizado_en": "2026-11-27T09:30:00+00:00"}}})
    texto = texto_tooltip(resumen)
    assert "sin conexión" in texto
    assert "7 operaciones pendientes" in texto
    assert "1 h 5 min" in texto
    assert "Última sincronización: 27/11/2026" in texto
    assert "Precios a las 27/11/2026" in texto


def test_avisos_conflictos_nuevos_y_autenticacion():
    a = Avisador(600)
    assert a.revisar(r(), AHORA) == []
    avisos = a.revisar(r(conflictos=2), AHORA)
    assert [(x.tipo, x.numero) for x in avisos] == [("conflictos", 2)]
    assert a.revisar(r(conflictos=2), AHORA) == []
    avisos = a.revisar(r("error_autenticacion", conflictos=2), AHORA)
    assert [x.tipo for x in avisos] == ["autenticacion"]
    assert a.revisar(r("error_autenticacion", conflictos=2), AHORA) == []


def test_aviso_sin_conexion_tras_el_umbral_una_vez_y_recuperada_con_enviadas():
    a = Avisador(600)
    a.revisar(r(completado=10), AHORA)
    assert a.revisar(r("sin_conexion", pendiente=1, completado=10), AHORA) == []
    minuto = dt.timedelta(minutes=1)
    assert a.revisar(r("sin_conexion", pendiente=4, completado=10), AHORA + 9 * minuto) == []
    avisos = a.revisar(r("sin_conexion", pendiente=5, completado=10), AHORA + 10 * minuto)
    assert [(x.tipo, x.numero) for x in avisos] == [("sin_conexion", 5)]
    assert a.revisar(r("sin_conexion", pendiente=5, completado=10), AHORA + 20 * minuto) == []
    assert a.revisar(r("sincronizando", pendiente=2, completado=13), AHORA + 21 * minuto) == []
    avisos = a.revisar(r("al_dia", completado=15), AHORA + 22 * minuto)
    assert [(x.tipo, x.numero) for x in avisos] == [("recuperada", 5)]
    assert a.revisar(r("al_dia", completado=15), AHORA + 23 * minuto) == []
