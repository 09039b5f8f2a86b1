"""Historial en memoria de la profundidad de la cola y la actividad de sincronización.

La pestaña Estado dibuja las últimas horas con él. Se alimenta con cada ``Resumen`` que llega
del puente (una muestra por minuto como mucho: la última del minuto gana). La actividad es el
número de operaciones que pasaron a COMPLETADO desde la muestra anterior. Al abrir el motor se
siembra con ``Cola.actividad`` (la serie reconstruida de la propia cola), así que un reinicio de
la bandeja no deja el gráfico en blanco. Puro, sin Qt; sólo hilo de la GUI (sin cerrojos).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass

from ui.resumen import Resumen

HORAS = 6


@dataclass(frozen=True)
class Muestra:
    minuto: dt.datetime
    cola: int
    enviadas: int


class Historial:
    def __init__(self, horas: int = HORAS) -> None:
        self.horas = horas
        self._muestras: deque[Muestra] = deque()
        self._completadas: int | None = None

    def anotar(self, resumen: Resumen, ahora: dt.datetime | None = None) -> None:
        ahora = (ahora or dt.datetime.now(dt.UTC)).replace(second=0, microsecond=0)
        completadas = int(resumen.cola.get("completado", 0))
        enviadas = 0 if self._completadas is None else max(0, completadas - self._completadas)
        self._completadas = completadas
        if self._muestras and self._muestras[-1].minuto == ahora:
            anterior = self._muestras.pop()
            enviadas += anterior.enviadas
        self._muestras.append(Muestra(ahora, resumen.pendientes, enviadas))
        limite = ahora - dt.timedelta(hours=self.horas)
        while self._muestras and self._muestras[0].minuto < limite:
            self._muestras.popleft()

    def sembrar(self, serie: list[dict]) -> None:
        """Muestras previas de ``Cola.actividad`` (``{"minuto", "cola", "enviadas"}``); las
        que ya hay en memoria, más recientes, mandan en su minuto."""
        propias = {m.minuto for m in self._muestras}
        previas = []
        for punto in serie:
            minuto = dt.datetime.fromisoformat(punto["minuto"])
            if minuto not in propias:
                previas.append(Muestra(minuto, int(punto["cola"]), int(punto["enviadas"])))
        self._muestras = deque(sorted([*previas, *self._muestras], key=lambda m: m.minuto))

    def muestras(self) -> list[Muestra]:
        return list(self._muestras)
