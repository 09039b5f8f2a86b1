"""Puntos de entrada de una terminal instalada: la orden ``sincro`` y la bandeja.

``sincro`` junta las tres piezas que el motor no debe conocer: sin suborden abre la bandeja
(``ui.app``), ``sincro demo`` arranca la central de demostración (``lanzador.demo``) y cualquier
otra orden es la CLI del motor (``agente.cli``). La bandeja sola, sin consola en Windows, es
``sincro-bandeja`` (``ui.app:main``, un ``gui-script``). Puede importar ``agente`` y ``ui``; no
lo importa nadie del producto.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _abrir_bandeja(args: argparse.Namespace) -> int:
    try:
        from ui.app import main as main_ui
    except ImportError as exc:  # instalación sin la interfaz (p. ej. sin PySide6)
        print(f"sincro: sin interfaz gráfica ({exc}); use «sincro --help».", file=sys.stderr)
        return 2
    return int(main_ui(args) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    """La orden ``sincro``: CLI del motor, ``demo`` y, sin suborden, la bandeja."""
    from agente.cli import main as main_cli

    return main_cli(argv, modulos_extra=["lanzador.demo"], sin_orden=_abrir_bandeja)
