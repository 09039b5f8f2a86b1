"""Extrae los textos de la interfaz a su traducción y la compila (sin Make).

Uso, desde la raíz del repositorio::

    .venv/bin/python resources/generar.py            # lupdate + lrelease
    .venv/bin/python resources/generar.py --sin-lupdate

1. ``pyside6-lupdate`` extrae los textos de ``ui/`` a ``ui/datos/traducciones/sincro_en.ts``
   (conserva las traducciones existentes; marca las obsoletas). Luego se traduce con Qt
   Linguist (``pyside6-linguist``) o a mano.
2. ``python -m ui.recursos`` compila cada ``.ts`` a su ``.qm`` (generado, no se versiona; ``make
   setup`` y ``build.spec`` hacen lo mismo).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
TS = RAIZ / "ui" / "datos" / "traducciones" / "sincro_en.ts"
BIN = Path(sys.executable).parent


def fuentes() -> list[str]:
    return sorted(str(p) for p in (RAIZ / "ui").rglob("*.py"))


def lupdate(ts: Path = TS) -> None:
    subprocess.run([str(BIN / "pyside6-lupdate"), *fuentes(), "-ts", str(ts)], check=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--sin-lupdate" not in argv:
        lupdate()
    subprocess.run([sys.executable, "-m", "ui.recursos"], check=True, cwd=RAIZ)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
