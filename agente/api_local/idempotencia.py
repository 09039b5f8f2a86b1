"""Claves de idempotencia de ``POST /v1/vender``, duraderas: ``api-local.sqlite``.

Una caja que reintenta tras un tiempo agotado manda la misma ``Idempotency-Key``; la API
devuelve la primera respuesta en lugar de vender dos veces, también después de reiniciar el
proceso que sirve la API.

Cómo se garantiza sin una transacción entre dos ficheros:

1. ``reservar`` guarda (clave, huella del cuerpo, id de venta elegido) y vuelve cuando es
   duradero (WAL + ``synchronous=FULL``);
2. la venta se encola con ESE id (``Agente.vender(venta_id=...)``);
3. ``completar`` guarda la respuesta.

Si el proceso muere entre 1 y 3, el reintento encuentra la reserva sin respuesta y mira si la
venta con ese id ya está en la terminal: si está, responde con ella; si no, la encola. Nunca
hay dos ventas para una clave. Si la venta no valida, ``olvidar`` quita la reserva (no se
encoló nada y el cliente puede corregir y reintentar con la misma clave).

Hilos: seguro desde cualquier hilo (un cerrojo por conexión y uno por clave mientras se
vende, para que dos peticiones con la misma clave a la vez no encolen dos veces). Entre
procesos serializa SQLite (``BEGIN IMMEDIATE``). Las claves de más de ``DIAS_CONSERVAR`` días
se podan al abrir.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
import threading
import uuid as uuidlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NOMBRE_FICHERO = "api-local.sqlite"
DIAS_CONSERVAR = 7
MAX_CLAVE = 200


class ErrorIdempotencia(ValueError):
    """La clave ya se usó con otro cuerpo (o no es válida). El mensaje es una línea."""


@dataclass(frozen=True)
class Reserva:
    clave: str
    venta: str
    respuesta: dict[str, Any] | None


def huella(cuerpo: Any) -> str:
    """SHA-256 del cuerpo en JSON canónico (claves ordenadas, sin espacios)."""
    texto = json.dumps(cuerpo, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(texto.encode("utf-8")).hexdigest()


class RegistroIdempotencia:
    def __init__(self, directorio: str | os.PathLike[str]) -> None:
        self.ruta = Path(directorio) / NOMBRE_FICHERO
        self._conexion = sqlite3.connect(
            self.ruta, isolation_level=None, check_same_thread=False, timeout=15
        )
        self._conexion.execute("PRAGMA journal_mode = WAL")
        self._conexion.execute("PRAGMA synchronous = FULL")
        self._cerrojo = threading.Lock()
        self._por_clave: dict[str, list[Any]] = {}
        with self._transaccion() as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS idempotencia (clave TEXT PRIMARY KEY,"
                " huella TEXT NOT NULL, venta TEXT NOT NULL, respuesta TEXT,"
                " creada_en TEXT NOT NULL)"
            )
            limite = dt.datetime.now(dt.UTC) - dt.timedelta(days=DIAS_CONSERVAR)
            c.execute("DELETE FROM idempotencia WHERE creada_en < ?", (limite.isoformat(),))

    def cerrar(self) -> None:
        with self._cerrojo:
            self._conexion.close()

    @contextlib.contextmanager
    def _transaccion(self) -> Iterator[sqlite3.Connection]:
        with self._cerrojo:
            self._conexion.execute("BEGIN IMMEDIATE")
            try:
                yield self._conexion
            except BaseException:
                self._conexion.execute("ROLLBACK")
                raise
            self._conexion.execute("COMMIT")

    @contextlib.contextmanager
    def en_exclusiva(self, clave: str) -> Iterator[None]:
        """Una sola petición a la vez por clave en este proceso."""
        with self._cerrojo:
            entrada = self._por_clave.setdefault(clave, [threading.Lock(), 0])
            entrada[1] += 1
        try:
            with entrada[0]:
                yield
        finally:
            with self._cerrojo:
                entrada[1] -= 1
                if entrada[1] == 0:
                    del self._por_clave[clave]

    def reservar(self, clave: str, huella_cuerpo: str) -> Reserva:
        """La reserva de ``clave`` (nueva, duradera al volver, o la que ya había).
        ``ErrorIdempotencia`` si la clave ya se usó con otro cuerpo."""
        if not clave or len(clave) > MAX_CLAVE or not clave.isprintable():
            raise ErrorIdempotencia(
                f"Idempotency-Key debe ser un texto imprimible de 1 a {MAX_CLAVE} caracteres."
            )
        with self._transaccion() as c:
            fila = c.execute(
                "SELECT huella, venta, respuesta FROM idempotencia WHERE clave = ?", (clave,)
            ).fetchone()
            if fila is None:
                venta = str(uuidlib.uuid4())
                c.execute(
                    "INSERT INTO idempotencia (clave, huella, venta, creada_en)"
                    " VALUES (?, ?, ?, ?)",
                    (clave, huella_cuerpo, venta, dt.datetime.now(dt.UTC).isoformat()),
                )
                return Reserva(clave, venta, None)
        if fila[0] != huella_cuerpo:
            raise ErrorIdempotencia(
                "Esta Idempotency-Key ya se usó con otra venta: use una clave nueva por venta."
            )
        return Reserva(clave, fila[1], None if fila[2] is None else json.loads(fila[2]))

    def completar(self, clave: str, respuesta: dict[str, Any]) -> None:
        with self._transaccion() as c:
            c.execute(
                "UPDATE idempotencia SET respuesta = ? WHERE clave = ?",
                (json.dumps(respuesta, ensure_ascii=False), clave),
            )

    def olvidar(self, clave: str) -> None:
        with self._transaccion() as c:
            c.execute("DELETE FROM idempotencia WHERE clave = ? AND respuesta IS NULL", (clave,))
