"""Bench: CPU de la central y sentencias SQL por ciclo de caja, en proceso (sin HTTP).

Un ciclo es lo que hace una caja de ``bench/cadena.py``: empujar un lote de 1–3 ventas (venta +
líneas + ``ajustar`` de la existencia en su tienda, ≈ 14 operaciones) y descargar lo nuevo de
``productos.Producto`` y ``productos.Existencia``; aparte se mide el informe de estado
(``POST /v1/estado``) que la caja envía al final de cada pase. Las peticiones pasan por el
manejador WSGI de Django entero (middleware, URL, vista) con ``django.test.Client`` sobre una
base nueva, así que la cifra es la CPU del servidor sin gunicorn ni el socket: lo que el código
de la central decide.

Línea base de la misma ejecución: dos ``GET /v1/salud`` (lo mínimo que cuestan dos peticiones
de Django con este middleware, sin base de datos): el suelo de un ciclo de dos peticiones.

Uso: ``.venv/bin/python bench/central_ciclo.py [--pg URL] [--ciclos 300] [--productos 20000]
[--cajas 20] [--perfil N]`` (sin ``--pg`` ni ``SINCRO_PG_URL``: SQLite). ``--perfil N`` imprime
las N funciones con más tiempo propio (cProfile) de los ciclos medidos.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from bench.cadena import (  # noqa: E402  (los mismos modelos y stock inicial que la cadena)
    EXISTENCIA,
    LINEA,
    MODELOS,
    STOCK_INICIAL,
    VENTA,
    operacion,
)
from bench.central_comun import carga, django_migrado  # noqa: E402


def lote_de_caja(azar: random.Random, tienda: str, terminal: str, productos: int) -> list[dict]:
    """1–3 ventas con 1–4 líneas cada una, como ``bench/cadena.py`` (la existencia que se
    ajusta es la de la tienda de la caja)."""
    ops = []
    for _ in range(azar.randint(1, 3)):
        venta = str(uuid.UUID(int=azar.getrandbits(128), version=4))
        datos = {"id": venta, "terminal": terminal, "cliente": None}
        datos.update(fecha="2026-12-03T10:00:00+00:00", total="1.00")
        ops.append(operacion(azar, VENTA, "crear", venta, datos))
        for _ in range(azar.randint(1, 4)):
            producto, cantidad = azar.randrange(1, productos + 1), azar.randint(1, 3)
            linea = {"id": str(uuid.UUID(int=azar.getrandbits(128), version=4))}
            linea.update(venta=venta, producto=producto, cantidad=cantidad)
            ops.append(operacion(azar, LINEA, "crear", None, {**linea, "precio_unitario": "1.00"}))
            existencia = f"{tienda}:{producto}"
            ops.append(operacion(azar, EXISTENCIA, "ajustar", existencia, {"cantidad": -cantidad}))
    return ops


@contextlib.contextmanager
def _base(url_pg: str | None):
    """Base nueva: PostgreSQL (nombre al azar, se borra al salir) o un fichero SQLite temporal."""
    if not url_pg:
        yield None
        return
    import psycopg

    nombre = f"sincro_ciclo_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url_pg, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{nombre}"')
    try:
        yield url_pg.rsplit("/", 1)[0] + "/" + nombre
    finally:
        for intento in range(10):  # un autovacuum recién lanzado sobre la base la retiene
            try:
                with psycopg.connect(url_pg, autocommit=True) as c:
                    c.execute(f'DROP DATABASE IF EXISTS "{nombre}"')
                break
            except psycopg.errors.ObjectInUse:
                time.sleep(1 + intento)


def _preparar(url: str | None, datos: Path, productos: int, cajas: int) -> list[tuple]:
    """Django sobre la base nueva, migrada y sembrada; devuelve [(cliente, tienda, terminal)]."""
    django_migrado(datos, url)
    from django.test import Client

    from central.autenticacion import crear_terminal
    from servidor_demo import semilla
    from servidor_demo.productos.models import Existencia

    semilla.sembrar(productos)
    salida = []
    for i in range(cajas):
        tienda, terminal = f"S{i // 2 + 1:03d}", f"caja-{i % 2 + 1}"
        _, token = crear_terminal(tienda, terminal)
        salida.append((Client(HTTP_AUTHORIZATION=f"Token {token}"), tienda, terminal))
    Existencia.objects.update(cantidad=STOCK_INICIAL)  # que las ventas no sean sobreventas
    return salida


class Contador:
    """Cuenta las sentencias SQL que ejecuta la conexión del hilo (``execute_wrapper``)."""

    def __init__(self) -> None:
        self.n = 0
        self.texto: list[str] | None = None

    def __call__(self, ejecutar, sql, params, many, contexto):
        self.n += 1
        if self.texto is not None:
            self.texto.append(" ".join(str(sql).split())[:160])
        return ejecutar(sql, params, many, contexto)


def medir(args: argparse.Namespace, url: str | None, datos: Path) -> dict:
    from django.db import connection

    cajas = _preparar(url, datos, args.productos, args.cajas)
    azar = random.Random(7)
    cursores = {}
    for cliente, _, _ in cajas:  # la primera descarga completa, fuera de la medida
        cursores[id(cliente)] = _descargar(cliente, "")
    lotes = [
        (cliente, lote_de_caja(azar, tienda, terminal, args.productos))
        for _ in range(args.ciclos + args.calentar)
        for cliente, tienda, terminal in [cajas[azar.randrange(len(cajas))]]
    ]
    estado = json.dumps({"pendientes": 0, "conflictos": 0, "errores": 0, "desfase_ms": 3})
    contador = Contador()
    perfil = cProfile.Profile(time.process_time) if args.perfil else None
    empuje, descarga, informe, suelo = [], [], [], []
    sentencias = {"empuje": 0, "descarga": 0, "estado": 0}
    ops = 0
    with connection.execute_wrapper(contador):
        for i, (cliente, lote) in enumerate(lotes):
            medido = i >= args.calentar
            cuerpo = json.dumps({"operaciones": lote})
            if perfil and medido:
                perfil.enable()
            if args.sentencias and i == len(lotes) - 1:
                contador.texto = []
            n0, t0 = contador.n, time.process_time()
            r = cliente.post("/sincro/v1/operaciones", cuerpo, content_type="application/json")
            t1, n1 = time.process_time(), contador.n
            cursores[id(cliente)] = _descargar(cliente, cursores[id(cliente)])
            t2, n2 = time.process_time(), contador.n
            r2 = cliente.post("/sincro/v1/estado", estado, content_type="application/json")
            t3, n3 = time.process_time(), contador.n
            cliente.get("/sincro/v1/salud")
            cliente.get("/sincro/v1/salud")
            t4 = time.process_time()
            if perfil and medido:
                perfil.disable()
            assert r.status_code == 200 and r2.status_code == 200, (r.content, r2.content)
            malos = [x for x in r.json()["resultados"] if x["resultado"] != "aplicada"]
            assert not malos, malos
            if not medido:
                continue
            ops += len(lote)
            empuje.append(t1 - t0)
            descarga.append(t2 - t1)
            informe.append(t3 - t2)
            suelo.append(t4 - t3)
            sentencias["empuje"] += n1 - n0
            sentencias["descarga"] += n2 - n1
            sentencias["estado"] += n3 - n2
    if contador.texto:
        print("Sentencias del último ciclo (empuje, descarga, estado, salud):")
        print("\n".join(f"  {t}" for t in contador.texto))
    if perfil:
        pstats.Stats(perfil).sort_stats("tottime").print_stats(args.perfil)
        pstats.Stats(perfil).sort_stats("cumulative").print_stats(args.perfil)
    n = len(empuje)
    return {
        "motor": connection.vendor,
        "ciclos": n,
        "ops_ciclo": ops / n,
        "empuje_ms": 1000 * statistics.mean(empuje),
        "descarga_ms": 1000 * statistics.mean(descarga),
        "estado_ms": 1000 * statistics.mean(informe),
        "suelo_ms": 1000 * statistics.mean(suelo),
        "sentencias": {k: v / n for k, v in sentencias.items()},
    }


def _descargar(cliente, cursor: str) -> str:
    while True:
        r = cliente.get("/sincro/v1/cambios", {"modelos": MODELOS, "cursor": cursor})
        assert r.status_code == 200, r.content[:300]
        p = r.json()
        cursor = p["cursor"]
        if not p["hay_mas"]:
            return cursor


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--pg", default=os.environ.get("SINCRO_PG_URL"))
    p.add_argument("--ciclos", type=int, default=300)
    p.add_argument("--calentar", type=int, default=30)
    p.add_argument("--productos", type=int, default=20_000)
    p.add_argument("--cajas", type=int, default=20)
    p.add_argument("--perfil", type=int, default=0, help="imprime las N funciones más caras")
    p.add_argument("--sentencias", action="store_true", help="imprime el SQL del último ciclo")
    args = p.parse_args()
    with _base(args.pg) as url, tempfile.TemporaryDirectory(prefix="bench-ciclo-") as datos:
        _imprimir(medir(args, url, Path(datos)), args)  # antes de borrar la base
        from django.db import connections

        connections.close_all()
    return 0


def _imprimir(r: dict, args: argparse.Namespace) -> None:
    s = r["sentencias"]
    ciclo = r["empuje_ms"] + r["descarga_ms"]
    print(
        f"{r['motor']}, {args.productos} productos, {args.cajas} cajas, {r['ciclos']} ciclos de "
        f"{r['ops_ciclo']:.1f} operaciones (en proceso, CPU del proceso):"
    )
    print(
        f"  ciclo (empuje + descarga): {ciclo:.2f} ms de CPU, "
        f"{s['empuje'] + s['descarga']:.1f} sentencias SQL"
    )
    print(f"    empuje {r['empuje_ms']:.2f} ms ({s['empuje']:.1f} sentencias)")
    print(f"    descarga {r['descarga_ms']:.2f} ms ({s['descarga']:.1f} sentencias)")
    print(f"  informe de estado: {r['estado_ms']:.2f} ms ({s['estado']:.1f} sentencias)")
    print(
        f"  línea base, dos GET /v1/salud (sin base de datos): {r['suelo_ms']:.2f} ms; "
        f"el ciclo cuesta {ciclo / r['suelo_ms']:.1f}x ese suelo"
    )
    print(f"  {carga()}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
