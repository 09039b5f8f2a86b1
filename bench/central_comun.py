"""Utilidades comunes de los benches de la central."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path


def cpu_procesos(pids) -> float:
    """Segundos de CPU consumidos por esos procesos (los que ya no existen cuentan 0)."""
    total = 0
    for pid in pids:
        try:
            campos = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(campos[11]) + int(campos[12])
    return total / os.sysconf("SC_CLK_TCK")


def cpu_servidor(proceso_pid: int) -> float:
    """Segundos de CPU consumidos por un proceso y sus hijos directos (el servidor: maestro +
    trabajadores). No depende de cuánto comparten la máquina otros procesos, a diferencia del
    tiempo de reloj."""
    hijos = Path(f"/proc/{proceso_pid}/task/{proceso_pid}/children")
    try:
        pids = [proceso_pid, *(int(p) for p in hijos.read_text().split())]
    except OSError:
        return 0.0
    return cpu_procesos(pids)


def cpu_pg(url_o_conexion) -> float:
    """Segundos de CPU de los procesos de PostgreSQL conectados a la base del bench (la de la
    URL, o la de una conexión psycopg abierta en autocommit, que no se cuenta)."""
    import psycopg

    sql = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    )
    if isinstance(url_o_conexion, str):
        with psycopg.connect(url_o_conexion, autocommit=True) as c:
            pids = [f[0] for f in c.execute(sql).fetchall()]
    else:
        pids = [f[0] for f in url_o_conexion.execute(sql).fetchall()]
    return cpu_procesos(pids)


def cpu_maquina() -> tuple[float, float]:
    """(total, ocioso) en ticks de todas las CPU, de /proc/stat."""
    campos = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return float(sum(campos)), float(campos[3] + campos[4])


def django_migrado(datos: Path, url: str | None) -> None:
    """Django de la demo en ESTE proceso (sin servidor) sobre ``url`` (PostgreSQL) o, sin ella,
    SQLite en ``datos``; con la base migrada. Una vez por proceso."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
    os.environ["SINCRO_CENTRAL_DATOS"] = str(datos)
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def carga() -> str:
    return f"carga media (1 min) {os.getloadavg()[0]:.2f} en {os.cpu_count()} CPU"


def usar_pg(url: str | None) -> bool:
    """Fija la base PostgreSQL de los benches (``SINCRO_PG_URL``) para ``central_pg``; sin URL
    avisa en una línea y devuelve False."""
    if not url:
        print("Necesita PostgreSQL: --pg URL o SINCRO_PG_URL.", file=sys.stderr)
        return False
    os.environ["SINCRO_PG_URL"] = url
    import tests.central.conftest as comun

    comun.PG_URL = url
    return True


@contextlib.contextmanager
def central_pg(
    prefijo: str, productos: int, modo: str, hilos: int, trabajadores: int
) -> Iterator[tuple[object, str]]:
    """(central en marcha, URL de su base): una base PostgreSQL nueva (``SINCRO_PG_URL``) con la
    central de demo sirviéndola en el modo de orden de commit ``modo``; se para y se borra al
    salir."""
    from tests.central.conftest import base_pg_nueva
    from tests.plugins.central import CentralEnMarcha

    with base_pg_nueva() as url_pg:
        central = CentralEnMarcha(
            Path(tempfile.mkdtemp(prefix=f"{prefijo}-{modo}-")),
            demo=productos,
            entorno={"DATABASE_URL": url_pg, "SINCRO_ORDEN_COMMIT": modo},
            hilos=hilos,
            trabajadores=trabajadores,
        ).arrancar()
        try:
            yield central, url_pg
        finally:
            central.detener()
