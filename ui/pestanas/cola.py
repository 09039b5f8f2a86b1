"""Pestaña Cola: operaciones con filtros por estado y modelo; el detalle muestra los datos
exactamente como se capturaron, intentos y último error; reintentar o descartar (con motivo,
confirmado) las que están en ERROR. Sólo hilo de la GUI."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QCoreApplication, QItemSelectionModel
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from agente import ERROR, ESTADOS
from ui import formato, trabajos
from ui.modelos.cola import ModeloCola, texto_error
from ui.nombres import Presentacion, nombrar, presentacion_por_defecto
from ui.pestanas.tabla import tabla_de
from ui.puente import Puente
from ui.resumen import Resumen

translate = QCoreApplication.translate


def nombre_operacion(
    op: dict[str, Any], presentaciones: dict[str, Presentacion] | None = None
) -> str:
    modelo = str(op.get("modelo", ""))
    datos = op.get("datos") if isinstance(op.get("datos"), dict) else {}
    return nombrar(
        modelo,
        op.get("objeto_id"),
        datos,
        presentacion=(presentaciones or {}).get(modelo),
        referido=op.get("referido"),
        plantilla=formato.plantilla_referido(),
    )


def detalle_operacion(
    op: dict[str, Any], presentaciones: dict[str, Presentacion] | None = None
) -> str:
    """Texto del detalle: qué es y en qué estado está en palabras, los datos tal como se
    capturaron (JSON sin reordenar) y, al final, los detalles técnicos (identificador y
    versión base sólo si los hay)."""
    lineas = [
        translate("Cola", "{tipo} de {objeto}").format(
            tipo=formato.tipo_operacion(op.get("tipo")).capitalize(),
            objeto=nombre_operacion(op, presentaciones),
        ),
        translate("Cola", "Estado: {estado} · intentos: {intentos}").format(
            estado=formato.estado_operacion(op.get("estado")), intentos=op.get("intentos", 0)
        ),
        translate("Cola", "Capturada: {hora}").format(hora=formato.hora(op.get("hora_terminal"))),
    ]
    if op.get("ultimo_error"):
        lineas.append(translate("Cola", "Último error: {error}").format(error=texto_error(op)))
    lineas += [
        "",
        translate("Cola", "Datos capturados:"),
        json.dumps(op.get("datos"), ensure_ascii=False, indent=2),
    ]
    if op.get("valores_base"):
        lineas += [
            translate("Cola", "Valores que había en la central al capturarla:"),
            json.dumps(op.get("valores_base"), ensure_ascii=False, indent=2),
        ]
    lineas += [
        "",
        translate("Cola", "Detalles técnicos:"),
        translate("Cola", "Identificador: {uuid}").format(uuid=op.get("uuid")),
        translate("Cola", "Desfase de reloj al capturarla: {ms} ms").format(
            ms=op.get("desfase_ms", 0)
        ),
    ]
    if op.get("version_base") is not None:
        lineas.append(
            translate("Cola", "Versión de la central al capturarla: {v}").format(
                v=op.get("version_base")
            )
        )
    if op.get("resuelta_por"):
        lineas += [
            "",
            translate("Cola", "Resuelta por {quien}: {motivo}").format(
                quien=op.get("resuelta_por"), motivo=op.get("motivo_resolucion") or "—"
            ),
        ]
    return "\n".join(lineas)


class PestanaCola(QWidget):
    def __init__(self, puente: Puente, quien: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.puente = puente
        self.quien = quien
        self.filtro_estado = QComboBox()
        self.filtro_estado.addItem(translate("Cola", "Todos los estados"), None)
        for estado in ESTADOS:
            self.filtro_estado.addItem(formato.estado_operacion(estado).capitalize(), estado)
        self.filtro_modelo = QComboBox()
        self.filtro_modelo.setObjectName("filtro_modelo")
        self.filtro_modelo.addItem(translate("Cola", "Todos los modelos"), None)
        self.filtro_estado.currentIndexChanged.connect(self.recargar)
        self.filtro_modelo.currentIndexChanged.connect(self.recargar)
        self.cuenta = QLabel()

        self.modelo = ModeloCola(self)
        self.tabla = tabla_de(self.modelo, seleccion_de_fila=True)
        self.tabla.selectionModel().selectionChanged.connect(self._al_seleccionar)

        self.detalle = QPlainTextEdit()
        self.detalle.setReadOnly(True)
        self.detalle.setObjectName("detalle")
        self.boton_reintentar = QPushButton(translate("Cola", "&Reintentar"))
        self.boton_descartar = QPushButton(translate("Cola", "&Descartar…"))
        self.boton_reintentar.clicked.connect(self.reintentar)
        self.boton_descartar.clicked.connect(self.descartar)
        self.aviso = QLabel()
        self.aviso.setWordWrap(True)

        filtros = QHBoxLayout()
        filtros.addWidget(QLabel(translate("Cola", "Estado:")))
        filtros.addWidget(self.filtro_estado)
        filtros.addWidget(QLabel(translate("Cola", "Modelo:")))
        filtros.addWidget(self.filtro_modelo)
        filtros.addStretch(1)
        filtros.addWidget(self.cuenta)

        botones = QHBoxLayout()
        botones.addWidget(self.boton_reintentar)
        botones.addWidget(self.boton_descartar)
        botones.addWidget(self.aviso, 1)
        abajo = QWidget()
        capa_abajo = QVBoxLayout(abajo)
        capa_abajo.setContentsMargins(0, 0, 0, 0)
        capa_abajo.addWidget(self.detalle)
        capa_abajo.addLayout(botones)

        division = QSplitter()
        division.setOrientation(division.orientation().Vertical)
        division.addWidget(self.tabla)
        division.addWidget(abajo)
        division.setSizes([300, 200])

        capa = QVBoxLayout(self)
        capa.addLayout(filtros)
        capa.addWidget(division, 1)
        self._al_seleccionar()

    # -- datos -----------------------------------------------------------------------------

    def fijar_modelos(self, resumen: Resumen) -> None:
        """Rellena el filtro de modelos con los del estado (sin perder la elección)."""
        nombres = [m.nombre for m in resumen.modelos]
        actuales = [self.filtro_modelo.itemData(i) for i in range(1, self.filtro_modelo.count())]
        if nombres != actuales:
            elegido = self.filtro_modelo.currentData()
            self.filtro_modelo.blockSignals(True)
            while self.filtro_modelo.count() > 1:
                self.filtro_modelo.removeItem(1)
            for nombre in nombres:
                presentacion = self.modelo.presentaciones.get(
                    nombre, presentacion_por_defecto(nombre)
                )
                self.filtro_modelo.addItem(presentacion.nombre, nombre)
            indice = self.filtro_modelo.findData(elegido)
            self.filtro_modelo.setCurrentIndex(max(indice, 0))
            self.filtro_modelo.blockSignals(False)

    def recargar(self) -> None:
        self.puente.llamar(
            trabajos.listar_cola,
            self.filtro_estado.currentData(),
            self.filtro_modelo.currentData(),
            al_terminar=self._al_cargar,
            que="cola",
        )

    def _al_cargar(self, operaciones: list[dict[str, Any]]) -> None:
        seleccion = self.seleccionada()
        self.modelo.fijar(operaciones)
        self.cuenta.setText(
            formato.plural(
                len(operaciones),
                translate("Cola", "%n operación"),
                translate("Cola", "%n operaciones"),
            )
        )
        if seleccion is not None:
            fila = self.modelo.indice_de(seleccion["uuid"])
            if fila >= 0:
                self.tabla.selectionModel().select(
                    self.modelo.index(fila, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
        self._al_seleccionar()

    def seleccionada(self) -> dict[str, Any] | None:
        filas = self.tabla.selectionModel().selectedRows()
        return self.modelo.fila(filas[0].row()) if filas else None

    def _al_seleccionar(self, *_: Any) -> None:
        op = self.seleccionada()
        self.detalle.setPlainText(
            detalle_operacion(op, self.modelo.presentaciones)
            if op
            else translate("Cola", "Elige una operación para ver sus datos tal como se capturaron.")
        )
        en_error = op is not None and op.get("estado") == ERROR
        self.boton_reintentar.setEnabled(en_error)
        self.boton_descartar.setEnabled(en_error)

    # -- acciones --------------------------------------------------------------------------

    def reintentar(self) -> None:
        op = self.seleccionada()
        if op is None:
            return
        self.puente.llamar(
            trabajos.reintentar,
            op["uuid"],
            self.quien or None,
            al_terminar=self._al_actuar,
            al_fallar=self._al_fallar,
            que="reintentar",
        )

    def pedir_motivo(self) -> str | None:
        motivo, ok = QInputDialog.getText(
            self,
            translate("Cola", "Descartar operación"),
            translate(
                "Cola", "Motivo del descarte (queda en la auditoría; la operación no se enviará):"
            ),
        )
        return motivo.strip() if ok and motivo.strip() else None

    def confirmar_descarte(self, op: dict[str, Any]) -> bool:
        respuesta = QMessageBox.warning(
            self,
            translate("Cola", "Descartar operación"),
            translate(
                "Cola",
                "El {tipo} de {objeto} no llegará nunca a la central. ¿Descartarlo?",
            ).format(
                tipo=formato.tipo_operacion(op.get("tipo")),
                objeto=nombre_operacion(op, self.modelo.presentaciones),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return respuesta == QMessageBox.StandardButton.Yes

    def descartar(self) -> None:
        op = self.seleccionada()
        if op is None:
            return
        motivo = self.pedir_motivo()
        if motivo is None:
            self.aviso.setText(translate("Cola", "Sin motivo no se descarta nada."))
            return
        if not self.confirmar_descarte(op):
            return
        self.puente.llamar(
            trabajos.descartar,
            op["uuid"],
            motivo,
            self.quien or None,
            al_terminar=self._al_actuar,
            al_fallar=self._al_fallar,
            que="descartar",
        )

    def _al_actuar(self, op: dict[str, Any]) -> None:
        self.aviso.setText(
            translate("Cola", "{objeto}: {estado}.").format(
                objeto=nombre_operacion(op, self.modelo.presentaciones),
                estado=formato.estado_operacion(op.get("estado")),
            )
        )
        self.recargar()
        self.puente.refrescar()

    def _al_fallar(self, mensaje: str) -> None:
        self.aviso.setText(mensaje)
