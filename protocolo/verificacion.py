"""Sumas de verificación del catálogo, las mismas en la central y en la terminal (puro, stdlib).

Las filas de un modelo se reparten en ``n`` cubos por la clave (``cubo_de``). La suma de un cubo
es la suma módulo 2^64 de ``suma_de_fila`` (los 8 primeros bytes del MD5, con signo, de la
instantánea JSON compacta de los campos esenciales, byte a byte la que sirve ``/v1/cambios``).
Sumar (no XOR) hace que dos filas iguales no se anulen; el orden no importa.

MD5 no se usa como defensa frente a un atacante: sólo detecta copias que se han separado
(ediciones a mano, discos dañados, errores); el token protege el canal.
"""

from __future__ import annotations

import hashlib
import math

MODULO = 2**64
CUBOS_MAXIMO = 65536
FILAS_POR_CUBO = 10


def cubos_para(filas: int) -> int:
    """Número de cubos para un modelo de ``filas`` filas: unas 10 por cubo, así reparar unas
    pocas filas descarga una fracción pequeña del modelo."""
    return max(1, min(CUBOS_MAXIMO, math.ceil(filas / FILAS_POR_CUBO)))


def _md5(texto: str) -> bytes:
    return hashlib.md5(texto.encode(), usedforsecurity=False).digest()


def cubo_de(objeto_id: str, cubos: int) -> int:
    return int.from_bytes(_md5(objeto_id)[:4], "big") % cubos


def suma_de_fila(datos_json: str) -> int:
    return int.from_bytes(_md5(datos_json)[:8], "big", signed=True)


def sumar(filas: list[tuple[str, str]] | object, cubos: int) -> dict[int, tuple[int, int]]:
    """{cubo: (filas, suma)} de pares (objeto_id, datos JSON compacto)."""
    salida: dict[int, list[int]] = {}
    for objeto_id, datos in filas:  # type: ignore[union-attr]
        cubo = cubo_de(objeto_id, cubos)
        acumulado = salida.get(cubo)
        if acumulado is None:
            salida[cubo] = [1, suma_de_fila(datos)]
        else:
            acumulado[0] += 1
            acumulado[1] += suma_de_fila(datos)
    return {c: (n, s % MODULO) for c, (n, s) in salida.items()}
