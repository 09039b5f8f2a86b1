"""Bench del empuje de Sincro (issue 4), de extremo a extremo contra la central real.

10 000 operaciones encoladas (mitad ventas nuevas, mitad ajustes de stock de productos
distintos) se empujan con ``Empuje.empujar`` (lotes de ``--lote``, K peticiones a la vez),
anotando cada resultado en ``cola.sqlite`` (``synchronous=FULL``). Cifra: operaciones/s desde
la cola hasta COMPLETADO.

Líneas base en la misma ejecución, sobre la misma central:
- K=1 (lotes, sin concurrencia);
- el seed (3.1): una petición y una anotación duradera por operación (``procesar_operacion``
  por tarea), medida sobre ``--muestra-base`` operaciones.

Uso: ``.venv/bin/python bench/sincro_empuje.py [--operaciones 10000] [--k 4] [--lote 1000]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from agente.almacen.cola import Cola, NuevaOperacion  # noqa: E402
from agente.almacen.conflictos import Conflictos  # noqa: E402
from agente.operacion import COMPLETADO  # noqa: E402
from agente.sincronizacion.cliente import Cliente  # noqa: E402
from agente.sincronizacion.empuje import Empuje  # noqa: E402
from tests.plugins.central import CentralEnMarcha  # noqa: E402


def llenar(cola: Cola, n: int, productos: int, desde: int) -> None:
    ahora = dt.datetime.now(dt.UTC).isoformat()
    nuevas = []
    for i in range(n):
        if i % 2:
            identificador = str(uuid.uuid4())
            nuevas.append(NuevaOperacion(
                modelo="ventas.Venta", objeto_id=identificador, tipo="crear",
                datos={"id": identificador, "terminal": "caja-1", "cliente": None,
                       "fecha": ahora, "total": "12.50"}))
        else:
            producto = str(1 + (desde + i // 2) % productos)
            nuevas.append(NuevaOperacion(modelo="productos.Producto", objeto_id=producto,
                                         tipo="ajustar", datos={"stock": -1}))
    for inicio in range(0, n, 1000):
        cola.encolar_varias(nuevas[inicio:inicio + 1000])


def medir(central: CentralEnMarcha, esquema, n: int, k: int, lote: int, desde: int) -> float:
    cola = Cola(Path(tempfile.mkdtemp(prefix="bench-empuje-")) / "cola.sqlite")
    cola.configurar_modelos(esquema.modelos.values())
    try:
        llenar(cola, n, 10_000, desde)
        cliente = Cliente(central.url, central.token, conexiones=k + 2)
        empuje = Empuje(cola, Conflictos(cola), cliente, lambda: esquema, concurrencia=k,
                        tamano_lote=lote)
        t = time.perf_counter()
        resumen = empuje.empujar()
        segundos = time.perf_counter() - t
        assert resumen.completadas == n, resumen
        assert cola.contar_por_estado()[COMPLETADO] == n
        return n / segundos
    finally:
        cola.cerrar()


def medir_seed(central: CentralEnMarcha, esquema, n: int, desde: int) -> float:
    """Una petición por operación y una transacción duradera por resultado."""
    cola = Cola(Path(tempfile.mkdtemp(prefix="bench-seed-")) / "cola.sqlite")
    cola.configurar_modelos(esquema.modelos.values())
    try:
        llenar(cola, n, 10_000, desde)
        cliente = Cliente(central.url, central.token)
        t = time.perf_counter()
        while True:
            ops = cola.preparar_envio(1)
            if not ops:
                break
            (resultado,) = cliente.operaciones([ops[0].a_protocolo()])
            cola.registrar_resultados([(ops[0].uuid, resultado.version)])
        segundos = time.perf_counter() - t
        assert cola.contar_por_estado()[COMPLETADO] == n
        return n / segundos
    finally:
        cola.cerrar()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--operaciones", type=int, default=10_000)
    p.add_argument("--k", type=int, default=4)
    p.add_argument("--lote", type=int, default=1000)
    p.add_argument("--muestra-base", type=int, default=1000)
    args = p.parse_args()
    central = CentralEnMarcha(Path(tempfile.mkdtemp(prefix="bench-central-")),
                              demo=10_000).arrancar()
    try:
        esquema = Cliente(central.url, central.token).esquema()[0]
        con_k = medir(central, esquema, args.operaciones, args.k, args.lote, 0)
        sin_k = medir(central, esquema, args.operaciones, 1, args.lote, 5_000)
        seed = medir_seed(central, esquema, args.muestra_base, 0)
    finally:
        central.detener()
    print(f"Empuje de {args.operaciones:,} operaciones (lotes de {args.lote}):")
    print(f"  K={args.k}: {con_k:,.0f} ops/s")
    print(f"  K=1: {sin_k:,.0f} ops/s  (ratio K={args.k}/K=1: {con_k / sin_k:.2f}x)")
    print(f"  seed, una petición por operación ({args.muestra_base:,} ops): {seed:,.0f} ops/s "
          f"(ratio {con_k / seed:.1f}x)")
    print("  (Replicache: unos 50 empujes/s con una versión global)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    sys.exit(main())
