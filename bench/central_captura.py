"""Bench: coste de la captura en la base de datos. Un ``QuerySet.update()`` de 10 000 filas con
los disparadores de captura frente al mismo ``update()`` con los tres de captura desactivados
(``ALTER TABLE … DISABLE TRIGGER``), en la misma ejecución y la misma base, alternando; se da
el mejor de N de cada uno. También el alta en bloque (``bulk_create``) de esas filas y
``save()`` de una fila (media de 200, cada una con su sentencia y su disparador). Con PostgreSQL
en la misma máquina, también la CPU del proceso servidor de la conexión (menos ruidosa que el
reloj en una máquina compartida).

En PostgreSQL mide además un **suelo**: el mismo disparador (tablas de transición, filas
cambiadas, cuerpo JSON) escribiendo en una copia del registro sin índices y vacía, de modo que
no mantiene índices ni tiene entrada anterior que borrar. Es lo mínimo que cuesta escribir en la
misma transacción una fila duradera por fila cambiada; la distancia entre el suelo y la captura
real es lo que cuestan los índices del registro y retirar la entrada anterior.

Uso: ``.venv/bin/python bench/central_captura.py [--pg URL] [--filas 10000] [--repeticiones 5]``
(sin ``--pg`` ni ``SINCRO_PG_URL``, SQLite en un directorio temporal).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--pg", default=os.environ.get("SINCRO_PG_URL"))
    p.add_argument("--filas", type=int, default=10_000)
    p.add_argument("--repeticiones", type=int, default=5)
    args = p.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
    os.environ["SINCRO_CENTRAL_DATOS"] = tempfile.mkdtemp(prefix="bench-captura-")
    contexto = None
    if args.pg:
        os.environ["SINCRO_PG_URL"] = args.pg
        import tests.central.conftest as comun

        comun.PG_URL = args.pg
        contexto = comun.base_pg_nueva()
        os.environ["DATABASE_URL"] = contexto.__enter__()
    try:
        return _medir(args)
    finally:
        if contexto is not None:
            from django.db import connections

            connections.close_all()
            contexto.__exit__(None, None, None)


def _medir(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import F

    from bench.central_comun import carga
    from central.models import RegistroCambio
    from servidor_demo.productos.models import Producto
    from servidor_demo.semilla import ean13

    call_command("migrate", verbosity=0)
    tabla = connection.ops.quote_name(Producto._meta.db_table)
    pg = connection.vendor == "postgresql"

    def objetos(desde: int) -> list:
        categoria = "Bench" if desde == 10**9 else "Bench2"
        return [
            Producto(
                nombre=f"Producto {i}",
                codigo=ean13(desde + i),
                precio=Decimal("1.00"),
                categoria=categoria,
            )
            for i in range(args.filas)
        ]

    def alta(con_captura: bool, desde: int) -> float:
        with transaction.atomic():
            if not con_captura:
                _disparadores(connection, tabla, False, pg)
            t = time.perf_counter()
            Producto.objects.bulk_create(objetos(desde), batch_size=2000)
            segundos = time.perf_counter() - t
            if not con_captura:
                _disparadores(connection, tabla, True, pg)
        return segundos

    cpu_servidor = _cpu_del_servidor(connection) if pg else None

    def actualizar(con_captura: bool) -> tuple[float, float]:
        """(segundos de reloj, segundos de CPU del proceso servidor de PostgreSQL o 0)."""
        with transaction.atomic():
            if not con_captura:
                _disparadores(connection, tabla, False, pg)
            c = cpu_servidor() if cpu_servidor else 0.0
            t = time.perf_counter()
            n = Producto.objects.filter(categoria="Bench").update(precio=F("precio") + 1)
            segundos = time.perf_counter() - t
            cpu = (cpu_servidor() - c) if cpu_servidor else 0.0
            assert n == args.filas, n
            if not con_captura:
                _disparadores(connection, tabla, True, pg)
        return segundos, cpu

    def suelo() -> float:
        """CPU del servidor de un ``update()`` con sólo el disparador de suelo activo."""
        with connection.cursor() as cur:
            cur.execute(f"TRUNCATE {_SUELO}")
        with transaction.atomic():
            _disparadores(connection, tabla, False, pg)
            with connection.cursor() as cur:
                cur.execute(f"ALTER TABLE {tabla} ENABLE TRIGGER {_SUELO}_u")
            c = cpu_servidor()
            n = Producto.objects.filter(categoria="Bench").update(precio=F("precio") + 1)
            cpu = cpu_servidor() - c
            assert n == args.filas, n
            with connection.cursor() as cur:
                cur.execute(f"ALTER TABLE {tabla} DISABLE TRIGGER {_SUELO}_u")
            _disparadores(connection, tabla, True, pg)
        return cpu

    def guardar(con_captura: bool, productos: list) -> float:
        """Media por fila de ``save()`` de una fila (cada uno su sentencia y su disparador)."""
        with transaction.atomic():
            if not con_captura:
                _disparadores(connection, tabla, False, pg)
            t = time.perf_counter()
            for producto in productos:
                producto.precio += 1
                producto.save()
            segundos = time.perf_counter() - t
            if not con_captura:
                _disparadores(connection, tabla, True, pg)
        return segundos / len(productos)

    altas = {True: [alta(True, 10**9)], False: [alta(False, 2 * 10**9)]}
    Producto.objects.filter(categoria="Bench2").delete()
    assert Producto.objects.filter(categoria="Bench").count() == args.filas
    actualizar(True)  # calentamiento
    medidas: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for _ in range(args.repeticiones):
        for con in (False, True):
            medidas[con].append(actualizar(con))
    suelos: list[tuple[float, float]] = []  # (suelo, sin captura), alternando, después
    if cpu_servidor:
        _crear_suelo(connection, tabla)
        for _ in range(args.repeticiones):
            suelos.append((suelo(), actualizar(False)[1]))
    sueltos = list(Producto.objects.filter(categoria="Bench").order_by("pk")[:200])
    guardar(True, sueltos)  # calentamiento
    filas: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.repeticiones):
        for con in (False, True):
            filas[con].append(guardar(con, sueltos))
    entradas = RegistroCambio.objects.filter(modelo="productos.Producto", vigente=True).count()
    motor = "PostgreSQL" if pg else "SQLite"
    con, sin = min(m[0] for m in medidas[True]), min(m[0] for m in medidas[False])
    print(f"{motor}: QuerySet.update() de {args.filas} filas (mejor de {args.repeticiones}):")
    print(
        f"  con captura {con * 1000:.0f} ms; sin captura (disparadores desactivados) "
        f"{sin * 1000:.0f} ms; relación {con / sin:.2f}x"
    )
    if cpu_servidor:
        ccon, csin = min(m[1] for m in medidas[True]), min(m[1] for m in medidas[False])
        print(
            f"  CPU del servidor: con captura {ccon * 1000:.0f} ms; sin captura "
            f"{csin * 1000:.0f} ms; relación {ccon / csin:.2f}x"
        )
        psuelo, psin = min(m[0] for m in suelos), min(m[1] for m in suelos)
        print(
            f"  suelo (el mismo disparador escribiendo en una copia del registro sin índices ni "
            f"entrada anterior): CPU {psuelo * 1000:.0f} ms; sin captura, alternando con él, "
            f"{psin * 1000:.0f} ms; relación {psuelo / psin:.2f}x"
        )
    print(
        f"  bulk_create de {args.filas} filas: con captura {altas[True][0] * 1000:.0f} ms; "
        f"sin captura {altas[False][0] * 1000:.0f} ms; "
        f"relación {altas[True][0] / altas[False][0]:.2f}x"
    )
    fcon, fsin = min(filas[True]), min(filas[False])
    print(
        f"  save() de una fila (media de {len(sueltos)}, mejor de {args.repeticiones}): "
        f"con captura {fcon * 1e6:.0f} µs; sin captura {fsin * 1e6:.0f} µs; "
        f"relación {fcon / fsin:.2f}x"
    )
    print(f"  entradas vigentes del modelo: {entradas}")
    print(f"  {carga()}")
    return 0


def _cpu_del_servidor(connection):
    """Función que da los segundos de CPU consumidos por el proceso de PostgreSQL de esta
    conexión (``/proc/<pid>/schedstat``), o None si ese proceso no está en esta máquina."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    fichero = Path(f"/proc/{pid}/schedstat")
    if not fichero.exists():
        return None
    return lambda: int(fichero.read_text().split()[0]) / 1e9


_SUELO = "bench_suelo"


def _crear_suelo(connection, tabla: str) -> None:
    """Disparador de suelo, desactivado: la función de captura de Producto tal como la genera
    ``central.disparadores``, con otro nombre y escribiendo en ``bench_suelo`` (una copia de la
    tabla del registro con sus columnas, valores por defecto e identidad, sin índices)."""
    from central import configuracion, disparadores

    config = configuracion.obtener().modelos["productos.Producto"]
    funcion = disparadores.sql_pg(config)[0]
    original = '"' + disparadores.nombre_base(config) + '"()'
    registro = '"' + disparadores.TABLA_REGISTRO + '"'
    assert original in funcion and registro in funcion
    funcion = funcion.replace(original, f"{_SUELO}()").replace(registro, _SUELO)
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TABLE {_SUELO} (LIKE {registro} INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
        cur.execute(funcion)
        cur.execute(
            f"CREATE TRIGGER {_SUELO}_u AFTER UPDATE ON {tabla} REFERENCING OLD TABLE AS viejas "
            f"NEW TABLE AS nuevas FOR EACH STATEMENT EXECUTE FUNCTION {_SUELO}()"
        )
        cur.execute(f"ALTER TABLE {tabla} DISABLE TRIGGER {_SUELO}_u")


def _disparadores(connection, tabla: str, activar: bool, pg: bool) -> None:
    from central import captura, configuracion, disparadores

    config = configuracion.obtener().modelos["productos.Producto"]
    with connection.cursor() as cur:
        if pg:  # sólo los de captura: el de suelo sigue como esté
            accion = "ENABLE ALWAYS" if activar else "DISABLE"
            for sufijo in ("i", "u", "d"):
                nombre = connection.ops.quote_name(f"{disparadores.nombre_base(config)}_{sufijo}")
                cur.execute(f"ALTER TABLE {tabla} {accion} TRIGGER {nombre}")
            return
        if activar:
            for sentencia in disparadores.sql(config, "sqlite"):
                cur.execute(sentencia)
        else:
            base = disparadores.nombre_base(config)
            for sufijo in ("i", "u", "d"):
                cur.execute(f'DROP TRIGGER IF EXISTS "{base}_{sufijo}"')
    del captura


if __name__ == "__main__":
    sys.exit(main())
