"""La prueba de resistencia de ``scripts/soak_kill9.py`` en pequeño: 20 rondas de kill -9 al
azar de la terminal y de la central (procesos reales) y ninguna operación perdida ni
duplicada. ``SINCRO_RONDAS_SOAK`` cambia el número de rondas (200 a mano, ver el script)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parents[2]
RONDAS = int(os.environ.get("SINCRO_RONDAS_SOAK", "20"))


@pytest.mark.lento
@pytest.mark.timeout(1800)
def test_soak_kill_9_exactamente_una_vez(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            str(RAIZ / "scripts" / "soak_kill9.py"),
            "--rondas",
            str(RONDAS),
            "--productos",
            "150",
            "--carpeta",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=1700,
        cwd=RAIZ,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    ultima = r.stdout.strip().splitlines()[-1]
    assert f"rondas={RONDAS} " in ultima
    assert " perdidas=0 duplicadas=0 sin_terminar=0 " in ultima, ultima
    campos = dict(par.split("=") for par in ultima.split())
    assert int(campos["terminal_muerta"]) == RONDAS and int(campos.get("central_muerta", 0)) >= 1
