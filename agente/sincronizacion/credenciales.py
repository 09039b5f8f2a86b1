"""Token de la terminal en el llavero del sistema (``keyring``), y en ningún otro sitio.

Una entrada por directorio de datos y terminal: servicio ``sincro``, usuario
``<directorio de datos absoluto>|<terminal>``. Así varias terminales en una máquina (o una
terminal reconfigurada) no se pisan.

Sin llavero usable (``keyring.backends.fail.Keyring``, o un ``chainer`` sin ningún backend
real) se lanza ``SinLlavero`` con el arreglo: instalar/desbloquear el llavero del sistema o
elegir un backend con ``PYTHON_KEYRING_BACKEND``. Nunca se cae a un fichero en silencio.

El token nunca se registra: se da a ``agente.soporte.registro.registrar_secreto`` para que el
registro lo tache si apareciera. Seguro desde cualquier hilo (``keyring`` no guarda estado propio).
"""

from __future__ import annotations

import os
from pathlib import Path

import keyring
import keyring.errors
from keyring.backends import chainer, fail

from agente.soporte import registro

SERVICIO = "sincro"

ARREGLO = (
    "Instale o desbloquee el llavero del sistema (Windows: Administrador de credenciales; "
    "Linux: GNOME Keyring/KWallet con Secret Service), o elija un backend con la variable "
    "PYTHON_KEYRING_BACKEND (p. ej. keyrings.alt.file.EncryptedKeyring)."
)


class SinLlavero(RuntimeError):
    """No hay un llavero usable. El mensaje dice cómo arreglarlo."""


class SinToken(LookupError):
    """El llavero no tiene token para esta terminal."""


def usuario(directorio: str | os.PathLike[str], terminal: str) -> str:
    return f"{Path(directorio).expanduser().resolve()}|{terminal}"


def _backend_usable() -> keyring.backend.KeyringBackend:
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise SinLlavero(f"No hay ningún llavero del sistema disponible. {ARREGLO}")
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        raise SinLlavero(f"No hay ningún llavero del sistema disponible. {ARREGLO}")
    return backend


def describir_llavero() -> str:
    """Nombre del backend en uso (para ``sincro estado`` y los diagnósticos)."""
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def guardar_token(directorio: str | os.PathLike[str], terminal: str, token: str) -> None:
    token = (token or "").strip()
    if not token:
        raise ValueError("El token está vacío: péguelo tal como lo dio la central.")
    if any(c.isspace() for c in token) or not token.isprintable():
        raise ValueError("El token no puede contener espacios ni caracteres de control.")
    backend = _backend_usable()
    try:
        backend.set_password(SERVICIO, usuario(directorio, terminal), token)
    except keyring.errors.KeyringError as exc:
        raise SinLlavero(f"El llavero rechazó el token ({type(exc).__name__}). {ARREGLO}") from None
    registro.registrar_secreto(token)


def leer_token(directorio: str | os.PathLike[str], terminal: str) -> str:
    backend = _backend_usable()
    try:
        token = backend.get_password(SERVICIO, usuario(directorio, terminal))
    except keyring.errors.KeyringError as exc:
        raise SinLlavero(f"No se pudo leer el llavero ({type(exc).__name__}). {ARREGLO}") from None
    if not token:
        raise SinToken(
            f"No hay token para la terminal «{terminal}» en el llavero: ejecute «sincro "
            "configurar» y pegue el token que da la central."
        )
    registro.registrar_secreto(token)
    return token


def borrar_token(directorio: str | os.PathLike[str], terminal: str) -> bool:
    """Borra el token; ``True`` si había uno."""
    backend = _backend_usable()
    try:
        backend.delete_password(SERVICIO, usuario(directorio, terminal))
    except keyring.errors.PasswordDeleteError:
        return False
    return True
