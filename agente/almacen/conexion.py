"""La conexión de ``cola.sqlite``: una por ``Cola``, compartida sólo por sus piezas.

``ConexionCola`` guarda la conexión y su cerrojo (``RLock``). La crean ``Cola`` y la reciben
sus piezas (``ajustes``, ``encolado``, ``envio``, ``en_vuelo``, ``actividad``); nadie fuera
de ``agente.almacen`` la ve. Quien tiene tablas propias en el mismo fichero
(``agente.almacen.conflictos``) trabaja con una ``Sesion`` que le abre ``Cola``: ejecuta SQL
sobre sus tablas dentro de la transacción de la cola, pero no puede escribir en
``operaciones`` (los cambios de estado pasan por ``Cola``).

Hilos: cada uso toma el cerrojo; una ``Sesion`` sólo vale dentro de su ``with`` y en el hilo
que la abrió (el que tiene el cerrojo). Durabilidad: ``escribir`` es un ``BEGIN IMMEDIATE``
... ``COMMIT`` con ``synchronous=FULL`` (``agente.almacen.sqlite``).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from agente.almacen.sqlite import abrir_cola, transaccion

_ESCRITURA = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)
_TOCA_OPERACIONES = re.compile(
    r"^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM"
    r"|DROP\s+TABLE|ALTER\s+TABLE)\s+[\"'`\[]?operaciones\b",
    re.IGNORECASE,
)


class ErrorSesion(RuntimeError):
    """Uso de una ``Sesion`` fuera de lo permitido (error de programación, no del usuario)."""


class ConexionCola:
    """Conexión de escritura de ``cola.sqlite`` con su cerrojo (ver docstring del módulo)."""

    def __init__(self, ruta: str | os.PathLike[str]) -> None:
        self.ruta = os.fspath(ruta)
        self.conexion: sqlite3.Connection | None = abrir_cola(self.ruta)
        self.cerrojo = threading.RLock()

    def _abierta(self) -> sqlite3.Connection:
        if self.conexion is None:
            raise sqlite3.ProgrammingError(f"La cola {self.ruta} ya está cerrada.")
        return self.conexion

    @contextlib.contextmanager
    def escribir(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` bajo el cerrojo. Anidado en otra escritura del
        mismo hilo, se une a ella (un solo COMMIT al final de la de fuera)."""
        with self.cerrojo:
            conexion = self._abierta()
            if conexion.in_transaction:
                yield conexion
                return
            with transaccion(conexion) as c:
                yield c

    @contextlib.contextmanager
    def leer(self) -> Iterator[sqlite3.Connection]:
        """La conexión bajo el cerrojo, sin abrir transacción (sólo para consultas)."""
        with self.cerrojo:
            yield self._abierta()

    def cerrar(self) -> None:
        with self.cerrojo:
            if self.conexion is not None:
                self.conexion.close()
                self.conexion = None


class Sesion:
    """SQL sobre las tablas propias de un módulo dentro de una transacción (o lectura) de la
    cola. Rechaza cualquier escritura en ``operaciones`` y, si es de lectura, toda escritura."""

    def __init__(self, conexion: sqlite3.Connection, *, escritura: bool) -> None:
        self._conexion: sqlite3.Connection | None = conexion
        self.escritura = escritura

    def execute(self, sql: str, parametros: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Como ``sqlite3.Connection.execute`` (el código escrito para una conexión sirve tal
        cual), con las comprobaciones de la sesión."""
        if self._conexion is None:
            raise ErrorSesion("La sesión de la cola ya terminó.")
        if _TOCA_OPERACIONES.search(sql):
            raise ErrorSesion("Sólo Cola cambia la tabla operaciones: use sus métodos.")
        if not self.escritura and _ESCRITURA.search(sql):
            raise ErrorSesion("Sesión de sólo lectura: abra una con Cola.transaccion().")
        return self._conexion.execute(sql, parametros)

    def conexion_de(self, bd: ConexionCola) -> sqlite3.Connection:
        """Para ``Cola``: la conexión de esta sesión, si es la de ``bd`` y sigue abierta."""
        if self._conexion is None or self._conexion is not bd.conexion:
            raise ErrorSesion("Esa sesión no es de esta cola o ya terminó.")
        return self._conexion

    def terminar(self) -> None:
        self._conexion = None
