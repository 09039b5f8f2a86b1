"""Diferencias entre motores de base de datos en el camino de escritura de un lote, todas aquí.

- PostgreSQL: las FK se comprueban en cada sentencia (``SET CONSTRAINTS ALL IMMEDIATE``) para
  que una FK rota falle en su operación y no en el commit del lote. Un error dentro de la
  transacción la deja abortada: una sentencia sin punto de guardado que falla obliga a repetir
  el lote en modo seguro. Los UUID van como ``uuid.UUID`` y las marcas de parámetro son ``%s``.
  Las filas que toca un lote se bloquean al cargarlas, en orden (``objetos``): sin
  interbloqueos entre lotes concurrentes.
- SQLite: un solo escritor (no hace falta bloquear filas); un error deshace sólo su sentencia
  y la transacción sigue, así que «ajustar» (una sola sentencia) nunca necesita punto de
  guardado. Para el ajuste se usa el cursor DB-API directo con marcas ``?`` (ahorra la
  reescritura de la consulta de Django en cada operación).

Sin estado: seguro en cualquier hilo (la conexión es la del hilo, la de Django).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection


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
