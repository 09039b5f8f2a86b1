"""Páginas de ``GET /v1/cambios``: un recorrido de índice sobre el registro de cambios.

Cada página es UNA sentencia SQL (una sola instantánea de lectura, también en PostgreSQL con
READ COMMITTED) que devuelve las entradas vigentes con ``id > cursor`` y, en la misma
instantánea, el ``id`` máximo del registro. Como los ids se asignan en orden de commit
(``central.captura``), todo lo que se confirme después tendrá un id mayor que ese máximo: por eso
una página que llega al final puede devolver el máximo como cursor sin saltarse nada.

Sin construir objetos: el cuerpo de cada cambio está guardado ya serializado (``cuerpo``) y la
respuesta se arma uniendo cadenas. Sólo lee; es segura en cualquier hilo.

Cursores (opacos para la terminal):
- ``""``: desde el principio (``completo: true``; se omiten las lápidas). Se trata como
  ``"f0.0.-"``, también con un solo modelo.
- ``"457"``: entradas vigentes con id > 457, de todos los modelos pedidos, en orden de commit.
  Si 457 queda por debajo del horizonte de retención: 410.
- ``"f<i>.<pos>.<min>"``: continuación de una descarga completa (primera sincronización o
  resincronización tras un 410); se sirven modelo a modelo (críticos primero). Es una posición
  dentro de la instantánea del estado vivo, no de la historia, así que no caduca con el
  horizonte: una resincronización de varias páginas nunca recibe otro 410 a mitad. Al terminar
  el último modelo se devuelve el menor de los cursores finales (numérico).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Max

from protocolo.formas import CURSOR_MAXIMO

from .configuracion import ConfigModelo
from .models import Horizonte, RegistroCambio

LIMITE_DEFECTO = 1000
LIMITE_MAXIMO = 100_000
_FASE = re.compile(r"^f(\d{1,4})\.(\d{1,19})\.(\d{1,19}|-)$")
_NUMERO = re.compile(r"^\d{1,19}$")


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


def _consulta(modelos: list[ConfigModelo], tienda: str, desde: int, limite: int,
              sin_lapidas: bool) -> tuple[list[tuple[int, str, str]], int]:
    """Filas (id, modelo, cuerpo) vigentes con id > desde, y el id máximo del registro."""
    tabla = _tabla()
    condiciones, params = [], []
    publicos = [m.nombre for m in modelos if not m.privado_por_tienda]
    privados = [m.nombre for m in modelos if m.privado_por_tienda]
    partes = []
    if publicos:
        partes.append(f"modelo IN ({', '.join(['%s'] * len(publicos))})")
        params.extend(publicos)
    if privados:
        partes.append(f"(modelo IN ({', '.join(['%s'] * len(privados))}) AND tienda = %s)")
        params.extend([*privados, tienda])
    condiciones.append(partes[0] if len(partes) == 1 else "(" + " OR ".join(partes) + ")")
    condiciones.append("vigente")
    condiciones.append("id > %s")
    params.append(desde)
    if sin_lapidas:
        condiciones.append("NOT borrado")
    # Sólo nombres fijos y citados; los valores van como parámetros.
    sql = (
        f"SELECT r.id, r.modelo, r.cuerpo, m.maximo FROM (SELECT MAX(id) AS maximo FROM {tabla}) m "  # noqa: S608
        f"LEFT JOIN (SELECT id, modelo, cuerpo FROM {tabla} WHERE {' AND '.join(condiciones)} "
        f"ORDER BY id LIMIT %s) r ON 1 = 1"
    )
    params.append(limite + 1)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        filas = cur.fetchall()
    maximo = (filas[0][3] or 0) if filas else 0
    salida = [(f[0], f[1], f[2]) for f in filas if f[0] is not None]
    salida.sort(key=_primero)  # casi siempre ya ordenado: O(n)
    return salida, maximo


def _primero(fila: tuple) -> int:
    return fila[0]


def _comprobar_horizonte(modelos: list[ConfigModelo], cursor: int) -> None:
    if cursor <= 0:
        return
    horizontes = Horizonte.objects.filter(modelo__in=[m.nombre for m in modelos],
                                          cursor__gt=cursor).values_list("cursor", flat=True)
    peor = max(horizontes, default=None)
    if peor is not None:
        raise CursorExpirado(peor)


def _comprobar_techo(cursor: int, maximo: int) -> None:
    """Un cursor mayor que todo lo registrado viene de otra base de datos (p. ej. una central
    restaurada de una copia): 410. Los horizontes cuentan como registrados, porque compactar
    puede borrar las últimas entradas (lápidas) sin que sus cursores dejen de ser válidos."""
    if cursor <= maximo:
        return
    techo = max(Horizonte.objects.aggregate(m=Max("cursor"))["m"] or 0, maximo)
    if cursor > techo:
        raise CursorExpirado(techo)


def _cuerpos(filas: list[tuple[int, str, str]]) -> list[str]:
    prefijos: dict[str, str] = {}
    salida = []
    for id_, modelo, cuerpo in filas:
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
        return _pagina_por_fases(modelos, tienda, int(fase[1]), int(fase[2]),
                                 None if fase[3] == "-" else int(fase[3]), limite, cursor)
    if not _NUMERO.match(cursor):
        raise CursorInvalido(cursor)
    desde = int(cursor)
    _comprobar_horizonte(modelos, desde)
    filas, maximo = _consulta(modelos, tienda, desde, limite, sin_lapidas=False)
    _comprobar_techo(desde, maximo)
    hay_mas = len(filas) > limite
    if hay_mas:
        filas = filas[:limite]
        siguiente = filas[-1][0]
    else:
        siguiente = max(maximo, desde)
    return Pagina(_cuerpos(filas), str(siguiente), hay_mas, completo=False)


def _pagina_por_fases(modelos: list[ConfigModelo], tienda: str, i: int, pos: int,
                      minimo: int | None, limite: int, cursor: str) -> Pagina:
    if i >= len(modelos):
        raise CursorInvalido(cursor)
    filas, maximo = _consulta([modelos[i]], tienda, pos, limite, sin_lapidas=pos == 0)
    _comprobar_techo(pos, maximo)
    completo = i == 0 and pos == 0
    if len(filas) > limite:
        filas = filas[:limite]
        return Pagina(_cuerpos(filas), f"f{i}.{filas[-1][0]}.{'-' if minimo is None else minimo}",
                      True, completo)
    fin = max(maximo, pos)
    minimo = fin if minimo is None else min(minimo, fin)
    if i + 1 < len(modelos):
        return Pagina(_cuerpos(filas), f"f{i + 1}.0.{minimo}", True, completo)
    return Pagina(_cuerpos(filas), str(minimo), False, completo)
