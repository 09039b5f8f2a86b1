"""Una aplicación cerrada puede morir en cualquier hilo sin dejar a Qt en un bucle.

El recolector de ciclos de Python destruye un objeto cuando le toca, también desde un hilo de
trabajo del puente. Si la aplicación aún tenía su vigilante de ``config.json`` (un
``QSocketNotifier`` sobre el descriptor de inotify), Qt no podía desactivarlo desde ese hilo,
cerraba el descriptor y el hilo de la GUI repetía «QSocketNotifier: Invalid socket …
disabling» sin fin (pytest-qt guardaba cada mensaje: memoria sin límite, o una violación de
segmento al desmontar)."""

from __future__ import annotations

import gc
import threading

from shiboken6 import Shiboken

from ui.app import Aplicacion


def test_una_aplicacion_cerrada_muere_en_otro_hilo_sin_bucle_de_qt(qtbot, qtlog, tmp_path):
    directorio = tmp_path / "datos"
    directorio.mkdir()
    app = Aplicacion(directorio, sincronizar=False, con_bandeja=False)
    with qtbot.waitSignal(app.puente.estado_cambiado, timeout=10000):
        app.arrancar()
    app.cerrar()
    app.ventana.close()
    Shiboken.delete(app.ventana)  # los widgets, en el hilo de la GUI
    caja = [app]
    del app

    def soltar() -> None:  # como el recolector de ciclos en un hilo del puente
        caja.clear()
        gc.collect()

    hilo = threading.Thread(target=soltar)
    hilo.start()
    hilo.join()
    qtbot.wait(300)  # unas vueltas del bucle de eventos: aquí aparecía el bucle de avisos
    avisos = [r.message for r in qtlog.records if "QSocketNotifier" in r.message]
    assert avisos == []
