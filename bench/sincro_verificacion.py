"""Bench de la verificación de la caché contra la central, de extremo a extremo (central real
``sincro-central iniciar --demo N``, terminal por la fachada).

1. Verificar un modelo de N filas (100 000 por defecto) sin nada que reparar:
   ``Agente.verificar`` completo (descarga incremental vacía, sumas locales, sumas de la
   central por HTTP, comparación). Línea base en la misma ejecución: una descarga incremental
   vacía (``sincronizar_una_vez`` sin nada nuevo y sin verificación).
2. Reparar R filas dañadas (100 por defecto; precio cambiado a mano en la caché): filas
   descargadas frente al tamaño del modelo (objetivo ≤ 2 %), y tiempo.

Uso: ``.venv/bin/python bench/sincro_verificacion.py [--filas 100000] [--danadas 100] [--pg URL]``
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="bench-llavero-"))

import tests.plugins.central as plugin_central  # noqa: E402
from agente.fachada import Agente  # noqa: E402
from bench.central_comun import carga  # noqa: E402
from tests.plugins.central import CentralEnMarcha  # noqa: E402

plugin_central.ARRANQUE_MAX_S = 1800.0
PRODUCTO = "productos.Producto"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--filas", type=int, default=100_000)
    p.add_argument("--danadas", type=int, default=100)
    p.add_argument("--repeticiones", type=int, default=3)
    p.add_argument("--pg", default=None)
    args = p.parse_args()
    contexto = None
    entorno = {}
    if args.pg:
        import tests.central.conftest as comun

        comun.PG_URL = args.pg
        contexto = comun.base_pg_nueva()
        entorno["DATABASE_URL"] = contexto.__enter__()
    central = CentralEnMarcha(
        Path(tempfile.mkdtemp(prefix="bench-verif-")), demo=args.filas, entorno=entorno
    ).arrancar()
    directorio = Path(tempfile.mkdtemp(prefix="bench-verif-terminal-"))
    try:
        agente = Agente.abrir(directorio)
        agente.configurar(
            central.url,
            central.tienda,
            central.terminal,
            central.token,
            intervalo_verificacion=10**9,
        )
        agente.sincronizar_una_vez()
        base, verificar = [], []
        for _ in range(args.repeticiones):
            t = time.perf_counter()
            agente.sincronizar_una_vez()  # incremental vacío, sin verificar (intervalo enorme)
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            informe = agente.verificar([PRODUCTO])
            verificar.append(time.perf_counter() - t)
            assert informe.reparadas == 0, informe.a_dict()
        config = agente.esquema().modelo(PRODUCTO)
        agente.cerrar()

        cache = sqlite3.connect(directorio / "cache.sqlite")
        ids = [f[0] for f in cache.execute(f'SELECT id FROM "{config.tabla}"')]  # noqa: S608
        for i in random.Random(7).sample(ids, args.danadas):
            cache.execute(
                f'UPDATE "{config.tabla}" SET precio = ? WHERE id = ?',  # noqa: S608
                ("0.01", i),
            )
        cache.commit()
        cache.close()
        agente = Agente.abrir(directorio)
        t = time.perf_counter()
        informe = agente.verificar([PRODUCTO])
        reparar = time.perf_counter() - t
        modelo = informe.modelos[0]
        assert modelo.reparadas == args.danadas, informe.a_dict()
        assert agente.verificar([PRODUCTO]).reparadas == 0
        agente.cerrar()
    finally:
        central.detener()
        if contexto is not None:
            contexto.__exit__(None, None, None)
    motor = "PostgreSQL" if args.pg else "SQLite"
    print(f"Central {motor}, {args.filas:,} productos:")
    print(
        f"  verificar sin nada que reparar (mejor de {args.repeticiones}): "
        f"{min(verificar) * 1000:.0f} ms; línea base, descarga incremental vacía: "
        f"{min(base) * 1000:.0f} ms ({min(verificar) / min(base):.1f}x)"
    )
    print(
        f"  reparar {args.danadas} filas dañadas: {reparar * 1000:.0f} ms; "
        f"{modelo.cubos_distintos} de {modelo.cubos} cubos distintos; "
        f"{modelo.filas_descargadas} filas descargadas = "
        f"{modelo.filas_descargadas / args.filas:.2%} del modelo"
    )
    print(f"  {carga()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
