"""Sumas de verificación por cubos (``GET /v1/verificacion``) y las filas vivas de unos cubos
(``GET /v1/verificacion/filas``), para que una terminal compruebe que su caché es igual a la
central y repare sólo lo que difiere (``protocolo.verificacion`` define cubos y sumas).

Se calcula sobre las entradas vigentes y no borradas del registro (su ``cuerpo`` guarda ya la
instantánea JSON que sirve ``/v1/cambios``), sólo las que la tienda puede ver. PostgreSQL lo
agrega en SQL (``md5``); SQLite, en Python sobre las filas leídas. Sólo lee; seguro en
cualquier hilo.
"""

from __future__ import annotations

from django.db import connection

from protocolo import verificacion

from .configuracion import ConfigModelo
from .descarga import _cuerpos, _tabla

_DATOS = ',"datos":'
# Texto de los datos dentro de ``cuerpo`` (``…,"datos":{…}}`` sin la llave final del objeto).
_DATOS_PG = f"left(substr(cuerpo, strpos(cuerpo, '{_DATOS}') + {len(_DATOS)}), -1)"
# ``protocolo.verificacion.cubo_de`` en SQL (el parámetro es el número de cubos, tres veces).
_DATOS_SQLITE = (
    f"substr(cuerpo, instr(cuerpo, '{_DATOS}') + {len(_DATOS)}, "
    f"length(cuerpo) - instr(cuerpo, '{_DATOS}') - {len(_DATOS)})"
)
_CUBO_PG = (
    "(CASE WHEN objeto_id ~ '^-?[0-9]{1,18}$' THEN mod(abs(objeto_id::bigint), %s) "
    "WHEN objeto_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' "
    "THEN mod(('x' || substr(objeto_id, 1, 8))::bit(32)::bigint, %s) "
    "ELSE mod(('x' || substr(md5(objeto_id), 1, 8))::bit(32)::bigint, %s) END)"
)


def _filtro(config: ConfigModelo, tienda: str) -> tuple[str, list]:
    sql = "modelo = %s AND vigente AND NOT borrado"
    params: list = [config.nombre]
    if config.privado_por_tienda:
        sql += " AND tienda = %s"
        params.append(tienda)
    else:  # como en ``descarga``: las mismas filas que se sirven, por el mismo índice
        sql += " AND tienda IS NULL"
    return sql, params


def sumas(config: ConfigModelo, tienda: str, cubos: int) -> dict[int, tuple[int, int]]:
    """{cubo: (filas, suma)} de las filas vivas que ve ``tienda``."""
    donde, params = _filtro(config, tienda)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"SELECT {_CUBO_PG} AS cubo, COUNT(*), "  # noqa: S608
                f"SUM(('x' || substr(md5({_DATOS_PG}), 1, 16))::bit(64)::bigint) "
                f"FROM {_tabla()} WHERE {donde} GROUP BY 1",
                [cubos, cubos, cubos, *params],
            )
            return {c: (n, int(s) % verificacion.MODULO) for c, n, s in cur.fetchall()}
        cur.execute(
            f"SELECT objeto_id, {_DATOS_SQLITE} FROM {_tabla()} "  # noqa: S608
            f"WHERE {donde}",
            params,
        )
        return verificacion.sumar(cur.fetchall(), cubos)


def filas(config: ConfigModelo, tienda: str, cubos: int, elegidos: set[int]) -> list[str]:
    """Las filas vivas de los cubos ``elegidos``, con la forma de ``/v1/cambios``."""
    donde, params = _filtro(config, tienda)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"SELECT id, modelo, cuerpo, transaccion FROM {_tabla()} "  # noqa: S608
                f"WHERE {donde} AND {_CUBO_PG} = ANY(%s) ORDER BY id",
                [*params, cubos, cubos, cubos, sorted(elegidos)],
            )
            return _cuerpos(cur.fetchall())
        cur.execute(
            f"SELECT id, objeto_id FROM {_tabla()} WHERE {donde}",  # noqa: S608
            params,
        )
        ids = [i for i, o in cur.fetchall() if verificacion.cubo_de(o, cubos) in elegidos]
        salida = []
        for i in range(0, len(ids), 500):
            trozo = ids[i : i + 500]
            cur.execute(
                f"SELECT id, modelo, cuerpo, transaccion FROM {_tabla()} "  # noqa: S608
                f"WHERE id IN ({', '.join(['%s'] * len(trozo))}) ORDER BY id",
                trozo,
            )
            salida.extend(_cuerpos(cur.fetchall()))
        return salida
