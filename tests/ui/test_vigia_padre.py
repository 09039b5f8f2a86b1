"""El hijo de sincronización muere con la bandeja: caminos de Windows (con la API del sistema
sustituida: no hay Windows aquí), de POSIX, y el punto de entrada del bundle con procesos reales
(la bandeja muere con kill -9 y el hijo ``sincro sincronizar`` no queda huérfano)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from agente.sincronizacion import credenciales
from ui import vigia_padre

RAIZ = Path(__file__).resolve().parents[2]


class Kernel32:  # los métodos se llaman como en la API de Windows
    """La parte de ``kernel32`` que usa la vigía: el proceso «termina» al soltar ``fin``."""

    def __init__(self, existe: bool) -> None:
        self.existe = existe
        self.fin = threading.Event()
        self.llamadas: list[tuple] = []

    def OpenProcess(self, acceso, heredar, pid):
        self.llamadas.append(("OpenProcess", acceso, heredar, pid))
        return 1234 if self.existe else 0

    def WaitForSingleObject(self, manija, espera):
        self.llamadas.append(("WaitForSingleObject", manija, espera))
        self.fin.wait(10)
        return vigia_padre.WAIT_OBJECT_0

    def CloseHandle(self, manija):
        self.llamadas.append(("CloseHandle", manija))
        return 1


def test_windows_espera_al_padre_y_para_al_morir():
    k = Kernel32(existe=True)
    muerto = threading.Event()
    assert vigia_padre.vigilar_windows(4321, muerto.set, kernel32=k)
    assert not muerto.wait(0.2)  # el padre sigue vivo
    k.fin.set()  # el padre termina
    assert muerto.wait(5)
    deadline = time.monotonic() + 5
    while ("CloseHandle", 1234) not in k.llamadas and time.monotonic() < deadline:
        time.sleep(0.01)
    assert k.llamadas[0] == ("OpenProcess", vigia_padre.SYNCHRONIZE, False, 4321)
    assert ("WaitForSingleObject", 1234, vigia_padre.INFINITE) in k.llamadas
    assert ("CloseHandle", 1234) in k.llamadas


def test_windows_padre_que_ya_no_existe_para_enseguida():
    k = Kernel32(existe=False)
    muerto = threading.Event()
    assert not vigia_padre.vigilar_windows(4321, muerto.set, kernel32=k)
    assert muerto.is_set()


def test_posix_mira_el_padre():
    padres = iter([10, 10, 10, 1])
    muerto = threading.Event()
    assert vigia_padre.vigilar_ppid(
        10, muerto.set, getppid=lambda: next(padres, 1), intervalo_s=0.01
    )
    assert muerto.wait(5)
    otro = threading.Event()
    assert not vigia_padre.vigilar_ppid(10, otro.set, getppid=lambda: 1)
    assert otro.is_set()


def test_sin_variable_no_vigila(monkeypatch):
    monkeypatch.delenv(vigia_padre.ENTORNO, raising=False)
    assert not vigia_padre.instalar_desde_entorno()
    monkeypatch.setenv(vigia_padre.ENTORNO, "no-es-un-pid")
    assert not vigia_padre.instalar_desde_entorno()


def _muerto(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="procesos reales en Linux")
@pytest.mark.parametrize("metodo", ["señal del núcleo", "mirando el padre"])
def test_bundle_el_hijo_muere_con_la_bandeja(terminal, central, monkeypatch, metodo):
    """El hijo arranca por el punto de entrada del ejecutable congelado con SINCRO_PADRE, como
    lo lanza la bandeja en el bundle; la «bandeja» muere con kill -9."""
    monkeypatch.setenv("SINCRO_REGISTRO", str(terminal.parent / "registro"))
    credenciales.guardar_token(terminal, central.terminal, central.token)
    entrada = RAIZ / "scripts" / "sincro_congelado.py"
    sin_prctl = (
        "import ui.vigia_padre as v; v.pedir_senal_al_morir_el_padre = lambda: False\n"
        if metodo == "mirando el padre"
        else ""
    )
    hijo_codigo = (
        f"import runpy, sys\n{sin_prctl}"
        f"sys.argv = [{str(entrada)!r}, '--datos', {str(terminal)!r}, 'sincronizar']\n"
        f"runpy.run_path({str(entrada)!r}, run_name='__main__')\n"
    )
    bandeja_codigo = (
        "import os, subprocess, sys, time\n"
        "e = dict(os.environ, SINCRO_PADRE=str(os.getpid()))\n"
        "h = subprocess.Popen([sys.executable, '-c', sys.argv[1]], env=e)\n"
        "print(h.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    bandeja = subprocess.Popen(
        [sys.executable, "-c", bandeja_codigo, hijo_codigo], stdout=subprocess.PIPE, text=True
    )
    hijo = int(bandeja.stdout.readline())
    time.sleep(3)
    assert not _muerto(hijo)
    bandeja.send_signal(signal.SIGKILL)
    bandeja.wait()
    limite = time.monotonic() + 20
    while time.monotonic() < limite and not _muerto(hijo):
        time.sleep(0.1)
    if not _muerto(hijo):
        os.kill(hijo, signal.SIGKILL)
        raise AssertionError("el proceso de sincronización sobrevivió a la bandeja")
