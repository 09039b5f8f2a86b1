"""Sumas de verificación del catálogo, las mismas en la central y en la terminal (puro, stdlib).

Las filas de un modelo se reparten en ``n`` cubos por su clave (``cubo_de``): una clave entera
va al cubo ``|clave| mod n``; un UUID, por sus 8 primeras cifras hexadecimales (ya son
aleatorias); cualquier otra, por los 4 primeros bytes de su MD5. La suma de un cubo es la suma
módulo 2^64 de ``suma_de_fila`` (los 8 primeros bytes del MD5 de la instantánea JSON compacta de
los campos esenciales, byte a byte la que sirve ``/v1/cambios``). Sumar (no XOR) hace que dos
filas iguales no se anulen; el orden no importa.

MD5 no se usa como defensa frente a un atacante: sólo detecta copias que se han separado
(ediciones a mano, discos dañados, errores); el token protege el canal.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable

MODULO = 2**64
CUBOS_MAXIMO = 65536
FILAS_POR_CUBO = 10
ENTERO = re.compile(r"-?[0-9]{1,18}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def cubos_para(filas: int) -> int:
    """Número de cubos para un modelo de ``filas`` filas: unas 10 por cubo, así reparar unas
    pocas filas descarga una fracción pequeña del modelo."""
    return max(1, min(CUBOS_MAXIMO, math.ceil(filas / FILAS_POR_CUBO)))


def cubo_de(objeto_id: str, cubos: int) -> int:
    if ENTERO.fullmatch(objeto_id):
        return abs(int(objeto_id)) % cubos
    if UUID.fullmatch(objeto_id):
        return int(objeto_id[:8], 16) % cubos
    return (
        int.from_bytes(hashlib.md5(objeto_id.encode(), usedforsecurity=False).digest()[:4], "big")
        % cubos
    )


def suma_de_fila(datos_json: str) -> int:
    return int.from_bytes(
        hashlib.md5(datos_json.encode(), usedforsecurity=False).digest()[:8], "big"
    )


def sumar(
    filas: Iterable[tuple[str, str]], cubos: int, claves: dict[int, list[str]] | None = None
) -> dict[int, tuple[int, int]]:
    """{cubo: (filas, suma)} de pares (objeto_id, datos JSON compacto). Si se da ``claves``,
    anota en él las claves de cada cubo. Bucle de una pasada: ~3 µs por fila."""
    cuentas = [0] * cubos
    sumas = [0] * cubos
    md5 = hashlib.md5
    desde_bytes = int.from_bytes
    entero, uuid_ = ENTERO.fullmatch, UUID.fullmatch
    for objeto_id, datos in filas:
        if entero(objeto_id):
            cubo = abs(int(objeto_id)) % cubos
        elif uuid_(objeto_id):
            cubo = int(objeto_id[:8], 16) % cubos
        else:
            cubo = cubo_de(objeto_id, cubos)
        cuentas[cubo] += 1
        sumas[cubo] += desde_bytes(md5(datos.encode(), usedforsecurity=False).digest()[:8], "big")
        if claves is not None:
            claves.setdefault(cubo, []).append(objeto_id)
    return {c: (n, sumas[c] % MODULO) for c, n in enumerate(cuentas) if n}
