"""Iconos de Sincro: un SVG por estado de la bandeja, datos del paquete (``ui.recursos``).

QIcon rasteriza el SVG al tamaño pedido, así que se ve nítido de 16 a 64 px. Sólo desde el
hilo de la GUI (QIcon necesita la QGuiApplication).
"""

from __future__ import annotations

from PySide6.QtGui import QIcon

from ui import recursos
from ui.resumen import ESTADOS_BANDEJA

TAMANOS = (16, 22, 24, 32, 48, 64)  # tamaños comprobados por las pruebas


def ruta_icono(estado: str) -> str:
    """Ruta del SVG de ``estado`` (uno de ``ESTADOS_BANDEJA``, o ``"sincro"``)."""
    if estado not in (*ESTADOS_BANDEJA, "sincro"):
        raise ValueError(f"Estado sin icono: {estado!r} (estados: {', '.join(ESTADOS_BANDEJA)}).")
    return str(recursos.ruta_icono(estado))


def icono(estado: str) -> QIcon:
    """QIcon del estado; el motor de iconos SVG lo rasteriza nítido a cada tamaño pedido."""
    return QIcon(ruta_icono(estado))
