"""Lecturas del camino caliente de un lote, en SQL escrito a mano (una sentencia cada una, sin
compilar consultas del ORM ni construir objetos por operación):

- ``previas``: qué UUID del lote ya se aplicaron (registro de idempotencia ``OperacionRecibida``)
  y con qué tienda y versión: una consulta para el lote entero.
- ``versiones``: la versión vigente (id de su entrada del registro de cambios) de los objetos
  que tocó el lote, de todos los modelos a la vez.

Leen en la transacción del hilo (la del lote); sin estado propio: seguras en cualquier hilo.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection

from . import dialecto, insercion
from .models import OperacionRecibida, RegistroCambio

_TROZO = 500


@dataclass(frozen=True)
class Previa:
    """Una operación ya aplicada: la tienda que la envió y la versión que se le respondió."""

    tienda: str
    version: int | None


def _trozos(valores: list, n: int = _TROZO) -> Iterable[list]:
    for i in range(0, len(valores), n):
        yield valores[i : i + n]


def previas(uuids: Iterable[str]) -> dict[str, Previa]:
    """UUID canónico -> ``Previa`` de los que ya están en el registro de idempotencia."""
    adaptar = insercion.preparar()[1]
    q = connection.ops.quote_name
    tabla = q(OperacionRecibida._meta.db_table)
    salida: dict[str, Previa] = {}
    for trozo in _trozos(sorted(set(uuids))):
        marcas = ", ".join(["%s"] * len(trozo))
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT uuid, tienda, resultado FROM {tabla} "  # noqa: S608
                f"WHERE uuid IN ({marcas})",
                [adaptar(dialecto.uuid_operacion(u)) for u in trozo],
            )
            for uid, tienda, resultado in cur.fetchall():
                if isinstance(resultado, str):
                    resultado = json.loads(resultado)
                version = resultado.get("version") if isinstance(resultado, dict) else None
                salida[_canonico(uid)] = Previa(tienda, version)
    return salida


def _canonico(uid: Any) -> str:
    """UUID tal como lo devuelve la base (``uuid.UUID`` o 32 hex en SQLite) -> texto canónico."""
    texto = str(uid)
    if len(texto) == 32:
        texto = f"{texto[:8]}-{texto[8:12]}-{texto[12:16]}-{texto[16:20]}-{texto[20:]}"
    return texto


def versiones(objetos: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(modelo, objeto_id) -> id de la entrada vigente; los que nunca se registraron no
    aparecen. Una consulta por cada 500 objetos, de todos los modelos juntos."""
    q = connection.ops.quote_name
    tabla = q(RegistroCambio._meta.db_table)
    salida: dict[tuple[str, str], int] = {}
    por_modelo: dict[str, set[str]] = {}
    for modelo, objeto_id in objetos:
        por_modelo.setdefault(modelo, set()).add(objeto_id)
    pares = [(m, o) for m in sorted(por_modelo) for o in sorted(por_modelo[m])]
    for trozo in _trozos(pares):
        condiciones, params = [], []
        for modelo in dict.fromkeys(m for m, _ in trozo):
            ids = [o for m, o in trozo if m == modelo]
            condiciones.append(f"(modelo = %s AND objeto_id IN ({', '.join(['%s'] * len(ids))}))")
            params += [modelo, *ids]
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT modelo, objeto_id, id FROM {tabla} "  # noqa: S608
                f"WHERE vigente AND ({' OR '.join(condiciones)})",
                params,
            )
            for modelo, objeto_id, id_ in cur.fetchall():
                salida[(modelo, objeto_id)] = id_
    return salida
