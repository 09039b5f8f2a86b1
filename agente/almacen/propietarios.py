"""Vida de los propietarios de operaciones en vuelo de la cola (``pid@máquina:instancia``).

Cada ``Cola`` tiene, mientras está abierta, un cerrojo exclusivo
del sistema (``flock`` en POSIX, ``msvcrt.locking`` en Windows) sobre
``<cola>.propietarios/<instancia>.cerrojo``. Un propietario está vivo si y sólo si su
fichero sigue bloqueado: el núcleo suelta el cerrojo al morir el proceso (``kill -9``,
corte de luz), así que un PID reutilizado tras reiniciar la máquina no lo resucita. El
cerrojo es del descriptor abierto, no del PID: otra ``Cola`` del mismo proceso también lo
ve vivo, y un hijo creado con ``fork`` sin ``exec`` lo mantiene vivo mientras viva.
Quien encuentra un fichero sin bloquear lo borra (al abrir se barren todos). Propietarios
de versiones anteriores (instancia de 8 caracteres, sin fichero) y colas cuyo directorio no
admite el cerrojo se juzgan como antes: por si existe el PID.

Sin SQL ni estado global: sólo ficheros de cerrojo. Seguro desde cualquier hilo (cada llamada
abre sus propios descriptores).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import uuid as uuidlib
import weakref

SUFIJO_PROPIETARIOS = ".propietarios"
"""Carpeta de los cerrojos de vida: ``<ruta de la cola>`` + este sufijo."""
_EXTENSION_CERROJO = ".cerrojo"
_HEX = frozenset("0123456789abcdef")


def proceso_vivo(pid: int) -> bool:
    """¿Existe el proceso ``pid`` en esta máquina? (Puede ser otro con el PID reutilizado.)"""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # pragma: no cover - sólo Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        manejador = kernel32.OpenProcess(0x1000, False, pid)
        if not manejador:
            return False
        codigo = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(manejador, ctypes.byref(codigo))
        kernel32.CloseHandle(manejador)
        return codigo.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _bloquear(fd: int) -> bool:
    """Cerrojo exclusivo sin esperar sobre el fichero abierto ``fd``: ``True`` si lo tomó,
    ``False`` si otro lo tiene. Otros fallos (sistema de ficheros sin cerrojos) lanzan
    ``OSError``."""
    if os.name == "nt":  # pragma: no cover - sólo Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except PermissionError:
            return False
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EDEADLK):
                return False
            raise
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _desbloquear(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover - sólo Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _liberar_y_borrar(fd: int, ruta: str) -> None:
    """Suelta el cerrojo tomado sobre ``fd``, cierra y borra ``ruta``. En POSIX se borra aún
    con el cerrojo (quien abrió el fichero antes comprueba después que sigue en su sitio); en
    Windows no se puede borrar un fichero abierto: se cierra primero y, si otro lo abrió entre
    tanto, el borrado falla y el fichero se queda."""
    if os.name != "nt":
        with contextlib.suppress(OSError):
            os.unlink(ruta)
    with contextlib.suppress(OSError):
        _desbloquear(fd)
    os.close(fd)
    if os.name == "nt":  # pragma: no cover - sólo Windows
        with contextlib.suppress(OSError):
            os.unlink(ruta)


def _ruta_cerrojo(carpeta: str, instancia: str) -> str:
    return os.path.join(carpeta, instancia + _EXTENSION_CERROJO)


def _tomar_cerrojo(carpeta: str, instancia: str) -> int | None:
    """Crea y bloquea el cerrojo de vida de ``instancia``; ``None`` si este directorio no lo
    admite (la instancia se juzgará por su PID, como en versiones anteriores)."""
    ruta = _ruta_cerrojo(carpeta, instancia)
    for _ in range(3):
        try:
            os.makedirs(carpeta, exist_ok=True)
            fd = os.open(ruta, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError:
            return None
        try:
            if _bloquear(fd):
                if os.name == "nt":  # pragma: no cover - sólo Windows
                    return fd
                propio, en_disco = os.fstat(fd), os.stat(ruta)
                if (propio.st_dev, propio.st_ino) == (en_disco.st_dev, en_disco.st_ino):
                    return fd
        except OSError:
            pass
        # Otro lo borró entre abrirlo y bloquearlo (lo creyó abandonado): otra vez.
        os.close(fd)
    return None


def _cerrojo_vivo(carpeta: str, instancia: str) -> bool | None:
    """¿Sigue bloqueado el cerrojo de ``instancia``? Si no, lo borra (abandonado). ``None``
    si el fichero no está: lo borró otro que lo vio abandonado, o alguien (un antivirus, una
    limpieza) a mano; quien llama decide por el PID."""
    ruta = _ruta_cerrojo(carpeta, instancia)
    try:
        fd = os.open(ruta, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError:
        return True  # no podemos saberlo: decide el plazo
    try:
        libre = _bloquear(fd)
    except OSError:
        os.close(fd)
        return True
    if not libre:
        os.close(fd)
        return True
    _liberar_y_borrar(fd, ruta)
    return False


def _con_cerrojo(instancia: str) -> bool:
    """Las instancias con cerrojo de vida llevan 32 hexadecimales; las de versiones
    anteriores (o sin cerrojo posible), 8."""
    return len(instancia) == 32 and set(instancia) <= _HEX


def propietario_vivo(propietario: str | None, carpeta: str) -> bool:
    """``pid@máquina:instancia``: de otra máquina, vivo (decide el plazo); con cerrojo de vida,
    vivo si su cerrojo sigue bloqueado; si no, vivo si el proceso existe."""
    if not propietario:
        return False
    try:
        pid_texto, resto = propietario.split("@", 1)
        maquina, instancia = resto.rsplit(":", 1)
        pid = int(pid_texto)
    except ValueError:
        return False
    if maquina != socket.gethostname():
        return True  # no podemos saberlo: decide el plazo
    if _con_cerrojo(instancia):
        vivo = _cerrojo_vivo(carpeta, instancia)
        if vivo is not None:
            return vivo
    # Sin cerrojo que mirar: el PID (puede estar reutilizado; entonces decide el plazo).
    return proceso_vivo(pid)


def barrer(carpeta: str, propio: str | None) -> int:
    """Borra los cerrojos de vida que nadie tiene bloqueados. Devuelve cuántos borró."""
    try:
        nombres = os.listdir(carpeta)
    except OSError:
        return 0
    borrados = 0
    for nombre in nombres:
        instancia, extension = os.path.splitext(nombre)
        if extension != _EXTENSION_CERROJO or instancia == propio:
            continue
        if _cerrojo_vivo(carpeta, instancia) is False:
            borrados += 1
    return borrados


class CerrojoDeVida:
    """El cerrojo de vida de una instancia (una ``Cola`` abierta). ``instancia`` lleva 32
    hexadecimales si se tomó el cerrojo, u 8 si el directorio no lo admite (entonces se la
    juzga por su PID). Se suelta con ``soltar()`` o, si nadie lo llama, cuando el recolector
    libera el objeto: si no, el descriptor y el fichero quedarían hasta el final del proceso y
    sus operaciones en vuelo parecerían de un propietario vivo."""

    def __init__(self, carpeta: str) -> None:
        self.carpeta = carpeta
        instancia = uuidlib.uuid4().hex
        fd = _tomar_cerrojo(carpeta, instancia)
        self.instancia = instancia if fd is not None else instancia[:8]
        self._soltar = (
            weakref.finalize(self, _liberar_y_borrar, fd, _ruta_cerrojo(carpeta, instancia))
            if fd is not None
            else None
        )

    def soltar(self) -> None:
        """Suelta el cerrojo y borra su fichero (una sola vez; luego no hace nada)."""
        if self._soltar is not None:
            self._soltar()

    def barrer_otros(self) -> int:
        """Borra los cerrojos abandonados de la carpeta, salvo el propio."""
        return barrer(self.carpeta, self.instancia)
