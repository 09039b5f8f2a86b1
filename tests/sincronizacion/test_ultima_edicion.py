"""«ultima_modificacion» compara horas de edición, no de llegada: dos terminales reales editan el
mismo cliente sin conexión y sincronizan en distinto orden contra la central real."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
import requests

from agente.fachada import Agente

from .terminales import configurar, sincro

CLIENTE = "clientes.Cliente"  # estrategia «ultima_modificacion» en la demo
PAUSA_S = 0.3  # muy por encima del error del desfase medido en loopback


@pytest.fixture(scope="module")
def terminales(central, tmp_path_factory) -> tuple[Path, Path]:
    a, b = tmp_path_factory.mktemp("caja_a"), tmp_path_factory.mktemp("caja_b")
    configurar(a, central, "T001", "caja-1", central.token)
    configurar(b, central, "T002", "caja-1", central.crear_terminal("T002", "caja-1"))
    return a, b


def _sincronizar(*terminales: Path) -> None:
    for datos in terminales:
        r = sincro(datos, "sincronizar", "--una-vez")
        assert r.returncode == 0, r.stdout + r.stderr


def _editar(datos: Path, cliente: str, telefono: str) -> None:
    with Agente.abrir(datos) as agente:
        agente.encolar(CLIENTE, "actualizar", {"telefono": telefono}, objeto_id=cliente)
    time.sleep(PAUSA_S)


def _clientes(central) -> dict[str, dict]:
    r = requests.get(
        central.url + "/v1/cambios",
        params={"modelos": CLIENTE, "limite": 5000},
        headers={"Authorization": f"Token {central.token}"},
        timeout=60,
    )
    return {c["id"]: c["datos"] for c in r.json()["cambios"]}


def _en_central(central, cliente: str) -> str:
    return _clientes(central)[cliente]["telefono"]


_USADOS: set[str] = set()


@pytest.fixture
def cliente(central, terminales) -> str:
    """Un cliente distinto por prueba, con las dos cajas al día."""
    _sincronizar(*terminales)
    libre = next(i for i in sorted(_clientes(central)) if i not in _USADOS)
    _USADOS.add(libre)
    return libre


def _pendientes(datos: Path) -> list[str]:
    with Agente.abrir(datos) as agente:
        return [o.estado for o in agente.cola() if o.estado not in ("COMPLETADO",)]


def test_la_edicion_posterior_gana_aunque_llegue_despues(central, terminales, cliente):
    a, b = terminales
    _editar(a, cliente, "A-antes")
    _editar(b, cliente, "B-despues")
    _sincronizar(a, b, b)  # A llega primero; la de B es posterior y llega después: gana B
    assert _en_central(central, cliente) == "B-despues"
    assert _pendientes(b) == []


def test_la_edicion_posterior_gana_aunque_llegue_antes(central, terminales, cliente):
    a, b = terminales
    _editar(a, cliente, "A-antes")
    _editar(b, cliente, "B-despues")
    _sincronizar(b, a, a)  # B (posterior) llega primero; la de A, anterior, pierde
    assert _en_central(central, cliente) == "B-despues"
    assert _pendientes(a) == []


def test_edicion_fusionada_lleva_la_hora_de_la_segunda(central, terminales, cliente):
    """A edita, B edita, A vuelve a editar (se fusiona con la primera sin enviar): la de A es
    la última edición y gana, aunque su primera parte sea anterior a la de B."""
    a, b = terminales
    _editar(a, cliente, "A-primera")
    _editar(b, cliente, "B-en-medio")
    _editar(a, cliente, "A-segunda")
    with Agente.abrir(a) as agente:
        assert (
            len([o for o in agente.cola() if o.objeto_id == cliente and o.estado == "PENDIENTE"])
            == 1
        )
    _sincronizar(b, a, a)
    assert _en_central(central, cliente) == "A-segunda"


def test_empate_de_horas_gana_la_central(central, terminales, cliente):
    """Misma hora de edición exacta en las dos: gana el valor que ya tiene la central (el que
    llegó primero), siempre igual en cualquier terminal (docs/protocolo.md)."""
    a, b = terminales
    _editar(a, cliente, "A-empate")
    _editar(b, cliente, "B-empate")
    misma = "2026-01-01T10:00:00.000000+00:00"
    for datos in (a, b):
        # A mano en el fichero (como otro proceso): sólo la cola cambia sus operaciones.
        conexion = sqlite3.connect(Path(datos) / "cola.sqlite")
        with conexion:
            conexion.execute(
                "UPDATE operaciones SET hora_terminal = ?, desfase_ms = 0 "
                "WHERE objeto_id = ? AND estado = 'PENDIENTE'",
                (misma, cliente),
            )
        conexion.close()
    _sincronizar(a, b, b)
    with Agente.abrir(b) as agente:
        historia = [
            (o.estado, o.datos, o.hora_terminal) for o in agente.cola() if o.objeto_id == cliente
        ]
    assert _en_central(central, cliente) == "A-empate", historia
