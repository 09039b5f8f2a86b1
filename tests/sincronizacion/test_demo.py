"""``sincro demo --sin-ventana``: arranca la central de demo, configura la terminal (token al
llavero) y sincroniza en bucle; Ctrl-C lo para todo limpiamente."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.sincronizacion.terminales import estado_json


def test_demo_sin_ventana(tmp_path):
    entorno = {**os.environ}
    entorno.pop("DISPLAY", None)
    orden = [sys.executable, "-m", "lanzador", "demo", "--productos", "30", "--sin-ventana"]
    proceso = subprocess.Popen(
        orden,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=entorno,
    )
    lineas: list[str] = []
    lector = threading.Thread(target=lambda: lineas.extend(proceso.stdout), daemon=True)
    lector.start()
    terminal = tmp_path / "sincro-demo" / "terminal"
    limite = time.monotonic() + 90
    listo = False
    while time.monotonic() < limite and proceso.poll() is None:
        if (terminal / "config.json").exists():
            try:
                listo = estado_json(terminal)["lista_para_vender_offline"]
            except (AssertionError, json.JSONDecodeError):
                listo = False
            if listo:
                break
        time.sleep(0.5)
    proceso.send_signal(signal.SIGINT)
    codigo = proceso.wait(60)
    lector.join(10)
    salida = "".join(lineas)
    assert listo, salida
    assert codigo == 0, salida
    assert "Parado" in salida
    # La central de demo también se paró (ningún proceso sirve ya su carpeta).
    carpeta = str(tmp_path / "sincro-demo" / "central")
    vivos = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if carpeta.encode() in cmdline.read_bytes():
                vivos.append(cmdline.parent.name)
        except OSError:
            continue
    assert not vivos
    config = json.loads((terminal / "config.json").read_text())
    assert config["tienda"] == "T001" and "token" not in json.dumps(config).lower()
