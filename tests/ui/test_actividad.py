"""Avisos en fila (ninguno tapa a otro), lista Actividad persistente, y una bandeja que sigue
los cambios de configuración sin reiniciar (con la central y la sincronización reales)."""

from __future__ import annotations

import json

import pytest

from agente.fachada import Agente
from tests.ui.conftest import cerrar
from ui.actividad import Actividad, ColaAvisos
from ui.app import Aplicacion
from ui.notificaciones import Aviso
from ui.ventana import ACTIVIDAD


def test_los_avisos_van_en_fila_y_ninguno_se_pierde(qtbot, tmp_path):
    actividad = Actividad(tmp_path)
    cola = ColaAvisos(actividad, intervalo_ms=300)
    mostrados: list[Aviso] = []
    cola.mostrar.connect(mostrados.append)
    cola.encolar(Aviso("conflictos", 2))
    cola.encolar(Aviso("recuperada", 68))
    assert [a.tipo for a in mostrados] == ["conflictos"]  # el segundo no tapa al primero
    assert cola.pendientes() == 1
    qtbot.waitUntil(lambda: len(mostrados) == 2, timeout=3000)
    assert [a.tipo for a in mostrados] == ["conflictos", "recuperada"]
    entradas = actividad.entradas()
    assert [e.tipo for e in entradas] == ["recuperada", "conflictos"]  # recientes primero
    assert entradas[1].accion == "Un encargado debe revisarlos en Conflictos."
    assert "68 ventas enviadas" in entradas[0].mensaje
    # Persistente: otra Actividad sobre el mismo directorio (otra sesión) ve lo mismo.
    assert Actividad(tmp_path).entradas() == entradas
    assert len(json.loads((tmp_path / "actividad.json").read_text())) == 2


def test_actividad_rota_empieza_de_nuevo_sin_romper_la_bandeja(tmp_path):
    (tmp_path / "actividad.json").write_text("{no es json")
    actividad = Actividad(tmp_path)
    assert actividad.entradas() == []
    actividad.anotar("resolucion", "Conflicto resuelto", "Producto «Pan»")
    assert Actividad(tmp_path).entradas()[0].titulo == "Conflicto resuelto"


def test_pestana_actividad_muestra_cuando_que_y_que_hacer(qtbot, tmp_path):
    app = Aplicacion(tmp_path, sincronizar=False, con_bandeja=False)
    try:
        app.avisos.encolar(Aviso("autenticacion"))
        pestana = app.ventana.actividad
        app.ventana.mostrar(ACTIVIDAD)
        ((cuando, que, hacer),) = pestana.textos()
        assert cuando and que.startswith("La central rechaza el token")
        assert hacer == "Pide un token nuevo y guárdalo en Configuración."
    finally:
        cerrar(app)


@pytest.fixture
def sin_configurar(tmp_path):
    directorio = tmp_path / "datos"
    Agente.abrir(directorio).cerrar()
    return directorio


def _estado_bandeja(app):
    app.bandeja.menu.aboutToShow.emit()
    activas = {a.objectName(): a.isEnabled() for a in app.bandeja.menu.actions() if a.objectName()}
    return app.bandeja.estado, activas["sincronizar"]


def test_primer_arranque_tras_configurar_no_dice_sin_configurar(qtbot, sin_configurar, central):
    """``sincro configurar`` y después la bandeja: no hay estado persistido todavía."""
    with Agente.abrir(sin_configurar) as agente:
        agente.configurar(central.url, central.tienda, central.terminal, central.token)
    app = Aplicacion(sin_configurar, sincronizar=False, con_bandeja=True)
    try:
        with qtbot.waitSignal(app.puente.estado_cambiado, timeout=10000):
            app.arrancar()
        assert _estado_bandeja(app) == ("sincronizando", True)
    finally:
        cerrar(app)


@pytest.mark.lento
def test_la_bandeja_sigue_a_sincro_configurar_sin_reiniciar(qtbot, sin_configurar, central):
    app = Aplicacion(sin_configurar, sincronizar=True, con_bandeja=True)
    try:
        with qtbot.waitSignal(app.puente.estado_cambiado, timeout=10000):
            app.arrancar()
        qtbot.waitUntil(lambda: not app.sincro.en_marcha, timeout=30000)  # sale: sin config
        assert _estado_bandeja(app) == ("autenticacion", False)
        # Otro proceso (la CLI) configura la terminal con la bandeja abierta.
        with Agente.abrir(sin_configurar) as agente:
            agente.configurar(central.url, central.tienda, central.terminal, central.token)
        qtbot.waitUntil(lambda: app.bandeja.estado in ("al_dia", "sincronizando"), timeout=60000)
        qtbot.waitUntil(lambda: app.bandeja.estado == "al_dia", timeout=60000)
        assert _estado_bandeja(app) == ("al_dia", True)
        assert app.sincro.en_marcha
    finally:
        cerrar(app)
