"""Bench: aplicar 10 000 operaciones empujadas, en lotes, frente a una petición HTTP y una
transacción por operación, medidos en la misma ejecución contra la central real
(``sincro-central iniciar``, gunicorn, SQLite con ``synchronous=FULL``; PostgreSQL con ``--pg``).

Mezcla realista de caja: por cada venta, ``crear`` de la venta, ``crear`` de 2 líneas y 2
``ajustar`` del stock de la tienda (``productos.Existencia``; 5 operaciones), más algún
``actualizar`` de cliente con valores base.

El lote se mide 3 veces (operaciones nuevas cada vez; se da la mejor y la mediana); la línea
base, una vez.

Uso: ``.venv/bin/python bench/central_operaciones.py [--ops 10000] [--muestra 1000] [--pg URL]``
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from bench.central_comun import carga, cpu_servidor  # noqa: E402
from tests.central.conftest import op as op_de_prueba  # noqa: E402
from tests.plugins.central import CentralEnMarcha  # noqa: E402


def generar(n: int, productos: int, semilla: int, tienda: str = "T001") -> list[dict]:
    """Operaciones de caja de la tienda ``tienda`` (la de la demo por defecto)."""
    azar = random.Random(semilla)
    ops: list[dict] = []

    def op(modelo: str, tipo: str, objeto_id: str | None, datos: dict) -> dict:
        """Como ``tests.central.conftest.op``, con UUID de la semilla (lote repetible)."""
        identificador = str(uuid.UUID(int=azar.getrandbits(128), version=4))
        return op_de_prueba(modelo, tipo, objeto_id, datos, uuid=identificador)

    while len(ops) < n:
        venta = str(uuid.UUID(int=azar.getrandbits(128), version=4))
        ops.append(
            op(
                "ventas.Venta",
                "crear",
                venta,
                {
                    "id": venta,
                    "terminal": "caja-1",
                    "cliente": None,
                    "fecha": "2026-11-28T10:00:00+01:00",
                    "total": "7.80",
                },
            )
        )
        for _ in range(2):
            pid = azar.randrange(1, productos + 1)
            ops.append(
                op(
                    "ventas.LineaVenta",
                    "crear",
                    None,
                    {
                        "id": str(uuid.UUID(int=azar.getrandbits(128), version=4)),
                        "venta": venta,
                        "producto": pid,
                        "cantidad": 2,
                        "precio_unitario": "1.95",
                    },
                )
            )
            ops.append(op("productos.Existencia", "ajustar", f"{tienda}:{pid}", {"cantidad": -2}))
    return ops[:n]


def enviar(sesion: requests.Session, url: str, ops: list[dict], lote: int) -> int:
    aplicadas = 0
    for i in range(0, len(ops), lote):
        r = sesion.post(
            url,
            data=json.dumps({"operaciones": ops[i : i + lote]}),
            headers={"Content-Type": "application/json"},
            timeout=300,
        )
        r.raise_for_status()
        aplicadas += sum(x["resultado"] == "aplicada" for x in r.json()["resultados"])
    return aplicadas


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--ops", type=int, default=10_000)
    p.add_argument(
        "--muestra",
        type=int,
        default=1_000,
        help="operaciones para la línea base de una petición por operación",
    )
    p.add_argument("--lote", type=int, default=1000)
    p.add_argument("--repeticiones", type=int, default=3)
    p.add_argument("--pg", default=None)
    args = p.parse_args()
    productos = 2000
    entorno = {"DATABASE_URL": args.pg} if args.pg else {}
    central = CentralEnMarcha(
        Path(tempfile.mkdtemp(prefix="bench-ops-")), demo=productos, entorno=entorno
    ).arrancar()
    try:
        sesion = requests.Session()
        sesion.headers["Authorization"] = f"Token {central.token}"
        url = central.url + "/v1/operaciones"
        enviar(sesion, url, generar(500, productos, 99), args.lote)  # calentamiento

        medidas = []
        for repeticion in range(args.repeticiones):  # operaciones nuevas en cada repetición
            ops = generar(args.ops, productos, 1 + repeticion)
            c0, t = cpu_servidor(central.proceso.pid), time.perf_counter()
            aplicadas = enviar(sesion, url, ops, args.lote)
            medidas.append((time.perf_counter() - t, cpu_servidor(central.proceso.pid) - c0))
            assert aplicadas == len(ops), (aplicadas, len(ops))
        en_lotes = min(m[0] for m in medidas)
        cpu_lotes = min(m[1] for m in medidas)
        mediana = sorted(m[0] for m in medidas)[len(medidas) // 2]
        t = time.perf_counter()
        repetidas = enviar(sesion, url, ops, args.lote)  # reenvío: todo duplicada
        reenvio = time.perf_counter() - t
        assert repetidas == 0

        muestra = generar(args.muestra, productos, 1000)
        c0, t = cpu_servidor(central.proceso.pid), time.perf_counter()
        aplicadas = enviar(sesion, url, muestra, 1)
        una_a_una = time.perf_counter() - t
        cpu_una = cpu_servidor(central.proceso.pid) - c0
        assert aplicadas == len(muestra)
    finally:
        central.detener()
    motor = "PostgreSQL" if args.pg else "SQLite"
    lotes = len(ops) / en_lotes
    base = len(muestra) / una_a_una
    print(
        f"{motor}: {len(ops)} operaciones en lotes de {args.lote} (mejor de "
        f"{len(medidas)}): {en_lotes:.2f} s = {lotes:,.0f} ops/s "
        f"(mediana {len(ops) / mediana:,.0f} ops/s)"
    )
    print(f"  reenvío del mismo lote (duplicadas): {len(ops) / reenvio:,.0f} ops/s")
    print(
        f"  línea base, 1 petición + 1 transacción por operación ({len(muestra)} ops): "
        f"{una_a_una:.2f} s = {base:,.0f} ops/s"
    )
    print(f"  relación: {lotes / base:.1f}x")
    print(
        f"  CPU del servidor: lotes {cpu_lotes / len(ops) * 1e6:.0f} µs/op "
        f"({len(ops) / cpu_lotes:,.0f} ops por segundo de CPU); una a una "
        f"{cpu_una / len(muestra) * 1e6:.0f} µs/op; "
        f"relación {cpu_una / len(muestra) / (cpu_lotes / len(ops)):.1f}x"
    )
    print(f"  {carga()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
