"""Pestaña Actividad: lo que pasó (avisos de la bandeja, resoluciones), cuándo y qué hacer.
Persistente (``ui.actividad.Actividad``): una burbuja de la bandeja se va sola, la entrada no.
Sólo hilo de la GUI."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui import formato
from ui.actividad import Actividad

translate = QCoreApplication.translate

COL_HORA, COL_QUE, COL_HACER = range(3)


class PestanaActividad(QWidget):
    def __init__(self, actividad: Actividad, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actividad = actividad
        self.vacia = QLabel(translate("Actividad", "Aún no ha pasado nada que contar."))
        self.tabla = QTableWidget(0, 3)
        self.tabla.setHorizontalHeaderLabels(
            [
                translate("Actividad", "Cuándo"),
                translate("Actividad", "Qué pasó"),
                translate("Actividad", "Qué hacer"),
            ]
        )
        self.tabla.verticalHeader().setVisible(False)
        self.tabla.setWordWrap(True)
        self.tabla.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        cabecera = self.tabla.horizontalHeader()
        cabecera.setSectionResizeMode(COL_HORA, QHeaderView.ResizeMode.ResizeToContents)
        cabecera.setSectionResizeMode(COL_QUE, QHeaderView.ResizeMode.Stretch)
        cabecera.setSectionResizeMode(COL_HACER, QHeaderView.ResizeMode.Stretch)
        capa = QVBoxLayout(self)
        capa.addWidget(self.vacia)
        capa.addWidget(self.tabla, 1)
        actividad.cambiada.connect(self.recargar)
        self.recargar()

    def recargar(self) -> None:
        entradas = self.actividad.entradas()
        self.vacia.setVisible(not entradas)
        self.tabla.setRowCount(len(entradas))
        for fila, e in enumerate(entradas):
            que = f"{e.titulo}: {e.mensaje}" if e.mensaje else e.titulo
            for columna, texto in (
                (COL_HORA, formato.hora(e.momento)),
                (COL_QUE, que),
                (COL_HACER, e.accion),
            ):
                celda = QTableWidgetItem(texto)
                celda.setToolTip(texto)
                celda.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.tabla.setItem(fila, columna, celda)
        self.tabla.resizeRowsToContents()

    def textos(self) -> list[tuple[str, str, str]]:
        return [
            tuple(self.tabla.item(f, c).text() for c in range(3))
            for f in range(self.tabla.rowCount())
        ]
