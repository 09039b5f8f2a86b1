"""Regenera los recursos compilados de la interfaz (sin Make).

Uso, desde la raíz del repositorio::

    .venv/bin/python resources/generar.py            # lupdate + lrelease + rcc
    .venv/bin/python resources/generar.py --sin-lupdate

1. ``pyside6-lupdate`` extrae los textos de ``ui/`` a ``resources/traducciones/sincro_en.ts``
   (conserva las traducciones existentes; marca las obsoletas).
2. ``pyside6-lrelease`` compila el ``.ts`` a ``.qm``.
3. ``pyside6-rcc`` compila ``resources/sincro.qrc`` (iconos SVG + ``.qm``) a
   ``ui/recursos_rc.py``, que se versiona: así los iconos viajan dentro del código y sobreviven
   a PyInstaller. ``--format-version 1`` evita marcas de tiempo, de modo que la salida es
   reproducible y una prueba puede comparar el módulo versionado con una compilación nueva.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
RECURSOS = RAIZ / "resources"
QRC = RECURSOS / "sincro.qrc"
TS = RECURSOS / "traducciones" / "sincro_en.ts"
QM = RECURSOS / "traducciones" / "sincro_en.qm"
MODULO = RAIZ / "ui" / "recursos_rc.py"
BIN = Path(sys.executable).parent


def orden_rcc(salida: Path) -> list[str]:
    return [str(BIN / "pyside6-rcc"), "--format-version", "1", "-g", "python",
            str(QRC), "-o", str(salida)]


def lupdate() -> None:
    fuentes = sorted(str(p) for p in (RAIZ / "ui").rglob("*.py") if p.name != "recursos_rc.py")
    subprocess.run([str(BIN / "pyside6-lupdate"), *fuentes, "-ts", str(TS)], check=True)


def lrelease() -> None:
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(QM)], check=True)


def rcc() -> None:
    subprocess.run(orden_rcc(MODULO), check=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--sin-lupdate" not in argv:
        lupdate()
    lrelease()
    rcc()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
