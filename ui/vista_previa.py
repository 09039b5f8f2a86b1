"""Vista previa de una resolución en bloque: cada objeto afectado por su nombre, con el valor de
la central ahora y el que quedará, campo a campo (como el diálogo de fusión de calibre, que nunca
aplica en bloque algo sin enseñarlo). Sólo hilo de la GUI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui import formato

translate = QCoreApplication.translate

Cambio = tuple[str, Any, Any]  # (campo, ahora en la central, después)


def texto_valor(campo: str, valor: Any) -> str:
    if campo == "(objeto)":
        return translate("VistaPrevia", "existe") if valor else translate("VistaPrevia", "borrado")
    return formato.valor(valor)


class VistaPreviaResolucion(QDialog):
    """``objetos``: ``[(nombre del objeto, [cambios])]`` en el orden en que se resolverán."""

    def __init__(
        self, objetos: Sequence[tuple[str, Sequence[Cambio]]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("VistaPrevia", "Resolver varios conflictos"))
        self.resize(980, 420)
        n = len(objetos)
        self.explicacion = QLabel(
            formato.plural(
                n,
                translate(
                    "VistaPrevia",
                    "Se resolverá %n conflicto con la elección de cada campo; revisa cómo quedará:",
                ),
                translate(
                    "VistaPrevia",
                    "Se resolverán %n conflictos con la misma elección por campo. "
                    "Cada uno usa sus propios valores; revisa cómo quedará cada objeto:",
                ),
            )
        )
        self.explicacion.setWordWrap(True)
        self.arbol = QTreeWidget()
        self.arbol.setColumnCount(3)
        self.arbol.setHeaderLabels(
            [
                translate("VistaPrevia", "Objeto y campo"),
                translate("VistaPrevia", "En la central ahora"),
                translate("VistaPrevia", "Quedará"),
            ]
        )
        self.arbol.setWordWrap(True)
        for nombre, cambios in objetos:
            raiz = QTreeWidgetItem([nombre])
            raiz.setFirstColumnSpanned(True)
            if not cambios:
                raiz.addChild(
                    QTreeWidgetItem([translate("VistaPrevia", "(sin cambios en la central)")])
                )
            for campo, antes, despues in cambios:
                etiqueta = translate("VistaPrevia", "objeto") if campo == "(objeto)" else campo
                hijo = QTreeWidgetItem(
                    [etiqueta, texto_valor(campo, antes), texto_valor(campo, despues)]
                )
                for columna in (1, 2):
                    hijo.setToolTip(columna, hijo.text(columna))
                raiz.addChild(hijo)
            self.arbol.addTopLevelItem(raiz)
        self.arbol.expandAll()
        for columna in range(3):  # los valores enteros (y en el tooltip si aun así no caben)
            self.arbol.resizeColumnToContents(columna)
        botones = QDialogButtonBox()
        self.boton_aplicar = botones.addButton(
            formato.plural(
                n,
                translate("VistaPrevia", "Aplicar a %n objeto"),
                translate("VistaPrevia", "Aplicar a %n objetos"),
            ),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        botones.addButton(QDialogButtonBox.StandardButton.Cancel)
        botones.accepted.connect(self.accept)
        botones.rejected.connect(self.reject)
        self.boton_aplicar.setDefault(False)
        capa = QVBoxLayout(self)
        capa.addWidget(self.explicacion)
        capa.addWidget(self.arbol, 1)
        capa.addWidget(botones)
        self.setWindowModality(Qt.WindowModality.WindowModal)

    def objetos(self) -> list[str]:
        return [self.arbol.topLevelItem(i).text(0) for i in range(self.arbol.topLevelItemCount())]

    def filas(self, objeto: int) -> list[tuple[str, str, str]]:
        raiz = self.arbol.topLevelItem(objeto)
        return [tuple(raiz.child(i).text(c) for c in range(3)) for i in range(raiz.childCount())]
