"""Instancia única: una segunda bandeja trae al frente la primera; un servidor huérfano (de un
proceso muerto con kill -9) no impide arrancar."""

import os
import signal
import subprocess
import sys
import textwrap

from ui.instancia import InstanciaUnica, nombre_servidor

ESCUCHAR = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QCoreApplication
    from ui.instancia import InstanciaUnica
    app = QCoreApplication([])
    instancia = InstanciaUnica(sys.argv[1])
    assert instancia.escuchar()
    print("escuchando", flush=True)
    app.exec()
""")


def _escuchar_en_otro_proceso(nombre: str) -> subprocess.Popen:
    """Otro proceso con la instancia ``nombre`` escuchando (vuelve cuando ya escucha)."""
    proceso = subprocess.Popen(
        [sys.executable, "-c", ESCUCHAR, nombre],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proceso.stdout.readline().strip() == "escuchando"
    return proceso


def test_nombre_por_directorio(tmp_path):
    assert nombre_servidor(tmp_path / "a") != nombre_servidor(tmp_path / "b")
    assert nombre_servidor(tmp_path / "a") == nombre_servidor(tmp_path / "x" / ".." / "a")


def test_segunda_instancia_pide_mostrar_a_la_primera(qtbot, tmp_path):
    nombre = nombre_servidor(tmp_path)
    primera = InstanciaUnica(nombre)
    assert not primera.avisar_a_otra()
    assert primera.escuchar()
    segunda = InstanciaUnica(nombre)
    with qtbot.waitSignal(primera.mostrar_pedido, timeout=3000):
        assert segunda.avisar_a_otra()
    primera.cerrar()
    assert not InstanciaUnica(nombre).avisar_a_otra()


def test_no_quita_el_servidor_de_una_instancia_viva(qtbot, tmp_path):
    nombre = nombre_servidor(tmp_path)
    viva = _escuchar_en_otro_proceso(nombre)
    try:
        assert InstanciaUnica(nombre).avisar_a_otra()
    finally:
        viva.kill()
        viva.wait()


def test_servidor_huerfano_tras_kill_9_se_sustituye(qtbot, tmp_path):
    nombre = nombre_servidor(tmp_path)
    muerta = _escuchar_en_otro_proceso(nombre)
    muerta.send_signal(signal.SIGKILL)
    muerta.wait()
    nueva = InstanciaUnica(nombre)
    assert not nueva.avisar_a_otra()
    assert nueva.escuchar()
    with qtbot.waitSignal(nueva.mostrar_pedido, timeout=3000):
        assert InstanciaUnica(nombre).avisar_a_otra()
    nueva.cerrar()
