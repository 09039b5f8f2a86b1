"""Piezas puras del bundle: versión de pyproject, recurso de versión de Windows, lector ELF."""

import sys
from pathlib import Path

import pytest

from scripts import bundle_apoyo


def test_version_de_pyproject_y_recurso_windows():
    version = bundle_apoyo.version_pyproject()
    import agente

    assert version == agente.__version__
    texto = bundle_apoyo.texto_version_windows(version)
    tupla = bundle_apoyo.tupla_version(version)
    assert f"filevers={tupla}" in texto and f"StringStruct('ProductVersion', '{version}')" in texto
    assert bundle_apoyo.tupla_version("1.2") == (1, 2, 0, 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="lector ELF sólo en Linux")
def test_dependencias_elf_de_un_modulo_real():
    import _sqlite3

    dependencias = bundle_apoyo.dependencias_elf(Path(_sqlite3.__file__))
    assert any(d.startswith("libsqlite3") for d in dependencias) or any(
        d.startswith("libc.so") for d in dependencias
    )
    assert bundle_apoyo.dependencias_elf(Path(__file__)) == []
