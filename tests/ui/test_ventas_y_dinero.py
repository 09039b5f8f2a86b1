"""Ventas y dinero, no operaciones: con una terminal REAL (central real, cola SQLite real) que
vende sin conexión, la bandeja, la franja de la ventana, la pestaña Estado, la confirmación de
salir y el Registro hablan de ventas e importes; el Registro cuenta lo que confirmó la central y
recoge las resoluciones hechas a mano."""

from __future__ import annotations

import datetime as dt

import pytest

from agente.fachada import Agente
from agente.sincronizacion.errores import ErrorSincro
from tests.ui.conftest import aplicacion_arrancada
from ui.ventana import REGISTRO

PRODUCTO = "productos.Producto"


@pytest.fixture
def sin_conexion_con_ventas(terminal, central):
    with Agente.abrir(terminal) as agente:
        conflicto = agente.conflictos()[0]
        agente.resolver(conflicto["id"], usar="central", quien="Ana", motivo="etiqueta nueva")
        agente.vender([{"producto": 3, "cantidad": 2, "precio_unitario": "92.15"}])
        agente.vender([{"producto": 4, "cantidad": 1, "precio_unitario": "0.50"}])
        # La central deja de responder: un pase real falla y el motor lo persiste.
        agente.configurar(
            "http://127.0.0.1:9/sincro",
            central.tienda,
            central.terminal,
            central.token,
            permitir_http=True,
        )
        with pytest.raises(ErrorSincro):
            agente.sincronizar_una_vez()
    return terminal


@pytest.fixture
def aplicacion(qtbot, sin_conexion_con_ventas):
    yield from aplicacion_arrancada(qtbot, sin_conexion_con_ventas, con_bandeja=True)


def test_bandeja_franja_y_estado_dicen_ventas_e_importe(aplicacion):
    r = aplicacion.puente.ultimo_resumen
    assert (r.ventas_pendientes, r.importe_pendiente) == (2, "184.80")
    assert r.pendientes > 2  # la cola tiene más operaciones: no son las que se enseñan
    assert aplicacion.bandeja.estado == "sin_conexion"
    aplicacion.bandeja.menu.aboutToShow.emit()
    linea = aplicacion.bandeja.linea()
    desde = r.ultimo_exito.astimezone().strftime("%H:%M")
    assert linea.startswith(f"Sin conexión desde {desde}")
    assert "2 ventas (184,80" in linea and "€) pendientes" in linea
    assert "operaci" not in linea and f"{r.pendientes} ventas" not in linea
    ventana = aplicacion.ventana
    assert not ventana.franja.isHidden()
    assert "2 ventas (184,80" in ventana.franja.text()
    assert "se enviarán solas" in ventana.franja.text()
    assert "#fde293" in ventana.franja.styleSheet()
    assert ventana.barra.text() == linea
    assert ventana.estado.ventas.text().startswith("2 ventas (184,80")
    # La caja de la cola cuenta lo mismo: 2 ventas (no sus 6 operaciones), y los ajustes de
    # stock (los de las ventas y los de antes) aparte; nunca un número de operaciones.
    por_enviar = ventana.estado.etiquetas_cola["pendiente"].text()
    assert por_enviar == "2 ventas · 4 ajustes de stock"
    assert str(r.cola["pendiente"]) not in por_enviar


def test_salir_avisa_de_las_ventas_y_su_importe(aplicacion, qtbot, avisos_al_salir):
    aplicacion.salir()
    qtbot.waitUntil(lambda: bool(avisos_al_salir))
    assert avisos_al_salir[0].startswith("Hay 2 ventas (184,80")
    assert "operaciones" not in avisos_al_salir[0]


def test_registro_cuenta_lo_confirmado_y_recoge_la_resolucion_manual(aplicacion, qtbot):
    ventana = aplicacion.ventana
    ventana.mostrar(REGISTRO)
    registro = ventana.registro
    esperadas = sum(m["enviadas"] for m in aplicacion.puente.agente.operaciones.actividad(24))
    assert esperadas > 0
    qtbot.waitUntil(lambda: registro.enviadas.text() != "", timeout=5000)
    assert registro.enviadas.text() == (
        f"La central confirmó {esperadas} operaciones en las últimas 24 h."
    )
    qtbot.waitUntil(lambda: registro.modelo.rowCount() > 0, timeout=5000)
    mensajes = [registro.modelo.fila(i)["mensaje"] for i in range(registro.modelo.rowCount())]
    resolucion = [m for m in mensajes if m.startswith("Ana resolvió a mano")]
    assert resolucion == [
        "Ana resolvió a mano el conflicto de Producto «Nombre de la central» "
        f"({resolucion[0].split('(')[-1].split(')')[0]}): etiqueta nueva"
    ]
    assert not any("Retrying" in m or "Traceback" in m for m in mensajes)


def test_el_proximo_reintento_que_anuncia_la_sincronizacion_llega_a_la_linea(aplicacion):
    aplicacion._al_linea_sincro("[sin conexión] La central no responde. Reintento en 25 s.")
    previsto = aplicacion.puente.proximo_intento - dt.datetime.now(dt.UTC)
    assert 20 < previsto.total_seconds() <= 25
    aplicacion._al_linea_sincro("[al día] Todo sincronizado.")
    assert aplicacion.puente.proximo_intento is None
