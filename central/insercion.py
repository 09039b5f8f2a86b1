"""Inserción rápida de muchas filas: en las tablas propias de la central (operaciones recibidas)
sin construir objetos del ORM (``insertar``), y de instancias ya construidas de los modelos
sincronizados sin compilar la consulta del ORM (``insertar_objetos``, los «crear» de un lote).
En PostgreSQL, una sentencia con las filas en un único parámetro JSON; en SQLite, INSERT de
varias filas con parámetros. Usa la transacción en curso; sin estado compartido."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Sequence
from decimal import Decimal
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
        return _insertar_json(conexion, modelo, campos, filas, devolver_ids)
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


def _insertar_json(
    conexion,
    modelo: type[Model],
    campos: Sequence[str],
    filas: Sequence[Sequence[Any]],
    devolver_ids: bool,
) -> list[int]:
    """PostgreSQL: una sentencia con UN parámetro, las filas en JSON
    (``json_populate_recordset(NULL::tabla, …)``): PostgreSQL convierte cada valor al tipo de su
    columna con la función de entrada de ese tipo, en C. Pasar un array por columna (``unnest``)
    obligaba a psycopg a adaptar cada elemento en Python: 2,5 veces más CPU del cliente para un
    lote de 12 filas. Las filas se insertan (y toman ``nextval``) en el orden de la lista."""
    if not filas:
        return []
    columnas = [modelo._meta.get_field(c).column for c in campos]
    texto = a_json([dict(zip(columnas, fila, strict=True)) for fila in filas])
    return _ejecutar_json(conexion, modelo, campos, texto, devolver_ids)


def _ejecutar_json(
    conexion, modelo: type[Model], campos: Sequence[str], texto: str, devolver_ids: bool
) -> list[int]:
    q = conexion.ops.quote_name
    meta = modelo._meta
    lista = ", ".join(q(meta.get_field(c).column) for c in campos)
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({lista}) "  # noqa: S608
        f"SELECT {lista} FROM json_populate_recordset(NULL::{q(meta.db_table)}, %s::json)"
    )
    if devolver_ids:
        sql += f" RETURNING {q(meta.pk.column)}"
    with conexion.cursor() as cur:
        cur.execute(sql, [texto])
        return sorted(f[0] for f in cur.fetchall()) if devolver_ids else []


#: Tipos internos de Django que ``insertar_objetos`` sabe pasar por JSON sin cambiar su valor.
_TIPOS_JSON = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateField",
        "DateTimeField",
        "DecimalField",
        "ForeignKey",
        "IntegerField",
        "JSONField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "UUIDField",
    }
)


def insertar_objetos(modelo: type[Model], objetos: Sequence[Model], using: str = "default") -> bool:
    """Inserta instancias sin señales (como ``bulk_create``) en UNA sentencia con las filas en
    JSON (``_insertar_json``), sin compilar la consulta del ORM. Sólo en PostgreSQL, con la
    clave ya puesta en todas y campos de tipos de ``_TIPOS_JSON``; si no, devuelve False sin
    hacer nada y quien llama usa ``bulk_create``. Cada valor pasa por ``pre_save`` y
    ``get_db_prep_save`` del campo, como en ``bulk_create``."""
    conexion = connections[using]
    meta = modelo._meta
    campos = meta.concrete_fields
    if (
        conexion.vendor != "postgresql"
        or not objetos
        or not all(_campo_json(c) for c in campos)
        or any(o.pk is None for o in objetos)
    ):
        return False
    filas = []
    for objeto in objetos:
        fila = []
        for campo in campos:
            valor = campo.pre_save(objeto, True)
            if hasattr(valor, "resolve_expression"):  # db_default, F(), Now()…: el ORM
                return False
            if campo.get_internal_type() != "JSONField":  # el JSON va tal cual, anidado
                valor = campo.get_db_prep_save(valor, conexion)
            fila.append(valor)
        filas.append(fila)
    try:
        texto = a_json([dict(zip([c.column for c in campos], f, strict=True)) for f in filas])
    except (TypeError, ValueError):  # un valor que JSON no representa igual: el ORM
        return False
    _ejecutar_json(conexion, modelo, [c.name for c in campos], texto, False)
    for objeto in objetos:
        objeto._state.adding = False
        objeto._state.db = using
    return True


def _campo_json(campo) -> bool:
    """Un campo de Django de los de ``_TIPOS_JSON`` (la clase de Django, no una derivada que
    pueda convertir sus valores de otro modo), sin codificador propio si es JSON, y si es una
    FK, a una clave que también lo sea."""
    if not type(campo).__module__.startswith("django.db.models."):
        return False
    if campo.get_internal_type() not in _TIPOS_JSON or getattr(campo, "encoder", None):
        return False
    return not campo.is_relation or _campo_json(campo.target_field)


def _valor_json(valor: Any) -> Any:
    if isinstance(valor, (datetime.datetime, datetime.date, datetime.time)):
        return valor.isoformat()
    if isinstance(valor, (uuid.UUID, Decimal)):
        return str(valor)
    raise TypeError(f"{type(valor).__name__} no se puede insertar por JSON")


def a_json(valor: Any) -> str:
    """JSON compacto con fechas en ISO 8601 y UUID y decimales como cadena (la forma que la
    función de entrada de cada tipo de PostgreSQL lee sin perder nada)."""
    return json.dumps(valor, default=_valor_json, ensure_ascii=False, separators=(",", ":"))


def preparar(using: str = "default"):
    """Funciones de adaptación de valores para ``insertar`` en esta conexión: (fecha_hora, uuid,
    json). En PostgreSQL el JSON va como objeto (viaja anidado en las filas JSON)."""
    conexion = connections[using]
    if conexion.vendor == "postgresql":
        return (_tal_cual, _uuid_nativo, _tal_cual)
    nativo_uuid = conexion.features.has_native_uuid_field
    return (
        conexion.ops.adapt_datetimefield_value,
        _uuid_nativo if nativo_uuid else _uuid_hex,
        lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")),
    )


def _tal_cual(v):
    return v


def _uuid_nativo(u):
    return u


def _uuid_hex(u) -> str:
    """UUID (o cadena canónica) -> 32 hex, como guarda Django los UUID sin tipo nativo."""
    return u.replace("-", "") if isinstance(u, str) else u.hex
