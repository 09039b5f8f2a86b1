"""Pestaña Catálogo: búsqueda en la caché local por nombre o código de barras mientras se
teclea, con precio y stock optimista (lo pendiente de esta terminal ya aplicado). Modelo/vista
de Qt con carga perezosa (``ui.modelos.catalogo``). Sólo hilo de la GUI."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui import formato, trabajos
from ui.modelos.catalogo import ModeloCatalogo
from ui.nombres import presentacion_por_defecto
from ui.puente import Puente

translate = QCoreApplication.translate


class PestanaCatalogo(QWidget):
    def __init__(self, puente: Puente, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.puente = puente
        self.modelos: list[dict[str, Any]] = []
        self.buscar = QLineEdit()
        self.buscar.setObjectName("buscar")
        self.buscar.setClearButtonEnabled(True)
        self.buscar.setPlaceholderText(
            translate("Catalogo", "Buscar por nombre o código de barras…")
        )
        self.selector = QComboBox()
        self.selector.setObjectName("selector_modelo")
        self.selector.currentIndexChanged.connect(self._al_elegir_modelo)
        self.cuenta = QLabel()
        self.modelo = ModeloCatalogo(self._pedir, parent=self, contar=self._contar)
        self.modelo.total_cambiado.connect(self._al_total)
        self.modelo.pagina_cargada.connect(self._ajustar_columnas)
        self.modelo.pagina_cargada.connect(self._al_pagina)
        self._columnas_ajustadas = False
        self.tabla = QTableView()
        self.tabla.setObjectName("tabla_catalogo")  # columnas = campos del esquema
        self.tabla.setModel(self.modelo)
        self.tabla.verticalHeader().setVisible(False)
        self.tabla.verticalHeader().setDefaultSectionSize(self.tabla.fontMetrics().height() + 6)
        self.tabla.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tabla.horizontalHeader().setStretchLastSection(True)
        self.buscar.textChanged.connect(self.modelo.filtrar)
        arriba = QHBoxLayout()
        arriba.addWidget(self.buscar, 1)
        arriba.addWidget(self.selector)
        capa = QVBoxLayout(self)
        capa.addLayout(arriba)
        capa.addWidget(self.tabla, 1)
        capa.addWidget(self.cuenta)

    def _pedir(self, modelo: str, texto: str, desde: int, limite: int, al_terminar) -> bool:
        return self.puente.llamar(
            trabajos.pagina_catalogo,
            modelo,
            texto,
            desde,
            limite,
            False,
            al_terminar=al_terminar,
            al_fallar=self.cuenta.setText,
            que="catálogo",
        )

    def _contar(self, modelo: str, texto: str, al_terminar) -> bool:
        return self.puente.llamar(
            trabajos.contar_catalogo,
            modelo,
            texto,
            al_terminar=al_terminar,
            al_fallar=self.cuenta.setText,
            que="catálogo",
        )

    def _al_pagina(self, _generacion: int, _filas: int) -> None:
        if self.modelo.total is None:
            self.cuenta.setText(translate("Catalogo", "Contando…"))

    def cargar(self) -> None:
        """Pide la lista de modelos (una vez abierto el motor)."""
        self.puente.llamar(trabajos.modelos_catalogo, al_terminar=self._al_modelos, que="catálogo")

    def _al_modelos(self, modelos: list[dict[str, Any]]) -> None:
        actuales = [m["nombre"] for m in self.modelos]
        if actuales == [m["nombre"] for m in modelos]:
            return
        self.modelos = modelos
        self.selector.blockSignals(True)
        self.selector.clear()
        for m in modelos:
            visible = m.get("nombre_visible") or presentacion_por_defecto(m["nombre"]).nombre
            self.selector.addItem(visible[:1].upper() + visible[1:], m["nombre"])
        self.selector.blockSignals(False)
        if modelos:
            self._al_elegir_modelo(0)

    def _al_elegir_modelo(self, indice: int) -> None:
        if 0 <= indice < len(self.modelos):
            elegido = self.modelos[indice]
            self._columnas_ajustadas = False
            self.modelo.fijar_modelo(elegido["nombre"], elegido["campos"], elegido.get("etiquetas"))

    def _ajustar_columnas(self, _generacion: int, filas: int) -> None:
        """Ancho de columnas según la primera página, una vez por modelo (no por pulsación:
        medir el texto de 200 filas costaría más que la propia búsqueda)."""
        if not self._columnas_ajustadas and filas:
            self._columnas_ajustadas = True
            self.tabla.resizeColumnsToContents()

    def _al_total(self, total: int) -> None:
        self.cuenta.setText(
            formato.plural(
                total, translate("Catalogo", "%n fila"), translate("Catalogo", "%n filas")
            )
        )
