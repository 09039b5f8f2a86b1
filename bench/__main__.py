"""Ejecuta todos los scripts ``bench/*.py`` uno tras otro (cada uno en su proceso).

Uso: ``python -m bench [nombre ...]`` (sin nombres: todos). Sale con 1 si alguno falla.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CARPETA = Path(__file__).resolve().parent


def main(nombres: list[str]) -> int:
    scripts = sorted(p for p in CARPETA.glob("*.py") if not p.name.startswith("_"))
    if nombres:
        scripts = [p for p in scripts if p.stem in nombres]
    fallos = 0
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        resultado = subprocess.run([sys.executable, str(script)], cwd=CARPETA.parent)
        if resultado.returncode != 0:
            print(f"!!! {script.stem} falló con código {resultado.returncode}", flush=True)
            fallos += 1
    return 1 if fallos else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
