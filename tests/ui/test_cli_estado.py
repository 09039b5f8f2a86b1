"""``sincro estado`` sin ``--json`` se lee como texto: nada de dicts ni listas de Python
(terminal real preparada contra la central real, con conflicto, rechazo y pendientes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_sincro_estado_en_texto_legible(terminal):
    sincro = Path(sys.executable).parent / "sincro"
    orden = [str(sincro)] if sincro.exists() else [sys.executable, "-m", "agente.cli"]
    r = subprocess.run(
        [*orden, "--datos", str(terminal), "estado"],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=True,
    )
    texto = r.stdout
    assert "{'" not in texto and "['" not in texto and "': " not in texto, texto
    assert "Conexión: al día" in texto
    assert "Última subida correcta: " in texto
    assert "Conflictos abiertos: 1" in texto
    assert "Central: http://127.0.0.1:" in texto
    assert "Operaciones retenidas detrás de otra:" in texto
