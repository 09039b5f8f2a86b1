"""Bench de la interfaz: pestaña Catálogo con 100 000 productos.

Cifras (plataforma ``offscreen``, proceso único, motor real por el puente en su hilo):

- **abrir**: desde pedir la pestaña (``PestanaCatalogo.cargar``) hasta tener la primera página
  de Productos insertada en el modelo Qt y la vista pintada (``repaint``). La pestaña abre en el
  primer modelo del orden de descarga (Clientes, vacío aquí); la cifra incluye elegir Productos
  en el selector en cuanto aparece, como haría el encargado. Mediana de 5 aperturas.
- **filtrar**: por cada pulsación de una secuencia de búsqueda («a», «ac», «ace», «acei»,
  código de barras exacto, «le», «lec», …), desde ``setText`` hasta la primera página del nuevo
  filtro insertada y pintada (lo que ve quien busca). Mediana y máximo. Aparte, **con la
  cuenta**: hasta que además llega y se pinta el total que casa («6.250 filas»), que la pestaña
  pide después de la página.
- **CPU de la GUI por pulsación**: ``time.thread_time`` del hilo de la GUI en esa pulsación
  (página, cuenta y los dos ``repaint``): lo que cuesta la interfaz sin la espera por otros
  procesos de una máquina cargada.
- **parada de la GUI al filtrar**: el mayor tiempo que el hilo de la GUI pasa sin volver al
  bucle de eventos durante las pulsaciones (un temporizador de 5 ms anota su retraso).

Líneas base, misma ejecución:
- abrir: una ``QTableView`` con un modelo vacío, mostrada y pintada;
- filtrar: las mismas consultas llamadas directamente al motor (``Agente.listar`` +
  ``Agente.contar``) sin Qt ni hilos: la parte de la cifra que no es de la interfaz.

Uso: ``.venv/bin/python bench/ui_catalogo.py [--filas 100000]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.cache_pagina import ESQUEMA, PRODUCTO, pagina  # noqa: E402

TEXTOS = [
    "a",
    "ac",
    "ace",
    "acei",
    "aceit",
    "aceite",
    "",
    "8400000012345",
    "",
    "l",
    "le",
    "lec",
    "lech",
    "leche",
    "leche p",
    "leche pa",
    "",
    "z",
    "zu",
    "zum",
    "zumo",
]


def preparar(directorio: Path, filas: int) -> None:
    from agente.fachada import Agente

    with Agente.abrir(directorio) as agente:
        agente.guardar_esquema(ESQUEMA)
        cambios = json.loads(pagina(0, filas))["cambios"]
        agente.cache.aplicar_pagina(PRODUCTO, cambios, str(filas), completo=True)


def main() -> int:
    analizador = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analizador.add_argument("--filas", type=int, default=100_000)
    args = analizador.parse_args()

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    from agente.fachada import Agente
    from ui.pestanas.catalogo import PestanaCatalogo
    from ui.puente import Puente

    app = QApplication(["bench"])

    def esperar_hasta(condicion, senal=None, limite_s: float = 30.0) -> None:
        """Bucle de eventos normal (sin sondeo: el hilo de la GUI no compite por el GIL) hasta
        que ``condicion()`` se cumple al emitirse ``senal`` (o cada 50 ms si no hay señal)."""
        fin = time.monotonic() + limite_s
        while not condicion():
            if time.monotonic() > fin:
                raise TimeoutError("La interfaz no respondió a tiempo.")
            bucle = QEventLoop()
            if senal is not None:
                senal.connect(bucle.quit)
            QTimer.singleShot(50, bucle.quit)
            bucle.exec()
            if senal is not None:
                senal.disconnect(bucle.quit)

    def abrir_en_productos(pestana) -> None:
        """``cargar`` y, en cuanto hay selector, Productos; espera su primera página."""
        pestana.cargar()
        esperar_hasta(lambda: pestana.selector.count() > 0)
        pestana.selector.setCurrentIndex(pestana.selector.findData(PRODUCTO))
        esperar_hasta(
            lambda: pestana.modelo.modelo == PRODUCTO and pestana.modelo.rowCount() > 0,
            pestana.modelo.pagina_cargada,
        )

    with tempfile.TemporaryDirectory(prefix="bench-ui-catalogo-") as temporal:
        directorio = Path(temporal) / "datos"
        preparar(directorio, args.filas)
        puente = Puente(lambda: Agente.abrir(directorio))
        puente.iniciar()
        esperar_hasta(lambda: puente.agente is not None)

        # -- abrir ---------------------------------------------------------------------------
        aperturas, bases = [], []
        for _ in range(5):
            inicio = time.perf_counter()
            vista = QTableView()
            vista.setModel(QStandardItemModel(0, 6))
            vista.resize(1000, 600)
            vista.show()
            vista.repaint()
            bases.append(time.perf_counter() - inicio)
            vista.close()

            inicio = time.perf_counter()
            pestana = PestanaCatalogo(puente)
            pestana.resize(1000, 600)
            pestana.show()
            abrir_en_productos(pestana)
            pestana.repaint()
            aperturas.append(time.perf_counter() - inicio)
            esperar_hasta(lambda: pestana.modelo.total is not None)  # noqa: B023
            total = pestana.modelo.total
            pestana.close()
            pestana.deleteLater()
        assert total == args.filas, total

        # -- filtrar -------------------------------------------------------------------------
        pestana = PestanaCatalogo(puente)
        pestana.resize(1000, 600)
        pestana.show()
        abrir_en_productos(pestana)
        pulsaciones, con_cuenta, cpu_gui, totales = [], [], [], {}
        paradas: list[float] = []
        vigilante = QTimer()
        vigilante.setInterval(5)
        ultimo = [time.perf_counter()]

        def latido() -> None:
            ahora = time.perf_counter()
            paradas.append(ahora - ultimo[0] - 0.005)
            ultimo[0] = ahora

        vigilante.timeout.connect(latido)
        vista_en: dict[int, float] = {}  # generación -> instante en que llegó su 1.ª página

        def al_cargar(generacion: int, _filas: int) -> None:
            vista_en.setdefault(generacion, time.perf_counter())

        pestana.modelo.pagina_cargada.connect(al_cargar)
        for texto in TEXTOS:
            generacion = pestana.modelo.generacion
            ultimo[0] = time.perf_counter()
            vigilante.start()
            inicio = time.perf_counter()
            cpu_inicio = time.thread_time()
            pestana.buscar.setText(texto)
            esperar_hasta(
                lambda g=generacion: any(k > g for k in vista_en), pestana.modelo.pagina_cargada
            )
            pestana.repaint()
            pulsaciones.append(time.perf_counter() - inicio)
            esperar_hasta(lambda: pestana.modelo.total is not None, pestana.modelo.total_cambiado)
            pestana.repaint()
            con_cuenta.append(time.perf_counter() - inicio)
            cpu_gui.append(time.thread_time() - cpu_inicio)
            vigilante.stop()
            totales[texto] = pestana.modelo.total
        directas = []
        with Agente.abrir(directorio) as agente:
            for texto in TEXTOS:
                inicio = time.perf_counter()
                agente.listar(PRODUCTO, 0, 200, texto or None)
                agente.contar(PRODUCTO, texto or None)
                directas.append(time.perf_counter() - inicio)
        pestana.close()
        pestana.deleteLater()
        puente.cerrar()
        puente.deleteLater()
        app.processEvents()

    ms = 1000
    print(f"catálogo con {args.filas:,} filas".replace(",", "."))
    print(
        f"  abrir (primera página insertada y pintada): mediana "
        f"{statistics.median(aperturas) * ms:.1f} ms, max {max(aperturas) * ms:.1f} ms; "
        f"objetivo <= 300 ms: {'cumple' if statistics.median(aperturas) <= 0.3 else 'NO'}"
    )
    print(
        f"  línea base (QTableView con modelo vacío, pintada): "
        f"{statistics.median(bases) * ms:.1f} ms"
    )
    print(
        f"  filtrar por pulsación ({len(TEXTOS)} pulsaciones): mediana "
        f"{statistics.median(pulsaciones) * ms:.1f} ms, max {max(pulsaciones) * ms:.1f} ms; "
        f"objetivo <= 50 ms: {'cumple' if max(pulsaciones) <= 0.05 else 'NO (ver máximo)'}"
    )
    print(
        f"  con la cuenta del total pintada: mediana {statistics.median(con_cuenta) * ms:.1f} ms, "
        f"max {max(con_cuenta) * ms:.1f} ms"
    )
    print(
        f"  CPU del hilo de la GUI por pulsación (independiente de la carga de la máquina): "
        f"mediana {statistics.median(cpu_gui) * ms:.1f} ms, max {max(cpu_gui) * ms:.1f} ms"
    )
    print(
        f"  parada máxima de la GUI al filtrar (temporizador de 5 ms): "
        f"{max(paradas) * ms:.1f} ms; objetivo <= 50 ms: "
        f"{'cumple' if max(paradas) <= 0.05 else 'NO'}"
    )
    print(
        f"  línea base (Agente.listar + contar directos): mediana "
        f"{statistics.median(directas) * ms:.1f} ms, max {max(directas) * ms:.1f} ms"
    )
    peor = max(range(len(TEXTOS)), key=lambda i: pulsaciones[i])
    print(
        f"  pulsación más lenta: {TEXTOS[peor]!r} ({totales[TEXTOS[peor]]} filas casan): "
        f"{pulsaciones[peor] * ms:.1f} ms (directo {directas[peor] * ms:.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
