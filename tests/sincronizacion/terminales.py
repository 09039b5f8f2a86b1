"""Ayudas para pruebas con terminales reales: la CLI ``sincro`` como proceso y la fachada."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from agente.fachada import Agente
from agente.sincronizacion.cliente import Cliente

PRODUCTO = "productos.Producto"
EXISTENCIA = "productos.Existencia"
SINCRO = [sys.executable, "-c", "import sys; from agente.cli import main; sys.exit(main())"]


def sincro(
    datos: Path, *argumentos: str, entrada: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Ejecuta ``sincro --datos DATOS ...`` como proceso (mismo llavero de ficheros)."""
    return subprocess.run(
        [*SINCRO, "--datos", str(datos), *argumentos],
        input=entrada,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
    )


def configurar(datos: Path, central, tienda: str, terminal: str, token: str, **opciones) -> None:
    """Configura una terminal por la fachada (mismos caminos que ``sincro configurar``)."""
    with Agente.abrir(datos) as agente:
        agente.configurar(central.url, tienda, terminal, token, **opciones)


def estado_json(datos: Path) -> dict:
    r = sincro(datos, "estado", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def productos_central(central) -> dict[str, dict]:
    pagina = Cliente(central.url, central.token).cambios(PRODUCTO, None, 100000)
    return {c["id"]: c["datos"] for c in pagina.cambios}


def existencia(producto, tienda: str = "T001") -> str:
    """Clave de la existencia de ``producto`` en ``tienda`` (la de la demo por defecto)."""
    return f"{tienda}:{producto}"


def existencias_central(central, token: str | None = None) -> dict[str, int]:
    """{producto: cantidad} en la tienda del token (el de la demo por defecto), según la
    central."""
    pagina = Cliente(central.url, token or central.token).cambios(EXISTENCIA, None, 100000)
    return {str(c["datos"]["producto"]): c["datos"]["cantidad"] for c in pagina.cambios}


def productos_cache(datos: Path) -> dict[str, dict]:
    with Agente.abrir(datos) as agente:
        config = agente.esquema().modelo(PRODUCTO)
        ids = [
            str(f[0])
            for f in agente.cache._lectora()
            .execute(f'SELECT "{config.clave}" FROM "{config.tabla}"')  # noqa: S608
            .fetchall()
        ]
        return {i: d for i, (d, _v) in agente.cache.filas(PRODUCTO, ids).items()}
