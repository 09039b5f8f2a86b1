"""Filas ilegibles de la cola: se apartan en cuarentena y nunca bloquean a las demás.

Una fila de ``operaciones`` con texto que no es UTF-8 (un byte dañado en disco) o con JSON que
no se puede leer no puede enviarse tal cual, pero tampoco puede parar el envío de todo lo
demás. ``apartar``, dentro de la transacción de quien la encontró:

1. guarda el contenido original de cada columna en la tabla ``cuarentena`` (texto, o sus
   bytes en hexadecimal si no era UTF-8): nada se borra;
2. deja la fila legible (bytes dañados como U+FFFD, JSON ilegible como ``{}``, sin
   ``referidos``) y en ``ERROR`` con el motivo, así que no se envía, retiene a las que
   dependen de ella (mismo objeto, referencias) y se ve en ``sincro cola`` para que el
   encargado la revise y la reintente o la descarte;
3. devuelve el aviso de una línea que ``avisar`` anota para ``sincro avisos``.

Leer sin romperse: ``filas`` lee como siempre y, sólo si SQLite no puede decodificar algún
texto, repite la consulta con ``lectura_tolerante``, que cambia por un momento la
``text_factory`` de la conexión (quien llama tiene su cerrojo) para que un texto no UTF-8
llegue como ``Ilegible`` en vez de lanzar; ``operacion_o_motivo`` dice qué le pasa a una fila.

Parte de ``Cola``: cambia el estado de la fila por ella. Sin hilos propios ni red.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from agente.operacion import COLUMNAS, ERROR, Operacion, a_json, ahora_iso, desde_fila

_log = logging.getLogger(__name__)

_COLUMNAS_JSON = ("datos", "valores_base")
_FIJADAS_AL_APARTAR = frozenset(
    (
        "estado",
        "ultimo_error",
        "actualizada_en",
        "referidos",
        "propietario",
        "en_vuelo_desde",
        "finalizada_en",
    )
)


class Ilegible(bytes):
    """Texto de SQLite que no es UTF-8 (los bytes tal cual)."""


def _texto(valor: bytes) -> str | Ilegible:
    try:
        return valor.decode("utf-8")
    except UnicodeDecodeError:
        return Ilegible(valor)


@contextlib.contextmanager
def lectura_tolerante(c: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Mientras dura, los textos no UTF-8 se leen como ``Ilegible`` (no lanzan). Sólo con el
    cerrojo de la conexión tomado: cambia la ``text_factory`` de toda la conexión."""
    anterior = c.text_factory
    c.text_factory = _texto
    try:
        yield c
    finally:
        c.text_factory = anterior


def filas(c: sqlite3.Connection, sql: str, parametros: Sequence[Any] = ()) -> list[tuple]:
    """``c.execute(sql, parametros).fetchall()``; si algún texto no es UTF-8, la misma consulta
    con ``lectura_tolerante`` (esos textos llegan como ``Ilegible``). El caso normal no paga
    nada: SQLite decodifica como siempre."""
    try:
        return c.execute(sql, parametros).fetchall()
    except sqlite3.OperationalError as exc:
        if "decode" not in str(exc):
            raise
    with lectura_tolerante(c):
        return c.execute(sql, parametros).fetchall()


def motivo_ilegible(columnas: Sequence[str], fila: Sequence[Any]) -> str | None:
    """Por qué una fila no se puede leer (``None`` si se puede)."""
    # Bytes sueltos: un texto no UTF-8 leído tolerante, o copiado como BLOB por el rescate.
    malas = [col for col, valor in zip(columnas, fila, strict=True) if isinstance(valor, bytes)]
    if malas:
        return f"texto no UTF-8 en {', '.join(malas)}"
    for col, valor in zip(columnas, fila, strict=True):
        if col in _COLUMNAS_JSON or (col == "referidos" and valor is not None):
            try:
                if not isinstance(json.loads(valor), dict):
                    return f"{col} no es un objeto JSON"
            except (TypeError, ValueError):
                return f"JSON no válido en {col}"
    return None


def operacion_o_motivo(fila: tuple) -> Operacion | str:
    """La ``Operacion`` de una fila ``SELECT {SELECT_COLUMNAS}`` (leída con ``filas``), o el
    motivo por el que no se puede leer."""
    if not any(isinstance(valor, bytes) for valor in fila):
        try:
            return desde_fila(fila)
        except (TypeError, ValueError):
            pass
    return motivo_ilegible(COLUMNAS, fila) or "fila no válida"


def _columnas(c: sqlite3.Connection) -> list[str]:
    return [fila[1] for fila in c.execute("PRAGMA table_info(operaciones)")]


def apartar(c: sqlite3.Connection, seq: int, motivo: str) -> str:
    """Pone la operación ``seq`` en cuarentena dentro de la transacción ``c`` (ver docstring
    del módulo) y devuelve el aviso para la persona."""
    columnas = _columnas(c)
    crudos = c.execute(
        f"SELECT {', '.join(f'CAST({col} AS BLOB)' for col in columnas)}"  # noqa: S608
        " FROM operaciones WHERE seq = ?",
        (seq,),
    ).fetchone()
    original: dict[str, Any] = {}
    arreglada: dict[str, Any] = {}
    for col, crudo in zip(columnas, crudos, strict=True):
        if isinstance(crudo, bytes):
            try:
                original[col] = crudo.decode("utf-8")
            except UnicodeDecodeError:
                original[col] = {"hex": crudo.hex()}
            arreglada[col] = crudo.decode("utf-8", errors="replace")
        else:
            original[col] = crudo
            arreglada[col] = crudo
    for col in _COLUMNAS_JSON:
        try:
            valido = isinstance(json.loads(arreglada[col]), dict)
        except (TypeError, ValueError):
            valido = False
        if not valido:
            arreglada[col] = "{}"
    aviso = (
        f"Operación {seq} ilegible en la cola ({motivo}): apartada en cuarentena como"
        " ERROR; las demás siguen enviándose. Revísela con «sincro cola --estado ERROR»."
    )
    ahora = ahora_iso()
    c.execute(
        "INSERT INTO cuarentena (seq_operacion, detectada_en, motivo, original)"
        " VALUES (?, ?, ?, ?)",
        (seq, ahora, motivo, a_json(original)),
    )
    textos = [
        col
        for col in columnas
        if isinstance(arreglada[col], str) and col not in _FIJADAS_AL_APARTAR
    ]
    c.execute(
        f"UPDATE operaciones SET {', '.join(f'{col} = ?' for col in textos)},"  # noqa: S608
        " estado = ?, ultimo_error = ?, referidos = NULL, propietario = NULL,"
        " en_vuelo_desde = NULL, finalizada_en = NULL, actualizada_en = ? WHERE seq = ?",
        (*(arreglada[col] for col in textos), ERROR, aviso, ahora, seq),
    )
    return aviso


def avisar(ruta_cola: str, avisos: Sequence[str]) -> None:
    """Anota los avisos para ``sincro avisos`` (junto a la cola) y en el registro. Un fallo al
    anotar (disco lleno) no para el envío: la fila ya está en ERROR y en ``cuarentena``."""
    if not avisos:
        return
    from agente.almacen import recuperacion

    for aviso in avisos:
        _log.warning("%s", aviso)
        try:
            recuperacion.anotar_aviso(Path(ruta_cola).parent, Path(ruta_cola).name, aviso)
        except OSError as exc:
            _log.warning("No se pudo anotar el aviso de cuarentena: %s", exc)
