"""CLI ``sincro``: reúne las subórdenes de módulos pequeños.

Añadir un módulo de órdenes = una línea en ``MODULOS``. Cada módulo expone
``registrar(subparsers)``, que crea sus subórdenes con ``set_defaults(funcion=...)``; la
función recibe los argumentos (el directorio de datos global está en ``args.datos``) y devuelve
el código de salida. Las ayudas comunes (abrir el agente, ``--json``, errores de una línea)
están en ``agente.cli.salida``.

El motor no conoce la interfaz: quien instala la orden ``sincro`` (``lanzador``) pasa a ``main``
las órdenes de más (``demo``) y qué hacer sin suborden (abrir la bandeja). Llamada sola
(``python -m agente.cli``), sin suborden imprime la ayuda.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from agente.cli import salida

__all__ = ["MODULOS", "construir_analizador", "main"]

MODULOS = [
    "agente.cli.cola",
    "agente.cli.catalogo",
    "agente.cli.diario",
    "agente.cli.sincronizacion",
    "agente.cli.soporte",
    "agente.cli.venta",
]


def version() -> str:
    from agente import __version__

    return __version__


def construir_analizador(modulos_extra: Sequence[str] = ()) -> argparse.ArgumentParser:
    analizador = salida.Analizador(
        prog="sincro",
        description="Sincro: agente de sincronización offline-first para terminales de venta.",
    )
    analizador.add_argument("--version", action="version", version=f"sincro {version()}")
    analizador.add_argument(
        "--datos",
        metavar="DIR",
        dest="datos",
        help="directorio de datos de esta terminal (o la variable SINCRO_DATOS; por defecto el "
        "directorio de datos del usuario)",
    )
    analizador.add_argument(
        "--permitir-http",
        dest="permitir_http_global",
        action="store_true",
        help="aceptar una central con http sin cifrar que no es local (también hace falta en "
        "config.json, con «sincro configurar --permitir-http»)",
    )
    subordenes = analizador.add_subparsers(dest="orden", metavar="ORDEN")
    for modulo in (*MODULOS, *modulos_extra):
        importlib.import_module(modulo).registrar(subordenes)
    return analizador


def main(
    argv: Sequence[str] | None = None,
    *,
    modulos_extra: Sequence[str] = (),
    sin_orden: Callable[[argparse.Namespace], int] | None = None,
) -> int:
    """Ejecuta ``sincro``. ``modulos_extra``: módulos de órdenes de fuera del motor (mismo
    contrato que ``MODULOS``); ``sin_orden``: qué hacer sin suborden (por defecto, la ayuda)."""
    salida.salida_visible()  # nada de lo que imprima una orden lleva escapes de terminal
    analizador = construir_analizador(modulos_extra)
    args = analizador.parse_args(argv)
    if args.orden is None:
        if sin_orden is None:
            analizador.print_help()
            return 0
        return int(sin_orden(args) or 0)
    from agente.soporte import configuracion, registro, rutas

    if getattr(args, "permitir_http", False) or getattr(args, "permitir_http_global", False):
        configuracion.permitir_http_en_este_proceso()
    # El bucle largo («sincronizar», p. ej. el hijo de la bandeja) rota su propio fichero.
    programa = "sincronizar" if args.orden == "sincronizar" else "sincro"
    registro.configurar_sin_fallar(rutas.directorio_datos(args.datos), programa)
    return salida.ejecutar(args.funcion, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
