"""Claves de idempotencia de ``POST /v1/vender``: ``api-local.sqlite`` en el directorio de datos.

Una caja que reintenta tras un tiempo agotado manda la misma ``Idempotency-Key``; la API
devuelve la primera respuesta en lugar de vender dos veces, también después de reiniciar (o
matar) el proceso que sirve la API.

Cómo se garantiza sin una transacción entre dos ficheros: el id de la venta no es al azar,
es ``uuid5(sal, clave)``, con una sal aleatoria propia de este directorio de datos (guardada
con ``synchronous=FULL`` al crearla: distinta en cada terminal, así dos cajas que usen las
mismas claves no chocan en la central). Un reintento calcula el mismo id y, si esa venta ya
está en la terminal (``Agente.obtener``), responde con ella sin encolar nada. La fila de la
clave (huella del cuerpo y respuesta) sólo acelera la respuesta y detecta una clave usada con
otro cuerpo (422); por eso se guarda con ``synchronous=NORMAL`` (atómica, sin ``fsync``): si
un corte de luz la pierde, la venta duradera de la cola sigue mandando. Nada se guarda si la
venta no valida (la clave no se gasta).

Hilos y procesos: seguro desde cualquier hilo (un cerrojo por conexión). Las ventas con clave
se hacen de una en una (``en_exclusiva``: ``BEGIN IMMEDIATE`` de esta base, que también
serializa otros procesos), así dos peticiones con la misma clave a la vez, aunque lleguen a
dos procesos distintos, no encolan dos ventas. Las claves de más de ``DIAS_CONSERVAR`` días se podan
al abrir (su venta sigue protegida: el id se recalcula igual).
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

from agente.soporte import privado

NOMBRE_FICHERO = "api-local.sqlite"
DIAS_CONSERVAR = 7
MAX_CLAVE = 200


class ErrorIdempotencia(ValueError):
    """La clave ya se usó con otro cuerpo (o no es válida). El mensaje es una línea."""


@dataclass(frozen=True)
class Registrada:
    huella: str
    venta: str
    respuesta: dict[str, Any]


def huella(cuerpo: Any) -> str:
    """SHA-256 del cuerpo en JSON canónico (claves ordenadas, sin espacios)."""
    texto = json.dumps(cuerpo, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(texto.encode("utf-8")).hexdigest()


def comprobar_clave(clave: str) -> str:
    if not clave or len(clave) > MAX_CLAVE or not clave.isprintable():
        raise ErrorIdempotencia(
            f"Idempotency-Key debe ser un texto imprimible de 1 a {MAX_CLAVE} caracteres."
        )
    return clave


class RegistroIdempotencia:
    def __init__(self, directorio: str | os.PathLike[str]) -> None:
        self.ruta = Path(directorio) / NOMBRE_FICHERO
        self._conexion = sqlite3.connect(
            self.ruta, isolation_level=None, check_same_thread=False, timeout=15
        )
        self._conexion.execute("PRAGMA journal_mode = WAL")
        self._conexion.execute("PRAGMA synchronous = FULL")
        self._cerrojo = threading.RLock()
        with self._transaccion() as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS ajustes (clave TEXT PRIMARY KEY, valor TEXT NOT NULL)"
            )
            c.execute(
                "CREATE TABLE IF NOT EXISTS idempotencia (clave TEXT PRIMARY KEY,"
                " huella TEXT NOT NULL, venta TEXT NOT NULL, respuesta TEXT NOT NULL,"
                " creada_en TEXT NOT NULL)"
            )
            c.execute(
                "INSERT OR IGNORE INTO ajustes (clave, valor) VALUES ('sal', ?)",
                (str(uuidlib.uuid4()),),
            )
            self._sal = uuidlib.UUID(
                c.execute("SELECT valor FROM ajustes WHERE clave = 'sal'").fetchone()[0]
            )
            limite = dt.datetime.now(dt.UTC) - dt.timedelta(days=DIAS_CONSERVAR)
            c.execute("DELETE FROM idempotencia WHERE creada_en < ?", (limite.isoformat(),))
        self._conexion.execute("PRAGMA synchronous = NORMAL")
        privado.proteger(self.ruta)  # sólo este usuario (SQLite copia el modo a -wal/-shm)

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
    def en_exclusiva(self) -> Iterator[None]:
        """Una venta con clave a la vez en esta terminal, entre hilos y entre procesos (la
        bandeja y un ``servir-local`` sobre los mismos datos): ``BEGIN IMMEDIATE`` de
        ``api-local.sqlite`` desde mirar la clave hasta guardar su respuesta. Si algo falla
        dentro (la venta no valida), ROLLBACK: la clave no queda gastada."""
        with self._transaccion():
            yield

    def venta_para(self, clave: str) -> str:
        """El id de la venta de ``clave`` en esta terminal (siempre el mismo)."""
        return str(uuidlib.uuid5(self._sal, comprobar_clave(clave)))

    def buscar(self, clave: str) -> Registrada | None:
        with self._cerrojo:
            fila = self._conexion.execute(
                "SELECT huella, venta, respuesta FROM idempotencia WHERE clave = ?", (clave,)
            ).fetchone()
        return None if fila is None else Registrada(fila[0], fila[1], json.loads(fila[2]))

    def guardar(
        self, clave: str, huella_cuerpo: str, venta: str, respuesta: dict[str, Any]
    ) -> None:
        """Anota la respuesta de ``clave`` (si ya había una, se queda la primera); dentro de
        ``en_exclusiva``, en su transacción."""
        with self._cerrojo:
            if not self._conexion.in_transaction:
                with self._transaccion():
                    self.guardar(clave, huella_cuerpo, venta, respuesta)
                return
            self._conexion.execute(
                "INSERT OR IGNORE INTO idempotencia (clave, huella, venta, respuesta, creada_en)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    clave,
                    huella_cuerpo,
                    venta,
                    json.dumps(respuesta, ensure_ascii=False),
                    dt.datetime.now(dt.UTC).isoformat(),
                ),
            )
