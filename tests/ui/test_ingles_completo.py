"""La interfaz en inglés no deja escapar español, y en español Qt habla español.

Se abre la aplicación entera en inglés sobre una terminal REAL (central real, conflicto real,
ventas pendientes), se recorren sus pestañas, el menú de la bandeja, el diálogo de conflictos y
la vista previa, y se recogen los textos de la interfaz (etiquetas, botones, pestañas, cabeceras,
listas desplegables, acciones, marcadores de posición). Ninguno puede contener un texto en
español del catálogo de traducciones ni señales de español (tildes, ñ, ¿, palabras frecuentes).
Los datos de la tienda (nombres de productos, motivos escritos) no son textos de la interfaz y
se excluyen por nombre de objeto.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QWidget,
)

from agente.fachada import Agente
from ui import traduccion
from ui.app import Aplicacion
from ui.ventana import ACTIVIDAD, CONFLICTOS

ESPANOL = re.compile(
    r"[áéíóúñÁÉÍÓÚÑ¿¡]|\b(de|del|la|las|los|el|sin|con|por|para|una|que|"
    r"ventas?|pendientes?|conflictos?|operaci\w+|todo|hay|nada|hace|desde|"
    r"ejemplo)\b",
    re.IGNORECASE,
)
TECNICO = re.compile(r"\b[a-z]+\.[A-Z]\w+|\b(PENDIENTE|COMPLETADO|ERROR|CONFLICTO)\b")
#: Widgets que enseñan datos de la tienda (lo que la central o el encargado escribieron): el
#: objeto del conflicto y los nombres de modelo que sirve la central.
DATOS = {"objeto", "filtro_modelo", "selector_modelo", "llavero", "tabla_catalogo"}
#: Nombres de idioma, siempre en su propio idioma.
PROPIOS = {"Español"}


def _sin_html(texto: str) -> str:
    return re.sub(r"<[^>]+>", "", texto or "")


def _de_datos(w: QWidget) -> bool:
    while w is not None:
        if w.objectName() in DATOS:
            return True
        w = w.parentWidget()
    return False


def textos_visibles(raiz: QWidget) -> list[str]:
    textos: list[str] = []
    for w in [raiz, *raiz.findChildren(QWidget)]:
        if _de_datos(w):
            continue
        if isinstance(w, QLabel):
            textos.append(_sin_html(w.text()))
        elif isinstance(w, QAbstractButton):
            textos.append(w.text().replace("&", ""))
        elif isinstance(w, QGroupBox):
            textos.append(w.title())
        elif isinstance(w, QTabWidget):
            textos += [w.tabText(i) for i in range(w.count())]
        elif isinstance(w, QComboBox):
            textos += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QLineEdit):
            textos.append(w.placeholderText())
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            modelo = w.model()
            textos += [
                str(
                    modelo.headerData(
                        c, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal
                    )
                    or ""
                )
                for c in range(modelo.columnCount())
            ]
    if raiz.windowTitle():
        textos.append(raiz.windowTitle())
    return [t for t in textos if t.strip()]


def _palabras_solo_espanolas() -> set[str]:
    """Palabras de los originales del catálogo que no aparecen en ninguna traducción."""
    import xml.etree.ElementTree as ET
    from pathlib import Path

    ts = Path(__file__).resolve().parents[2] / "ui" / "datos" / "traducciones" / "sincro_en.ts"
    es, en = set(), set()
    for m in ET.parse(ts).getroot().iter("message"):  # noqa: S314 (fichero del repositorio)
        es |= set(re.findall(r"[^\W\d_]{4,}", m.find("source").text or "", re.UNICODE))
        en |= set(re.findall(r"[^\W\d_]{4,}", m.find("translation").text or "", re.UNICODE))
    return {p.lower() for p in es} - {p.lower() for p in en}


SOLO_ESPANOL = _palabras_solo_espanolas()


def en_espanol(textos: list[str]) -> list[str]:
    def espanol(t: str) -> bool:
        # Palabras sueltas: no las piezas de un identificador de la tienda («caja-ui», el
        # nombre de una terminal, o la serie «caja-1-2026»), que son datos.
        palabras = {
            p.lower() for p in re.findall(r"(?<![\w-])[^\W\d_]{4,}(?![\w-])", t, re.UNICODE)
        }
        return bool(ESPANOL.search(t) or TECNICO.search(t) or palabras & SOLO_ESPANOL)

    return sorted({t for t in textos if t not in PROPIOS and espanol(t)})


@pytest.fixture
def en_ingles(qapp):
    traduccion.instalar("en")
    yield
    traduccion.instalar("es")


def test_ninguna_cadena_visible_en_espanol_con_la_interfaz_en_ingles(qtbot, terminal, en_ingles):
    with Agente.abrir(terminal) as agente:
        agente.vender([{"producto": 3, "cantidad": 2, "precio_unitario": "1000.25"}])
    app = Aplicacion(terminal, sincronizar=False, con_bandeja=True)
    try:
        with qtbot.waitSignal(app.puente.estado_cambiado, timeout=10000):
            app.arrancar()
        ventana = app.ventana
        ventana.mostrar()
        vistos: list[str] = []
        for indice in range(ventana.pestanas.count()):
            ventana.pestanas.setCurrentIndex(indice)
            qtbot.wait(300)
            vistos += textos_visibles(ventana)
        app.avisos.encolar(__import__("ui.notificaciones").notificaciones.Aviso("conflictos", 1))
        ventana.mostrar(ACTIVIDAD)
        vistos += textos_visibles(ventana)
        app.bandeja.menu.aboutToShow.emit()
        vistos += [a.text() for a in app.bandeja.menu.actions() if a.text()]
        vistos.append(app.bandeja.icono.toolTip())
        ventana.mostrar(CONFLICTOS)
        qtbot.waitUntil(lambda: ventana.conflictos.modelo.rowCount() == 1, timeout=5000)
        dialogo = ventana.conflictos.revisar(0)
        dialogo.objeto.setObjectName("objeto")
        qtbot.waitExposed(dialogo)
        # Sólo las cabeceras y los controles: las celdas son datos de la tienda.
        vistos += textos_visibles(dialogo)
        assert "1 sale (€2,000.50) pending" in app.bandeja.linea()
        assert en_espanol(vistos) == []
        dialogo.reject()
    finally:
        app.cerrar()
        ventana.close()
        ventana.deleteLater()


def test_los_botones_propios_de_qt_hablan_espanol(qapp):
    traduccion.instalar("es")
    caja = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.Cancel
    )
    assert sorted(b.text() for b in caja.buttons()) == ["&Sí", "Cancelar"]


def test_el_detector_de_espanol_detecta(qapp):
    """La prueba de arriba no es vacía: con la interfaz en español sí encuentra español."""
    assert en_espanol(
        [
            "Sin conexión desde 10:42",
            "Open Sincro",
            "productos.Producto 21",
            "https://central.example.com/sincro",
            "Actividad reciente",
        ]
    ) == ["Actividad reciente", "Sin conexión desde 10:42", "productos.Producto 21"]
