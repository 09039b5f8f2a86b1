"""Modelo de la pestaña Estado: frescura, filas y prioridad de cada modelo de la caché
(la prioridad es el rango dinámico de envío que calcula el motor; 1 = primero).

«Actualizado hasta» es la hora de la última página que llegó de la central («10:42, hace 3
min»): lo que un encargado entiende por «¿están al día los precios?». El cursor de descarga es
un dato técnico: sólo aparece en el tooltip de la fila (diagnóstico)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt

from ui import formato
from ui.modelos.tabla import ModeloTabla
from ui.nombres import Presentacion, presentacion_por_defecto
from ui.resumen import ModeloResumen

COL_MODELO, COL_CRITICO, COL_FILAS, COL_COMPLETO, COL_ACTUALIZADO, COL_PRIORIDAD = range(6)
_C = "ModeloFrescura"
translate = QCoreApplication.translate


class ModeloFrescura(ModeloTabla):
    COLUMNAS = (
        (_C, QT_TRANSLATE_NOOP("ModeloFrescura", "Modelo"), lambda m: m["nombre"]),
        (_C, QT_TRANSLATE_NOOP("ModeloFrescura", "Crítico"), lambda m: m["critico"]),
        (_C, QT_TRANSLATE_NOOP("ModeloFrescura", "Filas"), lambda m: m["filas"]),
        (_C, QT_TRANSLATE_NOOP("ModeloFrescura", "Completo"), lambda m: m["completo"]),
        (
            _C,
            QT_TRANSLATE_NOOP("ModeloFrescura", "Actualizado hasta"),
            lambda m: m["actualizado_en"],
        ),
        (_C, QT_TRANSLATE_NOOP("ModeloFrescura", "Prioridad de envío"), lambda m: m["prioridad"]),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.presentaciones: dict[str, Presentacion] = {}  # la fija la ventana

    def fijar_modelos(self, modelos: tuple[ModeloResumen, ...]) -> None:
        self.fijar([m.__dict__.copy() for m in modelos])

    def data(self, indice: Any, rol: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if rol == Qt.ItemDataRole.ToolTipRole and indice.isValid():
            fila = self.fila(indice.row())
            detalle = translate("ModeloFrescura", "Cursor de descarga: {cursor}").format(
                cursor=fila.get("cursor") or formato.VACIO
            )
            return f"{self.texto(fila, indice.column())}\n{detalle}"
        return super().data(indice, rol)

    def texto(self, fila: dict[str, Any], columna: int) -> str:
        if columna == COL_ACTUALIZADO:
            cuando = fila["actualizado_en"]
            if cuando is None:
                return formato.hace(None)
            return translate("ModeloFrescura", "{hora} ({hace})").format(
                hora=formato.hora_corta(cuando), hace=formato.hace(cuando)
            )
        if columna == COL_FILAS:
            return formato.numero(fila["filas"])
        if columna == COL_MODELO:
            nombre = str(fila["nombre"])
            return self.presentaciones.get(nombre, presentacion_por_defecto(nombre)).nombre
        return super().texto(fila, columna)
