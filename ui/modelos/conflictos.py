"""Modelo de la pestaña Conflictos: conflictos abiertos (``Conflicto.a_dict()``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP

from ui import etiquetas, formato
from ui.modelos.tabla import ModeloTabla
from ui.nombres import Presentacion, nombrar_conflicto, presentacion_por_defecto

COL_ID, COL_MODELO, COL_OBJETO, COL_TIPO, COL_CAMPOS, COL_CREADO = range(6)
_C = "ModeloConflictos"


class ModeloConflictos(ModeloTabla):
    COLUMNAS = (
        (_C, QT_TRANSLATE_NOOP("ModeloConflictos", "N.º"), lambda c: c.get("id")),
        (_C, QT_TRANSLATE_NOOP("ModeloConflictos", "Modelo"), lambda c: c.get("modelo")),
        (_C, QT_TRANSLATE_NOOP("ModeloConflictos", "Objeto"), lambda c: c.get("objeto_id")),
        (_C, QT_TRANSLATE_NOOP("ModeloConflictos", "Cambio"), lambda c: c.get("tipo")),
        (
            _C,
            QT_TRANSLATE_NOOP("ModeloConflictos", "Campos en disputa"),
            lambda c: ", ".join(c.get("campos_en_disputa") or []),
        ),
        (_C, QT_TRANSLATE_NOOP("ModeloConflictos", "Desde"), lambda c: c.get("creado_en")),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.presentaciones: dict[str, Presentacion] = {}  # la fija la pestaña

    def texto(self, fila: dict[str, Any], columna: int) -> str:
        if columna == COL_CREADO:
            return formato.hora(fila.get("creado_en"))
        if columna == COL_MODELO:
            modelo = str(fila.get("modelo", ""))
            return self.presentaciones.get(modelo, presentacion_por_defecto(modelo)).nombre
        if columna == COL_OBJETO:
            return nombrar_conflicto(fila, self.presentaciones, formato.plantilla_referido())
        if columna == COL_TIPO:
            return formato.tipo_operacion(fila.get("tipo"))
        if columna == COL_CAMPOS:
            p = self.presentaciones.get(str(fila.get("modelo", "")))
            return ", ".join(etiquetas.etiqueta(c, p) for c in fila.get("campos_en_disputa") or [])
        return super().texto(fila, columna)
