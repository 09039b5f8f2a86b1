"""Bench de soporte: lo que cuesta la seguridad de los ficheros y del registro.

1. Comprobación de integridad al arrancar (``recuperacion.preparar_ficheros``: ``quick_check``
   de cola y caché) frente a su línea base, ``Agente.abrir(recuperar=False)`` + ``cerrar`` del
   mismo directorio (lo que ya cuesta abrir).
2. Rescate fila a fila de una cola dañada frente a copiar la misma base sana con
   ``VACUUM INTO`` (lo mínimo para reescribirla entera).
3. Una línea de evento con redacción (``registrar_evento`` + ``FormateadorRedactado``) frente a
   la misma línea con un ``logging.Formatter`` normal, los dos a fichero.

Uso: ``.venv/bin/python bench/soporte.py [--productos 100000] [--operaciones 20000]``
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))
os.environ["PATH"] = ""  # rescate fila a fila, como en Windows (sin el programa sqlite3)

from agente.almacen import recuperacion  # noqa: E402
from agente.fachada import Agente  # noqa: E402
from agente.soporte import registro, rutas  # noqa: E402

PRODUCTO = "productos.Producto"


def preparar_terminal(directorio: Path, productos: int, operaciones: int) -> None:
    esquema = json.loads((RAIZ / "tests" / "datos" / "esquema_demo.json").read_text())
    with Agente.abrir(directorio) as agente:
        agente.guardar_esquema(esquema)
        for inicio in range(0, productos, 5000):
            filas = [
                {
                    "id": str(i),
                    "version": i,
                    "datos": {
                        "id": i,
                        "nombre": f"Producto número {i}",
                        "codigo": f"C{i:08d}",
                        "precio": "1.95",
                        "stock": 100,
                        "categoria": None,
                    },
                }
                for i in range(inicio + 1, min(inicio + 5000, productos) + 1)
            ]
            agente.cache.aplicar_pagina(PRODUCTO, filas, cursor=str(inicio + len(filas)))
        agente.encolar_varias(
            [
                {"modelo": PRODUCTO, "tipo": "ajustar", "datos": {"stock": -1}, "objeto_id": str(i)}
                for i in range(1, operaciones + 1)
            ]
        )


def mediana(funcion, veces: int) -> float:
    tiempos = []
    for _ in range(veces):
        inicio = time.perf_counter()
        funcion()
        tiempos.append(time.perf_counter() - inicio)
    return statistics.median(tiempos)


def linea(nombre: str, motor: float, base: float, unidad: str = "ms") -> None:
    factor = 1000 if unidad == "ms" else 1_000_000
    print(
        f"{nombre:46}{motor * factor:10.2f} {unidad}{base * factor:10.2f} {unidad}"
        f"{motor / base:8.2f}x"
    )


def main() -> None:
    analizador = argparse.ArgumentParser()
    analizador.add_argument("--productos", type=int, default=100_000)
    analizador.add_argument("--operaciones", type=int, default=20_000)
    args = analizador.parse_args()
    with tempfile.TemporaryDirectory(prefix="sincro-bench-soporte-") as tmp:
        tmp = Path(tmp)
        datos = tmp / "terminal"
        preparar_terminal(datos, args.productos, args.operaciones)
        tam = {p.name: p.stat().st_size / 1e6 for p in datos.glob("*.sqlite")}
        print(
            f"terminal: {args.productos} productos (caché {tam['cache.sqlite']:.1f} MB), "
            f"{args.operaciones} operaciones (cola {tam['cola.sqlite']:.1f} MB)"
        )
        print(f"{'':46}{'motor':>13}{'línea base':>13}{'razón':>9}")

        def abrir_y_cerrar():
            Agente.abrir(datos, recuperar=False).cerrar()

        linea(
            "integridad al arrancar vs abrir",
            mediana(lambda: recuperacion.preparar_ficheros(datos), 7),
            mediana(abrir_y_cerrar, 7),
        )

        # 2. rescate fila a fila vs VACUUM INTO de la base sana
        cola = rutas.ruta_cola(datos)
        sana = tmp / "sana.sqlite"
        conexion = sqlite3.connect(cola)
        conexion.execute(f"VACUUM INTO '{sana}'")
        conexion.close()

        def vacuum_into():
            destino = tmp / "vacuum.sqlite"
            destino.unlink(missing_ok=True)
            c = sqlite3.connect(sana)
            c.execute(f"VACUUM INTO '{destino}'")
            c.close()

        def rescate():
            trabajo = tmp / "rescate"
            shutil.rmtree(trabajo, ignore_errors=True)
            trabajo.mkdir()
            shutil.copy2(sana, trabajo / "cola.sqlite")
            with open(trabajo / "cola.sqlite", "r+b") as f:  # una página rota a mitad
                f.seek((os.path.getsize(sana) // 4096 // 2) * 4096)
                f.write(os.urandom(4096))
            recuperacion.rescatar_cola(trabajo / "cola.sqlite")

        logging.getLogger("agente.almacen.recuperacion").setLevel(logging.CRITICAL)
        linea("rescate fila a fila vs VACUUM INTO", mediana(rescate, 3), mediana(vacuum_into, 3))

        # 3. línea de evento redactada vs formateador normal
        n = 5000
        registro.configurar(directorio=tmp / "log-redactado", programa="bench")

        def eventos():
            for i in range(n):
                registro.registrar_evento(
                    "empuje",
                    operaciones=i,
                    resultado="aplicada",
                    modelo=PRODUCTO,
                    uuid="6f1c3a52-0000-4000-8000-000000000001",
                )

        redactado = mediana(eventos, 3) / n
        registro.desconfigurar()
        normal = logging.FileHandler(tmp / "normal.log", encoding="utf-8")
        normal.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        raiz = logging.getLogger()
        raiz.addHandler(normal)
        raiz.setLevel(logging.INFO)
        base = mediana(eventos, 3) / n
        raiz.removeHandler(normal)
        normal.close()
        linea("evento redactado vs formateador normal", redactado, base, unidad="µs")


if __name__ == "__main__":
    main()
