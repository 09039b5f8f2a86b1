"""La orden ``sincro`` (``lanzador``): CLI del motor, ``demo`` y, sin orden, la bandeja; el motor
solo (``python -m agente.cli``) no conoce ni la interfaz ni la demo. Procesos reales."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _ejecutar(*argumentos: str, entorno: dict[str, str] | None = None, **opciones):
    return subprocess.run(
        [sys.executable, *argumentos],
        capture_output=True,
        text=True,
        timeout=60,
        env=entorno,
        **opciones,
    )


def test_el_motor_sin_orden_imprime_la_ayuda_sin_cargar_qt(tmp_path):
    codigo = (
        "import sys; from agente.cli import main; r = main(['--datos', sys.argv[1]]); "
        "print('QT' if 'PySide6' in sys.modules else 'SIN-QT'); sys.exit(r)"
    )
    r = _ejecutar("-c", codigo, str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "sincro" in r.stdout and "ORDEN" in r.stdout
    assert r.stdout.strip().endswith("SIN-QT")


def test_demo_es_del_lanzador_no_del_motor():
    motor = _ejecutar("-m", "agente.cli", "demo", "--help")
    assert motor.returncode == 2
    lanzador = _ejecutar("-m", "lanzador", "demo", "--help")
    assert lanzador.returncode == 0, lanzador.stderr
    assert "--sin-ventana" in lanzador.stdout


def test_el_lanzador_pasa_las_ordenes_al_motor(tmp_path):
    r = _ejecutar("-m", "lanzador", "--datos", str(tmp_path), "cola", "--json")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().startswith("[")


@pytest.mark.timeout(60)
def test_sincro_sin_orden_abre_la_bandeja(tmp_path):
    registro = tmp_path / "registro"
    entorno = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SINCRO_REGISTRO": str(registro)}
    proceso = subprocess.Popen(
        [sys.executable, "-m", "lanzador", "--datos", str(tmp_path / "datos")],
        env=entorno,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        limite = time.monotonic() + 40
        while time.monotonic() < limite and proceso.poll() is None:
            if any(p.name.startswith("bandeja") for p in Path(registro).rglob("*")):
                break
            time.sleep(0.2)
        assert proceso.poll() is None, proceso.stderr.read()
        assert any(p.name.startswith("bandeja") for p in Path(registro).rglob("*"))
    finally:
        proceso.terminate()
        proceso.wait(20)
