"""La bandeja sincroniza en un proceso aparte (``sincro sincronizar``) contra la central real:
envía lo pendiente, la interfaz ve el estado persistido, pausar lo para y si el hijo muere con
kill -9 se relanza."""

from __future__ import annotations

import os
import signal

import pytest

from agente.sincronizacion import credenciales
from ui import proceso_sincro
from ui.app import Aplicacion


@pytest.fixture
def aplicacion(qtbot, terminal, central, monkeypatch):
    monkeypatch.setattr(proceso_sincro, "ESPERA_RELANZAR_MS", 300)
    monkeypatch.setenv("SINCRO_REGISTRO", str(terminal.parent / "registro"))
    credenciales.guardar_token(terminal, central.terminal, central.token)
    app = Aplicacion(terminal, sincronizar=True, con_bandeja=True)
    app.arrancar()
    yield app
    app.cerrar()
    app.ventana.close()
    app.ventana.deleteLater()


def pendientes(app) -> int:
    return app.puente.ultimo_resumen.cola.get("pendiente", -1)


def test_sincroniza_en_otro_proceso_y_pausa(aplicacion, qtbot):
    sincro = aplicacion.sincro
    qtbot.waitUntil(lambda: sincro.en_marcha, timeout=10000)
    assert sincro.pid != os.getpid()
    # Las dos ventas pendientes de la terminal llegan a la central.
    qtbot.waitUntil(lambda: pendientes(aplicacion) == 0, timeout=60000)
    qtbot.waitUntil(
        lambda: aplicacion.puente.ultimo_resumen.ultimo_empuje is not None, timeout=20000
    )
    aplicacion.bandeja.menu.aboutToShow.emit()
    assert "Pausar" in aplicacion.bandeja.textos_menu()
    aplicacion.pausar(True)
    qtbot.waitUntil(lambda: not sincro.en_marcha, timeout=20000)
    qtbot.waitUntil(lambda: aplicacion.bandeja.resumen.pausado, timeout=10000)
    aplicacion.bandeja.menu.aboutToShow.emit()
    assert "Reanudar" in aplicacion.bandeja.textos_menu()
    assert "en pausa" in aplicacion.bandeja.icono.toolTip()
    aplicacion.pausar(False)
    qtbot.waitUntil(lambda: sincro.en_marcha, timeout=10000)


def test_hijo_muerto_con_kill_9_se_relanza(aplicacion, qtbot):
    sincro = aplicacion.sincro
    qtbot.waitUntil(lambda: sincro.en_marcha, timeout=10000)
    primero = sincro.pid
    os.kill(primero, signal.SIGKILL)
    qtbot.waitUntil(lambda: sincro.en_marcha and sincro.pid != primero, timeout=20000)
    qtbot.waitUntil(lambda: pendientes(aplicacion) == 0, timeout=60000)


def test_si_muere_la_bandeja_el_hijo_no_queda_huerfano(terminal, central, monkeypatch):
    """Una bandeja matada con kill -9 no deja su proceso de sincronización vivo (Linux)."""
    import subprocess
    import sys
    import time

    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG sólo existe en Linux")
    monkeypatch.setenv("SINCRO_REGISTRO", str(terminal.parent / "registro"))
    credenciales.guardar_token(terminal, central.terminal, central.token)  # el hijo hace bucle
    codigo = (
        "import sys, time\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from pathlib import Path\n"
        "from ui.proceso_sincro import ProcesoSincronizacion\n"
        "app = QCoreApplication([])\n"
        "p = ProcesoSincronizacion(Path(sys.argv[1]))\n"
        "p.iniciar()\n"
        "p._proceso.waitForStarted(5000)\n"
        "print(p.pid, flush=True)\n"
        "app.exec()\n"
    )
    bandeja = subprocess.Popen(
        [sys.executable, "-c", codigo, str(terminal)], stdout=subprocess.PIPE, text=True
    )
    hijo = int(bandeja.stdout.readline())
    time.sleep(2)  # el hijo ya está en su bucle (configurado, con token)
    assert os.path.exists(f"/proc/{hijo}")
    bandeja.send_signal(signal.SIGKILL)
    bandeja.wait()
    limite = time.monotonic() + 20
    while time.monotonic() < limite:
        try:
            os.kill(hijo, 0)
        except ProcessLookupError:
            break
        # Zombi (ya muerto, sin recoger por init todavía) cuenta como muerto.
        try:
            with open(f"/proc/{hijo}/stat") as stat:
                estado = stat.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            break
        if estado == "Z":
            break
        time.sleep(0.1)
    else:
        os.kill(hijo, signal.SIGKILL)
        raise AssertionError("el proceso de sincronización sobrevivió a la bandeja")


def test_la_bandeja_lanzada_con_permitir_http_se_lo_pasa_al_hijo(tmp_path, monkeypatch):
    """``sincro --permitir-http`` abre la bandeja; su hijo ``sincronizar`` debe recibirlo o no
    aceptaría la central ``http`` que la bandeja sí acepta."""
    from agente.cli import construir_analizador
    from agente.soporte import configuracion
    from ui.app import preparar_argumentos

    monkeypatch.setattr(configuracion, "_http_permitido", False)
    sin = proceso_sincro.orden_sincronizar(tmp_path)
    assert "--permitir-http" not in sin
    preparar_argumentos(construir_analizador().parse_args(["--permitir-http"]))
    orden = proceso_sincro.orden_sincronizar(tmp_path)
    assert orden[-1] == "sincronizar" and "--permitir-http" in orden
    del_hijo = construir_analizador().parse_args(orden[orden.index("--datos") :])
    assert del_hijo.permitir_http_global and del_hijo.orden == "sincronizar"


def test_permitir_http_tambien_desde_la_entrada_propia_de_la_interfaz(tmp_path, monkeypatch):
    from agente.soporte import configuracion
    from ui.app import preparar_argumentos

    monkeypatch.setattr(configuracion, "_http_permitido", False)
    preparar_argumentos(["--datos", str(tmp_path)])
    assert "--permitir-http" not in proceso_sincro.orden_sincronizar(tmp_path)
    preparar_argumentos(["--datos", str(tmp_path), "--permitir-http"])
    assert "--permitir-http" in proceso_sincro.orden_sincronizar(tmp_path)


def test_el_arranque_va_por_etapas_sin_parar_la_gui(qtbot, terminal, central, monkeypatch):
    """``arrancar`` sólo enseña: el motor se abre tras el primer pintado de la ventana y el
    proceso de sincronización (otro intérprete que compite por los núcleos) cuando el motor ya
    está abierto; nada de eso ocurre dentro de ``arrancar``."""
    monkeypatch.setenv("SINCRO_REGISTRO", str(terminal.parent / "registro"))
    credenciales.guardar_token(terminal, central.terminal, central.token)
    app = Aplicacion(terminal, sincronizar=True, con_bandeja=False)
    orden = []
    app.puente.abierto.connect(lambda: orden.append("motor"))
    app.sincro.en_marcha_cambiado.connect(lambda m: m and orden.append("sincronizacion"))
    try:
        app.arrancar()
        assert app.ventana.isVisible()
        assert orden == [] and app.puente.agente is None and not app.sincro.en_marcha
        qtbot.waitUntil(lambda: app.sincro.en_marcha, timeout=15000)
        assert orden == ["motor", "sincronizacion"]
    finally:
        app.cerrar()
        app.ventana.close()
        app.ventana.deleteLater()


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="prioridad POSIX")
def test_la_sincronizacion_cede_la_cpu_a_la_ventana(aplicacion, qtbot):
    """El hijo corre con prioridad más baja que la bandeja (una descarga grande no para la
    ventana ni la caja); la bandeja conserva la suya."""
    sincro = aplicacion.sincro
    qtbot.waitUntil(lambda: sincro.en_marcha, timeout=10000)
    propia = os.getpriority(os.PRIO_PROCESS, 0)
    esperada = min(19, propia + 10)
    qtbot.waitUntil(lambda: os.getpriority(os.PRIO_PROCESS, sincro.pid) >= esperada, timeout=10000)
    assert os.getpriority(os.PRIO_PROCESS, 0) == propia


def test_solo_el_hijo_de_una_bandeja_baja_su_prioridad(monkeypatch):
    from ui import prioridad

    llamadas = []
    monkeypatch.setattr(os, "nice", llamadas.append)
    assert prioridad.bajar_si_hijo_de_la_bandeja({}) is False  # la bandeja o la CLI
    assert llamadas == []
    assert prioridad.bajar_si_hijo_de_la_bandeja({"SINCRO_PADRE": "123"}) is True
    assert llamadas == [prioridad.PRIORIDAD_POSIX]
