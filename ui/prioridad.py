"""La sincronización cede los núcleos a la caja y a la ventana: prioridad baja para el hijo.

El proceso de sincronización (``ui.proceso_sincro``) analiza páginas de miles de filas y
compite por la CPU con la interfaz y con el programa de caja: en una terminal de 2 núcleos una
primera descarga paraba la ventana más de 50 ms. Con prioridad baja el sistema atiende antes a
los procesos interactivos; la sincronización sólo va más despacio si la CPU está ocupada.

- POSIX: ``os.nice(PRIORIDAD_POSIX)`` (todos los hilos que cree después la heredan).
- Windows: ``SetPriorityClass(BELOW_NORMAL_PRIORITY_CLASS)`` del propio proceso.

Lo llama el hijo al arrancar, antes de crear hilos (el arranque del hijo en desarrollo y
``scripts/sincro_congelado.py`` en el bundle, que sirve también a la bandeja y a la CLI: sólo
actúa en el hijo de una bandeja, el que lleva ``SINCRO_PADRE``). Sin Qt ni motor. Un fallo sólo
se registra.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

from ui.vigia_padre import ENTORNO as ENTORNO_PADRE

log = logging.getLogger(__name__)

PRIORIDAD_POSIX = 10
BELOW_NORMAL_PRIORITY_CLASS = 0x00004000


def bajar_si_hijo_de_la_bandeja(entorno: Mapping[str, str] | None = None) -> bool:
    """Baja la prioridad de este proceso si es el hijo de una bandeja; dice si lo hizo."""
    if not (os.environ if entorno is None else entorno).get(ENTORNO_PADRE):
        return False
    try:
        if sys.platform == "win32":
            import ctypes

            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), BELOW_NORMAL_PRIORITY_CLASS)
        else:
            os.nice(PRIORIDAD_POSIX)
    except (OSError, AttributeError) as error:
        log.warning("No se pudo bajar la prioridad de la sincronización: %s", error)
        return False
    return True
