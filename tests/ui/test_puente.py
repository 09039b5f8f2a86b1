"""Puente con un motor REAL: las relecturas del estado en ráfaga (el hijo avisa varias veces
por segundo durante una sincronización) se espacian y ninguna se pierde."""

from __future__ import annotations

import itertools
import time

from PySide6.QtCore import QTimer

from agente import Agente
from ui.puente import Puente


def test_las_relecturas_en_rafaga_se_espacian_sin_perder_la_ultima(qtbot, tmp_path):
    puente = Puente(lambda: Agente.abrir(tmp_path / "datos"), intervalo_ms=60_000)
    puente.intervalo_minimo_ms = 300
    try:
        with qtbot.waitSignal(puente.estado_cambiado, timeout=10000):
            puente.iniciar()
        momentos: list[float] = []
        puente.estado_cambiado.connect(lambda _r: momentos.append(time.monotonic()))
        rafaga = QTimer()
        rafaga.setInterval(20)
        rafaga.timeout.connect(puente.refrescar)
        inicio = time.monotonic()
        rafaga.start()
        qtbot.wait(1200)
        rafaga.stop()
        fin_rafaga = time.monotonic()
        qtbot.waitUntil(lambda: momentos and momentos[-1] > fin_rafaga, timeout=2000)
        durante = [m for m in momentos if m <= fin_rafaga]
        assert 2 <= len(durante) <= 1.2 / 0.3 + 1  # unas 60 peticiones, ~4 relecturas
        assert all(b - a >= 0.29 for a, b in itertools.pairwise(momentos))
        assert momentos[0] - inicio < 0.35
    finally:
        puente.cerrar()
