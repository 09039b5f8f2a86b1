"""Bench: empujes concurrentes en PostgreSQL sin cerrojo global frente al diseño anterior (un
cerrojo consultivo por lote hasta su commit, ``SINCRO_ORDEN_COMMIT=cerrojo``), en la misma
ejecución, con la central real (gunicorn, varios trabajadores) y una base nueva para cada uno.

N clientes empujan a la vez lotes realistas de caja (por venta: ``crear`` de la venta, 2
``crear`` de línea y 2 ``ajustar`` del stock de la tienda) durante S segundos. Se da ops/s,
latencia p50/p99 del lote y la fracción de muestras de ``pg_stat_activity`` (cada 20 ms) con
alguna sesión esperando un cerrojo (``wait_event_type = 'Lock'``).

Uso: ``.venv/bin/python bench/central_concurrencia.py [--pg URL] [--clientes 8] [--segundos 10]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from bench.central_comun import (  # noqa: E402
    carga,
    central_pg,
    cpu_maquina,
    cpu_pg,
    cpu_servidor,
    usar_pg,
)
from bench.central_operaciones import generar  # noqa: E402


def _esperas(url_pg: str, parar: threading.Event, muestras: list[int]) -> None:
    import psycopg

    with psycopg.connect(url_pg, autocommit=True) as c:
        while not parar.is_set():
            muestras.append(
                c.execute(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                ).fetchone()[0]
            )
            time.sleep(0.02)


def medir(modo: str, args: argparse.Namespace) -> dict:
    with central_pg("bench-conc", args.productos, modo, args.hilos, args.trabajadores) as (
        central,
        url_pg,
    ):
        url = central.url + "/v1/operaciones"
        lotes = [
            generar(args.lote * 400, args.productos, 1000 * i + (modo == "marca"))
            for i in range(args.clientes)
        ]
        calentar = requests.Session()
        calentar.headers["Authorization"] = f"Token {central.token}"
        for ops in (generar(200, args.productos, 99 + (modo == "marca")),):
            calentar.post(url, data=json.dumps({"operaciones": ops}), timeout=300)
        latencias: list[float] = []
        aplicadas = [0] * args.clientes
        fin = time.monotonic() + args.segundos
        cerrojo = threading.Lock()

        def cliente(n: int) -> None:
            sesion = requests.Session()
            sesion.headers["Authorization"] = f"Token {central.token}"
            ops = lotes[n]
            i = 0
            while time.monotonic() < fin and i < len(ops):
                trozo = ops[i : i + args.lote]
                i += args.lote
                t = time.perf_counter()
                r = sesion.post(
                    url,
                    data=json.dumps({"operaciones": trozo}),
                    headers={"Content-Type": "application/json"},
                    timeout=300,
                )
                r.raise_for_status()
                with cerrojo:
                    latencias.append(time.perf_counter() - t)
                aplicadas[n] += sum(x["resultado"] == "aplicada" for x in r.json()["resultados"])

        parar = threading.Event()
        muestras: list[int] = []
        vigia = threading.Thread(target=_esperas, args=(url_pg, parar, muestras))
        vigia.start()
        hilos = [threading.Thread(target=cliente, args=(n,)) for n in range(args.clientes)]
        t0 = time.perf_counter()
        cpu0, pg0, maquina0 = cpu_servidor(central.proceso.pid), cpu_pg(url_pg), cpu_maquina()
        for h in hilos:
            h.start()
        for h in hilos:
            h.join()
        segundos = time.perf_counter() - t0
        cpu1, pg1, maquina1 = cpu_servidor(central.proceso.pid), cpu_pg(url_pg), cpu_maquina()
        parar.set()
        vigia.join()
    latencias.sort()
    return {
        "ops_s": sum(aplicadas) / segundos,
        "ops": sum(aplicadas),
        "segundos": segundos,
        "p50": statistics.median(latencias),
        "p99": latencias[int(len(latencias) * 0.99)],
        "esperando": sum(1 for m in muestras if m) / max(1, len(muestras)),
        "esperas_medias": statistics.mean(muestras) if muestras else 0.0,
        "lotes": len(latencias),
        "cpu_servidor": cpu1 - cpu0,
        "cpu_pg": pg1 - pg0,
        "ociosa": (maquina1[1] - maquina0[1]) / max(1.0, maquina1[0] - maquina0[0]),
    }


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--pg", default=os.environ.get("SINCRO_PG_URL"))
    p.add_argument("--clientes", type=int, default=8)
    p.add_argument("--segundos", type=float, default=10.0)
    p.add_argument("--lote", type=int, default=100, help="operaciones por lote (20 ventas)")
    p.add_argument("--productos", type=int, default=20_000, help="catálogo de la cadena")
    p.add_argument("--trabajadores", type=int, default=4)
    p.add_argument("--hilos", type=int, default=8)
    args = p.parse_args()
    if not usar_pg(args.pg):
        return 2
    resultados = {modo: medir(modo, args) for modo in ("cerrojo", "marca")}
    base, nuevo = resultados["cerrojo"], resultados["marca"]
    print(
        f"PostgreSQL, {args.productos} productos, {args.clientes} clientes a la vez, "
        f"lotes de {args.lote} operaciones, "
        f"{args.trabajadores} trabajadores x {args.hilos} hilos, {args.segundos:.0f} s:"
    )
    for nombre, r in (
        ("cerrojo global (diseño anterior)", base),
        ("marca de agua, sin cerrojo", nuevo),
    ):
        print(
            f"  {nombre}: {r['ops_s']:,.0f} ops/s ({r['ops']} ops en {r['segundos']:.1f} s); "
            f"lote p50 {r['p50'] * 1000:.0f} ms, p99 {r['p99'] * 1000:.0f} ms; "
            f"alguna sesión esperando un cerrojo en el {r['esperando']:.0%} de las muestras "
            f"(media {r['esperas_medias']:.1f} esperando)"
        )
        print(
            f"    CPU por lote: servidor {1000 * r['cpu_servidor'] / max(1, r['lotes']):.1f} ms, "
            f"PostgreSQL {1000 * r['cpu_pg'] / max(1, r['lotes']):.1f} ms; núcleos ocupados: "
            f"servidor {r['cpu_servidor'] / r['segundos']:.2f}, "
            f"PostgreSQL {r['cpu_pg'] / r['segundos']:.2f}; máquina ociosa {r['ociosa']:.0%}"
        )
    print(f"  relación: {nuevo['ops_s'] / base['ops_s']:.2f}x")
    print(f"  {carga()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
