"""Pestaña Conflictos: lista de conflictos abiertos y apertura del diálogo de revisión.
Sólo hilo de la GUI."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import formato, trabajos
from ui.dialogo_conflicto import DialogoConflicto
from ui.modelos.conflictos import ModeloConflictos
from ui.nombres import Presentacion, nombrar_conflicto, presentaciones
from ui.pestanas.tabla import tabla_de
from ui.puente import Puente

translate = QCoreApplication.translate


class PestanaConflictos(QWidget):
    presentacion_cargada = Signal(dict)  # {modelo: Presentacion}, para otras pestañas

    def __init__(self, puente: Puente, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.puente = puente
        self.encargado = ""
        self.tipos: dict[str, dict[str, str]] = {}
        self.presentaciones: dict[str, Presentacion] = {}
        self.dialogo: DialogoConflicto | None = None
        self.modelo = ModeloConflictos(self)
        self.tabla = tabla_de(self.modelo, seleccion_de_fila=True)
        self.tabla.doubleClicked.connect(lambda indice: self.revisar(indice.row()))
        self.cuenta = QLabel()
        self.aviso = QLabel()
        self.aviso.setWordWrap(True)
        self.boton_revisar = QPushButton(translate("Conflictos", "&Revisar…"))
        self.boton_revisar.clicked.connect(lambda: self.revisar(self._fila_elegida()))

        arriba = QHBoxLayout()
        arriba.addWidget(self.cuenta, 1)
        arriba.addWidget(self.boton_revisar)
        capa = QVBoxLayout(self)
        capa.addLayout(arriba)
        capa.addWidget(self.tabla, 1)
        capa.addWidget(self.aviso)
        self.mostrar([])

    def _fila_elegida(self) -> int:
        filas = self.tabla.selectionModel().selectedRows()
        return filas[0].row() if filas else 0

    def mostrar(self, conflictos: list[dict[str, Any]]) -> None:
        self.modelo.fijar(conflictos)
        self.cuenta.setText(
            formato.plural(
                len(conflictos),
                translate("Conflictos", "%n conflicto abierto"),
                translate("Conflictos", "%n conflictos abiertos"),
            )
            if conflictos
            else translate("Conflictos", "No hay conflictos abiertos: nada que revisar.")
        )
        self.boton_revisar.setEnabled(bool(conflictos))

    def cargar_tipos(self) -> None:
        self.puente.llamar(trabajos.tipos_por_modelo, al_terminar=self._al_tipos, que="esquema")
        self.puente.llamar(
            trabajos.presentacion_por_modelo, al_terminar=self._al_presentacion, que="esquema"
        )

    def _al_presentacion(self, datos: dict[str, dict]) -> None:
        self.presentaciones = presentaciones(datos)
        self.modelo.presentaciones = self.presentaciones
        self.modelo.fijar(self.modelo.filas())
        self.presentacion_cargada.emit(self.presentaciones)

    def _al_tipos(self, tipos: dict[str, dict[str, str]]) -> None:
        self.tipos = tipos

    def revisar(self, fila: int = 0) -> DialogoConflicto | None:
        conflictos = self.modelo.filas()
        if not conflictos:
            return None
        self.dialogo = DialogoConflicto(
            conflictos,
            indice=fila,
            tipos_por_modelo=self.tipos,
            encargado=self.encargado,
            parent=self,
            presentaciones=self.presentaciones,
        )
        self.dialogo.resolver_pedido.connect(self._resolver)
        self.dialogo.open()
        return self.dialogo

    def _resolver(self, resoluciones: list[dict[str, Any]]) -> None:
        if resoluciones:
            self.encargado = resoluciones[0]["quien"]
        self.puente.llamar(
            trabajos.resolver_varios,
            resoluciones,
            al_terminar=self._al_resolver,
            al_fallar=self.aviso.setText,
            que="resolver",
        )

    def _al_resolver(self, resultado: dict[str, Any]) -> None:
        errores = resultado.get("errores") or {}
        por_id = {c.get("id"): c for c in self.modelo.filas()}
        resueltos = len(resultado.get("resueltos") or [])
        texto = formato.plural(
            resueltos,
            translate("Conflictos", "%n conflicto resuelto."),
            translate("Conflictos", "%n conflictos resueltos."),
        )
        if errores:
            plantilla = formato.plantilla_referido()
            detalle = "; ".join(
                f"{nombrar_conflicto(por_id.get(k, {}), self.presentaciones, plantilla)}: {v}"
                for k, v in errores.items()
            )
            texto += " " + formato.plural(
                len(errores),
                translate("Conflictos", "No se pudo resolver %n: {detalle}"),
                translate("Conflictos", "No se pudieron resolver %n: {detalle}"),
            ).format(detalle=detalle)
        self.aviso.setText(texto)
        self.puente.refrescar()
