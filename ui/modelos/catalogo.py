"""Modelo del Catálogo con carga perezosa (``canFetchMore``/``fetchMore``) y búsqueda.

Nunca carga el catálogo entero: pide páginas de ``PAGINA`` filas al motor por el puente (hilo
``motor``) cuando la vista se acerca al final, y las inserta al llegar (``beginInsertRows``).
La GUI nunca espera: ``fetchMore`` sólo encola la petición.

Búsqueda al teclear: ``filtrar(texto)`` vacía el modelo y pide la primera página con el total.
Cada filtro tiene un número de generación; las respuestas de generaciones viejas se tiran. Si
ya hay una primera página en vuelo, sólo el último texto tecleado se pide después (las
pulsaciones intermedias se funden). Sólo hilo de la GUI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ui import etiquetas, formato

Indice = QModelIndex | QPersistentModelIndex
PAGINA = 200

# Pide una página: (modelo, texto, desde, limite, al_terminar) -> bool (encolada).
Pedir = Callable[[str, str, int, int, Callable[[dict[str, Any]], None]], bool]


class ModeloCatalogo(QAbstractTableModel):
    total_cambiado = Signal(int)  # filas que casan con el filtro actual
    pagina_cargada = Signal(int, int)  # (generación, filas cargadas)

    def __init__(self, pedir: Pedir, pagina: int = PAGINA, parent: Any = None) -> None:
        super().__init__(parent)
        self._pedir = pedir
        self.pagina = pagina
        self.modelo = ""
        self.campos: list[str] = []
        self.etiquetas: dict[str, str] = {}  # {campo: etiqueta del esquema}
        self.texto = ""
        self.total: int | None = None
        self.generacion = 0
        self._filas: list[dict[str, Any]] = []
        self._en_vuelo = False
        self._texto_pendiente: str | None = None

    # -- configuración ---------------------------------------------------------------------

    def fijar_modelo(
        self, modelo: str, campos: list[str], etiquetas_campos: dict[str, str] | None = None
    ) -> None:
        self.beginResetModel()
        self.modelo, self.campos = modelo, list(campos)
        self.etiquetas = dict(etiquetas_campos or {})
        self.endResetModel()
        self.filtrar(self.texto, forzar=True)

    def filtrar(self, texto: str, forzar: bool = False) -> None:
        texto = texto.strip()
        if texto == self.texto and not forzar:
            return
        if self._en_vuelo and self.total is None:
            self._texto_pendiente = texto  # se pedirá al llegar la primera página en vuelo
            self.texto = texto
            return
        self._reiniciar(texto)

    def _reiniciar(self, texto: str) -> None:
        self.generacion += 1
        self.beginResetModel()
        self.texto = texto
        self._filas = []
        self.total = None
        self.endResetModel()
        self._texto_pendiente = None
        if self.modelo:
            self._pedir_pagina()

    def _pedir_pagina(self) -> None:
        generacion, desde = self.generacion, len(self._filas)
        self._en_vuelo = True
        if not self._pedir(
            self.modelo,
            self.texto,
            desde,
            self.pagina,
            lambda r, g=generacion, d=desde: self._al_pagina(g, d, r),
        ):
            self._en_vuelo = False

    def _al_pagina(self, generacion: int, desde: int, respuesta: dict[str, Any]) -> None:
        self._en_vuelo = False
        if self._texto_pendiente is not None:
            self._reiniciar(self._texto_pendiente)
            return
        if generacion != self.generacion or desde != len(self._filas):
            return
        if respuesta.get("total") is not None:
            self.total = int(respuesta["total"])
            self.total_cambiado.emit(self.total)
        filas = respuesta.get("filas") or []
        if filas:
            self.beginInsertRows(QModelIndex(), desde, desde + len(filas) - 1)
            self._filas.extend(filas)
            self.endInsertRows()
        if len(filas) < self.pagina and self.total is not None:
            self.total = len(self._filas)
        self.pagina_cargada.emit(generacion, len(self._filas))

    # -- Qt --------------------------------------------------------------------------------

    def canFetchMore(self, parent: Indice = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._en_vuelo or self.total is None:
            return False
        return len(self._filas) < self.total

    def fetchMore(self, parent: Indice = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._pedir_pagina()

    def rowCount(self, parent: Indice = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._filas)

    def columnCount(self, parent: Indice = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.campos)

    def headerData(
        self, seccion: int, orientacion: Qt.Orientation, rol: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientacion == Qt.Orientation.Horizontal
            and rol == Qt.ItemDataRole.DisplayRole
            and seccion < len(self.campos)
        ):
            return etiquetas.etiqueta(self.campos[seccion], self.etiquetas)
        return None

    def data(self, indice: Indice, rol: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not indice.isValid() or rol != Qt.ItemDataRole.DisplayRole:
            return None
        fila = self._filas[indice.row()]
        return formato.valor(fila.get(self.campos[indice.column()]))

    def fila(self, numero: int) -> dict[str, Any]:
        return self._filas[numero]
