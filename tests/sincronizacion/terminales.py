"""Ayudas para pruebas con terminales reales: la CLI ``sincro`` como proceso y la fachada."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid as uuidlib
from pathlib import Path
from typing import Any

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


def orden_configurar(servidor: str, tienda: str, terminal: str) -> list[str]:
    """Los argumentos de ``sincro configurar`` (el token se da por la entrada estándar)."""
    return ["configurar", "--servidor", servidor, "--tienda", tienda, "--terminal", terminal]


def orden_ajustar(objeto: str, delta: int, modelo: str = PRODUCTO, campo: str = "stock") -> list:
    """Los argumentos de ``sincro encolar`` de un ajuste de ``delta``: por defecto, el stock
    de un producto del esquema local de las pruebas; contra la central de la demo, la cantidad
    de una existencia (``orden_ajustar("T001:1", -1, EXISTENCIA, "cantidad")``)."""
    orden = ["encolar", "--modelo", modelo, "--tipo", "ajustar", "--objeto", objeto]
    return [*orden, "--datos", json.dumps({campo: delta})]


PASES_CORTOS = {
    "tamano_pagina": 100,
    "tamano_lote": 25,
    "concurrencia": 4,
    "intervalo_descarga": 1.0,
}
"""Opciones de ``configurar`` con lotes y páginas pequeños: un ``kill -9`` cae a mitad de un
pase (la prueba de ``kill -9`` y su versión larga, ``scripts/soak_kill9.py``)."""

HORA_OTRA_CAJA = "2026-11-28T04:00:00+00:00"
"""La hora de terminal de las operaciones de «otra caja»: anterior a cualquier cambio local."""


def ajuste(producto: Any = "1", delta: int = -1, uuid: str | None = None) -> dict:
    """Un ajuste de la existencia de ``producto`` en T001 (la tienda del token de la demo) en
    el protocolo, como lo enviaría otra terminal."""
    datos = {"cantidad": delta}
    return _de_otra_caja(EXISTENCIA, "ajustar", existencia(producto), datos, None, {}, uuid)


def cambio(objeto_id: str, datos: dict, version: int, antes: dict, uuid: str | None = None) -> dict:
    """Un «actualizar» de un producto en el protocolo, como lo enviaría otra terminal que lo
    tenía en ``version`` con los valores ``antes`` (su base: los de los campos que cambia)."""
    base = {campo: antes[campo] for campo in datos}
    return _de_otra_caja(PRODUCTO, "actualizar", objeto_id, datos, version, base, uuid)


def _de_otra_caja(
    modelo: str,
    tipo: str,
    objeto_id: str,
    datos: dict,
    version: int | None,
    base: dict,
    uuid: str | None,
) -> dict:
    return {
        "uuid": uuid or str(uuidlib.uuid4()),
        "modelo": modelo,
        "tipo": tipo,
        "objeto_id": objeto_id,
        "datos": datos,
        "version_base": version,
        "valores_base": base,
        "hora_terminal": HORA_OTRA_CAJA,
        "desfase_ms": 0,
    }


def configurar(datos: Path, central, tienda: str, terminal: str, token: str, **opciones) -> None:
    """Configura una terminal por la fachada (mismos caminos que ``sincro configurar``)."""
    with Agente.abrir(datos) as agente:
        agente.configurar(central.url, tienda, terminal, token, **opciones)


def dos_cajas(central, directorio: Path) -> tuple[Path, Path]:
    """Dos terminales de la misma tienda configuradas (sin sincronizar): la de la central
    (``caja-1``) y una ``caja-2`` dada de alta ahora."""
    a, b = directorio / "caja-1", directorio / "caja-2"
    configurar(a, central, central.tienda, central.terminal, central.token)
    token = central.crear_terminal(central.tienda, "caja-2")
    configurar(b, central, central.tienda, "caja-2", token)
    return a, b


def parar(proceso: subprocess.Popen, plazo: float = 20) -> None:
    """Para un ``sincro sincronizar`` en marcha como Ctrl-C; si en ``plazo`` no ha parado,
    lo mata."""
    proceso.send_signal(signal.SIGINT)
    try:
        proceso.communicate(timeout=plazo)
    except subprocess.TimeoutExpired:
        proceso.kill()


def en_vuelo(datos: Path) -> int:
    """Operaciones PROCESANDO en la cola (leído sin abrir la ``Cola``, que devolvería a
    PENDIENTE las de un proceso muerto)."""
    with sqlite3.connect(datos / "cola.sqlite") as conexion:
        return conexion.execute(
            "SELECT COUNT(*) FROM operaciones WHERE estado = 'PROCESANDO'"
        ).fetchone()[0]


def bucle_trabajando(datos: Path, limite_s: float = 20.0) -> subprocess.Popen:
    """``sincro sincronizar`` en un proceso aparte, devuelto cuando ya trabaja (un lote en
    vuelo o una escritura en la caché; o a los ``limite_s``): un ``kill -9`` después cae
    durante el empuje o la descarga, no durante el arranque de Python."""
    desde = time.time()
    proceso = subprocess.Popen(
        [*SINCRO, "--datos", str(datos), "sincronizar"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    wal = datos / "cache.sqlite-wal"
    fin = time.monotonic() + limite_s
    while time.monotonic() < fin and proceso.poll() is None:
        if en_vuelo(datos) > 0 or (wal.exists() and wal.stat().st_mtime > desde):
            break
        time.sleep(0.01)
    return proceso


def estado_json(datos: Path) -> dict:
    r = sincro(datos, "estado", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def productos_central(central) -> dict[str, dict]:
    pagina = Cliente(central.url, central.token).cambios(PRODUCTO, None, 100000)
    return {c["id"]: c["datos"] for c in pagina.cambios}


def tabla_en_cache(datos: Path, modelo: str = PRODUCTO) -> str:
    """La tabla de ``modelo`` en ``cache.sqlite`` (la que nombra el esquema guardado), para
    dañarla a mano; abre sin recuperar ni podar nada."""
    with Agente.abrir(datos, recuperar=False, dias_auditoria=None) as agente:
        return agente.esquema().modelo(modelo).tabla


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
