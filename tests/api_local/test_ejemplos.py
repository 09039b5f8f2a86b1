"""Los ejemplos de ``ejemplos/api-local`` (curl, Node.js y Java) tal cual, contra una API
local real (``sincro servir-local``) sobre una terminal sincronizada con la central real: cada
uno busca un código de barras y registra una venta que queda en la cola de la terminal."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from agente.fachada import Agente
from tests.sincronizacion.terminales import PRODUCTO

EJEMPLOS = Path(__file__).resolve().parents[2] / "ejemplos" / "api-local"
VENTA = "ventas.Venta"


def codigo_de_barras(terminal, indice: int) -> tuple[str, dict]:
    with Agente.abrir(terminal) as agente:
        (datos,) = agente.listar(PRODUCTO, desde=indice, limite=1)
    return datos["codigo"], {"id": str(datos["id"]), "datos": datos}


def ejecutar(orden: list[str], api, codigo: str, cwd: Path | None = None) -> str:
    entorno = {**os.environ, "SINCRO_API_URL": api.url, "SINCRO_DATOS": str(api.datos)}
    r = subprocess.run(
        [*orden, codigo], capture_output=True, text=True, timeout=120, env=entorno, cwd=cwd
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def comprobar_venta(terminal, salida: str, producto: dict) -> None:
    encontrado = re.search(r"Venta registrada: ([0-9a-f-]{36}) total ([0-9.]+)", salida)
    assert encontrado, salida
    with Agente.abrir(terminal) as agente:
        venta = agente.obtener(VENTA, encontrado[1])
        assert venta is not None and venta["total"] == producto["datos"]["precio"]
        assert sum(1 for op in agente.cola(modelo=VENTA) if op.objeto_id == encontrado[1]) == 1


def _falta(*programas: str) -> str | None:
    faltan = [p for p in programas if shutil.which(p) is None]
    return ", ".join(faltan) if faltan else None


@pytest.mark.skipif(
    _falta("curl", "jq") is not None,
    reason="el ejemplo de curl necesita curl y jq (apt-get install curl jq)",
)
def test_ejemplo_curl(api, terminal):
    codigo, producto = codigo_de_barras(terminal, 10)
    comprobar_venta(terminal, ejecutar(["bash", str(EJEMPLOS / "venta.sh")], api, codigo), producto)


def _node_sin_fetch() -> bool:
    """No hay node, o es anterior a la 18 (sin ``fetch``)."""
    if _falta("node") is not None:
        return True
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout
    encontrado = re.match(r"v(\d+)", version.strip())
    return not encontrado or int(encontrado[1]) < 18


@pytest.mark.skipif(
    _node_sin_fetch(),
    reason="el ejemplo de Node.js necesita node 18+ con fetch (nodejs.org o "
    "apt-get install nodejs en Debian 12+)",
)
def test_ejemplo_node(api, terminal):
    codigo, producto = codigo_de_barras(terminal, 11)
    comprobar_venta(
        terminal, ejecutar(["node", str(EJEMPLOS / "venta.mjs")], api, codigo), producto
    )


@pytest.mark.skipif(
    _falta("javac", "java") is not None,
    reason="el ejemplo de Java necesita un JDK 11+ (apt-get install default-jdk-headless)",
)
def test_ejemplo_java(api, terminal, tmp_path):
    r = subprocess.run(
        ["javac", "-d", str(tmp_path), str(EJEMPLOS / "Venta.java")],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr
    codigo, producto = codigo_de_barras(terminal, 12)
    comprobar_venta(
        terminal, ejecutar(["java", "-cp", str(tmp_path), "Venta"], api, codigo), producto
    )


@pytest.mark.skipif(
    _node_sin_fetch(),
    reason="el ejemplo de Node.js necesita node 18+ con fetch (nodejs.org o "
    "apt-get install nodejs en Debian 12+)",
)
def test_ejemplo_node_eventos(api):
    entorno = {**os.environ, "SINCRO_API_URL": api.url, "SINCRO_DATOS": str(api.datos)}
    r = subprocess.run(
        ["node", str(EJEMPLOS / "eventos.mjs"), "1"],
        capture_output=True,
        text=True,
        timeout=60,
        env=entorno,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("estado: ") and '"lista_para_vender_offline":true' in r.stdout
