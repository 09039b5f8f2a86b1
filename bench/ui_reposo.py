"""Bench de la interfaz: memoria y CPU de la bandeja en reposo.

Arranca la aplicación real (``ui.app.main``, como ``sincro`` sin argumentos) en un proceso
aparte, plataforma ``offscreen``, con una terminal configurada contra una central de referencia
real (demo de 2 000 productos) y ya sincronizada: el bucle de sincronización del motor está en
marcha, como en una caja. Tras ``--calentar`` segundos mide durante ``--segundos``:

- RSS (``VmRSS`` de ``/proc``) al final, sumando el proceso de la interfaz y su proceso hijo
  de sincronización (``sincro sincronizar``, ver ``ui/proceso_sincro.py``);
- CPU consumida (``utime + stime`` de ``/proc/<pid>/stat``, los dos procesos) en porcentaje de
  un núcleo.

Se mide también la aplicación con la sincronización sin arrancar (terminal sin configurar): la
diferencia es el coste del proceso de sincronización en reposo (su bucle sondea ``PRAGMA
data_version`` de la cola cada 0,25 s), no de la interfaz.

Línea base, misma ejecución: un proceso con ``QApplication`` + ``QSystemTrayIcon`` en su bucle
de eventos, sin nada más.

Uso: ``.venv/bin/python bench/ui_reposo.py [--segundos 20] [--calentar 5]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")

BASE = """
import sys
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from PySide6.QtGui import QIcon
from ui.recursos import ruta_icono
app = QApplication(sys.argv)
icono = QSystemTrayIcon(QIcon(str(ruta_icono("al_dia"))))
icono.show()
app.exec()
"""

SINCRO = """
import sys
from ui.app import main
main(["--datos", sys.argv[1]])
"""

TICKS = os.sysconf("SC_CLK_TCK")


def familia(pid: int) -> list[int]:
    """``pid`` y sus descendientes (la bandeja y su proceso de sincronización)."""
    hijos: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            campos = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        hijos.setdefault(int(campos[1]), []).append(int(stat.parent.name))
    resultado, pendientes = [], [pid]
    while pendientes:
        actual = pendientes.pop()
        resultado.append(actual)
        pendientes.extend(hijos.get(actual, []))
    return resultado


def cpu_s(pid: int) -> float:
    total = 0.0
    for p in familia(pid):
        try:
            campos = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(campos[11]) + int(campos[12])) / TICKS
    return total


def rss_mb(pid: int) -> float:
    total = 0.0
    for p in familia(pid):
        try:
            lineas = Path(f"/proc/{p}/status").read_text().splitlines()
        except OSError:
            continue
        total += sum(int(linea.split()[1]) for linea in lineas if linea.startswith("VmRSS:"))
    return total / 1024


def medir(codigo: str, datos: Path, calentar: float, segundos: float) -> tuple[float, float]:
    entorno = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SINCRO_REGISTRO": str(datos.parent / "log"),
    }
    proceso = subprocess.Popen(
        [sys.executable, "-c", codigo, str(datos)], cwd=RAIZ, env=entorno, stderr=subprocess.DEVNULL
    )
    try:
        time.sleep(calentar)
        if proceso.poll() is not None:
            raise RuntimeError("El proceso terminó antes de medir.")
        cpu0, t0 = cpu_s(proceso.pid), time.monotonic()
        time.sleep(segundos)
        cpu1, t1 = cpu_s(proceso.pid), time.monotonic()
        return rss_mb(proceso.pid), 100 * (cpu1 - cpu0) / (t1 - t0)
    finally:
        proceso.kill()
        proceso.wait()


def main() -> int:
    analizador = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analizador.add_argument("--segundos", type=float, default=20)
    analizador.add_argument("--calentar", type=float, default=5)
    args = analizador.parse_args()
    from agente.fachada import Agente
    from tests.plugins.central import CentralEnMarcha

    with tempfile.TemporaryDirectory(prefix="bench-ui-reposo-") as temporal:
        base_dir = Path(temporal)
        os.environ["XDG_DATA_HOME"] = str(base_dir / "llavero")
        central = CentralEnMarcha(base_dir / "central", demo=2000).arrancar()
        try:
            configurada = base_dir / "configurada"
            with Agente.abrir(configurada) as agente:
                agente.configurar(central.url, central.tienda, central.terminal, central.token)
                agente.sincronizar_una_vez()
            sin_config = base_dir / "sin_configurar"
            sin_config.mkdir()
            rb, cb = medir(BASE, sin_config, args.calentar, args.segundos)
            rs, cs = medir(SINCRO, configurada, args.calentar, args.segundos)
            rn, cn = medir(SINCRO, sin_config, args.calentar, args.segundos)
        finally:
            central.detener()
    print(f"reposo durante {args.segundos:.0f} s (tras {args.calentar:.0f} s de arranque):")
    print(f"  Sincro con sincronización en marcha: RSS {rs:.0f} MB, CPU {cs:.2f} % de un núcleo")
    print(f"  Sincro sin sincronización (sin configurar): RSS {rn:.0f} MB, CPU {cn:.2f} %")
    print(f"  línea base QApplication + QSystemTrayIcon: RSS {rb:.0f} MB, CPU {cb:.2f} %")
    print(
        f"  razón RSS Sincro / base: {rs / rb:.2f}; objetivo RSS <= 150 MB: "
        f"{'cumple' if rs <= 150 else 'NO cumple'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
