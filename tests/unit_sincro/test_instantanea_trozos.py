"""Lectura por trozos de la instantánea (``agente.sincronizacion.instantanea``): da las mismas
filas que decodificar el cuerpo entero, en trozos del tamaño pedido, y rechaza con un mensaje
claro lo que no es JSON de página (sin aceptar una coma de más ni basura entre filas)."""

from __future__ import annotations

import json

import pytest

from agente.sincronizacion.cliente import RespuestaInvalida, validar_pagina
from agente.sincronizacion.instantanea import trozos

MODELO = "productos.Producto"


def _fila(i: int, nombre: str = "Pan") -> dict:
    return {
        "modelo": MODELO,
        "version": 100 + i,
        "id": str(i),
        "modificado_en": "2026-12-03T10:00:00+00:00",
        "datos": {"id": i, "nombre": nombre, "tags": [1, 2], "cursor": "x"},
    }


def _cuerpo(filas: list[dict], **extra) -> str:
    cola = {"cursor": "7342.0", "hay_mas": False, "completo": True}
    cola.update(hora_servidor="2026-12-03T10:00:00+00:00", **extra)
    compacto = json.dumps({"cambios": filas, **cola}, ensure_ascii=False, separators=(",", ":"))
    assert compacto.startswith('{"cambios":[')
    return compacto


def _leer(texto: str, n: int = 3) -> tuple[str, list[list[dict]]]:
    cabecera, paginas = trozos(texto, MODELO, lambda c: validar_pagina(c, MODELO), n)
    return cabecera.cursor, [p.cambios for p in paginas]


@pytest.mark.parametrize("filas", [0, 1, 3, 7])
def test_trozos_iguales_al_cuerpo_entero(filas):
    todas = [_fila(i, nombre='di "],\\"cursor\\":" ñ') for i in range(filas)]
    texto = _cuerpo(todas)
    cursor, leidas = _leer(texto)
    assert cursor == "7342.0"
    assert [len(t) for t in leidas] == ([len(todas[i : i + 3]) for i in range(0, filas, 3)] or [0])
    assert [f for t in leidas for f in t] == json.loads(texto)["cambios"]
    # Con otro espaciado (no es el de la central) se decodifica entero: mismo resultado.
    espaciado = json.dumps(json.loads(texto), indent=1)
    assert _leer(espaciado) == (cursor, leidas)


@pytest.mark.parametrize(
    "estropear",
    [
        lambda t: t.replace("},{", "},,{", 1),  # coma de más entre filas
        lambda t: t.replace("},{", "} {", 1),  # basura entre filas
        lambda t: t.replace('}],"cursor"', '},],"cursor"', 1),  # coma final
        lambda t: t[: len(t) // 2],  # cortada
        lambda t: t.replace('"version":101', '"version":"101"', 1),  # tipo erróneo
        lambda t: t.replace('"completo":true', '"completo":false', 1),  # no es completa
        lambda t: t.replace('"hay_mas":false', '"hay_mas":true', 1),
    ],
)
def test_cuerpo_estropeado_se_rechaza(estropear):
    texto = estropear(_cuerpo([_fila(i) for i in range(5)]))
    with pytest.raises(RespuestaInvalida, match="no cumple el protocolo") as exc:
        _leer(texto)
        raise AssertionError("aceptada")
    assert "\n" not in str(exc.value)
