"""Bench: una venta de 5 líneas con su registro del diario frente al camino anterior.

Cifra: latencia de ``Agente.vender`` con 5 líneas (validación, cabecera + 5 líneas + 5 ajustes
de stock, pagos, número y huella del diario; UNA transacción con ``synchronous=FULL``).
Línea base, misma ejecución y mismo disco, alternada venta a venta: lo que hacía ``vender``
antes del diario con la misma venta (la misma validación y las mismas operaciones; los pagos en
una transacción y el encolado en otra, sin registro del diario). Objetivo: ≤ 1,5x. Además,
para ver lo que cuesta sólo el registro, el mismo camino anterior con pagos y encolado en UNA
transacción (un COMMIT, como ahora) pero sin diario.

Uso: ``.venv/bin/python bench/diario_vender.py [--n 1000] [--dir DIR]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))
sys.path.insert(0, str(RAIZ / "bench"))

from encolar import abrir_agente, percentiles  # noqa: E402

from agente.almacen import pagos as almacen_pagos  # noqa: E402
from agente.fachada import LINEA_VENTA, VENTA, Agente  # noqa: E402
from agente.reglas import pagos as reglas_pagos  # noqa: E402

PRODUCTOS = 1000
LINEAS = 5


def vender_como_antes(agente: Agente, lineas: list[dict], juntas: bool = False) -> None:
    """El ``vender`` anterior al diario: mismas operaciones y validación; pagos y encolado en
    dos transacciones, sin número ni huella. ``juntas``: las dos en una transacción (para
    separar lo que cuesta el registro del diario de lo que ahorra el COMMIT de menos)."""
    venta_id = str(uuid.uuid4())
    esquema = agente.esquema()
    total = Decimal(0)
    operaciones = []
    for linea in lineas:
        precio = Decimal(linea["precio_unitario"])
        total += precio * linea["cantidad"]
        operaciones.append(
            {
                "modelo": LINEA_VENTA,
                "tipo": "crear",
                "datos": {
                    "venta": venta_id,
                    "producto": linea["producto"],
                    "cantidad": linea["cantidad"],
                    "precio_unitario": str(precio),
                },
            }
        )
        operaciones.extend(agente._ajuste_stock(esquema, linea["producto"], -linea["cantidad"]))
    cabecera = {
        "id": venta_id,
        "cliente": None,
        "total": str(total),
        "fecha": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    pagos = reglas_pagos.normalizar(None, total)
    nuevas = agente._preparar_varias(
        [{"modelo": VENTA, "tipo": "crear", "datos": cabecera}, *operaciones]
    )
    if juntas:
        with agente.operaciones.transaccion() as sesion:
            almacen_pagos.guardar_en(sesion, venta_id, total, pagos)
            agente.operaciones.encolar_varias(nuevas, en=sesion)
        return
    almacen_pagos.guardar(agente.operaciones, venta_id, total, pagos)
    agente.operaciones.encolar_varias(nuevas)


def medir(n: int, tmp: Path) -> dict[str, list[float]]:
    """Alterna los dos caminos venta a venta (mismo ruido de disco y de CPU)."""
    antes = abrir_agente(tmp / "antes", PRODUCTOS)
    juntas = abrir_agente(tmp / "juntas", PRODUCTOS)
    ahora = abrir_agente(tmp / "ahora", PRODUCTOS)
    ahora.operaciones.guardar_terminal("caja-1")
    azar = random.Random(5)
    tiempos: dict[str, list[float]] = {"antes": [], "juntas": [], "diario": []}
    for _ in range(n):
        lineas = [
            {"producto": p, "cantidad": 1 + p % 3, "precio_unitario": "1.00"}
            for p in azar.sample(range(PRODUCTOS), LINEAS)
        ]
        t = time.perf_counter()
        vender_como_antes(antes, lineas)
        tiempos["antes"].append(time.perf_counter() - t)
        t = time.perf_counter()
        vender_como_antes(juntas, lineas, juntas=True)
        tiempos["juntas"].append(time.perf_counter() - t)
        t = time.perf_counter()
        ahora.vender(lineas)
        tiempos["diario"].append(time.perf_counter() - t)
    assert not ahora.verificar_diario()
    antes.cerrar()
    juntas.cerrar()
    ahora.cerrar()
    return tiempos


def main() -> None:
    analizador = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analizador.add_argument("--n", type=int, default=1000)
    analizador.add_argument("--dir", type=Path, default=None, help="directorio (mismo disco)")
    args = analizador.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        tiempos = medir(args.n, Path(tmp))
    base = percentiles(tiempos["antes"])
    juntas = percentiles(tiempos["juntas"])
    nuevo = percentiles(tiempos["diario"])
    print(f"{args.n} ventas de {LINEAS} líneas, alternadas (ms):")
    filas = (
        ("antes (sin diario)", base),
        ("sin diario, 1 COMMIT", juntas),
        ("con diario", nuevo),
    )
    for nombre, cifras in filas:
        print(
            f"  {nombre:<20} p50 {cifras['p50']:.2f}  p99 {cifras['p99']:.2f}"
            f"  media {cifras['media']:.2f}"
        )
    razon = nuevo["media"] / base["media"]
    print(
        f"  razón con diario / antes: media {razon:.2f}x, p50 {nuevo['p50'] / base['p50']:.2f}x"
        f" (objetivo ≤ 1,5x) -> {'OK' if razon <= 1.5 else 'NO CUMPLE'}"
    )
    print(
        f"  coste del registro del diario (con diario / sin diario con 1 COMMIT): media "
        f"{nuevo['media'] / juntas['media']:.2f}x"
    )
    print(f"  desviación típica: antes {statistics.pstdev(tiempos['antes']) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
