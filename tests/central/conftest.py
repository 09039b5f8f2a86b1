"""Ayudas de las pruebas de la central: cliente HTTP contra el proceso real y validación de cada
respuesta contra docs/openapi.yaml."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
import yaml

RAIZ = Path(__file__).resolve().parents[2]
ESPEC = yaml.safe_load((RAIZ / "docs" / "openapi.yaml").read_text(encoding="utf-8"))
PG_URL = os.environ.get("SINCRO_PG_URL")


def validar_openapi(respuesta: requests.Response, ruta: str, metodo: str) -> Any:
    """Valida estado y cuerpo contra el contrato; devuelve el JSON (o None si 204)."""
    opciones = ESPEC["paths"][ruta][metodo.lower()]["responses"]
    estado = str(respuesta.status_code)
    assert estado in opciones, f"{metodo} {ruta}: estado {estado} no documentado: {respuesta.text}"
    documentada = opciones[estado]
    if "$ref" in documentada:
        documentada = ESPEC["components"]["responses"][documentada["$ref"].rsplit("/", 1)[1]]
    if "content" not in documentada:
        assert not respuesta.content
        return None
    assert respuesta.headers["Content-Type"].startswith("application/json"), respuesta.text[:200]
    cuerpo = respuesta.json()
    esquema = {
        "components": ESPEC["components"],
        **documentada["content"]["application/json"]["schema"],
    }
    jsonschema.validate(cuerpo, esquema, cls=jsonschema.Draft202012Validator)
    return cuerpo


class Api:
    """Cliente mínimo del protocolo que valida todas las respuestas."""

    def __init__(self, url: str, token: str | None):
        self.url = url
        self.sesion = requests.Session()
        if token:
            self.sesion.headers["Authorization"] = f"Token {token}"

    def get(self, ruta: str, estado: int = 200, **params: Any) -> Any:
        r = self.sesion.get(self.url + ruta, params=params, timeout=60)
        assert r.status_code == estado, r.text[:500]
        return validar_openapi(r, ruta, "get")

    def post(self, ruta: str, cuerpo: Any, estado: int = 200, crudo: bytes | None = None) -> Any:
        datos = crudo if crudo is not None else json.dumps(cuerpo).encode()
        r = self.sesion.post(
            self.url + ruta, data=datos, timeout=120, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == estado, r.text[:500]
        return validar_openapi(r, ruta, "post")

    def operaciones(self, *ops: dict, estado: int = 200) -> Any:
        return self.post("/v1/operaciones", {"operaciones": list(ops)}, estado=estado)

    def descargar(
        self, modelos: str, cursor: str = "", limite: int = 1000, estado: dict | None = None
    ) -> tuple[dict, str]:
        """Descarga hasta el final aplicando los cambios sobre ``estado`` (id -> datos)."""
        estado = {} if estado is None else estado
        while True:
            p = self.get("/v1/cambios", modelos=modelos, cursor=cursor, limite=limite)
            aplicar(estado, p["cambios"])
            cursor = p["cursor"]
            if not p["hay_mas"]:
                return estado, cursor


def aplicar(estado: dict, cambios: list[dict]) -> None:
    for c in cambios:
        clave = (c["modelo"], c["id"])
        if c.get("borrado"):
            estado.pop(clave, None)
        else:
            previo = estado.get(clave)
            assert previo is None or previo[0] < c["version"], "versión no creciente"
            estado[clave] = (c["version"], c["datos"])


EXISTENCIA = "productos.Existencia"


def existencia(producto: Any, tienda: str = "T001") -> str:
    """Clave de la existencia de ``producto`` en ``tienda`` (la de la demo por defecto)."""
    return f"{tienda}:{producto}"


def op(modelo: str, tipo: str, objeto_id: str | None, datos: dict, **extra: Any) -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "modelo": modelo,
        "tipo": tipo,
        "objeto_id": objeto_id,
        "datos": datos,
        "hora_terminal": "2026-11-28T10:00:00+01:00",
        "desfase_ms": 0,
        **extra,
    }


def sql(central, consulta: str, params: tuple = ()) -> list[tuple]:
    """Lee la base real de una central (SQLite o PostgreSQL), sin pasar por la app."""
    url_pg = central.entorno.get("DATABASE_URL")
    if url_pg:
        import psycopg

        with psycopg.connect(url_pg) as c:
            return [tuple(f) for f in c.execute(consulta.replace("?", "%s"), params).fetchall()]
    conexion = sqlite3.connect(
        f"file:{central.datos / 'central.sqlite3'}?mode=ro", uri=True, timeout=30
    )
    try:
        return conexion.execute(consulta, params).fetchall()
    finally:
        conexion.close()


@contextlib.contextmanager
def base_pg_nueva():
    """Una base PostgreSQL nueva (nombre aleatorio) que se borra al salir."""
    import psycopg

    nombre = f"sincro_c_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{nombre}"')
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + nombre
    finally:
        # FORCE termina las conexiones de las pruebas, pero no un autovacuum (de otro rol):
        # si lo hay, se espera a que acabe.
        for intento in range(120):
            try:
                with psycopg.connect(PG_URL, autocommit=True) as c:
                    c.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')
                break
            except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
                if intento == 119:
                    raise
                time.sleep(0.5)


def central_por_motor(motor: str, tmp_path_factory, entorno: dict | None = None):
    """Generador de una central de la demo (50 productos) en ``motor`` ("sqlite" o "postgres",
    en una base nueva), con ``entorno`` añadido; para las fixtures parametrizadas por motor."""
    from tests.plugins.central import CentralEnMarcha

    entorno = dict(entorno or {})
    if motor == "sqlite":
        c = CentralEnMarcha(tmp_path_factory.mktemp("central"), demo=50, entorno=entorno)
        try:
            yield c.arrancar()
        finally:
            c.detener()
        return
    if not PG_URL:
        pytest.skip("SINCRO_PG_URL no está definida (CI la define tras arrancar PostgreSQL)")
    with base_pg_nueva() as url:
        c = CentralEnMarcha(
            tmp_path_factory.mktemp("central-pg"),
            demo=50,
            entorno={**entorno, "DATABASE_URL": url},
        )
        try:
            yield c.arrancar()
        finally:
            c.detener()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def central(request, tmp_path_factory):
    """Sustituye a la fixture ``central`` del plugin en estas pruebas: una vez con SQLite y
    otra con PostgreSQL (si SINCRO_PG_URL está definida)."""
    yield from central_por_motor(request.param, tmp_path_factory)


@pytest.fixture(scope="module")
def api(central) -> Api:
    return Api(central.url, central.token)
