"""Modelo de la pestaña Registro: líneas del registro ya interpretadas (``ui.eventos``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QBrush, QColor

from ui import formato
from ui.modelos.tabla import ModeloTabla

COL_HORA, COL_NIVEL, COL_MENSAJE = range(3)
_C = "ModeloRegistro"
COLORES = {"ERROR": QColor("#b3261e"), "CRITICAL": QColor("#b3261e"), "WARNING": QColor("#8a5a00")}


class ModeloRegistro(ModeloTabla):
    COLUMNAS = (
        (_C, QT_TRANSLATE_NOOP("ModeloRegistro", "Hora"), lambda e: e.get("hora")),
        (_C, QT_TRANSLATE_NOOP("ModeloRegistro", "Nivel"), lambda e: e.get("nivel_texto")),
        (_C, QT_TRANSLATE_NOOP("ModeloRegistro", "Qué pasó"), lambda e: e.get("mensaje")),
    )

    def texto(self, fila: dict[str, Any], columna: int) -> str:
        if columna == COL_HORA:
            return formato.hora(fila.get("hora"))
        return super().texto(fila, columna)

    def consejo(self, fila: dict[str, Any], columna: int) -> str:
        """Sobre «Qué pasó»: la frase y, si la hay, el detalle técnico que la originó."""
        texto = self.texto(fila, columna)
        if columna == COL_MENSAJE and fila.get("detalle") and fila["detalle"] != texto:
            return f"{texto}\n\n{fila['detalle']}"
        return texto

    def color(self, fila: dict[str, Any], columna: int) -> Any:
        color = COLORES.get(str(fila.get("nivel")))
        return QBrush(color) if color else None
