"""Modelo de la pestaña Estado: frescura, filas y prioridad de cada modelo de la caché
(la prioridad es el rango dinámico de envío que calcula el motor; 1 = primero)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP

from ui import formato
from ui.modelos.tabla import ModeloTabla
from ui.nombres import Presentacion, presentacion_por_defecto
from ui.resumen import ModeloResumen

COL_MODELO, COL_CRITICO, COL_FILAS, COL_COMPLETO, COL_ACTUALIZADO, COL_PRIORIDAD, COL_CURSOR = (
    range(7)
)
_C = "ModeloFrescura"


class ModeloFrescura(ModeloTabla):
    COLUMNAS = (
        (_C, QT_TRANSLATE_NOOP("ModeloFrescura", "Modelo"), lambda m: m["nombre"]),
        (_C, QT_TRANSLATE_NOOP("ModeloFrescura", "Crítico"), lambda m: m["critico"]),
        (_C, QT_TRANSLATE_NOOP("ModeloFrescura", "Filas"), lambda m: m["filas"]),
        (_C, QT_TRANSLATE_NOOP("ModeloFrescura", "Completo"), lambda m: m["completo"]),
        (_C, QT_TRANSLATE_NOOP("ModeloFrescura", "Actualizado"), lambda m: m["actualizado_en"]),
        (_C, QT_TRANSLATE_NOOP("ModeloFrescura", "Prioridad de envío"), lambda m: m["prioridad"]),
        (_C, QT_TRANSLATE_NOOP("ModeloFrescura", "Cursor"), lambda m: m["cursor"]),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.presentaciones: dict[str, Presentacion] = {}  # la fija la ventana

    def fijar_modelos(self, modelos: tuple[ModeloResumen, ...]) -> None:
        self.fijar([m.__dict__.copy() for m in modelos])

    def texto(self, fila: dict[str, Any], columna: int) -> str:
        if columna == COL_ACTUALIZADO:
            return formato.hace(fila["actualizado_en"])
        if columna == COL_FILAS:
            return formato.numero(fila["filas"])
        if columna == COL_MODELO:
            nombre = str(fila["nombre"])
            return self.presentaciones.get(nombre, presentacion_por_defecto(nombre)).nombre
        return super().texto(fila, columna)
