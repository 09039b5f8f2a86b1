"""Lectura por trozos de ``GET /v1/instantanea`` (la descarga completa de un modelo en una sola
respuesta): las filas se decodifican y validan de ``filas_por_trozo`` en ``filas_por_trozo``
en vez de con un único ``json.loads`` del cuerpo entero, para no retener el GIL cientos de
milisegundos (la ventana de la caja sigue respondiendo) ni tener todas las filas como objetos
de Python a la vez.

El cuerpo es ``{"cambios":[fila,fila,…],"cursor":…,"hay_mas":false,"completo":true,…}`` tal
como lo escribe la central. El final (desde el último ``],"cursor":``, que no puede aparecer
dentro de una cadena JSON porque sus comillas irían escapadas y es lo último del cuerpo) se lee
primero; las filas, una a una con ``JSONDecoder.raw_decode``. Si el cuerpo no tiene exactamente
esa forma (otro espaciado, otro orden de claves) se decodifica entero con ``json.loads``: mismo
resultado, sin el trocéo. Cualquier defecto es ``RespuestaInvalida``.

Puro, sin red ni disco; cada llamada es independiente (cualquier hilo).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from agente.sincronizacion.errores import RespuestaInvalida

_INICIO = '{"cambios":['
_FINAL = '],"cursor":'
_decodificador = json.JSONDecoder()


def _invalida(que: str) -> RespuestaInvalida:
    return RespuestaInvalida(f"La central envió una respuesta que no cumple el protocolo: {que}.")


def partir(
    texto: str, modelo: str, filas_por_trozo: int
) -> tuple[dict[str, Any], Iterator[list[Any]]]:
    """(el resto del cuerpo sin ``cambios``, iterador de listas de filas sin validar)."""
    fin = texto.rfind(_FINAL)
    if not texto.startswith(_INICIO) or fin < 0:
        return _entera(texto, modelo, filas_por_trozo)
    try:
        cola = json.loads("{" + texto[fin + 2 :])
    except ValueError:
        return _entera(texto, modelo, filas_por_trozo)
    if not isinstance(cola, dict) or "cambios" in cola:
        raise _invalida(f"la instantánea de {modelo} no es un objeto de página")
    return cola, _filas(texto, len(_INICIO), fin, modelo, filas_por_trozo)


def _entera(
    texto: str, modelo: str, filas_por_trozo: int
) -> tuple[dict[str, Any], Iterator[list[Any]]]:
    try:
        cuerpo = json.loads(texto)
    except ValueError as exc:
        raise _invalida(f"JSON mal formado o cortado ({str(exc)[:100]})") from None
    if not isinstance(cuerpo, dict) or not isinstance(cuerpo.get("cambios"), list):
        raise _invalida(f"la instantánea de {modelo} no es un objeto de página")
    filas = cuerpo.pop("cambios")
    trozos = (filas[i : i + filas_por_trozo] for i in range(0, max(len(filas), 1), filas_por_trozo))
    return cuerpo, trozos


def _filas(
    texto: str, desde: int, hasta: int, modelo: str, filas_por_trozo: int
) -> Iterator[list[Any]]:
    pos = desde
    trozo: list[Any] = []
    entregado = False
    while pos < hasta:
        try:
            fila, pos = _decodificador.raw_decode(texto, pos)
        except ValueError as exc:
            raise _invalida(
                f"JSON mal formado en la instantánea de {modelo} ({str(exc)[:100]})"
            ) from None
        if pos < hasta:
            if texto[pos] != "," or pos + 1 == hasta:
                raise _invalida(f"JSON mal formado en la instantánea de {modelo}")
            pos += 1
        elif pos > hasta:
            raise _invalida(f"JSON mal formado en la instantánea de {modelo}")
        trozo.append(fila)
        if len(trozo) >= filas_por_trozo:
            yield trozo
            trozo, entregado = [], True
    if trozo or not entregado:
        yield trozo


def trozos(
    texto: str,
    modelo: str,
    validar_pagina: Callable[[Any], Any],
    filas_por_trozo: int,
) -> tuple[Any, Iterator[Any]]:
    """(página de la cabecera validada sin filas, iterador de páginas validadas de hasta
    ``filas_por_trozo`` filas). ``validar_pagina`` recibe el cuerpo de una página."""
    cola, filas = partir(texto, modelo, max(1, filas_por_trozo))
    cabecera = validar_pagina({**cola, "cambios": []})
    if cabecera.hay_mas or not cabecera.completo:
        raise _invalida(f"la instantánea de {modelo} no es una descarga completa")

    def validadas() -> Iterator[Any]:
        for trozo in filas:
            yield validar_pagina({**cola, "cambios": trozo})

    return cabecera, validadas()
