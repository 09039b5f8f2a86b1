"""Sincronizador: un pase (salud, esquema, empuje, descarga) y el bucle que los repite.

Un **pase** (``pase()``): mide el desfase de reloj (``/v1/salud``), actualiza el esquema,
empuja la cola, descarga lo nuevo (críticos primero), vuelve a empujar lo que la descarga haya
reencolado por detección temprana, verifica la caché contra la central si toca (tras una
resincronización o cada ``intervalo_verificacion``; ``agente.sincronizacion.verificacion``),
envía el diario de ventas sin confirmar (``agente.sincronizacion.diario``) e informa a la
central de su estado (``/v1/estado``, sin que un fallo ahí cuente). Lanza
``ErrorSincro`` si algo falla; lo hecho hasta entonces queda hecho.

El **bucle** (``bucle(detener)``):

- antes del primer pase espera al azar entre 0 y ``arranque_escalonado`` segundos, para que las
  cajas de una cadena que arrancan a la vez no lleguen juntas a la central;
- con conexión: descarga cada ``intervalo_descarga`` segundos y empuja en cuanto hay algo
  nuevo: ``despertar()`` (lo llama ``Agente.encolar`` en este proceso) o un cambio de
  ``PRAGMA data_version`` en ``cola.sqlite`` (encolados por otro proceso, p. ej. la caja con la
  bandeja abierta), con un antirrebote de ``espera_empuje`` (< 1 s) para juntar un lote;
- sin conexión o con error del servidor: reintenta con espera exponencial y jitter (hasta
  ``backoff_maximo``); un ``Retry-After`` de la central se respeta aunque sea mayor, hasta
  una hora, con un 0–20 % de jitter (``espera_retry_after``);
- error de autenticación (401): deja de sincronizar (todo sigue en la cola) y sólo vuelve a
  intentarlo cuando el token del llavero cambia (``sincro configurar``) o se le despierta.
- cada empuje (y por tanto cada pase, al menos cada ``intervalo_descarga``) empieza con
  ``Cola.recuperar``: lo que otra instancia muerta dejó ``PROCESANDO`` vuelve a la cola sin
  reiniciar nada (ver ``agente.sincronizacion.empuje``);
- ``detener.set()`` lo para limpiamente entre dos pasos (también a mitad de una descarga, entre
  páginas); lo que estaba en vuelo vuelve a PENDIENTE al cerrar la cola.

Hilos: ``pase`` se serializa con un cerrojo (la UI puede pedir "sincronizar ahora" mientras el
bucle corre en su hilo). ``despertar`` es seguro desde cualquier hilo. La red nunca va dentro
de los cerrojos de la cola o la caché.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import agente
from agente.almacen.cola import Cola
from agente.almacen.conflictos import Conflictos
from agente.operacion import CONFLICTO, ERROR, PENDIENTE
from agente.sincronizacion import acciones as acciones_remotas
from agente.sincronizacion import credenciales
from agente.sincronizacion.cliente import Cliente, ErrorAutenticacion, ErrorSincro
from agente.sincronizacion.conectividad import Conectividad
from agente.sincronizacion.descarga import Descarga, Detenido, ResumenDescarga
from agente.sincronizacion.diario import EnvioDiario, ResumenDiario
from agente.sincronizacion.empuje import Empuje, ResumenEmpuje
from agente.sincronizacion.errores import comprobar_identidad
from agente.sincronizacion.verificacion import Informe, Verificacion, ultimo_informe
from agente.soporte import registro
from agente.soporte.configuracion import Configuracion
from protocolo.esquema import Esquema

_log = logging.getLogger(__name__)

SONDEO_COLA_S = 0.25
"""Cada cuánto se mira ``PRAGMA data_version`` de la cola (encolados de otros procesos)."""
SONDEO_TOKEN_S = 5.0
DESDE_AJUSTE = "verificacion_desde"
"""Ajuste de la cola: desde cuándo cuenta el intervalo si nunca se verificó."""
RETRY_AFTER_MAXIMO_S = 3600.0


def espera_retry_after(segundos: float) -> float:
    """La espera que pide la central (``Retry-After``), hasta una hora, más un 0–20 % al azar
    para que las cajas de una cadena no vuelvan todas en el mismo segundo."""
    return min(max(0.0, segundos), RETRY_AFTER_MAXIMO_S) * (1 + 0.2 * random.random())


def espera_de_arranque(maximo: float, de_entorno: str | None = None) -> float:
    """Segundos al azar (de 0 a ``maximo``, o a ``de_entorno`` si es un número) antes del
    primer pase del bucle: ``Configuracion.arranque_escalonado``."""
    if de_entorno:
        try:
            maximo = float(de_entorno)
        except ValueError:
            _log.warning("SINCRO_ARRANQUE_ESCALONADO no es un número: %r", de_entorno)
    maximo = min(max(0.0, maximo), 3600.0)
    return random.uniform(0, maximo) if maximo > 0 else 0.0


@dataclass
class ResumenPase:
    empuje: ResumenEmpuje = field(default_factory=ResumenEmpuje)
    descarga: ResumenDescarga | None = None
    desfase_ms: int | None = None
    verificacion: dict[str, Any] | None = None
    diario: ResumenDiario | None = None
    segundos: float = 0.0

    def a_dict(self) -> dict[str, Any]:
        return asdict(self)


class Sincronizador:
    """Sincronización de una terminal (ver docstring del módulo)."""

    def __init__(
        self,
        directorio: str,
        cola: Cola,
        cache: Any,
        config: Configuracion,
        conectividad: Conectividad,
        *,
        token: str | None = None,
        al_progreso: Callable[[str], None] | None = None,
    ) -> None:
        self.directorio = directorio
        self.cola = cola
        self.cache = cache
        self.config = config
        self.conectividad = conectividad
        self.conflictos = Conflictos(cola)
        self._al_progreso = al_progreso
        self._token = token if token is not None else self._leer_token()
        self.cliente = self._nuevo_cliente()
        self._despertar = threading.Event()
        self._cerrojo_pase = threading.Lock()
        self._esquema: Esquema | None = None
        # El token es de esta terminal (visto en /v1/esquema con este cliente): hasta entonces
        # no se envía nada.
        self._identidad_comprobada = False
        self._lector: sqlite3.Connection | None = None

    # -- piezas ------------------------------------------------------------------------------

    def _leer_token(self) -> str | None:
        try:
            return credenciales.leer_token(self.directorio, self.config.terminal)
        except (credenciales.SinToken, credenciales.SinLlavero) as exc:
            _log.warning("Sin token: %s", exc)
            return None

    def _nuevo_cliente(self) -> Cliente:
        return Cliente(
            self.config.servidor,
            self._token,
            timeout=self.config.timeout,
            conexiones=self.config.concurrencia + 2,
        )

    def _progreso(self, texto: str) -> None:
        if self._al_progreso is not None:
            try:
                self._al_progreso(texto)
            except Exception:
                _log.exception("El aviso de progreso falló")

    def esquema(self) -> Esquema | None:
        if self._esquema is None:
            self._esquema = self.cache.esquema()
        return self._esquema

    def _comprobar_identidad(self) -> None:
        """``IdentidadAjena`` si el token es de otra tienda o terminal que la configurada
        (una vez por sincronizador: un token nuevo crea otro)."""
        if not self._identidad_comprobada:
            _, cuerpo = self.cliente.esquema()
            comprobar_identidad(cuerpo, self.config.tienda, self.config.terminal)
            self._identidad_comprobada = True

    def despertar(self) -> None:
        """Pide un empuje pronto (antirrebote ``espera_empuje``). Seguro desde cualquier hilo."""
        self._despertar.set()

    def cerrar(self) -> None:
        self.cliente.cerrar()
        if self._lector is not None:
            self._lector.close()
            self._lector = None

    # -- un pase -----------------------------------------------------------------------------

    def empujar(self, detener: threading.Event | None = None) -> ResumenEmpuje:
        """Sólo empuje (lo que usa el bucle cuando despiertan por un encolado)."""
        with self._cerrojo_pase:
            if self.esquema() is None:
                return ResumenEmpuje()
            self.conectividad.sincronizando()
            try:
                self._comprobar_identidad()
                resumen = self._empuje().empujar(detener)
                self._enviar_diario(detener)
            except ErrorSincro as exc:
                self.conectividad.fallo(exc)
                raise
            self.conectividad.empuje_ok()
            self._marcar_al_dia()
            return resumen

    def _empuje(self) -> Empuje:
        return Empuje(
            self.cola,
            self.conflictos,
            self.cliente,
            self.esquema,
            concurrencia=self.config.concurrencia,
            tamano_lote=self.config.tamano_lote,
        )

    def _enviar_diario(self, detener: threading.Event | None) -> ResumenDiario:
        """Los registros del diario que la central aún no tiene (tras las operaciones)."""
        return EnvioDiario(self.cola, self.cliente).enviar(detener)

    def pase(self, detener: threading.Event | None = None) -> ResumenPase:
        """Un pase completo (empuje + descarga). Lanza ``ErrorSincro`` o ``Detenido``."""
        with self._cerrojo_pase:
            inicio = time.monotonic()
            resumen = ResumenPase()
            self.conectividad.sincronizando()
            try:
                salud = self.cliente.salud()
                resumen.desfase_ms = salud.desfase_ms
                self.cola.guardar_desfase_ms(salud.desfase_ms)
                self.conectividad.desfase(salud.desfase_ms)
                descarga = self._descarga()
                self._progreso("Actualizando el esquema…")
                self._esquema = descarga.actualizar_esquema(
                    self.config.tienda, self.config.terminal
                )
                self._identidad_comprobada = True
                self._progreso("Enviando operaciones…")
                resumen.empuje = self._empuje().empujar(detener)
                self.conectividad.empuje_ok()
                self._progreso("Descargando cambios…")
                resumen.descarga = descarga.descargar(self._esquema, detener=detener)
                self.conectividad.descarga_ok(resumen.descarga.lista_para_vender_offline)
                if resumen.descarga.fusiones_tempranas:
                    resumen.empuje.sumar(self._empuje().empujar(detener))
                if resumen.descarga.resincronizados or self._toca_verificar():
                    resumen.verificacion = self._verificar_sin_tumbar(detener)
                self._progreso("Enviando el diario de ventas…")
                resumen.diario = self._enviar_diario(detener)
                pedidas = self._informar()
                if pedidas:
                    self._progreso("Atendiendo lo que pide la central…")
                    resumen.descarga.resincronizados += acciones_remotas.ejecutar(
                        pedidas, descarga, self._esquema, self.cliente, detener
                    )
            except ErrorSincro as exc:
                self.conectividad.fallo(exc)
                registro.registrar_evento(
                    "sincronizacion_fallida",
                    logging.WARNING,
                    error=type(exc).__name__,
                    mensaje=str(exc),
                )
                raise
            except Detenido:
                raise
            except Exception as exc:  # fallo local inesperado: visible, nunca silencioso
                self.conectividad.fallo(exc)
                _log.exception("El pase de sincronización falló")
                raise
            resumen.segundos = time.monotonic() - inicio
            self._marcar_al_dia()
            registro.registrar_evento(
                "pase",
                enviadas=resumen.empuje.enviadas,
                completadas=resumen.empuje.completadas,
                conflictos=resumen.empuje.conflictos,
                rechazadas=resumen.empuje.rechazadas,
                filas=resumen.descarga.filas if resumen.descarga else 0,
                segundos=round(resumen.segundos, 3),
            )
            return resumen

    def _toca_verificar(self) -> bool:
        """Si pasó ``intervalo_verificacion`` desde la última verificación (guardada en la cola:
        también cuenta la de otro proceso, p. ej. ``sincro sincronizar --una-vez`` cada poco).
        La primera cuenta desde el primer pase: una caché recién descargada entera no tiene
        nada que verificar, y así la primera sincronización no la paga."""
        informe = ultimo_informe(self.cola)
        referencia = (informe or {}).get("verificado_en") or self.cola.ajuste(DESDE_AJUSTE)
        ahora = dt.datetime.now(dt.UTC)
        if not referencia:
            self.cola.fijar_ajuste(DESDE_AJUSTE, ahora.isoformat(timespec="seconds"))
            return False
        try:
            ultima = dt.datetime.fromisoformat(referencia)
        except (TypeError, ValueError):
            return True
        transcurrido = (ahora - ultima).total_seconds()
        return not 0 <= transcurrido < self.config.intervalo_verificacion

    def _verificar_sin_tumbar(self, detener: threading.Event | None) -> dict[str, Any] | None:
        """La verificación del pase: si falla (red, caché), el pase sigue valiendo (empuje y
        descarga ya hechos) y se reintenta en el siguiente; salvo un 401."""
        self._progreso("Verificando la caché…")
        try:
            return self._verificar(detener).a_dict()
        except ErrorAutenticacion:
            raise
        except Exception as exc:
            _log.warning("La verificación de la caché falló; se reintentará: %s", exc)
            return None

    def _verificar(
        self, detener: threading.Event | None = None, modelos: list[str] | None = None
    ) -> Informe:
        informe = Verificacion(self.cache, self.cola, self.cliente).verificar(
            self._esquema or self.esquema(), modelos, detener
        )
        if informe.reparadas:
            registro.registrar_evento("cache_reparada", logging.WARNING, filas=informe.reparadas)
        return informe

    def _descarga(self) -> Descarga:
        return Descarga(
            self.cache,
            self.cola,
            self.conflictos,
            self.cliente,
            tamano_pagina=self.config.tamano_pagina,
        )

    def verificar(self, modelos: list[str] | None = None) -> Informe:
        """Descarga lo nuevo y verifica la caché contra la central (``sincro verificar``)."""
        with self._cerrojo_pase:
            descarga = self._descarga()
            self._esquema = descarga.actualizar_esquema()
            descarga.descargar(self._esquema)
            informe = self._verificar(None, modelos)
            self._informar()
            return informe

    def _marcar_al_dia(self) -> None:
        conteos = self.cola.contar_por_estado()
        if conteos.get(PENDIENTE):
            mensaje = f"{conteos[PENDIENTE]} operaciones esperando su turno."
        elif conteos.get(CONFLICTO) or conteos.get(ERROR):
            mensaje = (
                f"Al día, con {conteos.get(CONFLICTO, 0)} conflictos y "
                f"{conteos.get(ERROR, 0)} errores por revisar."
            )
        else:
            mensaje = "Todo sincronizado."
        self.conectividad.al_dia(mensaje)

    def _informar(self) -> list[acciones_remotas.AccionRemota]:
        """Informa del estado a la central; devuelve las acciones remotas que ésta pide."""
        conteos = self.cola.contar_por_estado()
        antiguedad = self.cola.antiguedad_pendiente_s()
        cursores = {}
        esquema = self.esquema()
        for nombre in esquema.modelos if esquema is not None else ():
            cursor = self.cache.cursor(nombre)
            if cursor:
                cursores[nombre] = cursor
        try:
            return self.cliente.informar_estado(
                {
                    "pendientes": conteos.get(PENDIENTE, 0),
                    "conflictos": conteos.get(CONFLICTO, 0),
                    "errores": conteos.get(ERROR, 0),
                    "antiguedad_pendiente_s": round(antiguedad) if antiguedad is not None else 0,
                    "cursores": cursores,
                    "version_agente": agente.__version__,
                    "desfase_ms": self.cola.desfase_ms(),
                    **_resumen_verificacion(self.cola),
                }
            )
        except ErrorAutenticacion:
            raise
        except ErrorSincro as exc:
            _log.info("No se pudo informar del estado a la central: %s", exc)
            return []

    # -- bucle -------------------------------------------------------------------------------

    def _version_cola(self) -> tuple[int, int]:
        """(``data_version``, pendientes) vistos desde una conexión de sólo lectura propia."""
        if self._lector is None:
            self._lector = sqlite3.connect(
                self.cola.ruta, check_same_thread=False, isolation_level=None
            )
        version = self._lector.execute("PRAGMA data_version").fetchone()[0]
        pendientes = self._lector.execute(
            "SELECT COUNT(*) FROM operaciones WHERE estado = ?", (PENDIENTE,)
        ).fetchone()[0]
        # Un registro del diario sin operaciones (un cierre) también hay que empujarlo.
        sin_confirmar = self._lector.execute(
            "SELECT (SELECT IFNULL(MAX(pos), 0) FROM diario)"
            " > (SELECT IFNULL(MAX(pos), 0) FROM diario_confirmado)"
        ).fetchone()[0]
        return version, pendientes + sin_confirmar

    def bucle(self, detener: threading.Event) -> None:
        """Sincroniza hasta ``detener.set()`` (ver docstring del módulo)."""
        espera_fallo = 1.0
        proxima_descarga = 0.0
        ultima_version: int | None = None
        if detener.wait(self._arranque_escalonado()):
            return
        while not detener.is_set():
            try:
                if time.monotonic() >= proxima_descarga:
                    self.pase(detener)
                    proxima_descarga = time.monotonic() + self.config.intervalo_descarga
                else:
                    self.empujar(detener)
                espera_fallo = 1.0
                espera = None
            except Detenido:
                break
            except ErrorAutenticacion:
                self._esperar_token(detener)
                proxima_descarga = 0.0
                continue
            except Exception as exc:  # ErrorSincro o un fallo local: reintentar con espera
                if not isinstance(exc, ErrorSincro):
                    _log.exception("Error inesperado en el bucle de sincronización")
                    exc = ErrorSincro(f"Error inesperado: {exc}")
                espera = min(self.config.backoff_maximo, espera_fallo)
                espera = espera * (0.5 + random.random())
                if exc.reintentar_en:
                    espera = max(espera, espera_retry_after(exc.reintentar_en))
                espera_fallo = min(self.config.backoff_maximo, espera_fallo * 2)
                proxima_descarga = 0.0
                self._progreso(f"{exc} Reintento en {espera:.0f} s.")
                if detener.wait(espera):
                    break
                continue
            # Con conexión: esperar a la próxima descarga o a algo que empujar.
            while not detener.is_set():
                restante = proxima_descarga - time.monotonic()
                if restante <= 0:
                    break
                if self._despertar.wait(min(SONDEO_COLA_S, restante)):
                    self._despertar.clear()
                    detener.wait(self.config.espera_empuje)
                    break
                try:
                    version, pendientes = self._version_cola()
                except sqlite3.Error:
                    continue
                if version != ultima_version:
                    ultima_version = version
                    if pendientes:
                        detener.wait(self.config.espera_empuje)
                        break

    def _arranque_escalonado(self) -> float:
        return espera_de_arranque(
            self.config.arranque_escalonado, os.environ.get("SINCRO_ARRANQUE_ESCALONADO")
        )

    def _esperar_token(self, detener: threading.Event) -> None:
        """401: parado hasta que el token del llavero cambie (o nos despierten)."""
        self._progreso(str(self.conectividad.instantanea().get("mensaje", "")))
        anterior = self._token
        while not detener.is_set():
            if self._despertar.wait(SONDEO_TOKEN_S):
                self._despertar.clear()
            token = self._leer_token()
            if token and token != anterior:
                self._token = token
                self.cliente.cerrar()
                self.cliente = self._nuevo_cliente()
                return


def _resumen_verificacion(cola: Cola) -> dict[str, Any]:
    """Lo que la salud de la terminal en la central guarda de la última verificación."""
    informe = ultimo_informe(cola)
    if not informe or not informe.get("verificado_en"):
        return {}
    return {"verificado_en": informe["verificado_en"], "reparadas": int(informe["reparadas"])}
