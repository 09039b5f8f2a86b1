"""Orden de commit del registro de cambios: qué posición tiene una entrada y hasta dónde se puede
servir sin saltarse una transacción que aún no ha confirmado. Lo único que cambia según el motor.

- SQLite (un escritor a la vez: el cerrojo de escritura va del BEGIN al commit): los ``id``
  salen en orden de commit. La posición es el ``id`` y todo lo visible se puede servir.
- PostgreSQL (escritores concurrentes, sin cerrojo global): un ``id`` pequeño puede confirmarse
  después de uno grande. Cada entrada guarda su transacción (``pg_current_xact_id()``) y la
  posición es (``transaccion``, ``id``). Sólo se sirven entradas de transacciones anteriores a la
  marca de agua ``pg_snapshot_xmin(pg_current_snapshot())``: todas las transacciones por debajo
  han terminado, así que el conjunto de entradas por debajo de la marca ya no cambia (salvo que
  dejen de ser vigentes) y lo que aparezca después queda siempre por encima de lo servido.

Cursores incrementales (opacos para la terminal): SQLite ``"457"`` (id); PostgreSQL
``"7342.1580"`` (transacción, id). Al llegar al final se devuelve ``"<marca>.0"``: todo lo de
transacciones anteriores a la marca ya se sirvió. Un cursor del otro motor se trata como
caducado (410 y resincronización).

Ajuste ``SINCRO_ORDEN_COMMIT`` (sólo para medir y demostrar; en producción, el de defecto):
- ``"marca"`` (por defecto): lo descrito arriba.
- ``"cerrojo"``: además, cada lote de ``POST /v1/operaciones`` toma un cerrojo consultivo global
  hasta su commit (el diseño anterior): la línea base de bench/central_concurrencia.py.
- ``"sin_marca"``: PostgreSQL sirve sin marca de agua. PIERDE cambios confirmados tarde; existe
  para que una prueba demuestre que la marca es necesaria.

Puro salvo ``marca_de_agua``/``techo`` (una consulta). Sin estado: seguro en cualquier hilo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

CLAVE_CERROJO = 0x53494E43  # "SINC": cerrojo consultivo del modo «cerrojo»
MODOS = ("marca", "cerrojo", "sin_marca")


def modo() -> str:
    valor = getattr(settings, "SINCRO_ORDEN_COMMIT", "marca") or "marca"
    return valor if valor in MODOS else "marca"


def tomar_cerrojo_de_lote() -> None:
    """Modo «cerrojo» en PostgreSQL: serializa los lotes como el diseño anterior (línea base de
    las medidas). En cualquier otro caso no hace nada."""
    if modo() == "cerrojo" and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [CLAVE_CERROJO])


_SQLITE = re.compile(r"^\d{1,19}$")
_PG = re.compile(r"^(\d{1,19})\.(\d{1,19})$")


@dataclass(frozen=True, order=True)
class Posicion:
    """Posición en el orden de servicio: (transacción, id); en SQLite la transacción es 0."""

    transaccion: int
    id: int

    def texto(self) -> str:
        if connection.vendor == "postgresql":
            return f"{self.transaccion}.{self.id}"
        return str(self.id)


INICIO = Posicion(0, 0)


class OtroMotor(Exception):
    """Cursor con la forma del otro motor de base de datos (p. ej. la central cambió de SQLite a
    PostgreSQL): la terminal debe resincronizar."""


def es_incremental(texto: str) -> bool:
    return bool(_SQLITE.match(texto) or _PG.match(texto))


def leer(texto: str) -> Posicion:
    """Cursor incremental -> posición. ``OtroMotor`` si es de la forma del otro motor."""
    pg = _PG.match(texto)
    if connection.vendor == "postgresql":
        if texto == "0":
            return INICIO  # «desde el principio» vale en los dos motores
        if not pg:
            raise OtroMotor(texto)
        return Posicion(int(pg[1]), int(pg[2]))
    if pg:
        raise OtroMotor(texto)
    return Posicion(0, int(texto))


def final(marca: int) -> Posicion:
    """Posición tras servir todo lo que hay por debajo de ``marca`` (de ``consulta_marca``)."""
    if connection.vendor == "postgresql":
        return Posicion(marca, 0)
    return Posicion(0, marca)


def tras_ultima_pagina(marca: int, desde: Posicion, ultima: Posicion | None) -> Posicion:
    """Cursor tras una página que llegó al final: la marca (todo lo de debajo ya se sirvió).
    En el modo «sin_marca», la última posición servida (lo que haría un cursor ingenuo)."""
    if modo() == "sin_marca" and connection.vendor == "postgresql":
        return max(desde, ultima or desde)
    return max(final(marca), desde)


def consulta_marca(tabla: str) -> str:
    """Subconsulta de una fila y una columna ``marca``, en la misma instantánea que la página:
    en PostgreSQL la marca de agua; en SQLite el mayor id del registro."""
    if connection.vendor == "postgresql":
        return "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS marca"
    return f"SELECT COALESCE(MAX(id), 0) AS marca FROM {tabla}"  # noqa: S608


def condicion(desde: Posicion, con_marca: bool) -> tuple[str, list[int], str]:
    """(condición SQL, parámetros, ORDER BY) de las entradas posteriores a ``desde``; con
    ``con_marca`` (PostgreSQL) sólo las de transacciones por debajo de ``m.marca``."""
    if connection.vendor == "postgresql":
        sql = "(transaccion, id) > (%s, %s)"
        if con_marca and modo() != "sin_marca":
            sql += " AND transaccion < m.marca"
        return sql, [desde.transaccion, desde.id], "transaccion, id"
    return "id > %s", [desde.id], "id"


def consulta_techo() -> str | None:
    """PostgreSQL: expresión SQL de ``techo`` para leerlo en la misma sentencia que una página.
    SQLite: None (el techo lo dan los horizontes, ver ``descarga``)."""
    if connection.vendor != "postgresql":
        return None
    return "pg_snapshot_xmax(pg_current_snapshot())::text::bigint"


def marca_en_cada_pagina() -> bool:
    """En una descarga completa (por ``id``, modelo a modelo), si la marca final debe ser la
    menor de todas las páginas. PostgreSQL: sí, una transacción en curso en la primera página
    puede confirmar después una entrada con un id ya recorrido. SQLite: basta la del final de
    cada modelo (los ids posteriores siempre son mayores)."""
    return connection.vendor == "postgresql"


def marca_de_agua() -> int:
    """PostgreSQL: la transacción más antigua aún en curso (todas las anteriores terminaron)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return cur.fetchone()[0]


def techo() -> int | None:
    """PostgreSQL: la próxima transacción que se asignará; un cursor por encima viene de otra
    base de datos. En SQLite lo decide el mayor id (None aquí)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
        return cur.fetchone()[0]
