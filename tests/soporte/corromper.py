"""Ayudas para crear bases SQLite reales y estropearlas de verdad (páginas con basura)."""

from __future__ import annotations

import os
import random
import sqlite3
import uuid
from pathlib import Path

TAMANO_PAGINA = 4096


def crear_cola(ruta: Path, n: int = 3000) -> dict[str, tuple]:
    """Una cola con ``n`` operaciones en WAL (como la del motor) y volcada al fichero principal.
    Devuelve las filas por uuid para comparar tras el rescate."""
    conexion = sqlite3.connect(ruta, isolation_level=None)
    conexion.execute("PRAGMA journal_mode=WAL")
    conexion.execute(
        "CREATE TABLE operaciones (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, "
        "modelo TEXT NOT NULL, tipo TEXT NOT NULL, objeto_id TEXT NOT NULL, datos TEXT NOT NULL, "
        "estado TEXT NOT NULL)"
    )
    conexion.execute("CREATE INDEX operaciones_estado ON operaciones(estado)")
    conexion.execute("CREATE TABLE desfase (id INTEGER PRIMARY KEY, ms INTEGER)")
    conexion.execute("INSERT INTO desfase (ms) VALUES (1250)")
    conexion.execute("PRAGMA user_version = 7")
    filas = {}
    conexion.execute("BEGIN")
    for i in range(n):
        fila = (
            str(uuid.UUID(int=i + 1)),
            "productos.Producto",
            "ajustar",
            str(i % 97),
            f'{{"stock": -{i % 5 + 1}, "relleno": "{"x" * 40}"}}',
            "PENDIENTE",
        )
        conexion.execute(
            "INSERT INTO operaciones (uuid, modelo, tipo, objeto_id, datos, estado) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            fila,
        )
        filas[fila[0]] = fila
    conexion.execute("COMMIT")
    conexion.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conexion.close()
    return filas


def paginas_de_tabla(ruta: Path, tabla: str) -> list[int]:
    """Páginas hoja de una tabla (vía dbstat si existe; si no, un rango central del fichero)."""
    conexion = sqlite3.connect(ruta)
    try:
        return [
            fila[0]
            for fila in conexion.execute(
                "SELECT pageno FROM dbstat WHERE name=? AND pagetype='leaf' ORDER BY pageno",
                (tabla,),
            )
        ]
    except sqlite3.OperationalError:
        total = os.path.getsize(ruta) // TAMANO_PAGINA
        return list(range(total // 3, 2 * total // 3))
    finally:
        conexion.close()


def estropear_paginas(ruta: Path, paginas: list[int], semilla: int = 7) -> None:
    """Sobrescribe esas páginas (numeradas desde 1) con basura."""
    azar = random.Random(semilla)
    with open(ruta, "r+b") as fichero:
        for pagina in paginas:
            fichero.seek((pagina - 1) * TAMANO_PAGINA)
            fichero.write(azar.randbytes(TAMANO_PAGINA))


def estropear_cabecera(ruta: Path) -> None:
    with open(ruta, "r+b") as fichero:
        fichero.write(b"esto no es una base de datos sqlite!" * 3)
