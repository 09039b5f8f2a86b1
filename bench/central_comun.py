"""Utilidades comunes de los benches de la central."""

from __future__ import annotations

import os
from pathlib import Path


def cpu_servidor(proceso_pid: int) -> float:
    """Segundos de CPU consumidos por el servidor (maestro + trabajadores). No depende de cuánto
    comparten la máquina otros procesos, a diferencia del tiempo de reloj."""
    pids = [proceso_pid]
    hijos = Path(f"/proc/{proceso_pid}/task/{proceso_pid}/children")
    pids += [int(p) for p in hijos.read_text().split()]
    total = 0
    for pid in pids:
        campos = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(campos[11]) + int(campos[12])
    return total / os.sysconf("SC_CLK_TCK")


def carga() -> str:
    return f"carga media (1 min) {os.getloadavg()[0]:.2f} en {os.cpu_count()} CPU"
