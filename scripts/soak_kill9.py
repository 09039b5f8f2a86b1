"""Prueba de resistencia: rondas de ``kill -9`` al azar de la terminal y de la central, con una
comprobación de «exactamente una vez» al final.

Cada ronda: la caja registra ventas (``Agente.vender``: venta + línea + stock -1 por unidad) y
otra terminal ajusta stock directamente en la central; arranca el bucle ``sincro sincronizar``
(proceso real) y, en un momento al azar mientras empuja o descarga, se mata con SIGKILL la
terminal, la central (y se vuelve a arrancar en el mismo puerto y datos) o las dos. Al final se
sincroniza hasta vaciar la cola y se compara con la central:

- perdidas: ventas encoladas que la central no tiene, más unidades de stock que no llegaron;
- duplicadas: unidades de stock descontadas más de una vez (la central deduplica por UUID; una
  venta repetida se vería aquí porque cada venta descuenta su unidad con su propio ajuste).

Uso (desde la raíz del repositorio, con el entorno de desarrollo)::

    .venv/bin/python scripts/soak_kill9.py --rondas 200 [--semilla 7] [--productos 300]

Imprime una línea ``rondas=… perdidas=… duplicadas=…`` y sale con 0 sólo si no se perdió ni
se duplicó nada (y la cola quedó vacía). CI ejecuta 20 rondas (``tests/sincronizacion/
test_soak.py``, marcada ``lento``).
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from agente.fachada import Agente  # noqa: E402
from agente.sincronizacion.cliente import Cliente  # noqa: E402
from tests.plugins.central import CentralEnMarcha  # noqa: E402
from tests.sincronizacion.terminales import (  # noqa: E402
    PASES_CORTOS,
    ajuste,
    bucle_trabajando,
    en_vuelo,
    existencias_central,
    sincro,
)

PRODUCTO = "productos.Producto"
VENTA = "ventas.Venta"


def _ventas_central(central: CentralEnMarcha) -> Counter[str]:
    pagina = Cliente(central.url, central.token).cambios(VENTA, None, 100_000)
    return Counter(c["id"] for c in pagina.cambios if not c.get("borrado"))


def ejecutar(rondas: int, semilla: int, productos: int, carpeta: Path) -> dict[str, int]:
    azar = random.Random(semilla)
    central = CentralEnMarcha(carpeta / "central", demo=productos).arrancar()
    datos = carpeta / "terminal"
    cuentas = Counter()
    try:
        with Agente.abrir(datos) as agente:
            agente.configurar(
                central.url, central.tienda, central.terminal, central.token, **PASES_CORTOS
            )
        r = sincro(datos, "sincronizar", "--una-vez", timeout=300)
        if r.returncode != 0:
            raise RuntimeError(f"primera sincronización: {r.stderr or r.stdout}")
        otra = Cliente(central.url, central.crear_terminal(central.tienda, "caja-2"))
        inicial = existencias_central(central)
        catalogo = sorted(inicial)
        esperado = dict(inicial)
        ventas: set[str] = set()
        for _ronda in range(rondas):
            with Agente.abrir(datos) as agente:
                for _ in range(azar.randint(5, 40)):
                    producto = azar.choice(catalogo)
                    operaciones = agente.vender(
                        [{"producto": int(producto), "cantidad": 1, "precio_unitario": "1.00"}]
                    )
                    ventas.update(op.objeto_id for op in operaciones if op.modelo == VENTA)
                    esperado[producto] -= 1
            ajustes = []
            for producto in azar.sample(catalogo, 10):
                esperado[producto] += 3
                ajustes.append(ajuste(producto, 3))
            if not all(r.resultado == "aplicada" for r in otra.operaciones(ajustes)):
                raise RuntimeError("la otra terminal no pudo ajustar stock")
            proceso = bucle_trabajando(datos)
            time.sleep(azar.uniform(0.0, 0.6))
            victima = azar.choice(["terminal", "terminal", "central", "las dos"])
            if victima in ("central", "las dos"):
                central.matar()
                cuentas["central_muerta"] += 1
                if victima == "central":  # la terminal sigue: reintenta contra una central caída
                    time.sleep(azar.uniform(0.0, 1.0))
                central.reiniciar()
                time.sleep(azar.uniform(0.0, 1.5))  # que vuelva a empujar antes de matarla
            cuentas["en_vuelo_al_morir"] += en_vuelo(datos) > 0
            proceso.send_signal(signal.SIGKILL)
            proceso.wait(30)
            cuentas["terminal_muerta"] += 1
        for _ in range(3):  # el último pase envía lo que la descarga haya reencolado
            r = sincro(datos, "sincronizar", "--una-vez", timeout=300)
            if r.returncode != 0:
                raise RuntimeError(f"sincronización final: {r.stderr or r.stdout}")
        with Agente.abrir(datos) as agente:
            conteos = agente.operaciones.contar_por_estado()
            operaciones = sum(conteos.values())
        stock = existencias_central(central)
        en_central = _ventas_central(central)
        faltan_unidades = sum(max(0, stock[p] - esperado[p]) for p in esperado)
        sobran_unidades = sum(max(0, esperado[p] - stock[p]) for p in esperado)
        resultado = {
            "rondas": rondas,
            "ventas": len(ventas),
            "operaciones": operaciones,
            "perdidas": len(ventas - set(en_central)) + faltan_unidades,
            "duplicadas": sum(n - 1 for n in en_central.values() if n > 1) + sobran_unidades,
            "sin_terminar": sum(
                conteos[e] for e in ("PENDIENTE", "PROCESANDO", "ERROR", "CONFLICTO")
            ),
            **cuentas,
        }
        return resultado
    finally:
        central.detener()


def main(argv: list[str] | None = None) -> int:
    analizador = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    analizador.add_argument("--rondas", type=int, default=200)
    analizador.add_argument("--semilla", type=int, default=7)
    analizador.add_argument("--productos", type=int, default=300)
    analizador.add_argument("--carpeta", help="dónde dejar central y terminal (temporal)")
    args = analizador.parse_args(argv)
    inicio = time.monotonic()
    if args.carpeta:
        resultado = ejecutar(args.rondas, args.semilla, args.productos, Path(args.carpeta))
    else:
        with tempfile.TemporaryDirectory(prefix="sincro-soak-") as carpeta:
            resultado = ejecutar(args.rondas, args.semilla, args.productos, Path(carpeta))
    resultado["segundos"] = round(time.monotonic() - inicio)
    print(" ".join(f"{k}={v}" for k, v in resultado.items()), flush=True)
    bien = resultado["perdidas"] == resultado["duplicadas"] == resultado["sin_terminar"] == 0
    return 0 if bien else 1


if __name__ == "__main__":
    sys.exit(main())
