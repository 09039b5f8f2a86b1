"""Las dependencias de cada lado: la central («sincro[central]») no arrastra Qt ni nada de la
terminal; la terminal («sincro[terminal]») trae lo suyo. Lee pyproject.toml y los metadatos
instalados (lo que de verdad resuelve pip)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

RAIZ = Path(__file__).resolve().parents[1]
SOLO_TERMINAL = {"pyside6-essentials", "pyside6", "sqlite-utils", "keyring", "platformdirs"}


def _nombre(requisito: str) -> str:
    return re.split(r"[\[<>=!~; ]", requisito, maxsplit=1)[0].lower().replace("_", "-")


def _resolver(proyecto: dict, extras: set[str]) -> set[str]:
    """Nombres que instala ``sincro[extras]`` según pyproject (extras de sí mismo incluidos)."""
    opcionales = proyecto["optional-dependencies"]
    nombres = {_nombre(r) for r in proyecto["dependencies"]}
    pendientes, vistos = list(extras), set()
    while pendientes:
        extra = pendientes.pop()
        if extra in vistos:
            continue
        vistos.add(extra)
        for requisito in opcionales[extra]:
            propio = re.fullmatch(r"sincro\[([a-z,]+)\]", requisito)
            if propio:
                pendientes += propio.group(1).split(",")
            else:
                nombres.add(_nombre(requisito))
    return nombres


def test_pyproject_separa_central_y_terminal():
    proyecto = tomllib.loads((RAIZ / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    central = _resolver(proyecto, {"central"})
    terminal = _resolver(proyecto, {"terminal"})
    assert not central & SOLO_TERMINAL, central & SOLO_TERMINAL
    assert "django" in central and "gunicorn" in central
    assert SOLO_TERMINAL - {"pyside6"} <= terminal and "django" not in terminal
    assert {"django", "pyside6-essentials", "pytest"} <= _resolver(proyecto, {"dev"})
    # sqlite_utils.migrations (las migraciones de la caché y la cola) existe desde la 4.0.
    pin = next(
        r for r in proyecto["optional-dependencies"]["terminal"] if _nombre(r) == "sqlite-utils"
    )
    assert ">=4" in pin and "<5" in pin


def test_metadatos_instalados_de_la_central_sin_qt():
    """Lo que pip instalaría con ``sincro[central]`` según los metadatos instalados."""
    activos = set()
    for texto in metadata.requires("sincro") or []:
        requisito = Requirement(texto)
        if requisito.marker is None or requisito.marker.evaluate({"extra": "central"}):
            activos.add(requisito.name.lower())
    assert "django" in activos
    assert not activos & SOLO_TERMINAL, activos & SOLO_TERMINAL
