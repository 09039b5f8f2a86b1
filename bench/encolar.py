"""Bench: encolado duradero (``Agente.ajustar`` -> ``cola.sqlite`` con ``synchronous=FULL``).

Cifra: latencia por operación de ``Agente.ajustar`` (validación + valores base desde la caché +
detección temprana + INSERT + COMMIT con fsync), objetos distintos (sin fusión) y el mismo
objeto (con fusión).
Línea base, misma ejecución y mismo disco, alternada operación a operación con el motor:
``sqlite3`` crudo, WAL + ``synchronous=FULL``, un INSERT de una fila parecida + COMMIT.

Uso: ``.venv/bin/python bench/encolar.py [--n 2000] [--dir DIR]``
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from agente.fachada import Agente  # noqa: E402

PRODUCTO = "productos.Producto"


def percentiles(tiempos: list[float]) -> dict[str, float]:
    ordenados = sorted(tiempos)
    return {
        "p50": statistics.median(ordenados) * 1000,
        "p99": ordenados[int(len(ordenados) * 0.99) - 1] * 1000,
        "media": statistics.fmean(ordenados) * 1000,
    }


class BaseCruda:
    """sqlite3 crudo: WAL + synchronous=FULL, un INSERT + COMMIT por operación."""

    def __init__(self, ruta: Path) -> None:
        self.conexion = sqlite3.connect(ruta, isolation_level=None)
        self.conexion.execute("PRAGMA journal_mode = WAL")
        self.conexion.execute("PRAGMA synchronous = FULL")
        self.conexion.execute(
            "CREATE TABLE ops (seq INTEGER PRIMARY KEY, uuid TEXT UNIQUE, modelo TEXT,"
            " objeto TEXT, tipo TEXT, datos TEXT, hora TEXT)"
        )
        self.i = 0

    def una(self) -> None:
        self.i += 1
        self.conexion.execute("BEGIN")
        self.conexion.execute(
            "INSERT INTO ops (uuid, modelo, objeto, tipo, datos, hora) VALUES (?, ?, ?, ?, ?, ?)",
            (str(uuid.uuid4()), PRODUCTO, str(self.i), "ajustar", '{"stock":-1}', "2026-01-01"),
        )
        self.conexion.execute("COMMIT")


def abrir_agente(directorio: Path, n: int) -> Agente:
    esquema = json.loads((RAIZ / "tests" / "datos" / "esquema_demo.json").read_text())
    agente = Agente.abrir(directorio)
    agente.guardar_esquema(esquema)
    agente.cache.aplicar_pagina(
        PRODUCTO,
        [
            {
                "id": str(i),
                "version": i,
                "datos": {
                    "id": i,
                    "nombre": f"P {i}",
                    "codigo": str(i),
                    "precio": "1.00",
                    "stock": 100,
                    "categoria": None,
                },
            }
            for i in range(n)
        ],
        str(n),
        completo=True,
    )
    return agente


def medir(n: int, tmp: Path) -> dict[str, list[float]]:
    """Alterna línea base y motor operación a operación: ambos ven el mismo ruido del disco y
    de la CPU compartida."""
    base = BaseCruda(tmp / "base.sqlite")
    distintos = abrir_agente(tmp / "a", n)
    mismo = abrir_agente(tmp / "b", n)
    tiempos: dict[str, list[float]] = {"base": [], "distintos": [], "mismo": []}
    pasos = {
        "base": base.una,
        "distintos": lambda i: distintos.ajustar(PRODUCTO, i, "stock", -1),
        "mismo": lambda i: mismo.ajustar(PRODUCTO, 1, "stock", -1),
    }
    for i in range(n):
        for nombre, paso in pasos.items():
            t = time.perf_counter()
            paso() if nombre == "base" else paso(i)
            tiempos[nombre].append(time.perf_counter() - t)
    base.conexion.close()
    distintos.cerrar()
    mismo.cerrar()
    return tiempos


def main() -> None:
    analizador = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analizador.add_argument("--n", type=int, default=2000)
    analizador.add_argument("--dir", type=Path, default=None, help="directorio (mismo disco)")
    args = analizador.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        tmp = Path(tmp)
        medidas = medir(args.n, tmp)
    linea = percentiles(medidas["base"])
    distintos = percentiles(medidas["distintos"])
    mismo = percentiles(medidas["mismo"])
    print(f"encolado duradero, {args.n} operaciones, disco de {tmp.parent}")
    print(f"{'':34}{'p50 ms':>9}{'p99 ms':>9}{'media ms':>10}")
    for nombre, cifras in (
        ("línea base sqlite3 INSERT+COMMIT", linea),
        ("Agente.ajustar, objetos distintos", distintos),
        ("Agente.ajustar, mismo objeto", mismo),
    ):
        print(f"{nombre:34}{cifras['p50']:9.3f}{cifras['p99']:9.3f}{cifras['media']:10.3f}")
    for nombre, cifras in (("objetos distintos", distintos), ("mismo objeto", mismo)):
        print(
            f"cociente {nombre}: p50 {cifras['p50'] / linea['p50']:.2f}x, "
            f"p99 {cifras['p99'] / linea['p99']:.2f}x (objetivo <= 2x; p99 <= 2 ms)"
        )


if __name__ == "__main__":
    main()
