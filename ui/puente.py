"""Puente entre la interfaz y el motor: ejecuta el motor fuera del hilo de la GUI.

Reglas de hilos (ver referencias §3, Anki ``taskman``):

- Dos hilos de trabajo, cada uno una cola FIFO de un solo hilo: ``motor`` (lecturas y
  escrituras locales: estado, cola, caché, resolver conflictos) y ``red`` (llamadas que pueden
  esperar a la central: sincronizar ahora, probar conexión). Una sincronización lenta nunca
  retrasa una lectura de la pestaña Estado.
- Los trabajos reciben el ``Agente`` y devuelven datos planos (dicts, listas, tuplas); nunca
  tocan un widget ni un modelo Qt. El resultado vuelve al hilo de la GUI por una señal
  (conexión en cola) y allí se llama a ``al_terminar`` o ``al_fallar``.
- La GUI nunca espera: ``llamar`` sólo encola. ``cerrar`` es lo único que espera a los hilos,
  y sólo al salir (sin ``QThread.terminate()``).
- Los avisos del motor (callbacks llamados desde sus hilos) se convierten en la señal
  ``motor_aviso``; el puente vuelve a leer el estado al recibirlos, y además cada
  ``intervalo_ms`` (temporizador, no sondeo activo) para que las antigüedades avancen.

Sin lógica de sincronización: sólo llama a la API pública de ``agente.Agente``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from ui import trabajos
from ui.resumen import Resumen, resumir

log = logging.getLogger(__name__)

Trabajo = Callable[..., Any]

INTERVALO_MINIMO_MS = 300
"""Como mucho una relectura del estado cada tanto (ver ``Puente.refrescar``)."""


class _Entrega(QObject):
    """Vive en el hilo de la GUI; los hilos de trabajo emiten y Qt entrega en cola."""

    # Un solo objeto (tupla) por emisión. Ojo: PySide6 6.12.0 resta una referencia a ``True``
    # en cada ``emit()`` («bool_dealloc» en Python 3.11); pyproject pide <6.12 y
    # tests/ui/test_pyside.py lo vigila.
    hecho = Signal(object)  # (callback, ok, valor)
    cerrado = False  # tras ``Puente.cerrar`` ya no se entrega nada (la UI se está deshaciendo)

    @Slot(object)
    def _entregar(self, paquete: tuple) -> None:
        callback, _ok, valor = paquete
        if callback is None or self.cerrado:
            return
        try:
            callback(valor)
        except RuntimeError as error:  # el widget destinatario ya no existe
            if "already deleted" not in str(error):
                raise


def _describir(error: BaseException) -> str:
    texto = str(error).strip() or error.__class__.__name__
    return texto.splitlines()[0]


class Puente(QObject):
    """Dueño del ``Agente`` en la interfaz. Crear y usar sólo desde el hilo de la GUI.

    ``abrir`` se ejecuta en el hilo ``motor`` y devuelve el ``Agente`` (abrir puede migrar
    ficheros: nunca en la GUI).
    """

    abierto = Signal()
    estado_cambiado = Signal(object)  # Resumen
    conflictos_cambiados = Signal(list)  # lista de dicts de conflictos abiertos
    fallo = Signal(str, str)  # (qué, mensaje de una línea)
    motor_aviso = Signal(object)  # evento del motor (dict plano), emitido desde cualquier hilo

    def __init__(
        self, abrir: Callable[[], Any], intervalo_ms: int = 5000, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._abrir = abrir
        self._agente: Any = None
        self._cerrado = False
        self._motor = ThreadPoolExecutor(1, thread_name_prefix="sincro-motor")
        self._red = ThreadPoolExecutor(1, thread_name_prefix="sincro-red")
        self._entrega = _Entrega(self)
        self._entrega.hecho.connect(self._entrega._entregar, Qt.ConnectionType.QueuedConnection)
        self.ultimo_resumen = Resumen()
        self.pausado = False
        """Lo fija la aplicación al pausar/reanudar; se copia en cada ``Resumen``."""
        self.proximo_intento: Any = None
        """Hora (UTC) del próximo reintento que anunció la sincronización; se copia igual."""
        self.ultimos_conflictos: list[dict] = []
        self._refresco_en_curso = False
        self._refresco_pendiente = False
        self._fin_ultimo_refresco = 0.0
        self.intervalo_minimo_ms = INTERVALO_MINIMO_MS
        self._diferido = QTimer(self)
        self._diferido.setSingleShot(True)
        self._diferido.timeout.connect(self.refrescar)
        self._temporizador = QTimer(self)
        self._temporizador.setInterval(intervalo_ms)
        self._temporizador.timeout.connect(self.refrescar)
        self.motor_aviso.connect(self._al_aviso, Qt.ConnectionType.QueuedConnection)

    # -- ciclo de vida -------------------------------------------------------------------

    @property
    def agente(self) -> Any:
        """El ``Agente`` abierto (o ``None``). Sólo para pasarlo a trabajos, no para usarlo aquí."""
        return self._agente

    def iniciar(self, arrancar: Callable[[Any], None] | None = None) -> None:
        """Abre el motor en el hilo ``motor``; después llama ``arrancar(agente)`` allí mismo
        (p. ej. arrancar la sincronización en segundo plano), emite ``abierto`` y refresca."""

        def abrir() -> Any:
            agente = self._abrir()
            self._suscribir(agente)
            if arrancar is not None:
                try:
                    arrancar(agente)
                except Exception as error:  # el motor abierto sigue siendo útil sin bucle
                    log.warning("No se pudo arrancar la sincronización: %s", _describir(error))
                    self._entrega.hecho.emit(
                        (self._fallo_de("sincronización"), False, _describir(error))
                    )
            return agente

        self._enviar(self._motor, abrir, (), self._al_abrir, self._fallo_de("abrir"))

    def _suscribir(self, agente: Any) -> None:
        """Registra un callback en el motor que sólo emite una señal (seguro desde sus hilos)."""
        suscribir = getattr(agente, "al_cambiar_estado", None) or getattr(agente, "suscribir", None)
        if callable(suscribir):
            suscribir(self.motor_aviso.emit)

    def _al_abrir(self, agente: Any) -> None:
        self._agente = agente
        self.abierto.emit()
        self.refrescar()
        self._temporizador.start()

    def cerrar(self, detener: Callable[[Any], None] | None = None) -> None:
        """Para el temporizador, ejecuta ``detener(agente)`` en el hilo ``motor`` y espera a los
        dos hilos (trabajos en curso terminan; los encolados se cancelan)."""
        if self._cerrado:
            return
        self._cerrado = True
        self._entrega.cerrado = True
        self._temporizador.stop()
        self._diferido.stop()
        agente = self._agente
        if agente is not None:
            futuro = self._motor.submit(self._cerrar_agente, agente, detener)
            futuro.result()
        self._red.shutdown(wait=True, cancel_futures=True)
        self._motor.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _cerrar_agente(agente: Any, detener: Callable[[Any], None] | None) -> None:
        try:
            if detener is not None:
                detener(agente)
        finally:
            cerrar = getattr(agente, "cerrar", None)
            if callable(cerrar):
                cerrar()

    # -- llamadas -------------------------------------------------------------------------

    def llamar(
        self,
        trabajo: Trabajo,
        *args: Any,
        al_terminar: Callable[[Any], None] | None = None,
        al_fallar: Callable[[str], None] | None = None,
        red: bool = False,
        que: str = "",
    ) -> bool:
        """Encola ``trabajo(agente, *args)``; el resultado llega a ``al_terminar`` en la GUI.

        Si falla, llega el mensaje de una línea a ``al_fallar`` (o a la señal ``fallo``).
        Devuelve ``False`` si el motor aún no está abierto o el puente está cerrado.
        """
        if self._cerrado or self._agente is None:
            return False
        agente = self._agente
        ejecutor = self._red if red else self._motor
        self._enviar(
            ejecutor,
            trabajo,
            (agente, *args),
            al_terminar,
            al_fallar or self._fallo_de(que or getattr(trabajo, "__name__", "motor")),
        )
        return True

    def _enviar(
        self,
        ejecutor: ThreadPoolExecutor,
        trabajo: Trabajo,
        args: tuple,
        al_terminar: Callable[[Any], None] | None,
        al_fallar: Callable[[str], None],
    ) -> None:
        entrega = self._entrega

        def ejecutar() -> None:
            try:
                valor = trabajo(*args)
            except Exception as error:
                log.warning(
                    "Fallo en el motor (%s): %s",
                    getattr(trabajo, "__name__", "?"),
                    _describir(error),
                )
                entrega.hecho.emit((al_fallar, False, _describir(error)))
            else:
                entrega.hecho.emit((al_terminar, True, valor))

        with contextlib.suppress(RuntimeError):  # ejecutor ya cerrado: se está saliendo
            ejecutor.submit(ejecutar)

    def _fallo_de(self, que: str) -> Callable[[str], None]:
        return lambda mensaje: self.fallo.emit(que, mensaje)

    # -- estado ----------------------------------------------------------------------------

    @Slot()
    def refrescar(self) -> None:
        """Relee estado y conflictos en el hilo ``motor``; como mucho uno en curso y otro
        pendiente (los avisos en ráfaga se funden), y no más de uno cada
        ``intervalo_minimo_ms``: durante una sincronización el hijo avisa varias veces por
        segundo y cada relectura repinta la ventana; el resto espera en un temporizador."""
        if self._refresco_en_curso:
            self._refresco_pendiente = True
            return
        falta_ms = self.intervalo_minimo_ms - (time.monotonic() - self._fin_ultimo_refresco) * 1000
        if falta_ms > 0:
            if not self._diferido.isActive():
                self._diferido.start(int(falta_ms) + 1)
            return
        self._refresco_en_curso = self.llamar(
            _leer_estado, al_terminar=self._al_estado, al_fallar=self._al_fallo_estado, que="estado"
        )

    def _al_estado(self, valor: tuple[dict, list]) -> None:
        estado, conflictos = valor
        self.ultimo_resumen = dataclasses.replace(
            resumir(estado), pausado=self.pausado, proximo_intento=self.proximo_intento
        )
        self.ultimos_conflictos = conflictos
        self.estado_cambiado.emit(self.ultimo_resumen)
        self.conflictos_cambiados.emit(conflictos)
        self._fin_refresco()

    def _al_fallo_estado(self, mensaje: str) -> None:
        self.fallo.emit("estado", mensaje)
        self._fin_refresco()

    def _fin_refresco(self) -> None:
        self._refresco_en_curso = False
        self._fin_ultimo_refresco = time.monotonic()
        if self._refresco_pendiente:
            self._refresco_pendiente = False
            self.refrescar()

    @Slot(object)
    def _al_aviso(self, _evento: Any) -> None:
        self.refrescar()


def _leer_estado(agente: Any) -> tuple[dict, list]:
    """Hilo ``motor``: el estado como lo ve la bandeja (``Agente.estado_terminal``: la
    conexión la persiste el proceso que sincroniza) y los conflictos abiertos, cada uno con
    los intentos y el último error de su operación (para el diálogo)."""
    estado = dict(agente.estado_terminal())
    conflictos = list(agente.conflictos())
    for conflicto in conflictos:
        op = agente.operacion(conflicto.get("uuid_operacion", ""))
        if op is not None:
            conflicto["intentos"] = op.intentos
            conflicto["ultimo_error"] = op.ultimo_error
    trabajos.nombrar_por_referido(agente, conflictos, datos="central")
    estado.setdefault("conflictos", len(conflictos))
    return estado, conflictos
