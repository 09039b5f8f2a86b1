"""Privado por defecto: la carpeta de datos y sus ficheros sólo para el usuario que los crea.

La cola, la caché, la configuración y el registro guardan NIF, correos y teléfonos de los
clientes; en un PC compartido de tienda no deben poder leerlos otras cuentas.

- POSIX: carpetas ``0700`` y ficheros ``0600`` (sólo se quitan permisos: nunca se añaden).
  SQLite crea ``-wal``/``-shm`` con los permisos de la base, y ``shutil.copy2`` copia los del
  original, así que proteger la base al abrirla basta para sus compañeros.
- Windows: los permisos POSIX no existen; se quita la herencia y se deja una ACL con control
  total sólo para el usuario actual (y SYSTEM, que necesita el sistema para copias y antivirus)
  con ``icacls``. ``ejecutar`` se puede sustituir en las pruebas para ver la orden.
- ``permisos_abiertos`` dice qué sobra (lo usa ``sincro autodiagnostico``).

Sin estado; seguro desde cualquier hilo. Un fallo al ajustar permisos (sistema de ficheros sin
permisos, p. ej. FAT en un USB) se registra y no impide trabajar.
"""

from __future__ import annotations

import getpass
import logging
import os
import stat
import subprocess
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

MODO_CARPETA = 0o700
MODO_FICHERO = 0o600
_SOBRA = 0o077

Ejecutor = Callable[[Sequence[str]], int]
_acl_puesta: set[str] = set()


def _ejecutar_icacls(orden: Sequence[str]) -> int:
    return subprocess.run(list(orden), capture_output=True, check=False, timeout=30).returncode


def orden_acl_windows(ruta: Path, usuario: str, carpeta: bool) -> list[str]:
    """``icacls`` que deja ``ruta`` sólo para ``usuario`` (y SYSTEM), sin herencia."""
    herencia = "(OI)(CI)" if carpeta else ""
    return [
        "icacls",
        str(ruta),
        "/inheritance:r",
        "/grant:r",
        f"{usuario}:{herencia}F",
        "/grant:r",
        f"*S-1-5-18:{herencia}F",  # SYSTEM, por SID (el nombre va traducido)
    ]


def _usuario_windows() -> str:
    dominio = os.environ.get("USERDOMAIN")
    usuario = os.environ.get("USERNAME") or getpass.getuser()
    return f"{dominio}\\{usuario}" if dominio else usuario


def proteger(
    ruta: str | os.PathLike[str], *, sistema: str | None = None, ejecutar: Ejecutor | None = None
) -> bool:
    """Deja ``ruta`` (carpeta o fichero) sólo para el usuario actual. Devuelve si lo logró."""
    ruta = Path(ruta)
    sistema = sistema or os.name
    try:
        carpeta = ruta.is_dir()
        if sistema == "nt":
            clave = os.path.normcase(str(ruta.absolute()))
            if clave in _acl_puesta:
                return True  # icacls cuesta un proceso: una vez por ruta y proceso
            orden = orden_acl_windows(ruta, _usuario_windows(), carpeta)
            codigo = (ejecutar or _ejecutar_icacls)(orden)
            if codigo != 0:
                log.warning("icacls no pudo proteger %s (código %s).", ruta, codigo)
                return False
            _acl_puesta.add(clave)
            return True
        modo = stat.S_IMODE(ruta.stat().st_mode)
        if modo & _SOBRA:
            ruta.chmod(modo & ~_SOBRA)
        return True
    except (OSError, subprocess.SubprocessError) as error:
        log.warning("No se pudieron ajustar los permisos de %s: %s", ruta, error)
        return False


def crear_carpeta(ruta: str | os.PathLike[str]) -> Path:
    """Crea la carpeta (y sus padres que falten) y la deja privada."""
    ruta = Path(ruta)
    ruta.mkdir(mode=MODO_CARPETA, parents=True, exist_ok=True)
    proteger(ruta)
    return ruta


def proteger_contenido(carpeta: str | os.PathLike[str]) -> None:
    """La carpeta y todo lo que contiene (sin seguir enlaces), privados."""
    carpeta = Path(carpeta)
    proteger(carpeta)
    if os.name == "nt":
        return  # la ACL de la carpeta se hereda a su contenido
    for raiz, carpetas, ficheros in os.walk(carpeta):
        for nombre in (*carpetas, *ficheros):
            ruta = Path(raiz) / nombre
            if not ruta.is_symlink():
                proteger(ruta)


def permisos_abiertos(rutas: Iterable[str | os.PathLike[str]]) -> list[str]:
    """``«ruta (modo)»`` de cada carpeta o fichero que otros usuarios pueden leer o escribir
    (sólo POSIX; en Windows la ACL se pone al crear y se devuelve ``[]``)."""
    if os.name == "nt":
        return []
    abiertos = []
    for ruta in rutas:
        ruta = Path(ruta)
        try:
            modo = stat.S_IMODE(ruta.lstat().st_mode)
        except OSError:
            continue
        if not ruta.is_symlink() and modo & _SOBRA:
            abiertos.append(f"{ruta} ({modo:04o})")
    return abiertos


def todo_bajo(carpeta: str | os.PathLike[str]) -> list[Path]:
    """La carpeta y todo lo que contiene (para ``permisos_abiertos``)."""
    carpeta = Path(carpeta)
    if not carpeta.exists():
        return []
    rutas = [carpeta]
    for raiz, carpetas, ficheros in os.walk(carpeta):
        rutas.extend(Path(raiz) / n for n in (*carpetas, *ficheros))
    return rutas
