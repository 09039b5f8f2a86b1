"""Ajustes de integración con el sistema que deben hacerse antes de crear la aplicación Qt.

- Windows: ``SetCurrentProcessExplicitAppUserModelID`` para que la barra de tareas y las
  notificaciones agrupen y muestren la aplicación como «Sincro» (y no como ``python.exe``).
- Linux: el nombre del fichero ``.desktop`` (``sincro``) para que el portal de notificaciones
  asocie el icono y el nombre.

Sin estado; llamar una vez desde el hilo principal, antes de ``QApplication``.
"""

from __future__ import annotations

import sys

ID_APLICACION = "Sincro.Agente"
FICHERO_DESKTOP = "sincro"


def fijar_id_aplicacion() -> bool:
    """Fija el AppUserModelID en Windows. Devuelve ``True`` si se pudo (``False`` fuera de
    Windows o si la API no existe)."""
    if sys.platform != "win32":
        return False
    import ctypes

    try:
        resultado = ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID(ID_APLICACION)
    except (AttributeError, OSError):
        return False
    return resultado == 0


def preparar_aplicacion_qt() -> None:
    """Lo anterior y, con PySide6 ya importable, el nombre del ``.desktop``. Sin crear la
    aplicación."""
    fijar_id_aplicacion()
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.setDesktopFileName(FICHERO_DESKTOP)


def comprobar_qt_en_este_proceso() -> int:
    """Lo que hace ``<exe> --comprobar-qt`` (lo pide ``sincro autodiagnostico`` en un proceso
    aparte, porque el motor no importa Qt): carga Qt aquí e imprime la plataforma. Si en Linux
    faltan bibliotecas del sistema para el plugin xcb, lo dice por nombre de paquete (en la
    última línea de la salida de errores) sin intentar cargar Qt, que abortaría con un mensaje
    engañoso."""
    import sys

    from ui.bibliotecas import explicar_faltan

    falta = explicar_faltan()
    if falta:
        print(falta, file=sys.stderr)
        return 1
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])
    print(QGuiApplication.platformName())
    del app
    return 0
