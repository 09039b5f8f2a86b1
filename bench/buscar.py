"""Bench: búsqueda mientras se escribe en una caché de 100 000 productos.

Cifra: latencia de ``Agente.buscar(texto, modelo=productos.Producto, limite=50)`` (código exacto
+ FTS5 por prefijo + valores optimistas; 1 000 productos con ventas pendientes en la cola)
sobre consultas «tecleadas» letra a letra (``l``, ``le``, ``lec``... ``leche pascual 12``) y
códigos de barras exactos.
Línea base, misma ejecución y alternada consulta a consulta: la consulta FTS5 cruda
equivalente (``MATCH`` + ``JOIN`` a la tabla + ``LIMIT 50``, filas leídas) con ``sqlite3``.

Uso: ``.venv/bin/python bench/buscar.py [--filas 100000] [--consultas 3000]``
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))
sys.path.insert(0, str(RAIZ / "bench"))

from cache_pagina import ESQUEMA, PRODUCTO, pagina  # noqa: E402

from agente.almacen.cache import consulta_fts  # noqa: E402
from agente.fachada import Agente  # noqa: E402


def percentiles(tiempos: list[float]) -> dict[str, float]:
    ordenados = sorted(tiempos)
    return {
        "p50": statistics.median(ordenados) * 1000,
        "p99": ordenados[int(len(ordenados) * 0.99) - 1] * 1000,
        "max": ordenados[-1] * 1000,
    }


def consultas(datos: list[dict], n: int, azar: random.Random) -> list[str]:
    resultado: list[str] = []
    while len(resultado) < n:
        fila = azar.choice(datos)["datos"]
        if azar.random() < 0.2:
            resultado.append(fila["codigo"])
            continue
        nombre = fila["nombre"].lower()
        resultado.extend(nombre[:i] for i in range(1, len(nombre) + 1) if nombre[i - 1] != " ")
    return resultado[:n]


def main() -> None:
    analizador = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analizador.add_argument("--filas", type=int, default=100_000)
    analizador.add_argument("--consultas", type=int, default=3000)
    args = analizador.parse_args()
    azar = random.Random(7)
    texto = pagina(0, args.filas)
    datos = json.loads(texto)
    with tempfile.TemporaryDirectory() as tmp, Agente.abrir(tmp) as agente:
        agente.guardar_esquema(ESQUEMA)
        agente.cache.iniciar_reconstruccion(PRODUCTO)
        agente.cache.aplicar_pagina(PRODUCTO, datos["cambios"], datos["cursor"])
        agente.cache.terminar_reconstruccion(PRODUCTO, datos["cursor"])
        for i in azar.sample(range(args.filas), 1000):
            agente.ajustar(PRODUCTO, i, "stock", -1)
        cruda = sqlite3.connect(Path(tmp) / "cache.sqlite")
        sql_fts = (
            "SELECT t.* FROM m_productos__producto__fts f JOIN m_productos__producto t "
            "ON t.rowid = f.rowid WHERE m_productos__producto__fts MATCH ? LIMIT 50"
        )
        lista = consultas(datos["cambios"], args.consultas, azar)
        motor, base, vacias = [], [], 0
        for consulta in lista:
            t = time.perf_counter()
            resultados = agente.buscar(consulta, modelo=PRODUCTO, limite=50)
            motor.append(time.perf_counter() - t)
            vacias += not resultados
            t = time.perf_counter()
            if consulta.isdigit():
                cruda.execute(
                    "SELECT * FROM m_productos__producto WHERE codigo = ? LIMIT 50", (consulta,)
                ).fetchall()
            else:
                cruda.execute(sql_fts, (consulta_fts(consulta),)).fetchall()
            base.append(time.perf_counter() - t)
        cruda.close()
    m, b = percentiles(motor), percentiles(base)
    print(f"búsqueda en {args.filas} productos, {len(lista)} consultas ({vacias} sin resultado)")
    print(f"{'':40}{'p50 ms':>9}{'p99 ms':>9}{'máx ms':>9}")
    print(f"{'línea base FTS5/índice crudo':40}{b['p50']:9.3f}{b['p99']:9.3f}{b['max']:9.3f}")
    print(f"{'Agente.buscar (optimista)':40}{m['p50']:9.3f}{m['p99']:9.3f}{m['max']:9.3f}")
    print(f"cociente p99: {m['p99'] / b['p99']:.2f}x (objetivo: p99 <= 10 ms)")


if __name__ == "__main__":
    main()
