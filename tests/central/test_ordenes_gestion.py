"""Las órdenes de gestión viven en la app reutilizable (``manage.py crear_terminal``,
``manage.py compactar_registro``); ``sincro-central`` del proyecto de demo sólo las llama."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CENTRAL = str(Path(sys.executable).parent / "sincro-central")


def _orden(*argumentos: str, datos: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CENTRAL, *argumentos],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "SINCRO_CENTRAL_DATOS": str(datos)},
    )


def test_crear_terminal_es_una_orden_de_la_app(tmp_path):
    assert _orden("manage", "migrate", "-v", "0", datos=tmp_path).returncode == 0
    r = _orden("manage", "crear_terminal", "T009", "caja-9", datos=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sum(linea.startswith("TOKEN=") for linea in r.stdout.splitlines()) == 1


def test_codigo_no_valido_una_linea_y_codigo_2(tmp_path):
    r = _orden("crear-terminal", "T 1", "caja-1", "--datos", str(tmp_path), datos=tmp_path)
    assert r.returncode == 2
    assert "Código no válido" in r.stderr and "Traceback" not in r.stderr
    assert "TOKEN=" not in r.stdout


def test_compactar_registro_es_una_orden_de_la_app(tmp_path):
    assert _orden("manage", "migrate", "-v", "0", datos=tmp_path).returncode == 0
    r = _orden("manage", "compactar_registro", "--dias", "0", datos=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "lápidas borradas: 0" in r.stdout


def test_trabajadores_por_defecto_segun_la_base():
    from servidor_demo.servidor import trabajadores_por_defecto

    assert trabajadores_por_defecto("sqlite", nucleos=16) == 1
    assert trabajadores_por_defecto("postgresql", nucleos=4) == 4
    assert trabajadores_por_defecto("postgresql", nucleos=None) >= 1
