"""La sincronización de la bandeja en un PROCESO aparte (``sincro --datos D sincronizar``).

Por qué: el bucle del motor hace trabajo de CPU que retiene el GIL de Python (``json.loads`` de
páginas de miles de filas, ``executemany``). En el mismo proceso que la GUI eso congelaba el
hilo de la GUI 50–200 ms por página durante una primera sincronización (medido con
``bench/ui_vigilancia.py``). En otro proceso la GUI no comparte el GIL con él.

El hijo es la orden de la CLI (el mismo bucle, con SIGTERM para pararse limpiamente entre dos
pasos; lo que estuviera en vuelo vuelve a PENDIENTE al recuperar la cola). Escribe cada cambio
de estado en una línea ``[estado] mensaje``: cada línea emite ``estado_cambiado`` y la
aplicación relee el estado (que el motor persiste en ``cola.sqlite``). Si el hijo muere sin
que se le haya pedido, se relanza tras ``ESPERA_RELANZAR_MS`` (doblando la espera en cada fallo
seguido, hasta ``ESPERA_RELANZAR_MAX_MS``). Si sale porque la terminal no está configurada
(código 2) no se relanza: lo hará ``sincronizar_ahora`` al guardar la configuración.

- *Pausar* = parar el hijo; *Reanudar* = lanzarlo otra vez.
- *Sincronizar ahora* = relanzar el hijo (empieza con un pase completo).
- Salir = parar el hijo y esperar como mucho ``ESPERA_PARADA_MS``.

Sólo hilo de la GUI (``QProcess`` entrega su salida por señales; nunca se espera salvo al
salir).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from agente import http_permitido_en_este_proceso
from ui.vigia_padre import ENTORNO as ENTORNO_PADRE

log = logging.getLogger(__name__)

# El hijo muere con la bandeja (``ui.vigia_padre``, con el PID de ``SINCRO_PADRE``): una bandeja
# matada con kill -9 no deja un bucle huérfano que competiría con el de la siguiente bandeja.
# En el bundle lo hace ``scripts/sincro_congelado.py`` con la misma variable.
_ARRANQUE_HIJO = (
    "import sys\n"
    "from ui.vigia_padre import instalar_desde_entorno\n"
    "instalar_desde_entorno()\n"
    "from agente.cli import main\n"
    "sys.exit(main())\n"
)

ESPERA_RELANZAR_MS = 5000
ESPERA_RELANZAR_MAX_MS = 300_000
ESPERA_PARADA_MS = 10000
SALIDA_USO = 2  # ``sincro sincronizar``: sin configurar o configuración inválida


def orden_sincronizar(directorio: Path) -> list[str]:
    """``sincro --datos D [--permitir-http] sincronizar`` de esta instalación (congelada o no).
    ``--permitir-http`` pasa al hijo si esta bandeja se lanzó con él: sin él, el hijo no
    aceptaría la central ``http`` que la bandeja sí acepta."""
    argumentos = ["--datos", str(directorio)]
    if http_permitido_en_este_proceso():
        argumentos.append("--permitir-http")
    if getattr(sys, "frozen", False):
        return [sys.executable, *argumentos, "sincronizar"]
    return [sys.executable, "-c", _ARRANQUE_HIJO, *argumentos, "sincronizar"]


class ProcesoSincronizacion(QObject):
    estado_cambiado = Signal(str)  # la línea «[estado] mensaje» del hijo
    en_marcha_cambiado = Signal(bool)

    def __init__(self, directorio: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.directorio = directorio
        self.pausado = False
        self._parando = False
        self._proceso: QProcess | None = None
        self._relanzar = QTimer(self)
        self._relanzar.setSingleShot(True)
        self._relanzar.setInterval(ESPERA_RELANZAR_MS)
        self._relanzar.timeout.connect(self.iniciar)
        self._reiniciar_al_parar = False
        self.ultimo_codigo: int | None = None
        self.ultimas_lineas: list[str] = []

    @property
    def en_marcha(self) -> bool:
        return (
            self._proceso is not None and self._proceso.state() != QProcess.ProcessState.NotRunning
        )

    @property
    def pid(self) -> int | None:
        return int(self._proceso.processId()) if self.en_marcha else None

    def iniciar(self) -> None:
        """Lanza el hijo si no está en marcha (y quita la pausa)."""
        self.pausado = False
        self._relanzar.stop()
        if self.en_marcha:
            return
        orden = orden_sincronizar(self.directorio)
        proceso = QProcess(self)
        entorno = QProcessEnvironment.systemEnvironment()
        entorno.insert("PYTHONUNBUFFERED", "1")
        entorno.insert(ENTORNO_PADRE, str(os.getpid()))
        proceso.setProcessEnvironment(entorno)
        proceso.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        proceso.readyReadStandardOutput.connect(self._leer)
        proceso.finished.connect(self._al_terminar)
        proceso.errorOccurred.connect(self._al_error)
        self._proceso = proceso
        self._parando = False
        proceso.start(orden[0], orden[1:])
        log.info("Sincronización lanzada en un proceso aparte: %s", " ".join(orden[1:]))
        self.en_marcha_cambiado.emit(True)

    def pausar(self) -> None:
        """Para el hijo (SIGTERM: termina el paso en curso) sin relanzarlo."""
        self.pausado = True
        self._relanzar.stop()
        self._parar()

    def sincronizar_ahora(self) -> None:
        """Relanza el hijo: su bucle empieza con un pase completo."""
        if not self.en_marcha:
            self.iniciar()
            return
        self._reiniciar_al_parar = True
        self._parar()

    def cerrar(self) -> None:
        """Al salir: para el hijo y espera como mucho ``ESPERA_PARADA_MS``."""
        self.pausado = True
        self._relanzar.stop()
        proceso = self._proceso
        if proceso is None or not self.en_marcha:
            return
        self._parando = True
        proceso.terminate()
        if not proceso.waitForFinished(ESPERA_PARADA_MS):
            log.warning(
                "La sincronización no paró a tiempo: se mata (lo pendiente sigue en la "
                "cola y se recupera al volver a abrir)."
            )
            proceso.kill()
            proceso.waitForFinished(2000)

    def _parar(self) -> None:
        if self._proceso is not None and self.en_marcha:
            self._parando = True
            self._proceso.terminate()

    def _leer(self) -> None:
        proceso = self.sender()
        if not isinstance(proceso, QProcess):
            return
        texto = bytes(proceso.readAllStandardOutput().data()).decode("utf-8", "replace")
        for linea in texto.splitlines():
            linea = linea.strip()
            if linea:
                log.debug("sincronización: %s", linea)
                self.ultimas_lineas = [*self.ultimas_lineas[-19:], linea]
                self.estado_cambiado.emit(linea)

    def _al_terminar(self, codigo: int, _estado: QProcess.ExitStatus) -> None:
        proceso = self.sender()
        if proceso is not self._proceso:
            return
        self._proceso = None
        if isinstance(proceso, QProcess):
            proceso.deleteLater()
        self.ultimo_codigo = codigo
        self.en_marcha_cambiado.emit(False)
        if self._reiniciar_al_parar:
            self._reiniciar_al_parar = False
            self._relanzar.setInterval(ESPERA_RELANZAR_MS)
            self.iniciar()
        elif codigo == SALIDA_USO and not self._parando:
            log.warning("La sincronización no arranca: la terminal no está configurada.")
        elif not self._parando and not self.pausado:
            log.warning(
                "La sincronización terminó (código %s): %s; se relanza en %d s.",
                codigo,
                " | ".join(self.ultimas_lineas[-3:]),
                self._relanzar.interval() // 1000,
            )
            self._relanzar.start()
            self._relanzar.setInterval(min(self._relanzar.interval() * 2, ESPERA_RELANZAR_MAX_MS))
        self._parando = False

    def _al_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            log.error("No se pudo lanzar la sincronización: %s", orden_sincronizar(self.directorio))
            self._proceso = None
            self.en_marcha_cambiado.emit(False)
