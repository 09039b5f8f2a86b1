"""Fixtures del motor: esquema de demo y directorios de datos temporales reales."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from agente.almacen.cola import Cola
from agente.fachada import Agente
from protocolo.esquema import Esquema, esquema_desde_dict

# Esquema local de las pruebas de la terminal: el de la demo con el stock como campo del
# producto (la convención sin existencias por tienda, que la terminal sigue admitiendo). El que
# sirve hoy la central de la demo es ``esquema_central_demo.json``.
RUTA_ESQUEMA_DEMO = Path(__file__).resolve().parents[1] / "datos" / "esquema_demo.json"
PRODUCTO = "productos.Producto"
CLIENTE = "clientes.Cliente"


def producto(i, version=None, **cambios) -> dict:
    """Un producto de demo como fila de una página de ``GET /v1/cambios`` (``cambios`` pisa
    campos de ``datos``)."""
    datos = {
        "id": i,
        "nombre": f"Producto {i}",
        "codigo": f"84{i:06d}",
        "precio": "1.95",
        "stock": 10,
        "categoria": None,
    }
    datos.update(cambios)
    return {"id": str(i), "version": version or i, "datos": datos}


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


@pytest.fixture
def agente(datos_dir, esquema_dict) -> Iterator[Agente]:
    """Un ``Agente`` con el esquema de demo y los productos 1 a 3 en la caché."""
    a = Agente.abrir(datos_dir)
    a.guardar_esquema(esquema_dict)
    a.cache.aplicar_pagina(PRODUCTO, [producto(i) for i in range(1, 4)], "3", completo=True)
    yield a
    a.cerrar()


def cola_configurada(ruta: Path, esquema: Esquema) -> Iterator[Cola]:
    """Para fixtures: una ``Cola`` en ``ruta`` con los modelos de ``esquema``, cerrada al
    terminar (``yield from cola_configurada(...)``)."""
    cola = Cola(ruta)
    cola.configurar_modelos(esquema.modelos.values())
    yield cola
    cola.cerrar()
