"""Errores del sistema (disco lleno, disco de sólo lectura, sin permiso) en una línea en
castellano que dice qué fichero y qué hacer.

``explicar(error, datos)`` busca en la cadena de causas del error un ``OSError`` o un
``sqlite3.Error`` de E/S y devuelve el mensaje (``None`` si el error no es del sistema). SQLite
no dice qué fichero falló ni distingue siempre «lleno» de otros fallos de E/S: se mira el
espacio libre y el modo de montaje de la carpeta de datos.

Las operaciones que fallan así no cambian nada: SQLite deshace la transacción entera, así que
ninguna venta queda a medias ni se da por enviada; el mensaje lo dice para tranquilizar.

Puro salvo ``os.statvfs``/``shutil.disk_usage``; seguro desde cualquier hilo.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

ESPACIO_MINIMO = 1024 * 1024
"""Con menos de esto libre, un fallo de E/S de SQLite se da por disco lleno."""
_NADA_PERDIDO = "No se ha perdido ni dado por enviada ninguna operación."
_LLENO = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_PERMISO = {errno.EACCES, errno.EPERM}
_SQLITE_IOERR, _SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_FULL = 10, 8, 14, 13


def _causas(error: BaseException):
    vistos = set()
    actual: BaseException | None = error
    while actual is not None and id(actual) not in vistos:
        vistos.add(id(actual))
        yield actual
        actual = actual.__cause__ or actual.__context__


def _solo_lectura(carpeta: Path) -> bool:
    try:
        return bool(os.statvfs(carpeta).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _libre(carpeta: Path) -> int | None:
    try:
        return shutil.disk_usage(carpeta).free
    except OSError:
        return None


def _existente(ruta: Path) -> Path:
    """``ruta`` o su primer antecesor que existe y se puede consultar."""
    while ruta.parent != ruta:
        try:
            if ruta.exists():
                break
        except OSError:  # sin permiso para mirarla: se nombra igual, se mide el padre
            pass
        ruta = ruta.parent
    return ruta


def lleno(ruta: object) -> str:
    return (
        f"No queda espacio en el disco para {ruta}: libere espacio (papelera, descargas, "
        f"copias antiguas) y repita. {_NADA_PERDIDO}"
    )


def solo_lectura(ruta: object) -> str:
    return (
        f"El disco de {ruta} está en sólo lectura: compruebe el disco (o su montaje) y "
        f"vuelva a abrir Sincro. {_NADA_PERDIDO}"
    )


def sin_permiso(ruta: object) -> str:
    return (
        f"Sin permiso para escribir en {ruta}: dé permiso a este usuario sobre la carpeta "
        f"o use --datos/SINCRO_DATOS con otra. {_NADA_PERDIDO}"
    )


def explicar(error: BaseException, datos: str | os.PathLike[str] | None = None) -> str | None:
    """Una línea para la persona si ``error`` (o su causa) es un fallo del sistema de ficheros.
    Nunca lanza."""
    try:
        return _explicar(error, datos)
    except Exception:
        return None


def _explicar(error: BaseException, datos: str | os.PathLike[str] | None) -> str | None:
    carpeta = _existente(Path(datos)) if datos is not None else None
    for causa in _causas(error):
        if isinstance(causa, OSError) and causa.errno is not None:
            ruta = causa.filename or carpeta or "la carpeta de datos"
            if causa.errno in _LLENO:
                return lleno(ruta)
            if causa.errno == errno.EROFS:
                return solo_lectura(ruta)
            if causa.errno in _PERMISO:
                return sin_permiso(ruta)
        if isinstance(causa, sqlite3.Error):
            mensaje = _de_sqlite(causa, carpeta)
            if mensaje is not None:
                return mensaje
    return None


def _de_sqlite(error: sqlite3.Error, carpeta: Path | None) -> str | None:
    codigo = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    texto = str(error).lower()
    if codigo == 0:  # sin código (versiones antiguas): por el texto de SQLite
        codigo = (
            _SQLITE_FULL
            if "is full" in texto
            else _SQLITE_READONLY
            if "readonly" in texto
            else _SQLITE_CANTOPEN
            if "unable to open" in texto
            else _SQLITE_IOERR
            if "i/o error" in texto
            else 0
        )
    if codigo not in (_SQLITE_FULL, _SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_IOERR):
        return None
    ruta = f"los ficheros de Sincro en {carpeta}" if carpeta else "los ficheros de Sincro"
    if carpeta is not None and _solo_lectura(carpeta):
        return solo_lectura(ruta)
    libre = _libre(carpeta) if carpeta is not None else None
    if codigo == _SQLITE_FULL or (libre is not None and libre < ESPACIO_MINIMO):
        return lleno(ruta)
    if codigo in (_SQLITE_READONLY, _SQLITE_CANTOPEN):
        return sin_permiso(ruta)
    return (
        f"Error de lectura o escritura del disco en {ruta}: compruebe el disco y vuelva a "
        f"intentarlo. {_NADA_PERDIDO}"
    )
