"""Directorio de datos de una terminal y rutas de sus ficheros.

Prioridad: ``--datos DIR`` (argumento explícito) > variable de entorno ``SINCRO_DATOS`` >
directorio de datos de usuario del sistema (platformdirs). Varias terminales pueden convivir en
una máquina con directorios distintos.

Puro salvo ``asegurar_directorio`` (crea el directorio, privado). Seguro desde cualquier hilo.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

VARIABLE_ENTORNO = "SINCRO_DATOS"
FICHERO_COLA = "cola.sqlite"
FICHERO_CACHE = "cache.sqlite"
FICHERO_CONFIG = "config.json"


def directorio_datos(explicito: str | os.PathLike[str] | None = None) -> Path:
    """El directorio de datos a usar (sin crearlo)."""
    if explicito:
        return Path(explicito).expanduser()
    entorno = os.environ.get(VARIABLE_ENTORNO)
    if entorno:
        return Path(entorno).expanduser()
    return Path(platformdirs.user_data_dir("sincro", appauthor=False))


def asegurar_directorio(directorio: str | os.PathLike[str]) -> Path:
    """Crea el directorio (y sus padres) si falta, lo deja sólo para el usuario actual
    (``agente.soporte.privado``: 0700 / ACL) y lo devuelve como ``Path``."""
    from agente.soporte import privado

    return privado.crear_carpeta(directorio)


def ruta_cola(directorio: str | os.PathLike[str]) -> Path:
    return Path(directorio) / FICHERO_COLA


def ruta_cache(directorio: str | os.PathLike[str]) -> Path:
    return Path(directorio) / FICHERO_CACHE


def ruta_config(directorio: str | os.PathLike[str]) -> Path:
    return Path(directorio) / FICHERO_CONFIG
