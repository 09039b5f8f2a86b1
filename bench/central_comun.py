"""Utilidades comunes de los benches de la central."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path


def cpu_servidor(proceso_pid: int) -> float:
    """Segundos de CPU consumidos por el servidor (maestro + trabajadores). No depende de cuánto
    comparten la máquina otros procesos, a diferencia del tiempo de reloj."""
    pids = [proceso_pid]
    hijos = Path(f"/proc/{proceso_pid}/task/{proceso_pid}/children")
    pids += [int(p) for p in hijos.read_text().split()]
    total = 0
    for pid in pids:
        campos = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(campos[11]) + int(campos[12])
    return total / os.sysconf("SC_CLK_TCK")


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
