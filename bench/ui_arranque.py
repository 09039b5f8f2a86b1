"""Bench de la interfaz: arranque en frío hasta el icono de bandeja.

Cifra: tiempo desde lanzar el proceso ``python -c "from ui.app import main; main([...])"``
(la misma función que ``sincro`` sin argumentos) hasta que la aplicación ha mostrado el icono
de bandeja (o la ventana si no hay bandeja), medido por el padre al leer la marca que escribe
``Aplicacion.arrancar`` con ``SINCRO_UI_MARCAR=1``. Directorio de datos con catálogo de demo
ya descargado (el icono aparece antes de abrir el motor, que se abre en su hilo).

Línea base, misma ejecución: un proceso Python que crea una ``QApplication`` y muestra un
``QSystemTrayIcon`` con un icono SVG de los recursos (lo mínimo para un icono de bandeja).

Mediana de ``--repeticiones`` arranques, plataforma ``offscreen`` (sin servidor gráfico: el
coste de hablar con la bandeja real no se incluye en ninguna de las dos cifras).

Uso: ``.venv/bin/python bench/ui_arranque.py [--repeticiones 7]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]

BASE = """
import sys
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from PySide6.QtGui import QIcon
from ui.recursos import ruta_icono
app = QApplication(sys.argv)
icono = QSystemTrayIcon(QIcon(str(ruta_icono("al_dia"))))
icono.show()
print("sincro-ui: visible", file=sys.stderr, flush=True)
"""

SINCRO = """
import sys
from ui.app import main
main(["--datos", sys.argv[1]])
"""


def medir(codigo: str, datos: str) -> float:
    entorno = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SINCRO_UI_MARCAR": "1",
        "SINCRO_UI_SALIR_TRAS_MS": "300",
        "SINCRO_REGISTRO": str(Path(datos) / "log"),
    }
    inicio = time.perf_counter()
    proceso = subprocess.Popen(
        [sys.executable, "-c", codigo, datos],
        cwd=RAIZ,
        env=entorno,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proceso.stderr is not None
    for linea in proceso.stderr:
        if "sincro-ui: visible" in linea:
            transcurrido = time.perf_counter() - inicio
            break
    else:
        raise RuntimeError("El proceso no llegó a mostrar el icono.")
    proceso.stderr.close()
    proceso.wait(timeout=30)
    return transcurrido


def preparar(datos: Path) -> None:
    """Catálogo de demo (2 000 productos) en la caché, sin central (arranque sin red)."""
    import json

    sys.path.insert(0, str(RAIZ))
    from agente.fachada import Agente

    esquema = json.loads((RAIZ / "tests" / "datos" / "esquema_demo.json").read_text())
    with Agente.abrir(datos) as agente:
        agente.guardar_esquema(esquema)
        agente.cache.aplicar_pagina(
            "productos.Producto",
            [
                {
                    "id": str(i),
                    "version": i,
                    "datos": {
                        "id": i,
                        "nombre": f"Producto {i}",
                        "codigo": f"84{i:011d}",
                        "precio": "1.00",
                        "stock": 5,
                        "categoria": None,
                    },
                }
                for i in range(1, 2001)
            ],
            "2000",
            completo=True,
        )


def main() -> int:
    analizador = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analizador.add_argument("--repeticiones", type=int, default=7)
    args = analizador.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as temporal:
        datos = Path(temporal) / "datos"
        preparar(datos)
        medir(SINCRO, str(datos))  # calienta la caché de ficheros del SO (.pyc, bibliotecas)
        base = [medir(BASE, str(datos)) for _ in range(args.repeticiones)]
        sincro = [medir(SINCRO, str(datos)) for _ in range(args.repeticiones)]
    mb, ms = statistics.median(base), statistics.median(sincro)
    print(
        f"arranque hasta el icono: Sincro {ms * 1000:.0f} ms (mediana de "
        f"{args.repeticiones}; min {min(sincro) * 1000:.0f}, max {max(sincro) * 1000:.0f})"
    )
    print(
        f"línea base (QApplication + QSystemTrayIcon): {mb * 1000:.0f} ms "
        f"(min {min(base) * 1000:.0f}, max {max(base) * 1000:.0f})"
    )
    print(
        f"razón Sincro / base: {ms / mb:.2f}; objetivo <= 1500 ms: "
        f"{'cumple' if ms <= 1.5 else 'NO cumple'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
