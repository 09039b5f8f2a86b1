"""El token de la API local: ``api-local.token`` (0600) en el directorio de datos del usuario.

Quien puede leer ese fichero es el usuario de la terminal (u otro proceso suyo, como el
software de caja): eso es lo que autoriza. El token es aleatorio (``secrets``, 256 bits), se
crea la primera vez que se sirve la API y cambia con ``sincro servir-local --rotar-token``.
El fichero se escribe en uno temporal 0600 y se renombra encima: nunca queda a medias ni con
otros permisos.

Hilos: ``TokenLocal.valido`` es seguro desde cualquier hilo. Relee el fichero cuando cambia
(un ``stat`` por petición), así un servidor en marcha acepta el token recién rotado por otro
proceso y deja de aceptar el anterior.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
from pathlib import Path

from agente.soporte import privado

NOMBRE_FICHERO = "api-local.token"


def ruta_token(directorio: str | os.PathLike[str]) -> Path:
    return Path(directorio) / NOMBRE_FICHERO


def rotar(directorio: str | os.PathLike[str]) -> str:
    """Escribe un token nuevo (0600) y lo devuelve."""
    ruta = ruta_token(directorio)
    token = secrets.token_urlsafe(32)
    temporal = ruta.with_name(f".{ruta.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporal, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if hasattr(os, "fchmod"):  # POSIX (en Windows lo hace privado.proteger)
            os.fchmod(descriptor, 0o600)
        os.write(descriptor, (token + "\n").encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporal, ruta)
    privado.proteger(ruta)  # en Windows, ACL sólo para este usuario
    return token


def leer_o_crear(directorio: str | os.PathLike[str]) -> str:
    """El token actual; lo crea si no existe o está vacío. Si el fichero tiene permisos más
    abiertos que 0600 los cierra."""
    ruta = ruta_token(directorio)
    try:
        token = ruta.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        token = ""
    if not token:
        return rotar(directorio)
    if os.name != "nt" and ruta.stat().st_mode & 0o077:
        os.chmod(ruta, 0o600)
    return token


class TokenLocal:
    """Comprueba ``Authorization: Bearer <token>`` contra el fichero del directorio de datos."""

    def __init__(self, directorio: str | os.PathLike[str]) -> None:
        self._ruta = ruta_token(directorio)
        self._directorio = directorio
        self._cerrojo = threading.Lock()
        self._token = leer_o_crear(directorio)
        self._marca = self._marca_actual()

    def _marca_actual(self) -> tuple[int, int] | None:
        try:
            estado = self._ruta.stat()
        except FileNotFoundError:
            return None
        return (estado.st_mtime_ns, estado.st_ino)

    def actual(self) -> str:
        marca = self._marca_actual()
        with self._cerrojo:
            if marca != self._marca:
                self._token = leer_o_crear(self._directorio)
                self._marca = self._marca_actual()
            return self._token

    def valido(self, cabecera: str | None) -> bool:
        """``True`` si ``cabecera`` es ``Bearer <token actual>`` (comparación en tiempo
        constante)."""
        if not cabecera:
            return False
        esquema, _, valor = cabecera.partition(" ")
        if esquema.lower() != "bearer" or not valor.strip():
            return False
        return hmac.compare_digest(valor.strip().encode(), self.actual().encode())
