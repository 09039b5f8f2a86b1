"""Actividad: lista persistente de lo que pasó (avisos, resoluciones), cuándo y qué hacer, y la
fila de notificaciones de la bandeja.

- ``Actividad`` guarda las entradas en ``actividad.json`` del directorio de datos (escritura
  atómica: fichero temporal + ``os.replace``), las más recientes primero, como mucho
  ``MAXIMO``. Una notificación del sistema se va sola; la entrada se queda.
- ``ColaAvisos`` nunca deja que una notificación tape a otra: las pone en fila y emite
  ``mostrar`` con la siguiente cuando ha pasado ``intervalo_ms`` desde la anterior (lo que
  dura una burbuja de la bandeja). Cada aviso se anota en la Actividad al llegar.

Sólo hilo de la GUI (QTimer, señales); la escritura del fichero es pequeña y sólo ocurre con
un aviso, nunca en un bucle.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from ui.notificaciones import Aviso, accion, texto

log = logging.getLogger(__name__)

FICHERO = "actividad.json"
MAXIMO = 300
INTERVALO_MS = 7000


@dataclass(frozen=True)
class Entrada:
    momento: str  # ISO 8601 UTC
    tipo: str
    titulo: str
    mensaje: str
    accion: str = ""


class Actividad(QObject):
    """Entradas persistentes; ``cambiada`` al añadir."""

    cambiada = Signal()

    def __init__(self, directorio: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ruta = None if directorio is None else Path(directorio) / FICHERO
        self._entradas: list[Entrada] = self._leer()

    def _leer(self) -> list[Entrada]:
        if self.ruta is None or not self.ruta.exists():
            return []
        try:
            datos = json.loads(self.ruta.read_text(encoding="utf-8"))
            return [
                Entrada(**{k: str(e.get(k, "")) for k in Entrada.__dataclass_fields__})
                for e in datos
                if isinstance(e, dict)
            ][:MAXIMO]
        except (OSError, ValueError, TypeError) as error:
            log.warning("No se pudo leer la actividad (%s): se empieza una lista nueva.", error)
            return []

    def _guardar(self) -> None:
        if self.ruta is None:
            return
        temporal = self.ruta.with_suffix(".json.tmp")
        try:
            temporal.write_text(
                json.dumps([asdict(e) for e in self._entradas], ensure_ascii=False, indent=0),
                encoding="utf-8",
            )
            os.replace(temporal, self.ruta)
        except OSError as error:
            log.warning("No se pudo guardar la actividad: %s", error)

    def entradas(self) -> list[Entrada]:
        return list(self._entradas)

    def anotar(
        self,
        tipo: str,
        titulo: str,
        mensaje: str,
        que_hacer: str = "",
        momento: dt.datetime | None = None,
    ) -> Entrada:
        entrada = Entrada(
            (momento or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
            tipo,
            titulo,
            mensaje,
            que_hacer,
        )
        self._entradas = [entrada, *self._entradas][:MAXIMO]
        self._guardar()
        self.cambiada.emit()
        return entrada

    def anotar_aviso(self, aviso: Aviso) -> Entrada:
        titulo, mensaje = texto(aviso)
        return self.anotar(aviso.tipo, titulo, mensaje, accion(aviso))


class ColaAvisos(QObject):
    """Fila de notificaciones: ``mostrar(aviso)`` de una en una, nunca una encima de otra."""

    mostrar = Signal(object)  # Aviso

    def __init__(
        self, actividad: Actividad, intervalo_ms: int = INTERVALO_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.actividad = actividad
        self._fila: deque[Aviso] = deque()
        self._temporizador = QTimer(self)
        self._temporizador.setSingleShot(True)
        self._temporizador.setInterval(intervalo_ms)
        self._temporizador.timeout.connect(self._siguiente)

    def encolar(self, aviso: Aviso) -> None:
        self.actividad.anotar_aviso(aviso)
        self._fila.append(aviso)
        if not self._temporizador.isActive():
            self._siguiente()

    def pendientes(self) -> int:
        return len(self._fila)

    def _siguiente(self) -> None:
        if not self._fila:
            return
        self.mostrar.emit(self._fila.popleft())
        self._temporizador.start()
