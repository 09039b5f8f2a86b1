"""Modelo del Catálogo con carga perezosa (``canFetchMore``/``fetchMore``) y búsqueda.

Nunca carga el catálogo entero: pide páginas de ``PAGINA`` filas al motor por el puente (hilo
``motor``) cuando la vista se acerca al final, y las inserta al llegar (``beginInsertRows``).
La GUI nunca espera: ``fetchMore`` sólo encola la petición.

Búsqueda al teclear: ``filtrar(texto)`` pide la primera página del nuevo texto y, mientras
llega, la vista sigue enseñando las filas anteriores; al llegar las sustituye con UN reinicio
del modelo (no dos: vaciar y volver a llenar). El total que casa se pide DESPUÉS, aparte
(``contar``): contar 25 000 coincidencias cuesta más que la página, y las filas no esperan a
la cuenta (hasta que llega, ``total`` es ``None`` y ``total_cambiado`` no se ha emitido). Cada
filtro tiene un número de generación; las respuestas de generaciones viejas se tiran. Si ya hay
una primera página en vuelo, sólo el último texto tecleado se pide después (las pulsaciones
intermedias se funden). Sólo hilo de la GUI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ui import etiquetas, formato

Indice = QModelIndex | QPersistentModelIndex
PAGINA = 200

# Pide una página: (modelo, texto, desde, limite, al_terminar) -> bool (encolada). La respuesta
# es ``{"filas": [...], "total": n | None}``.
Pedir = Callable[[str, str, int, int, Callable[[dict[str, Any]], None]], bool]
# Pide el total que casa: (modelo, texto, al_terminar(n)) -> bool (encolada).
Contar = Callable[[str, str, Callable[[int], None]], bool]


class ModeloCatalogo(QAbstractTableModel):
    total_cambiado = Signal(int)  # filas que casan con el filtro actual
    pagina_cargada = Signal(int, int)  # (generación, filas cargadas)

    def __init__(
        self,
        pedir: Pedir,
        pagina: int = PAGINA,
        parent: Any = None,
        contar: Contar | None = None,
    ) -> None:
        super().__init__(parent)
        self._pedir = pedir
        self._contar = contar
        self.pagina = pagina
        self.modelo = ""
        self.campos: list[str] = []
        self.etiquetas: dict[str, str] = {}  # {campo: etiqueta del esquema}
        self.texto = ""
        self.total: int | None = None
        self.generacion = 0
        self._filas: list[dict[str, Any]] = []
        self._en_vuelo = False
        self._primera_en_vuelo = False
        self._sustituir = False  # la próxima página es la primera de un filtro nuevo
        self._completo = False  # la última página llegó incompleta: no hay más
        self._texto_pendiente: str | None = None

    # -- configuración ---------------------------------------------------------------------

    def fijar_modelo(
        self, modelo: str, campos: list[str], etiquetas_campos: dict[str, str] | None = None
    ) -> None:
        self.beginResetModel()
        self.modelo, self.campos = modelo, list(campos)
        self.etiquetas = dict(etiquetas_campos or {})
        self._filas = []
        self.endResetModel()
        self.filtrar(self.texto, forzar=True)

    def filtrar(self, texto: str, forzar: bool = False) -> None:
        texto = texto.strip()
        if texto == self.texto and not forzar:
            return
        if self._primera_en_vuelo:
            self._texto_pendiente = texto  # se pedirá al llegar la primera página en vuelo
            self.texto = texto
            return
        self._reiniciar(texto)

    def _reiniciar(self, texto: str) -> None:
        self.generacion += 1
        self.texto = texto
        self.total = None
        self._sustituir = True
        self._completo = False
        self._texto_pendiente = None
        if self.modelo:
            self._pedir_pagina()

    def _pedir_pagina(self) -> None:
        generacion = self.generacion
        desde = 0 if self._sustituir else len(self._filas)
        self._en_vuelo = True
        self._primera_en_vuelo = self._sustituir
        if not self._pedir(
            self.modelo,
            self.texto,
            desde,
            self.pagina,
            lambda r, g=generacion, d=desde: self._al_pagina(g, d, r),
        ):
            self._en_vuelo = self._primera_en_vuelo = False

    def _al_pagina(self, generacion: int, desde: int, respuesta: dict[str, Any]) -> None:
        self._en_vuelo = self._primera_en_vuelo = False
        if self._texto_pendiente is not None:
            self._reiniciar(self._texto_pendiente)
            return
        if generacion != self.generacion:
            return
        filas = respuesta.get("filas") or []
        if desde == 0 and self._sustituir:
            self.beginResetModel()
            self._filas = list(filas)
            self._sustituir = False
            self.endResetModel()
        elif desde == len(self._filas) and not self._sustituir:
            if filas:
                self.beginInsertRows(QModelIndex(), desde, desde + len(filas) - 1)
                self._filas.extend(filas)
                self.endInsertRows()
        else:
            return
        self._completo = len(filas) < self.pagina
        if respuesta.get("total") is not None:
            self._fijar_total(int(respuesta["total"]))
        elif self._completo and desde == 0:
            self._fijar_total(len(self._filas))  # cabe en una página: ya se sabe
        elif desde == 0 and self._contar is not None:
            self._contar(self.modelo, self.texto, lambda n, g=generacion: self._al_contar(g, n))
        if self._completo and self.total is not None:
            self.total = len(self._filas)
        self.pagina_cargada.emit(generacion, len(self._filas))

    def _al_contar(self, generacion: int, total: int) -> None:
        if generacion == self.generacion:
            self._fijar_total(int(total))

    def _fijar_total(self, total: int) -> None:
        self.total = total
        self.total_cambiado.emit(total)

    # -- Qt --------------------------------------------------------------------------------

    def canFetchMore(self, parent: Indice = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._en_vuelo or self._sustituir or self._completo:
            return False
        if self.total is None:  # aún contando: hay más si la última página vino llena
            return bool(self._filas)
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
