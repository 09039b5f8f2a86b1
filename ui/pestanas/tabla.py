"""La tabla de datos de una pestaña: sin números de fila, columnas a la medida de su
contenido y la última estirada. Sólo hilo de la GUI."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QHeaderView, QTableView


def tabla_de(modelo: QAbstractItemModel, *, seleccion_de_fila: bool = False) -> QTableView:
    """Una ``QTableView`` que muestra ``modelo``; con ``seleccion_de_fila`` se elige una fila
    entera cada vez (las pestañas que actúan sobre la fila elegida)."""
    tabla = QTableView()
    tabla.setModel(modelo)
    if seleccion_de_fila:
        tabla.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        tabla.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    tabla.verticalHeader().setVisible(False)
    cabecera = tabla.horizontalHeader()
    cabecera.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    cabecera.setStretchLastSection(True)
    return tabla
