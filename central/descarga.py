"""Páginas de ``GET /v1/cambios``: un recorrido de índice sobre el registro de cambios.

Cada página es UNA sentencia SQL (una sola instantánea de lectura, también en PostgreSQL con
READ COMMITTED) que devuelve las entradas vigentes posteriores al cursor y, en la misma
instantánea, la marca hasta la que se puede servir (``central.orden``: el mayor id en SQLite, la
marca de agua de transacciones en PostgreSQL). Todo lo que se confirme después queda por encima
de esa marca: por eso una página que llega al final puede devolver la marca como cursor sin
saltarse nada, y una página llena devuelve la posición de su última entrada.

Sin construir objetos: el cuerpo de cada cambio está guardado ya serializado (``cuerpo``) y la
respuesta se arma uniendo cadenas. Sólo lee; es segura en cualquier hilo.

Cursores (opacos para la terminal):
- ``""``: desde el principio (``completo: true``; se omiten las lápidas). Se trata como
  ``"f0.0.-"``, también con un solo modelo.
- incremental (``"457"`` en SQLite, ``"7342.1580"`` en PostgreSQL, ver ``central.orden``):
  entradas vigentes posteriores, de todos los modelos pedidos, en orden de commit. Si queda por
  debajo del horizonte de retención, o es de otra base de datos: 410.
- ``"f<i>.<pos>.<min>"``: continuación de una descarga completa (primera sincronización o
  resincronización tras un 410); se sirven modelo a modelo (críticos primero), por ``id``. Es
  una posición dentro de la instantánea del estado vivo, no de la historia, así que no caduca
  con el horizonte: una resincronización de varias páginas nunca recibe otro 410 a mitad.
  ``min`` es la menor marca vista; al terminar el último modelo se devuelve el cursor
  incremental de esa marca, que vuelve a servir lo confirmado durante la descarga.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.db import connection

from protocolo.formas import CURSOR_MAXIMO

from . import orden
from .configuracion import ConfigModelo
from .models import Horizonte, RegistroCambio

LIMITE_DEFECTO = 1000
LIMITE_MAXIMO = 100_000
_FASE = re.compile(r"^f(\d{1,4})\.(\d{1,19})\.(\d{1,19}|-)$")


class CursorExpirado(Exception):
    def __init__(self, horizonte: int):
        super().__init__(horizonte)
        self.horizonte = horizonte


class CursorInvalido(Exception):
    pass


@dataclass
class Pagina:
    cuerpos: list[str]
    cursor: str
    hay_mas: bool
    completo: bool


def _tabla() -> str:
    return connection.ops.quote_name(RegistroCambio._meta.db_table)


@dataclass
class _Limites:
    """Lo que una página incremental comprueba, leído en la misma sentencia que la página: el
    mayor horizonte de retención por encima del cursor (None si no hay) y el techo (PostgreSQL:
    la próxima transacción; SQLite: el mayor horizonte de todos los modelos)."""

    horizonte: int | None = None
    techo: int | None = None


def _consulta(
    modelos: list[ConfigModelo],
    tienda: str,
    desde: orden.Posicion,
    limite: int,
    por_fases: bool,
) -> tuple[list[tuple[int, str, str, int]], int, _Limites]:
    """Filas (id, modelo, cuerpo, transacción) vigentes posteriores a ``desde`` (por ``id`` y
    sin lápidas si ``por_fases``; si no, en orden de commit y por debajo de la marca), la marca
    de la misma instantánea y, si no es ``por_fases``, los ``_Limites`` del cursor: una sola
    sentencia por página."""
    tabla = _tabla()
    condiciones, params = [], []
    marca_sql, marca_params = _sql_marca(modelos, tabla, desde, por_fases)
    publicos = [m.nombre for m in modelos if not m.privado_por_tienda]
    privados = [m.nombre for m in modelos if m.privado_por_tienda]
    partes = []
    if publicos:  # su ``tienda`` es NULL: usan los mismos índices que los privados
        partes.append(f"(modelo IN ({', '.join(['%s'] * len(publicos))}) AND tienda IS NULL)")
        params.extend(publicos)
    if privados:
        partes.append(f"(modelo IN ({', '.join(['%s'] * len(privados))}) AND tienda = %s)")
        params.extend([*privados, tienda])
    condiciones.append(partes[0] if len(partes) == 1 else "(" + " OR ".join(partes) + ")")
    condiciones.append("vigente")
    if por_fases:
        condiciones.append("id > %s")
        params.append(desde.id)
        condiciones.append("NOT borrado")
        orden_sql = "id"
    else:
        posterior, valores, orden_sql = orden.condicion(desde, con_marca=True)
        condiciones.append(posterior)
        params.extend(valores)
    # Sólo nombres fijos y citados; los valores van como parámetros.
    sql = (
        f"SELECT r.id, r.modelo, r.cuerpo, r.transaccion, m.marca, m.horizonte, m.techo "  # noqa: S608
        f"FROM ({marca_sql}) m "
        f"LEFT JOIN LATERAL (SELECT id, modelo, cuerpo, transaccion FROM {tabla} "
        f"WHERE {' AND '.join(condiciones)} ORDER BY {orden_sql} LIMIT %s) r ON true"
    )
    if connection.vendor == "sqlite":  # SQLite no tiene LATERAL ni ve «m» dentro
        sql = sql.replace("LEFT JOIN LATERAL", "LEFT JOIN").replace("ON true", "ON 1 = 1")
    params.append(limite + 1)
    with connection.cursor() as cur:
        cur.execute(sql, [*marca_params, *params])
        filas = cur.fetchall()
    marca = (filas[0][4] or 0) if filas else 0
    limites = _Limites(filas[0][5], filas[0][6]) if filas else _Limites()
    salida = [(f[0], f[1], f[2], f[3]) for f in filas if f[0] is not None]
    salida.sort(key=_por_id if por_fases else _por_posicion)  # casi siempre ya ordenado: O(n)
    return salida, marca, limites


def _sql_marca(
    modelos: list[ConfigModelo], tabla: str, desde: orden.Posicion, por_fases: bool
) -> tuple[str, list]:
    """Subconsulta de una fila (marca, horizonte, techo) y sus parámetros. El horizonte y el
    techo sólo hacen falta en una página incremental (``_comprobar_horizonte``/``_techo``)."""
    horizonte, techo, params = "NULL", "NULL", []
    if not por_fases:
        q = connection.ops.quote_name
        horizontes, columna = q(Horizonte._meta.db_table), q("cursor")
        cursor = desde.transaccion or desde.id
        if cursor > 0:
            marcas = ", ".join(["%s"] * len(modelos))
            horizonte = (
                f"(SELECT MAX({columna}) FROM {horizontes} "  # noqa: S608
                f"WHERE modelo IN ({marcas}) AND {columna} > %s)"
            )
            params = [*(m.nombre for m in modelos), cursor]
        techo = orden.consulta_techo() or f"(SELECT MAX({columna}) FROM {horizontes})"  # noqa: S608
    sql = f"SELECT m0.marca, {horizonte} AS horizonte, {techo} AS techo "
    return sql + f"FROM ({orden.consulta_marca(tabla)}) m0", params


def _por_id(fila: tuple) -> int:
    return fila[0]


def _por_posicion(fila: tuple) -> tuple[int, int]:
    return fila[3], fila[0]


def horizonte_superado(modelos: list[ConfigModelo], desde: orden.Posicion) -> int | None:
    """El horizonte de retención que deja caducado ``desde`` (None si sigue valiendo), con una
    consulta propia: para quien comprueba un cursor sin pedir una página (la instantánea)."""
    cursor = desde.transaccion or desde.id
    if cursor <= 0:
        return None
    horizontes = Horizonte.objects.filter(
        modelo__in=[m.nombre for m in modelos], cursor__gt=cursor
    ).values_list("cursor", flat=True)
    return max(horizontes, default=None)


def _comprobar_horizonte(limites: _Limites) -> None:
    """410 si el cursor es anterior al horizonte de retención de alguno de los modelos."""
    if limites.horizonte is not None:
        raise CursorExpirado(limites.horizonte)


def _comprobar_techo(desde: orden.Posicion, marca: int, limites: _Limites) -> None:
    """Un cursor mayor que todo lo registrado viene de otra base de datos (p. ej. una central
    restaurada de una copia): 410. En SQLite los horizontes cuentan como registrados, porque
    compactar puede borrar las últimas entradas (lápidas) sin que sus cursores dejen de ser
    válidos; en PostgreSQL el techo es la próxima transacción que se asignará."""
    if connection.vendor == "postgresql":
        if limites.techo is not None and desde.transaccion > limites.techo:
            raise CursorExpirado(marca)
        return
    if desde.id <= marca:
        return
    techo = max(limites.techo or 0, marca)
    if desde.id > techo:
        raise CursorExpirado(techo)


def _cuerpos(filas: list[tuple[int, str, str, int]]) -> list[str]:
    prefijos: dict[str, str] = {}
    salida = []
    for id_, modelo, cuerpo, _ in filas:
        prefijo = prefijos.get(modelo)
        if prefijo is None:
            prefijo = prefijos[modelo] = '{"modelo":' + json.dumps(modelo) + ',"version":'
        salida.append(f"{prefijo}{id_},{cuerpo}")
    return salida


def pagina(modelos: list[ConfigModelo], tienda: str, cursor: str, limite: int) -> Pagina:
    """Una página de cambios para la tienda ``tienda``. ``modelos`` en orden de descarga."""
    cursor = cursor.strip()
    if cursor == "":
        cursor = "f0.0.-"
    fase = _FASE.match(cursor)
    if any(int(n) > CURSOR_MAXIMO for n in re.findall(r"\d+", cursor)):
        raise CursorInvalido(cursor)  # ningún id cabe ahí: sería un desbordamiento en la base
    if fase:
        return _pagina_por_fases(
            modelos,
            tienda,
            int(fase[1]),
            int(fase[2]),
            None if fase[3] == "-" else int(fase[3]),
            limite,
            cursor,
        )
    if not orden.es_incremental(cursor):
        raise CursorInvalido(cursor)
    try:
        desde = orden.leer(cursor)
    except orden.OtroMotor:
        raise CursorExpirado(0) from None
    filas, marca, limites = _consulta(modelos, tienda, desde, limite, por_fases=False)
    _comprobar_horizonte(limites)
    _comprobar_techo(desde, marca, limites)
    hay_mas = len(filas) > limite
    if hay_mas:
        filas = filas[:limite]
        siguiente = orden.Posicion(filas[-1][3], filas[-1][0])
    else:
        ultima = orden.Posicion(filas[-1][3], filas[-1][0]) if filas else None
        siguiente = orden.tras_ultima_pagina(marca, desde, ultima)
    return Pagina(_cuerpos(filas), siguiente.texto(), hay_mas, completo=False)


def _pagina_por_fases(
    modelos: list[ConfigModelo],
    tienda: str,
    i: int,
    pos: int,
    minimo: int | None,
    limite: int,
    cursor: str,
) -> Pagina:
    if i >= len(modelos):
        raise CursorInvalido(cursor)
    filas, marca, _ = _consulta(
        [modelos[i]], tienda, orden.Posicion(0, pos), limite, por_fases=True
    )
    completo = i == 0 and pos == 0
    hay_mas = len(filas) > limite
    if orden.marca_en_cada_pagina() or not hay_mas:
        minimo = marca if minimo is None else min(minimo, marca)
    if hay_mas:
        filas = filas[:limite]
        return Pagina(
            _cuerpos(filas),
            f"f{i}.{filas[-1][0]}.{'-' if minimo is None else minimo}",
            True,
            completo,
        )
    if i + 1 < len(modelos):
        return Pagina(_cuerpos(filas), f"f{i + 1}.0.{minimo}", True, completo)
    return Pagina(_cuerpos(filas), orden.final(minimo).texto(), False, completo)
