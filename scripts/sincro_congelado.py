"""Punto de entrada del ejecutable congelado (PyInstaller, ``build.spec``).

Un solo ejecutable para la bandeja y la CLI: delega en ``lanzador:main`` (la misma función que el
script ``sincro`` de pyproject). Antes atiende la bandera oculta ``--comprobar-qt``, que usa
``sincro autodiagnostico`` para cargar Qt en un proceso aparte (el motor no importa Qt) y, en
Windows, fija el identificador de aplicación para que las notificaciones digan «Sincro».
"""

from __future__ import annotations

import multiprocessing
import sys


def _consola_de_windows() -> None:
    """El .exe es de ventana (sin consola propia) para que la bandeja no abra una ventana
    negra. Cuando se usa como CLI desde cmd/PowerShell, se engancha a la consola del proceso
    padre para que las órdenes impriman. Si la salida ya va a una tubería o fichero, no toca
    nada."""
    if sys.stdout is not None and sys.stderr is not None:
        return
    import ctypes

    if not ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
        return
    if sys.stdout is None:
        sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115


def principal() -> int:
    multiprocessing.freeze_support()
    if sys.platform == "win32" and len(sys.argv) > 1:
        _consola_de_windows()
    from agente.soporte import diagnostico

    if sys.argv[1:] == [diagnostico.ARGUMENTO_QT]:
        from ui.plataforma import comprobar_qt_en_este_proceso

        return comprobar_qt_en_este_proceso()
    if sys.platform == "win32":
        from ui import plataforma

        plataforma.fijar_id_aplicacion()
    from ui import prioridad, vigia_padre

    prioridad.bajar_si_hijo_de_la_bandeja()  # cede la CPU a la ventana y a la caja
    vigia_padre.instalar_desde_entorno()  # hijo de la bandeja: muere con ella
    from lanzador import main

    resultado = main()
    return resultado if isinstance(resultado, int) else 0


if __name__ == "__main__":
    sys.exit(principal())
