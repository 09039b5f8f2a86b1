"""El contrato ``docs/api-local.yaml`` (OpenAPI 3.1) aplicado a respuestas reales.

``comprobar(metodo, ruta, estado, cuerpo)`` busca la ruta del contrato que casa con la ruta
real, exige que el estado esté documentado y valida el cuerpo JSON contra su esquema
(JSON Schema 2020-12, con las referencias ``#/components/...`` del documento)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from openapi_spec_validator import validate as validar_especificacion

RUTA = Path(__file__).resolve().parents[2] / "docs" / "api-local.yaml"
URN = "urn:sincro:api-local"
ESPEC: dict[str, Any] = yaml.safe_load(RUTA.read_text(encoding="utf-8"))
validar_especificacion(ESPEC)

_REGISTRO = jsonschema.validators.Draft202012Validator.FORMAT_CHECKER
_PLANTILLAS = [
    (re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", plantilla) + "$"), plantilla)
    for plantilla in ESPEC["paths"]
]


def _absolutas(valor: Any) -> Any:
    if isinstance(valor, dict):
        return {
            k: (URN + v if k == "$ref" and v.startswith("#") else _absolutas(v))
            for k, v in valor.items()
        }
    if isinstance(valor, list):
        return [_absolutas(v) for v in valor]
    return valor


def _resolver(objeto: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in objeto:
        partes = objeto["$ref"].lstrip("#/").split("/")
        objeto = ESPEC
        for parte in partes:
            objeto = objeto[parte]
    return objeto


def _validar(esquema: dict[str, Any], valor: Any) -> None:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    registro = Registry().with_resource(
        URN, Resource.from_contents(copy.deepcopy(ESPEC), default_specification=DRAFT202012)
    )
    jsonschema.Draft202012Validator(
        _absolutas(esquema), registry=registro, format_checker=_REGISTRO
    ).validate(valor)


def plantilla_de(ruta: str) -> str:
    camino = ruta.split("?", 1)[0]
    for patron, plantilla in _PLANTILLAS:
        if patron.match(camino):
            return plantilla
    raise AssertionError(f"{camino} no está en docs/api-local.yaml")


def comprobar(metodo: str, ruta: str, estado: int, cuerpo: Any) -> None:
    operacion = ESPEC["paths"][plantilla_de(ruta)][metodo.lower()]
    respuestas = operacion["responses"]
    assert str(estado) in respuestas, f"{metodo} {ruta}: {estado} no documentado"
    respuesta = _resolver(respuestas[str(estado)])
    contenido = respuesta.get("content", {})
    if "application/json" in contenido:
        _validar(contenido["application/json"]["schema"], cuerpo)


def comprobar_evento(nombre: str, datos: Any) -> None:
    esquema = {
        "estado": "EventoEstado",
        "conexion": "EventoConexion",
        "conflicto": "EventoConflicto",
        "catalogo": "EventoCatalogo",
    }[nombre]
    _validar({"$ref": f"#/components/schemas/{esquema}"}, datos)


def comprobar_peticion(metodo: str, ruta: str, cuerpo: Any) -> None:
    """Un cuerpo que la API aceptó también lo acepta el esquema de la petición del contrato."""
    operacion = ESPEC["paths"][plantilla_de(ruta)][metodo.lower()]
    esquema = operacion["requestBody"]["content"]["application/json"]["schema"]
    _validar(esquema, cuerpo)
