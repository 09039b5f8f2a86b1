"""Conexiones SQLite con sus PRAGMAs y aplicación de migraciones registradas.

- Cola (preciosa): WAL + ``synchronous=FULL``: cada COMMIT sincroniza el WAL con el disco, así
  que lo confirmado sobrevive a ``kill -9`` y a un corte de luz.
- Caché (desechable): WAL + ``synchronous=NORMAL``: un corte de luz puede perder las últimas
  transacciones, pero nunca deja media transacción (página y cursor van juntos).

Las conexiones se abren en modo autocommit (``isolation_level=None``): quien escribe abre
``BEGIN IMMEDIATE`` explícitamente con :func:`transaccion`. ``check_same_thread=False`` porque
cada dueño (``Cola``, ``Cache``) serializa su conexión de escritura con un cerrojo propio; una
conexión nunca se usa desde dos hilos a la vez.

Migraciones: registros ``sqlite_utils.Migrations`` (ver ``agente.almacen.migraciones``). Se aplican
dentro de un ``BEGIN IMMEDIATE`` para que dos procesos que abren a la vez no migren dos veces.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

ESPERA_BLOQUEO_MS = 15000


def _abrir(ruta: str | os.PathLike[str], synchronous: str) -> sqlite3.Connection:
    conexion = sqlite3.connect(
        os.fspath(ruta),
        isolation_level=None,
        check_same_thread=False,
        timeout=ESPERA_BLOQUEO_MS / 1000,
    )
    conexion.execute(f"PRAGMA busy_timeout = {ESPERA_BLOQUEO_MS}")
    modo = conexion.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(modo).lower() != "wal":
        conexion.close()
        raise sqlite3.OperationalError(f"No se pudo activar WAL en {ruta} (modo {modo!r}).")
    conexion.execute(f"PRAGMA synchronous = {synchronous}")
    conexion.execute("PRAGMA foreign_keys = ON")
    return conexion


def abrir_cola(ruta: str | os.PathLike[str]) -> sqlite3.Connection:
    """Conexión a ``cola.sqlite``: WAL + ``synchronous=FULL`` (duradera al volver COMMIT)."""
    return _abrir(ruta, "FULL")


def abrir_cache(ruta: str | os.PathLike[str]) -> sqlite3.Connection:
    """Conexión a ``cache.sqlite``: WAL + ``synchronous=NORMAL`` (atómica, no duradera)."""
    return _abrir(ruta, "NORMAL")


@contextlib.contextmanager
def transaccion(conexion: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (o ``ROLLBACK`` si algo falla).

    IMMEDIATE toma el cerrojo de escritura al empezar: lo leído dentro de la transacción no
    cambia hasta el COMMIT, también frente a otros procesos.
    """
    conexion.execute("BEGIN IMMEDIATE")
    try:
        yield conexion
    except BaseException:
        if conexion.in_transaction:
            conexion.execute("ROLLBACK")
        raise
    conexion.execute("COMMIT")


def migrar(
    conexion: sqlite3.Connection, migraciones: Migrations, detener_antes: str | None = None
) -> list[str]:
    """Aplica las migraciones pendientes de ``migraciones`` y devuelve sus nombres.

    ``detener_antes`` (para pruebas) deja la base en el esquema anterior a esa migración.
    Todas las pendientes se aplican en una sola transacción IMMEDIATE: o todas o ninguna.
    """
    db = Database(conexion)
    if not migraciones.pending(db):
        return []
    with transaccion(conexion):
        pendientes = [m.name for m in migraciones.pending(db)]
        migraciones.apply(db, stop_before=detener_antes)
        aplicadas = {m.name for m in migraciones.applied(db)}
    return [n for n in pendientes if n in aplicadas]


def migraciones_aplicadas(conexion: sqlite3.Connection, migraciones: Migrations) -> list[str]:
    return [m.name for m in migraciones.applied(Database(conexion))]
