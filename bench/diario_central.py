"""Bench: verificación completa del diario de ventas guardado en la central.

Llena una base nueva con N registros sellados (K terminales × N/K registros encadenados, como
los guarda ``POST /v1/diario``; COPY en PostgreSQL, ``executemany`` en SQLite) y mide:
- Producto: ``central.cadena.verificar_todo`` — el código de ``sincro-central verificar-diario``
  — leyendo de la base (páginas por terminal, SHA-256, encadenamiento, números y coherencia de
  columnas).
- Línea base en la misma ejecución: lo más simple que comprueba las huellas: un cursor de
  servidor de psycopg con resultados binarios (``fetchmany``) sobre ``huella, contenido`` y un
  bucle con
  ``hashlib.sha256`` (en SQLite, el cursor de ``sqlite3``). No comprueba ni el encadenamiento
  ni los números: es un suelo, no una alternativa completa.

Objetivo: ≥ 100 000 registros/s en PostgreSQL con 1 000 000 de registros.

Uso: ``.venv/bin/python bench/diario_central.py [--registros 100000] [--terminales 100]
[--pg URL]``. Sin ``--pg`` usa ``SINCRO_PG_URL`` si está definida (crea y borra una base
temporal en ese servidor); si no, SQLite en un directorio temporal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from bench.central_comun import carga, django_migrado  # noqa: E402
from protocolo import diario  # noqa: E402

DIA = "2026-12-03"


def _base_pg(url_servidor: str) -> tuple[str, str]:
    import psycopg

    nombre = f"sincro_bench_diario_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url_servidor, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{nombre}"')
    return url_servidor.rsplit("/", 1)[0] + "/" + nombre, nombre


def _borrar_pg(url_servidor: str, nombre: str) -> None:
    import psycopg

    # Sin FORCE: tras llenarla puede quedar un autovacuum (de otro rol) que FORCE no puede
    # terminar; se espera a que acabe.
    for intento in range(60):
        try:
            with psycopg.connect(url_servidor, autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{nombre}"')
            return
        except psycopg.errors.ObjectInUse:
            if intento == 59:
                raise
            time.sleep(1)


def _cadena(tienda: str, terminal: str, n: int):
    """Columnas de ``central_registrodiario`` de los registros de una terminal, en dos tuplas
    por registro (de ``orden`` a ``total`` y de ``huella_anterior`` a ``contenido``)."""
    anterior = diario.HUELLA_INICIAL
    serie = diario.serie_de(terminal, 2026)
    for numero in range(1, n + 1):
        importe = f"{(numero % 997) + 1}.{numero % 100:02d}"
        registro = {
            "formato": diario.FORMATO,
            "tienda": tienda,
            "terminal": terminal,
            "tipo": "venta",
            "serie": serie,
            "numero": numero,
            "fecha": f"{DIA}T10:00:00Z",
            "desfase_ms": 0,
            "venta": str(uuid.UUID(int=numero)),
            "lineas": [
                {"producto": "17", "cantidad": 1, "precio_unitario": importe, "importe": importe},
                {"producto": "23", "cantidad": 2, "precio_unitario": "0.00", "importe": "0.00"},
            ],
            "total": importe,
            "pagos": [{"metodo": "efectivo", "importe": importe}],
            "huella_anterior": anterior,
        }
        contenido = diario.canonico(registro)
        huella = diario.huella_de(contenido)
        if numero == 1:  # lo mismo que daría ``sellar`` (el código de la terminal)
            assert diario.sellar(registro, anterior)["huella"] == huella
        yield (numero, "venta", serie, numero, registro["fecha"], DIA, registro["venta"], importe)
        yield (anterior, huella, contenido)
        anterior = huella


def llenar(registros: int, terminales: int, es_pg: bool) -> float:
    """Crea las terminales y guarda sus cadenas. Devuelve los segundos que tardó."""
    from django.db import connection, transaction

    from central.autenticacion import crear_terminal

    t0 = time.perf_counter()
    por_terminal = registros // terminales
    ahora = dt.datetime.now(dt.UTC)
    columnas = (
        "terminal_id, tienda, orden, tipo, serie, numero, fecha, dia, venta, total, "
        "huella_anterior, huella, contenido, recibido_en, forzado"
    )
    for k in range(terminales):
        tienda = f"T{k % 10:03d}"
        terminal, _ = crear_terminal(tienda, f"caja-{k}")
        generador = _cadena(tienda, terminal.codigo, por_terminal)
        filas = [
            (terminal.id, tienda, *a, *b, ahora, "")
            for a, b in zip(generador, generador, strict=True)
        ]
        with transaction.atomic(), connection.cursor() as cur:
            if es_pg:
                with cur.cursor.copy(
                    f"COPY central_registrodiario ({columnas}) FROM STDIN"
                ) as copia:
                    for fila in filas:
                        copia.write_row(fila)
            else:
                marcas = ", ".join(["%s"] * 15)
                cur.executemany(
                    f"INSERT INTO central_registrodiario ({columnas}) VALUES ({marcas})",  # noqa: S608
                    filas,
                )
    if es_pg:
        with connection.cursor() as cur:
            cur.execute("ANALYZE central_registrodiario")
    return time.perf_counter() - t0


def producto() -> tuple[int, int]:
    from central import cadena

    registros = incidencias = 0
    for c in cadena.verificar_todo():
        registros += c.registros
        incidencias += len(c.incidencias)
    return registros, incidencias


def base_pg(url: str) -> tuple[int, int]:
    import psycopg

    n = malos = 0
    sha = hashlib.sha256
    with psycopg.connect(url) as c, c.cursor(name="diario") as cur:
        cur.itersize = 20_000
        cur.execute(
            "SELECT huella, contenido FROM central_registrodiario ORDER BY terminal_id, orden",
            binary=True,
        )
        while filas := cur.fetchmany(20_000):
            for huella, contenido in filas:
                n += 1
                if sha(contenido).hexdigest() != huella:
                    malos += 1
    return n, malos


def base_sqlite(ruta: Path) -> tuple[int, int]:
    import sqlite3

    n = malos = 0
    sha = hashlib.sha256
    c = sqlite3.connect(ruta)
    try:
        cur = c.execute(
            "SELECT huella, contenido FROM central_registrodiario ORDER BY terminal_id, orden"
        )
        while filas := cur.fetchmany(20_000):
            for huella, contenido in filas:
                n += 1
                if sha(contenido).hexdigest() != huella:
                    malos += 1
    finally:
        c.close()
    return n, malos


def mejor(funcion, repeticiones: int) -> tuple[float, float, tuple[int, int]]:
    """Mejor tiempo de reloj, mejor tiempo de CPU de este proceso (sin la del servidor de la
    base) y el resultado."""
    tiempos, cpus, resultado = [], [], (0, 0)
    for _ in range(repeticiones):
        t, c = time.perf_counter(), time.process_time()
        resultado = funcion()
        tiempos.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return min(tiempos), min(cpus), resultado


def _miles(x: float) -> str:
    return f"{x:,.0f}".replace(",", " ")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--registros", type=int, default=100_000)
    p.add_argument("--terminales", type=int, default=100)
    p.add_argument("--repeticiones", type=int, default=3)
    p.add_argument("--pg", default=os.environ.get("SINCRO_PG_URL"), help="servidor PostgreSQL")
    args = p.parse_args()
    datos = Path(tempfile.mkdtemp(prefix="bench-diario-"))
    url, nombre = _base_pg(args.pg) if args.pg else (None, "")
    try:
        django_migrado(datos, url)
        motor = "PostgreSQL" if url else "SQLite"
        segundos = llenar(args.registros, args.terminales, bool(url))
        n = args.registros // args.terminales * args.terminales
        print(
            f"{motor}: {n} registros de {args.terminales} terminales guardados en "
            f"{segundos:.1f} s ({carga()})"
        )
        t_prod, c_prod, (vistos, incidencias) = mejor(producto, args.repeticiones)
        assert vistos == n and incidencias == 0, (vistos, incidencias)
        if url:
            t_base, c_base, (vistos_b, malos) = mejor(lambda: base_pg(url), args.repeticiones)
        else:
            t_base, c_base, (vistos_b, malos) = mejor(
                lambda: base_sqlite(datos / "central.sqlite3"), args.repeticiones
            )
        assert vistos_b == n and malos == 0
        print(
            f"verificar-diario (central.cadena): {_miles(n / t_prod)} registros/s "
            f"({t_prod:.2f} s, mejor de {args.repeticiones}; CPU de este proceso "
            f"{_miles(n / c_prod)} registros/s)"
        )
        print(
            f"línea base (cursor + hashlib, sólo huellas): {_miles(n / t_base)} registros/s "
            f"({t_base:.2f} s; CPU {_miles(n / c_base)} registros/s)"
        )
        print(f"producto / línea base: {t_prod / t_base:.2f}x el tiempo ({carga()})")
        objetivo = n / t_prod >= 100_000
        print(f"objetivo ≥ 100 000 registros/s: {'sí' if objetivo else 'NO'}")
    finally:
        if url:
            from django.db import connections

            connections.close_all()
            _borrar_pg(args.pg, nombre)
    return 0


if __name__ == "__main__":
    sys.exit(main())
