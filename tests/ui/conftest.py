"""Fixtures de las pruebas de la interfaz (pytest-qt; ``QT_QPA_PLATFORM=offscreen`` lo pone
el conftest raíz).

``terminal_preparada`` (módulo): un directorio de datos REAL sincronizado con la central REAL
(``central``), con un conflicto de verdad (otra terminal cambió en la central el nombre que
esta terminal también cambió), una operación rechazada por la central (ERROR) y operaciones
pendientes. ``terminal`` copia ese directorio para cada prueba (los ficheros SQLite se
cierran antes de copiar), así cada prueba parte del mismo estado sin repetir la red.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from agente.fachada import Agente
from agente.sincronizacion.cliente import Cliente
from tests.sincronizacion.terminales import cambio

PRODUCTO = "productos.Producto"
EXISTENCIA = "productos.Existencia"


@pytest.fixture(scope="module")
def terminal_preparada(central, tmp_path_factory) -> Path:
    directorio = tmp_path_factory.mktemp("terminal") / "datos"
    with Agente.abrir(directorio) as agente:
        agente.configurar(central.url, central.tienda, central.terminal, central.token)
        agente.sincronizar_una_vez()
        # Conflicto real: esta terminal y otra cambian el nombre del producto 9.
        antes = agente.obtener(PRODUCTO, "9")
        version = agente.cache.fila(PRODUCTO, "9")[1]
        agente.encolar(PRODUCTO, "actualizar", {"nombre": "Nombre de esta terminal"}, "9")
        agente.encolar(PRODUCTO, "actualizar", {"nombre": "Otro nombre local"}, "10")
        otro = central.crear_terminal("T001", "caja-ui")
        uuid = "6a1f0f3e-0000-4000-8000-000000000009"
        datos = {"nombre": "Nombre de la central"}
        Cliente(central.url, otro).operaciones([cambio("9", datos, version, antes, uuid=uuid)])
        # Rechazada por la central: un objeto que la central no tiene.
        agente.encolar(EXISTENCIA, "ajustar", {"cantidad": -1}, "T001:999999")
        agente.sincronizar_una_vez()
        # Pendientes que no se envían (la prueba no sincroniza más): stock de esta tienda.
        agente.ajustar(EXISTENCIA, "T001:1", "cantidad", -2)
        agente.ajustar(EXISTENCIA, "T001:2", "cantidad", -1)
    return directorio


@pytest.fixture
def terminal(terminal_preparada, tmp_path) -> Path:
    destino = tmp_path / "datos"
    shutil.copytree(terminal_preparada, destino)
    return destino


def cerrar(app) -> None:
    """Como al salir: motor cerrado y después la ventana (no la cierra qtbot antes)."""
    app.cerrar()
    app.ventana.close()
    app.ventana.deleteLater()


def aplicacion_arrancada(qtbot, directorio: Path, *, con_bandeja: bool) -> Iterator:
    """Para fixtures: la ``Aplicacion`` sobre ``directorio``, sin sincronizar, con su primer
    estado ya pintado; cerrada al terminar (``yield from aplicacion_arrancada(...)``)."""
    from ui.app import Aplicacion

    app = Aplicacion(directorio, sincronizar=False, con_bandeja=con_bandeja)
    with qtbot.waitSignal(app.puente.estado_cambiado, timeout=10000):
        app.arrancar()
    yield app
    cerrar(app)


@pytest.fixture
def avisos_al_salir(monkeypatch) -> list[str]:
    """Los textos de los ``QMessageBox.warning`` que se abran, cada uno respondido «No» (no
    salir): la lista se llena al mostrarse."""
    from PySide6.QtWidgets import QMessageBox

    textos: list[str] = []

    def responder(_padre, _titulo, texto, *_a, **_k):
        textos.append(texto)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "warning", responder)
    return textos


@pytest.fixture(autouse=True, scope="session")
def _idioma_espanol():
    """Números y dinero como en una caja española («184,30 €»), sea cual sea el sistema."""
    from PySide6.QtCore import QLocale

    QLocale.setDefault(QLocale(QLocale.Language.Spanish, QLocale.Country.Spain))


@pytest.fixture(autouse=True)
def _basura_de_qt_en_el_hilo_de_la_gui():
    """Tras cada prueba, la basura (aplicaciones, ventanas y diálogos que la prueba soltó, con
    ciclos por sus conexiones de señales) se recoge AQUÍ, en el hilo de la GUI. Si no, el
    recolector de ciclos la destruye cuando le toca, a veces desde un hilo de trabajo del
    puente de la prueba siguiente: Qt no puede destruir objetos con avisos de sockets (el
    vigilante de ``config.json``, un ``QProcess``) desde otro hilo, y el hilo de la GUI acababa
    en un bucle de «QSocketNotifier: Invalid socket … disabling» (memoria sin límite) o en una
    violación de segmento al desmontar."""
    yield
    import gc

    gc.collect()
