"""Fixtures de las pruebas de soporte: registro configurado en un directorio temporal."""

import logging

import pytest

from agente.soporte import registro


@pytest.fixture
def dir_registro(tmp_path):
    """Registro real en ``tmp_path/registro``; se desconfigura al terminar."""
    carpeta = tmp_path / "registro"
    registro.configurar(directorio=carpeta, programa="pruebas")
    yield carpeta
    registro.desconfigurar()
    logging.getLogger().setLevel(logging.WARNING)
