"""Ayudas comunes de la CLI: abrir el agente, imprimir (texto o ``--json``), errores de una
línea y códigos de salida.

Códigos: 0 bien; 1 fallo inesperado (E/S, base de datos); 2 entrada incorrecta (el mensaje
dice qué corregir y no se ha cambiado nada).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

from agente.cache import ErrorCache
from agente.cola import ErrorCola
from agente.esquema import ErrorEsquema, ErrorValor

SALIDA_BIEN = 0
SALIDA_FALLO = 1
SALIDA_ENTRADA = 2


class ErrorEntrada(ValueError):
    """Argumentos de la orden incorrectos. El mensaje dice qué corregir."""


ERRORES_DE_ENTRADA: tuple[type[BaseException], ...] = (
    ErrorEntrada,
    ErrorValor,
    ErrorEsquema,
    ErrorCache,
    ErrorCola,
)


def abrir_agente(args: argparse.Namespace, **opciones: Any):
    """El ``Agente`` del directorio de ``--datos`` (o ``SINCRO_DATOS`` o el de usuario)."""
    from agente.agente import Agente

    return Agente.abrir(getattr(args, "datos", None), **opciones)


def una_linea(texto: object) -> str:
    return " ".join(str(texto).split())


def error(mensaje: object, codigo: int = SALIDA_ENTRADA) -> int:
    print(f"sincro: error: {una_linea(mensaje)}", file=sys.stderr)
    return codigo


def imprimir_json(valor: Any) -> None:
    json.dump(valor, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def opcion_json(analizador: argparse.ArgumentParser) -> None:
    analizador.add_argument("--json", action="store_true", help="salida en JSON")


def leer_json(texto: str, que: str, ejemplo: str) -> Any:
    try:
        return json.loads(texto)
    except json.JSONDecodeError as exc:
        raise ErrorEntrada(f"{que} no es JSON válido ({exc.msg}); ejemplo: {ejemplo}") from None


def ejecutar(funcion: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Ejecuta una suborden traduciendo excepciones a un mensaje de una línea."""
    try:
        return int(funcion(args) or SALIDA_BIEN)
    except ERRORES_DE_ENTRADA as exc:
        return error(exc, SALIDA_ENTRADA)
    except (sqlite3.Error, OSError) as exc:
        return error(f"{type(exc).__name__}: {exc}", SALIDA_FALLO)
    except KeyboardInterrupt:
        return error("interrumpido", 130)
