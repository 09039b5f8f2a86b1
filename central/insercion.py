"""Inserción rápida de muchas filas en las tablas propias de la central (registro de cambios y
operaciones recibidas): INSERT de varias filas con parámetros, sin construir objetos del ORM.
Usa la transacción en curso; sin estado compartido."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.models import Model

_FILAS_POR_SENTENCIA = 400


def insertar(
    modelo: type[Model],
    campos: Sequence[str],
    filas: Sequence[Sequence[Any]],
    using: str = "default",
    devolver_ids: bool = False,
) -> list[int]:
    """Inserta ``filas`` (valores ya en forma de base de datos, ver ``preparar``) y, si se pide,
    devuelve los ids asignados en el mismo orden (las filas de una sentencia reciben ids
    crecientes en orden de VALUES, tanto en SQLite como con la secuencia de PostgreSQL)."""
    conexion = connections[using]
    if conexion.vendor == "postgresql":
        return _insertar_unnest(conexion, modelo, campos, filas, devolver_ids)
    q = conexion.ops.quote_name
    meta = modelo._meta
    columnas = ", ".join(q(meta.get_field(c).column) for c in campos)
    marcas_fila = "(" + ", ".join(["%s"] * len(campos)) + ")"
    ids: list[int] = []
    with conexion.cursor() as cur:
        for i in range(0, len(filas), _FILAS_POR_SENTENCIA):
            trozo = filas[i : i + _FILAS_POR_SENTENCIA]
            sql = (
                f"INSERT INTO {q(meta.db_table)} ({columnas}) VALUES "  # noqa: S608
                + ", ".join([marcas_fila] * len(trozo))
            )
            params = [v for fila in trozo for v in fila]
            if devolver_ids:
                cur.execute(sql + f" RETURNING {q(meta.pk.column)}", params)
                ids.extend(sorted(f[0] for f in cur.fetchall()))
            else:
                cur.execute(sql, params)
    return ids


def _insertar_unnest(
    conexion,
    modelo: type[Model],
    campos: Sequence[str],
    filas: Sequence[Sequence[Any]],
    devolver_ids: bool,
) -> list[int]:
    """PostgreSQL: una sentencia con un array por columna (``unnest``): pocos parámetros, así
    que ni el cliente ni el servidor procesan miles de marcas. Las filas de ``unnest`` se
    insertan (y toman ``nextval``) en el orden de los arrays."""
    if not filas:
        return []
    q = conexion.ops.quote_name
    meta = modelo._meta
    tipos = []
    for c in campos:
        campo = meta.get_field(c)
        tipo = campo.db_type(conexion)
        tipos.append("text[]::jsonb[]" if tipo == "jsonb" else f"{tipo}[]")
    columnas = ", ".join(q(meta.get_field(c).column) for c in campos)
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({columnas}) "  # noqa: S608
        f"SELECT * FROM unnest({', '.join(f'%s::{t}' for t in tipos)})"
    )
    if devolver_ids:
        sql += f" RETURNING {q(meta.pk.column)}"
    params = [list(columna) for columna in zip(*filas, strict=True)]
    from .dialecto import cursor_parametros_aparte

    with cursor_parametros_aparte(conexion) as cur:
        cur.execute(sql, params)
        return sorted(f[0] for f in cur.fetchall()) if devolver_ids else []


def preparar(using: str = "default"):
    """Funciones de adaptación de valores para esta conexión: (fecha_hora, uuid, json)."""
    import json

    conexion = connections[using]
    nativo_uuid = conexion.features.has_native_uuid_field
    return (
        conexion.ops.adapt_datetimefield_value,
        _uuid_nativo if nativo_uuid else _uuid_hex,
        lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")),
    )


def _uuid_nativo(u):
    return u


def _uuid_hex(u) -> str:
    """UUID (o cadena canónica) -> 32 hex, como guarda Django los UUID sin tipo nativo."""
    return u.replace("-", "") if isinstance(u, str) else u.hex
