"""Bandeja: icono y menú según el estado, línea de estado, tooltip y avisos."""

import datetime as dt

import pytest

from ui.bandeja import Bandeja, linea_estado, texto_tooltip
from ui.notificaciones import Avisador
from ui.resumen import Resumen, resumir

AHORA = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
MENU = [
    "Abrir Sincro",
    "Cerrar caja…",
    "Sincronizar ahora",
    "Pausar",
    "Conflictos (0)",
    "Actividad",
    "Configuración",
    "Salir",
]


def r(conexion="al_dia", conflictos=0, pausado=False, ventas=0, importe="0", exito=None, **cola):
    return Resumen(
        conexion=conexion,
        conflictos=conflictos,
        pausado=pausado,
        cola={k.lower(): v for k, v in cola.items()},
        ventas_pendientes=ventas,
        importe_pendiente=importe,
        ultimo_exito=exito,
    )


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
    assert bandeja.textos_menu() == MENU
    assert bandeja.linea() == "Al día · todas las ventas enviadas"
    activas = {a.objectName(): a.isEnabled() for a in bandeja.menu.actions() if a.objectName()}
    assert activas["conflictos"] is False and activas["sincronizar"] is True
    assert activas["linea_estado"] is False  # informa, no es una acción


def test_menu_se_reconstruye_con_el_estado_del_momento(bandeja):
    bandeja.actualizar(r(conflictos=3, pausado=True))
    bandeja.menu.aboutToShow.emit()
    assert bandeja.textos_menu() == [
        "Abrir Sincro",
        "Cerrar caja…",
        "Sincronizar ahora",
        "Reanudar",
        "Conflictos (3)",
        "Actividad",
        "Configuración",
        "Salir",
    ]
    activas = {a.objectName(): a.isEnabled() for a in bandeja.menu.actions() if a.objectName()}
    assert activas["conflictos"] is True and activas["sincronizar"] is False


def test_acciones_del_menu_emiten_su_clave(bandeja, qtbot):
    bandeja.actualizar(r(conflictos=1))
    bandeja.menu.aboutToShow.emit()
    for clave in (
        "abrir",
        "sincronizar",
        "pausar",
        "conflictos",
        "actividad",
        "configuracion",
        "salir",
    ):
        accion = next(a for a in bandeja.menu.actions() if a.objectName() == clave)
        with qtbot.waitSignal(bandeja.accion) as senal:
            accion.trigger()
        assert senal.args == [clave]


@pytest.mark.parametrize(
    ("resumen", "estado"),
    [
        (r(), "al_dia"),
        (r(pendiente=2), "sincronizando"),
        (r("sin_conexion"), "sin_conexion"),
        (r(conflictos=1), "conflictos"),
        (r("error_autenticacion"), "autenticacion"),
        (r("sin_configurar"), "autenticacion"),
        (r("error_servidor"), "error"),
    ],
)
def test_icono_cambia_con_el_estado(bandeja, resumen, estado):
    bandeja.actualizar(resumen)
    assert bandeja.estado == estado
    assert not bandeja.icono.icon().isNull()


def test_los_reintentos_de_un_corte_no_hacen_parpadear_el_icono(bandeja):
    vistos = []
    for conexion in (
        "sin_conexion",
        "sincronizando",
        "sin_conexion",
        "sincronizando",
        "sin_conexion",
    ):
        bandeja.actualizar(r(conexion, pendiente=4))
        vistos.append(bandeja.estado)
    assert set(vistos) == {"sin_conexion"}
    bandeja.actualizar(r("al_dia"))
    assert bandeja.estado == "al_dia"


def test_linea_de_estado_sin_conexion_con_ventas_dinero_y_reintento():
    desde = dt.datetime(2026, 11, 28, 10, 42, tzinfo=dt.UTC).astimezone()
    resumen = Resumen(
        conexion="sin_conexion",
        ventas_pendientes=12,
        importe_pendiente="184.30",
        ultimo_exito=desde,
        proximo_intento=AHORA + dt.timedelta(seconds=25),
        cola={"pendiente": 49},
    )
    linea = linea_estado(resumen, "sin_conexion", AHORA)
    assert linea == (
        f"Sin conexión desde {desde.strftime('%d/%m %H:%M')} · 12 ventas "
        "(184,30\N{NO-BREAK SPACE}€) pendientes · reintento en 25 s"
    ).replace("\N{NO-BREAK SPACE}", linea[linea.index("184,30") + 6])
    assert "49" not in linea  # operaciones no: ventas


def test_tooltip_dice_el_mismo_estado_que_el_icono(qapp):
    resumen = resumir(
        {
            "conexion": {"estado": "sin conexión", "ultimo_empuje_ok": "2026-11-27T10:00:00+00:00"},
            "cola": {"PENDIENTE": 7},
            "conflictos": 2,
            "ventas_pendientes": {"n": 3, "importe": "12.5", "antiguedad_s": 3900},
            "modelos": {
                "productos.Producto": {
                    "critico": True,
                    "actualizado_en": "2026-11-27T09:30:00+00:00",
                }
            },
        }
    )
    texto = texto_tooltip(resumen)
    assert texto.startswith("Sincro: 2 conflictos por revisar · Sin conexión desde 27/11")
    assert "al día" not in texto.lower()
    assert "3 ventas (12,50" in texto
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


def test_aviso_sin_conexion_cuenta_desde_el_ultimo_contacto_y_los_reintentos_no_lo_reinician():
    minuto = dt.timedelta(minutes=1)
    contacto = AHORA - 4 * minuto  # último contacto correcto antes de que la bandeja lo viera
    a = Avisador(600)
    a.revisar(r(exito=contacto), AHORA)
    avisos = []
    for i in range(1, 7):  # reintento cada minuto: sin conexión ↔ sincronizando
        conexion = "sincronizando" if i % 2 else "sin_conexion"
        avisos += a.revisar(
            r(conexion, ventas=i, importe="1.00", exito=contacto), AHORA + i * minuto
        )
    assert [(x.tipo, x.numero) for x in avisos] == [("sin_conexion", 6)]
    assert avisos[0].desde == contacto and avisos[0].segundos == 600
    assert a.revisar(r("sin_conexion", ventas=8, exito=contacto), AHORA + 20 * minuto) == []
    assert a.revisar(r("sincronizando", ventas=2, exito=contacto), AHORA + 21 * minuto) == []
    avisos = a.revisar(r("al_dia", exito=AHORA + 22 * minuto), AHORA + 22 * minuto)
    assert [(x.tipo, x.numero) for x in avisos] == [("recuperada", 8)]
    assert a.revisar(r("al_dia"), AHORA + 23 * minuto) == []
