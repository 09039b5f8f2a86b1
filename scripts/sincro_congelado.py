"""Punto de entrada del ejecutable congelado (PyInstaller, ``build.spec``).

Un solo ejecutable para la bandeja y la CLI: delega en ``agente.cli:main`` (la misma función que
el script ``sincro`` de pyproject). Antes atiende la bandera oculta ``--comprobar-qt``, que usa
``sincro autodiagnostico`` para cargar Qt en un proceso aparte (el motor no importa Qt) y, en
Windows, fija el identificador de aplicación para que las notificaciones digan «Sincro».
"""

from __future__ import annotations

import multiprocessing
import sys


def principal() -> int:
    multiprocessing.freeze_support()
    from agente import diagnostico

    if sys.argv[1:] == [diagnostico.ARGUMENTO_QT]:
        return diagnostico.comprobar_qt_en_este_proceso()
    if sys.platform == "win32":
        from ui import plataforma

        plataforma.fijar_id_aplicacion()
    from agente.cli import main

    resultado = main()
    return resultado if isinstance(resultado, int) else 0


if __name__ == "__main__":
    sys.exit(principal())
