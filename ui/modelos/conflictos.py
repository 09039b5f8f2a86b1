"""Modelo de la pestaña Conflictos: conflictos abiertos (``Conflicto.a_dict()``)."""

from __future__ import annotations

from typing import Any

from ui import formato
from ui.modelos.tabla import ModeloTabla

COL_ID, COL_MODELO, COL_OBJETO, COL_TIPO, COL_CAMPOS, COL_CREADO = range(6)
_C = "ModeloConflictos"


class ModeloConflictos(ModeloTabla):
    COLUMNAS = (
        (_C, "N.º", lambda c: c.get("id")),
        (_C, "Modelo", lambda c: c.get("modelo")),
        (_C, "Objeto", lambda c: c.get("objeto_id")),
        (_C, "Operación", lambda c: c.get("tipo")),
        (_C, "Campos en disputa", lambda c: ", ".join(c.get("campos_en_disputa") or [])),
        (_C, "Desde", lambda c: c.get("creado_en")),
    )

    def texto(self, fila: dict[str, Any], columna: int) -> str:
        if columna == COL_CREADO:
            return formato.hora(fila.get("creado_en"))
        return super().texto(fila, columna)
