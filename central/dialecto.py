"""Diferencias entre motores de base de datos en el camino de escritura de un lote, todas aquí.

- PostgreSQL: las FK se comprueban en cada sentencia (``SET CONSTRAINTS ALL IMMEDIATE``) para
  que una FK rota falle en su operación y no en el commit del lote. Un error dentro de la
  transacción la deja abortada: una sentencia sin punto de guardado que falla obliga a repetir
  el lote en modo seguro. Los UUID van como ``uuid.UUID`` y las marcas de parámetro son ``%s``.
  Los «ajustar» de un lote se aplican juntos, una sentencia por ronda (``ajustes``).
  Las filas que toca un lote se bloquean al cargarlas, en orden (``objetos``): sin
  interbloqueos entre lotes concurrentes.
- Errores transitorios (``es_transitorio``): un interbloqueo o un fallo de serialización con
  otro escritor de la base (el admin, otra aplicación, SQL a mano) o un cerrojo ocupado no dicen
  nada de la operación: el lote entero se repite en una transacción nueva, nunca se rechaza.
- SQLite: un solo escritor (no hace falta bloquear filas); un error deshace sólo su sentencia
  y la transacción sigue, así que «ajustar» (una sola sentencia) nunca necesita punto de
  guardado. Para el ajuste se usa el cursor DB-API directo con marcas ``?`` (ahorra la
  reescritura de la consulta de Django en cada operación).

Sin estado: seguro en cualquier hilo (la conexión es la del hilo, la de Django).
"""

from __future__ import annotations

import random
import sqlite3
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import DatabaseError, connection

T = TypeVar("T")

# 40P01 interbloqueo, 40001 fallo de serialización, 55P03 cerrojo no disponible (lock_timeout).
_SQLSTATE_TRANSITORIOS = frozenset({"40P01", "40001", "55P03"})
_SQLITE_TRANSITORIOS = ("database is locked", "database table is locked")


def es_transitorio(exc: BaseException) -> bool:
    """Si ``exc`` (o su causa) es un error de base de datos que se resuelve repitiendo la
    transacción: interbloqueo, fallo de serialización o cerrojo ocupado."""
    visto: BaseException | None = exc
    for _ in range(5):
        if visto is None:
            return False
        estado = getattr(visto, "sqlstate", None) or getattr(visto, "pgcode", None)
        if estado in _SQLSTATE_TRANSITORIOS:
            return True
        if isinstance(visto, sqlite3.OperationalError) and any(
            t in str(visto) for t in _SQLITE_TRANSITORIOS
        ):
            return True
        visto = visto.__cause__ or visto.__context__
    return False


class Transitorio(Exception):
    """Error transitorio de base de datos a mitad de un lote: se deshace y se repite entero."""


def si_transitorio(exc: BaseException) -> None:
    """Lanza ``Transitorio`` si ``exc`` lo es (los ``except DatabaseError`` que rechazan una
    operación lo llaman antes: un interbloqueo no es culpa de la operación)."""
    if es_transitorio(exc):
        raise Transitorio(str(exc).splitlines()[0][:200]) from exc


INTENTOS_TRANSITORIOS = 6
"""Veces que se repite una transacción que choca con otro escritor (interbloqueo,
serialización) antes de rendirse con ``CentralOcupada`` (la vista responde 503 y la terminal
reintenta más tarde, con su propia espera)."""


class CentralOcupada(Exception):
    """La transacción chocó con otros escritores en todos sus intentos."""


def repetir_si_transitorio(funcion: Callable[[], T]) -> T:
    """``funcion()`` (que abre y cierra su propia transacción), repetida tras una espera corta
    al azar si falla con un error transitorio (``Transitorio`` o ``es_transitorio``); tras
    ``INTENTOS_TRANSITORIOS`` intentos, ``CentralOcupada``. Otros errores salen tal cual."""
    azar = random.Random()
    for intento in range(INTENTOS_TRANSITORIOS):
        try:
            return funcion()
        except (Transitorio, DatabaseError) as exc:
            if not isinstance(exc, Transitorio) and not es_transitorio(exc):
                raise
            if intento == INTENTOS_TRANSITORIOS - 1:
                raise CentralOcupada(str(exc)[:200]) from exc
            time.sleep(azar.uniform(0, 0.02 * 2**intento))
    raise AssertionError("inalcanzable")


def es_sqlite() -> bool:
    return connection.vendor == "sqlite"


def preparar_lote() -> None:
    """Al empezar la transacción de un lote."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")


def bloquear_al_cargar() -> bool:
    """Si la carga de los objetos de un lote debe bloquear sus filas (escritores concurrentes)."""
    return not es_sqlite()


def ajuste_sin_punto(seguro: bool) -> bool:
    """Si un «ajustar» puede ir sin punto de guardado: siempre en SQLite; en PostgreSQL sólo
    fuera del modo seguro (si falla, el lote se repite en modo seguro)."""
    return es_sqlite() or not seguro


def ajustes_en_bloque(seguro: bool) -> bool:
    """Si los «ajustar» de un lote se aplican juntos (``Ajustes.volcar``, una sentencia
    ``UPDATE … FROM json_to_recordset`` por ronda): en PostgreSQL fuera del modo seguro."""
    return not es_sqlite() and not seguro


def error_aborta_lote(seguro: bool) -> bool:
    """Si un error de base de datos en una sentencia sin punto de guardado deja la transacción
    inservible (PostgreSQL fuera del modo seguro)."""
    return not es_sqlite() and not seguro


def marca_parametro() -> str:
    return "?" if es_sqlite() else "%s"


def cursor_ajustes() -> Any:
    connection.ensure_connection()
    return connection.connection.cursor() if es_sqlite() else connection.cursor()


def uuid_operacion(texto: str) -> Any:
    """UUID de una operación tal como lo espera ``insercion.preparar()[1]``."""
    return texto if es_sqlite() else uuid.UUID(texto)
