"""Fixtures del motor: esquema de demo y directorios de datos temporales reales."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from protocolo.esquema import Esquema, esquema_desde_dict

RUTA_ESQUEMA_DEMO = Path(__file__).resolve().parents[1] / "datos" / "esquema_demo.json"


def esquema_demo_dict() -> dict:
    return json.loads(RUTA_ESQUEMA_DEMO.read_text(encoding="utf-8"))


@pytest.fixture
def esquema_dict() -> dict:
    return esquema_demo_dict()


@pytest.fixture
def esquema(esquema_dict) -> Esquema:
    return esquema_desde_dict(esquema_dict)


@pytest.fixture
def datos_dir(tmp_path) -> Path:
    directorio = tmp_path / "terminal"
    directorio.mkdir()
    return directorio
