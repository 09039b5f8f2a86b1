"""Directorio de datos: ``--datos`` > ``SINCRO_DATOS`` > directorio de usuario."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from agente.soporte import rutas


def test_prioridad_del_directorio(monkeypatch, tmp_path):
    monkeypatch.delenv("SINCRO_DATOS", raising=False)
    assert rutas.directorio_datos() == Path(platformdirs.user_data_dir("sincro", appauthor=False))
    monkeypatch.setenv("SINCRO_DATOS", str(tmp_path / "entorno"))
    assert rutas.directorio_datos() == tmp_path / "entorno"
    assert rutas.directorio_datos(tmp_path / "explicito") == tmp_path / "explicito"
    assert rutas.ruta_cola(tmp_path).name == "cola.sqlite"
    assert rutas.ruta_cache(tmp_path).name == "cache.sqlite"
