"""Cierre de caja (Z) desde la ventana y la bandeja, con el motor REAL y la central REAL: el
resumen desde el último cierre, el rechazo mientras la central no tiene todo (y el cierre
forzado con nombre y motivo), el cierre normal tras sincronizar y la bandeja que lo ofrece a
la hora de cierre configurada."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QTableWidget

from agente import Agente
from agente.sincronizacion import credenciales
from ui.app import Aplicacion
from ui.bandeja import CERRAR_CAJA

L1 = [{"producto": 3, "cantidad": 2, "precio_unitario": "1.95"}]
L2 = [{"producto": 4, "cantidad": 1, "precio_unitario": "0.50"}]


@pytest.fixture
def con_ventas(terminal, central):
    """Dos ventas de esta caja (una con tarjeta) que la central aún no tiene."""
    credenciales.guardar_token(terminal, central.terminal, central.token)
    with Agente.abrir(terminal) as agente:
        agente.vender(L1, pagos=[{"metodo": "tarjeta", "importe": "3.90"}])
        agente.vender(L2)
    return terminal


def _abrir(qtbot, directorio, con_bandeja=False):
    app = Aplicacion(directorio, sincronizar=False, con_bandeja=con_bandeja)
    with qtbot.waitSignal(app.puente.estado_cambiado, timeout=15000):
        app.arrancar()
    return app


def _cerrar(app):
    app.cerrar()
    app.ventana.close()
    app.ventana.deleteLater()


def _dialogo(qtbot, app):
    assert app.ventana.cerrar_caja()
    qtbot.waitUntil(
        lambda: app.ventana.cierre.dialogo is not None and app.ventana.cierre.dialogo.isVisible(),
        timeout=10000,
    )
    return app.ventana.cierre.dialogo


def _metodos(dialogo) -> dict[str, str]:
    tabla: QTableWidget = dialogo.metodos
    return {tabla.item(f, 0).text(): tabla.item(f, 1).text() for f in range(tabla.rowCount())}


def test_sin_confirmar_se_rechaza_y_solo_se_cierra_forzando(qtbot, con_ventas):
    app = _abrir(qtbot, con_ventas)
    try:
        dialogo = _dialogo(qtbot, app)
        assert dialogo.registros.text() == "2 ventas"
        assert dialogo.numeros.text().startswith("del nº 1 al nº 2")
        assert "4,40" in dialogo.total.text()
        assert _metodos(dialogo) == {"Efectivo": "0,50\xa0€", "Tarjeta": "3,90\xa0€"}
        assert dialogo.aviso.isVisible()
        assert dialogo.aviso.text().startswith("La central aún no tiene 2 registros")
        assert not dialogo.boton_cerrar.isEnabled()
        dialogo.efectivo.setText("1,00")
        assert "diferencia 0,50" in dialogo.diferencia.text()
        dialogo.forzar.setChecked(True)
        dialogo.quien.setText("Marta (encargada)")
        assert not dialogo.boton_cerrar.isEnabled()  # falta el motivo
        dialogo.motivo.setText("La red de la tienda está caída")
        assert dialogo.boton_cerrar.isEnabled()
        dialogo.boton_cerrar.click()
        qtbot.waitUntil(lambda: not dialogo.isVisible(), timeout=10000)
        cierre = app.ventana.cierre.ultimo_cierre
        assert cierre["forzado"] == {
            "por": "Marta (encargada)",
            "motivo": "La red de la tienda está caída",
        }
        assert (cierre["efectivo_declarado"], cierre["diferencia"]) == ("1.00", "0.50")
        mensaje = app.ventana.statusBar().currentMessage()
        assert mensaje.startswith(f"Caja cerrada: cierre nº {cierre['numero']}")
        assert "forzado" in mensaje
        assert app.actividad.entradas()[0].titulo == "Caja cerrada"
    finally:
        _cerrar(app)
    with Agente.abrir(con_ventas) as agente:
        assert agente.resumen_caja()["ventas"] == 0
        assert agente.verificar_diario() == []


def test_tras_sincronizar_se_cierra_sin_forzar(qtbot, con_ventas):
    with Agente.abrir(con_ventas) as agente:
        agente.sincronizar_una_vez()
        assert agente.resumen_caja()["sin_confirmar"] == 0
    app = _abrir(qtbot, con_ventas)
    try:
        dialogo = _dialogo(qtbot, app)
        assert not dialogo.aviso.isVisible() and not dialogo.forzar.isVisible()
        assert dialogo.boton_cerrar.isEnabled()
        dialogo.efectivo.setText("0.5")
        dialogo.boton_cerrar.click()
        qtbot.waitUntil(lambda: not dialogo.isVisible(), timeout=10000)
        cierre = app.ventana.cierre.ultimo_cierre
        assert cierre["forzado"] is None and cierre["diferencia"] == "0.00"
        assert (cierre["desde"], cierre["hasta"], cierre["total"]) == (1, 2, "4.40")
        # El siguiente cierre empieza aquí: nada registrado desde este.
        dialogo = _dialogo(qtbot, app)
        assert dialogo.registros.text() == "ninguna venta"
        assert dialogo.desde_cierre.text().startswith(f"el cierre nº {cierre['numero']}")
    finally:
        _cerrar(app)


def test_el_motor_rechaza_si_algo_quedo_sin_confirmar_entre_medias(qtbot, con_ventas):
    """El diálogo se abrió con todo confirmado y entre medias se vendió otra vez: el motor
    rechaza el cierre y el diálogo sigue abierto con el aviso al día, sin cerrar nada."""
    with Agente.abrir(con_ventas) as agente:
        agente.sincronizar_una_vez()
    app = _abrir(qtbot, con_ventas)
    try:
        dialogo = _dialogo(qtbot, app)
        assert dialogo.boton_cerrar.isEnabled()
        with Agente.abrir(con_ventas) as agente:
            agente.vender(L2)
        dialogo.boton_cerrar.click()
        qtbot.waitUntil(lambda: dialogo.aviso.isVisible(), timeout=10000)
        assert dialogo.isVisible()
        assert dialogo.aviso.text().startswith("La central aún no tiene 1 registro ")
        assert dialogo.registros.text() == "3 ventas"
        assert not dialogo.boton_cerrar.isEnabled()
        assert app.ventana.cierre.ultimo_cierre is None
    finally:
        _cerrar(app)


def test_la_bandeja_ofrece_el_cierre_a_la_hora_configurada(qtbot, con_ventas):
    config = json.loads((con_ventas / "config.json").read_text())
    config["hora_cierre"] = "00:00"  # ya ha pasado: toca cerrar
    (con_ventas / "config.json").write_text(json.dumps(config))
    app = _abrir(qtbot, con_ventas, con_bandeja=True)
    try:
        qtbot.waitUntil(lambda: app.puente.ultimo_resumen.cierre_pendiente, timeout=10000)
        assert app.actividad.entradas()[0].titulo == "Hora de cerrar la caja"
        app.bandeja.menu.aboutToShow.emit()
        accion = next(a for a in app.bandeja.menu.actions() if a.objectName() == CERRAR_CAJA)
        assert accion.text() == "Cerrar caja… (es la hora)" and accion.font().bold()
        accion.trigger()
        qtbot.waitUntil(
            lambda: (
                app.ventana.cierre.dialogo is not None and app.ventana.cierre.dialogo.isVisible()
            ),
            timeout=10000,
        )
        assert app.ventana.isVisible()
    finally:
        _cerrar(app)


def test_el_dialogo_de_cierre_en_ingles_no_deja_escapar_espanol(qtbot, con_ventas):
    from tests.ui.test_ingles_completo import ESPANOL, textos_visibles
    from ui import traduccion
    from ui.cierre import DialogoCierre

    with Agente.abrir(con_ventas) as agente:
        resumen = agente.resumen_caja()
    try:
        traduccion.instalar("en")
        dialogo = DialogoCierre(resumen)
        qtbot.addWidget(dialogo)
        dialogo.show()
        dialogo.forzar.setChecked(True)
        dialogo.efectivo.setText("1.00")
        textos = textos_visibles(dialogo)
        assert "Close the till" in textos and "Payment method" in textos
        assert any(t.startswith("The central server does not have 2 records") for t in textos)
        espanol = [t for t in textos if ESPANOL.search(t)]
        assert espanol == []
    finally:
        traduccion.instalar("es")
