"""Modelo de la pestaña Cola: operaciones (``Operacion.a_dict()``) en orden de cola."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QBrush, QColor

from ui import formato
from ui.errores import frase
from ui.modelos.tabla import ModeloTabla
from ui.nombres import Presentacion, nombrar, presentacion_por_defecto

COL_SEQ, COL_ESTADO, COL_MODELO, COL_TIPO, COL_OBJETO, COL_CAPTURADA, COL_INTENTOS, COL_ERROR = (
    range(8)
)
_C = "ModeloCola"
translate = QCoreApplication.translate

COLORES_ESTADO = {
    "ERROR": QColor("#b3261e"),
    "CONFLICTO": QColor("#8a5a00"),
    "COMPLETADO": QColor("#1e6e34"),
    "DESCARTADO": QColor("#5f6368"),
}


def texto_error(op: dict[str, Any]) -> str:
    """El último error o aviso de una operación en una frase, sin pistas de la CLI: una en
    conflicto remite a la pestaña Conflictos."""
    if op.get("estado") == "CONFLICTO":
        return translate("ModeloCola", "Revísalo en la pestaña Conflictos.")
    texto = op.get("ultimo_error") or op.get("aviso")
    return frase(str(texto))[0] if texto else ""


class ModeloCola(ModeloTabla):
    COLUMNAS = (
        (_C, QT_TRANSLATE_NOOP("ModeloCola", "N.º"), lambda op: op.get("seq")),
        (_C, QT_TRANSLATE_NOOP("ModeloCola", "Estado"), lambda op: op.get("estado")),
        (_C, QT_TRANSLATE_NOOP("ModeloCola", "Modelo"), lambda op: op.get("modelo")),
        (_C, QT_TRANSLATE_NOOP("ModeloCola", "Tipo"), lambda op: op.get("tipo")),
        (_C, QT_TRANSLATE_NOOP("ModeloCola", "Objeto"), lambda op: op.get("objeto_id")),
        (_C, QT_TRANSLATE_NOOP("ModeloCola", "Capturada"), lambda op: op.get("hora_terminal")),
        (_C, QT_TRANSLATE_NOOP("ModeloCola", "Intentos"), lambda op: op.get("intentos")),
        (
            _C,
            QT_TRANSLATE_NOOP("ModeloCola", "Último error"),
            lambda op: op.get("ultimo_error") or op.get("aviso"),
        ),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.presentaciones: dict[str, Presentacion] = {}  # la fija la pestaña

    def texto(self, fila: dict[str, Any], columna: int) -> str:
        modelo = str(fila.get("modelo", ""))
        if columna == COL_ESTADO:
            return formato.estado_operacion(fila.get("estado"))
        if columna == COL_TIPO:
            return formato.tipo_operacion(fila.get("tipo"))
        if columna == COL_MODELO:
            return self.presentaciones.get(modelo, presentacion_por_defecto(modelo)).nombre
        if columna == COL_OBJETO:
            datos = fila.get("datos") if isinstance(fila.get("datos"), dict) else {}
            return nombrar(
                modelo,
                fila.get("objeto_id"),
                datos,
                presentacion=self.presentaciones.get(modelo),
                referido=fila.get("referido"),
                plantilla=formato.plantilla_referido(),
            )
        if columna == COL_CAPTURADA:
            return formato.hora(fila.get("hora_terminal"))
        if columna == COL_ERROR:
            return texto_error(fila)
        return super().texto(fila, columna)

    def color(self, fila: dict[str, Any], columna: int) -> Any:
        if columna == COL_ESTADO and fila.get("estado") in COLORES_ESTADO:
            return QBrush(COLORES_ESTADO[fila["estado"]])
        return None

    def indice_de(self, uuid: str) -> int:
        for numero, op in enumerate(self._filas):
            if op.get("uuid") == uuid:
                return numero
        return -1
