"""Fixtures de las pruebas de sincronización: proxy de fallos delante de la central real."""

import pytest

from tests.sincronizacion.proxy import ProxyFallos


@pytest.fixture
def proxy(central):
    p = ProxyFallos(central.url)
    yield p
    p.cerrar()
