"""Modelo de tabla genérico sobre una lista de dicts, con columnas declaradas.

Cada subclase declara ``COLUMNAS``: tuplas ``(título_traducible, función(dict) -> valor)``
con sus constantes ``COL_*``. ``fijar(filas)`` sustituye el contenido (reset del modelo).
Sólo hilo de la GUI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from ui import formato

translate = QCoreApplication.translate

Indice = QModelIndex | QPersistentModelIndex
Columna = tuple[str, str, Callable[[dict[str, Any]], Any]]  # (contexto, título, extractor)

ROL_DATOS = Qt.ItemDataRole.UserRole + 1


class ModeloTabla(QAbstractTableModel):
    COLUMNAS: ClassVar[Sequence[Columna]] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._filas: list[dict[str, Any]] = []

    def fijar(self, filas: Sequence[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._filas = list(filas)
        self.endResetModel()

    def fila(self, numero: int) -> dict[str, Any]:
        return self._filas[numero]

    def filas(self) -> list[dict[str, Any]]:
        return list(self._filas)

    def rowCount(self, parent: Indice = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._filas)

    def columnCount(self, parent: Indice = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNAS)

    def headerData(
        self, seccion: int, orientacion: Qt.Orientation, rol: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientacion == Qt.Orientation.Horizontal and rol == Qt.ItemDataRole.DisplayRole:
            contexto, titulo, _ = self.COLUMNAS[seccion]
            return translate(contexto, titulo)
        return None

    def data(self, indice: Indice, rol: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not indice.isValid() or indice.row() >= len(self._filas):
            return None
        fila = self._filas[indice.row()]
        if rol == ROL_DATOS:
            return fila
        if rol == Qt.ItemDataRole.DisplayRole:
            return self.texto(fila, indice.column())
        if rol == Qt.ItemDataRole.ToolTipRole:
            return self.consejo(fila, indice.column())
        if rol == Qt.ItemDataRole.ForegroundRole:
            return self.color(fila, indice.column())
        return None

    def texto(self, fila: dict[str, Any], columna: int) -> str:
        return formato.valor(self.COLUMNAS[columna][2](fila))

    def consejo(self, fila: dict[str, Any], columna: int) -> str:
        """El texto al dejar el ratón encima: el de la celda, salvo que el modelo diga más."""
        return self.texto(fila, columna)

    def color(self, fila: dict[str, Any], columna: int) -> Any:
        return None
