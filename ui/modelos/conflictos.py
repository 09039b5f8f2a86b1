"""Modelo de la pestaña Conflictos: conflictos abiertos (``Conflicto.a_dict()``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP

from ui import formato
from ui.modelos.tabla import ModeloTabla

COL_ID, COL_MODELO, COL_OBJETO, COL_TIPO, COL_CAMPOS, COL_CREADO = range(6)
_C = "ModeloConflictos"


class ModeloConflictos(ModeloTabla):
    COLUMNAS = (
        (_C, QT_TRANSLATE_NOOP("ModeloConflictos", "N.º"), lambda c: c.get("id")),
        (_C, QT_TRANSLATE_NOOP("ModeloConflictos", "Modelo"), lambda c: c.get("modelo")),
        (_C, QT_TRANSLATE_NOOP("ModeloConflictos", "Objeto"), lambda c: c.get("objeto_id")),
        (_C, QT_TRANSLATE_NOOP("ModeloConflictos", "Operación"), lambda c: c.get("tipo")),
        (
            _C,
            QT_TRANSLATE_NOOP("ModeloConflictos", "Campos en disputa"),
            lambda c: ", ".join(c.get("campos_en_disputa") or []),
        ),
        (_C, QT_TRANSLATE_NOOP("ModeloConflictos", "Desde"), lambda c: c.get("creado_en")),
    )

    def texto(self, fila: dict[str, Any], columna: int) -> str:
        if columna == COL_CREADO:
            return formato.hora(fila.get("creado_en"))
        return super().texto(fila, columna)
