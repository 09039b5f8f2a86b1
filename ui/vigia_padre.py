"""El proceso de sincronización que lanza la bandeja muere con ella, también en el bundle.

La bandeja pone su PID en la variable de entorno ``SINCRO_PADRE`` del hijo
(``ui.proceso_sincro``); el hijo llama a ``instalar_desde_entorno()`` antes de arrancar el bucle
(lo hacen el arranque del hijo en desarrollo y ``scripts/sincro_congelado.py`` en el bundle).
Si el padre ya no está, o muere después, se interrumpe el hilo principal del hijo
(``_thread.interrupt_main``: lo mismo que Ctrl-C, que la orden ``sincronizar`` atiende parando
entre dos pasos; lo que estuviera en vuelo vuelve a PENDIENTE al recuperar la cola).

- Linux: ``prctl(PR_SET_PDEATHSIG, SIGTERM)`` (el núcleo avisa aunque la bandeja muera con
  ``kill -9``) y, por si el padre murió antes de pedirlo, un hilo que mira ``getppid()``.
- Windows: un hilo que abre el proceso padre (``OpenProcess(SYNCHRONIZE)``) y espera a que
  termine (``WaitForSingleObject``); si no se puede abrir, ya no existe.
- Otros (macOS): el hilo que mira ``getppid()``.

Sin Qt ni motor: lo importa el proceso hijo, que no carga la interfaz. Los hilos son demonio.
"""

from __future__ import annotations

import _thread
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

ENTORNO = "SINCRO_PADRE"
PR_SET_PDEATHSIG = 1
SYNCHRONIZE = 0x00100000
INFINITE = 0xFFFFFFFF
WAIT_OBJECT_0 = 0
INTERVALO_S = 1.0


def _parar_este_proceso() -> None:
    log.warning("La bandeja que lanzó esta sincronización ya no existe: se para.")
    _thread.interrupt_main()


def vigilar_windows(pid: int, al_morir: Callable[[], None], kernel32: Any = None) -> bool:
    """Espera en un hilo a que termine el proceso ``pid`` y llama ``al_morir``. Si el proceso ya
    no existe, llama ``al_morir`` enseguida. Devuelve ``True`` si quedó vigilando."""
    if kernel32 is None:
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    manija = kernel32.OpenProcess(SYNCHRONIZE, False, int(pid))
    if not manija:
        al_morir()
        return False

    def esperar() -> None:
        try:
            if kernel32.WaitForSingleObject(manija, INFINITE) == WAIT_OBJECT_0:
                al_morir()
        finally:
            kernel32.CloseHandle(manija)

    threading.Thread(target=esperar, name="sincro-vigia-padre", daemon=True).start()
    return True


def vigilar_ppid(
    pid: int,
    al_morir: Callable[[], None],
    getppid: Callable[[], int] = os.getppid,
    intervalo_s: float = INTERVALO_S,
) -> bool:
    """POSIX: si el padre deja de ser ``pid`` (murió y el hijo pasó a otro), ``al_morir``."""
    if getppid() != pid:
        al_morir()
        return False

    def mirar() -> None:
        while getppid() == pid:
            time.sleep(intervalo_s)
        al_morir()

    threading.Thread(target=mirar, name="sincro-vigia-padre", daemon=True).start()
    return True


def pedir_senal_al_morir_el_padre() -> bool:
    """Linux: el núcleo manda SIGTERM a este proceso cuando muere el padre."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM)) == 0
    except OSError:
        return False


def vigilar(
    pid: int, al_morir: Callable[[], None] = _parar_este_proceso, plataforma: str = sys.platform
) -> bool:
    """Vigila al padre ``pid`` con el método de ``plataforma``."""
    if plataforma == "win32":
        return vigilar_windows(pid, al_morir)
    if plataforma.startswith("linux"):
        pedir_senal_al_morir_el_padre()
    return vigilar_ppid(pid, al_morir)


def instalar_desde_entorno() -> bool:
    """Si ``SINCRO_PADRE`` tiene un PID, vigila a ese padre. Devuelve si vigila."""
    valor = os.environ.get(ENTORNO, "").strip()
    if not valor.isdigit():
        return False
    return vigilar(int(valor))
