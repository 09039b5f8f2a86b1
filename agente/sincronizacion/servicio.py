"""``ServicioSincronizacion``: lo que la fachada ``Agente`` expone de la sincronización.

Reúne configuración (``config.json`` + token del llavero), estado de conexión (persistido en
los ajustes de la cola para que otro proceso lo lea con ``sincro estado``), el
``Sincronizador`` (un pase o el bucle en un hilo propio) y las operaciones bloqueadas. La
fachada delega aquí con métodos de una línea: ``configurar``, ``sincronizar_una_vez``,
``iniciar_sincronizacion``/``detener_sincronizacion``, ``despertar``, ``al_cambiar_estado`` y
la parte de ``estado()`` de la sincronización. Los conflictos y los errores (lo que decide el
encargado) no pasan por aquí: la fachada los gestiona con ``agente.almacen.conflictos``.

Hilos: todos los métodos son seguros desde cualquier hilo. ``iniciar`` arranca UN hilo de
fondo (``sincro-bucle``) que hace la red; ``detener`` lo para y espera. Los oyentes de
``al_cambiar_estado`` se llaman desde ese hilo (o el que sincronice): no deben bloquear.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agente.almacen.cola import Cola
from agente.almacen.conflictos import Conflictos
from agente.almacen.diario import TIENDA
from agente.sincronizacion import credenciales
from agente.sincronizacion.conectividad import (
    CLAVE_AJUSTE,
    Conectividad,
    vista_desde_otro_proceso,
)
from agente.sincronizacion.verificacion import ultimo_informe
from agente.soporte import configuracion
from protocolo.esquema import Esquema

if TYPE_CHECKING:  # el sincronizador (requests, urllib3…) se importa al usarlo por primera vez:
    # un proceso que sólo lee el estado (la bandeja) no paga su memoria.
    from agente.sincronizacion.sincronizador import ResumenPase, Sincronizador

_log = logging.getLogger(__name__)


class ServicioSincronizacion:
    def __init__(self, directorio: str | os.PathLike[str], cola: Cola, cache: Any) -> None:
        self.directorio = str(Path(directorio))
        self.cola = cola
        self.cache = cache
        self.conflictos_ = Conflictos(cola)
        self.conectividad = Conectividad(
            guardar=cola.fijar_ajuste,
            inicial=Conectividad.desde_json(cola.ajuste(CLAVE_AJUSTE)),
        )
        self._cerrojo = threading.RLock()
        self._sincronizador: Sincronizador | None = None
        self._hilo: threading.Thread | None = None
        self._detener = threading.Event()
        self._al_progreso: Callable[[str], None] | None = None

    # -- configuración -----------------------------------------------------------------------

    def configuracion(self) -> configuracion.Configuracion | None:
        return configuracion.cargar(self.directorio)

    def _sobre_la_guardada(
        self,
        servidor: str,
        tienda: str | None,
        terminal: str | None,
        permitir_http: bool,
        opciones: dict[str, Any],
    ) -> configuracion.Configuracion:
        """La configuración guardada con servidor, tienda, terminal y ``permitir_http``
        sustituidos y las ``opciones`` que no son ``None`` encima; validada, sin guardar."""
        anterior = self.configuracion()
        base = anterior.a_dict() if anterior is not None else {}
        base.update({k: v for k, v in opciones.items() if v is not None})
        base.update(
            servidor=servidor, tienda=tienda, terminal=terminal, permitir_http=permitir_http
        )
        return configuracion.desde_dict(base)

    def configurar(
        self,
        servidor: str,
        tienda: str,
        terminal: str,
        token: str | None,
        *,
        permitir_http: bool = False,
        **opciones: Any,
    ) -> configuracion.Configuracion:
        """Valida y guarda la configuración; el token (si se da) va SÓLO al llavero. Lanza
        ``ErrorConfiguracion``, ``credenciales.SinLlavero`` o ``ValueError`` (token vacío)."""
        nueva = self._sobre_la_guardada(servidor, tienda, terminal, permitir_http, opciones)
        if token is not None:
            _comprobar_token(nueva, token)
            credenciales.guardar_token(self.directorio, nueva.terminal, token)
        else:
            credenciales.leer_token(self.directorio, nueva.terminal)  # SinToken si no hay
        configuracion.guardar(self.directorio, nueva)
        self.cola.guardar_terminal(nueva.terminal)
        self.cola.fijar_ajuste(TIENDA, nueva.tienda)  # la lleva cada registro del diario
        self._estrenar_configuracion()
        return nueva

    def enrolar(
        self,
        codigo: str,
        servidor: str | None = None,
        tienda: str | None = None,
        terminal: str | None = None,
        *,
        permitir_http: bool = False,
        **opciones: Any,
    ) -> configuracion.Configuracion:
        """Canjea un código de enrolamiento por un token nuevo, que va SÓLO al llavero, y lo
        estrena (desde ese momento la central ya no acepta el anterior). Sin ``servidor`` usa la
        configuración guardada; con ``servidor``, ``tienda`` y ``terminal`` configura la
        terminal a la vez (``sincro configurar --codigo``). Lanza ``ErrorConfiguracion``,
        ``credenciales.SinLlavero`` o ``ErrorSincro`` (código no válido, sin conexión)."""
        from agente.sincronizacion.cliente import Cliente
        from agente.sincronizacion.errores import ErrorSincro

        if servidor is None:
            config = configuracion.exigir(self.directorio)
        else:
            config = self._sobre_la_guardada(servidor, tienda, terminal, permitir_http, opciones)
        credenciales._backend_usable()  # sin llavero, nada que canjear
        cliente = Cliente(config.servidor, None, timeout=10.0, reintentos=1)
        try:
            datos = cliente.enrolar(codigo.strip())
        finally:
            cliente.cerrar()
        if (datos["tienda"], datos["terminal"]) != (config.tienda, config.terminal):
            raise configuracion.ErrorConfiguracion(
                f"Ese código es de {datos['tienda']}/{datos['terminal']}, no de "
                f"{config.tienda}/{config.terminal}: no se ha guardado nada; pida otro código."
            )
        credenciales.guardar_token(self.directorio, config.terminal, datos["token"])
        if servidor is not None:
            configuracion.guardar(self.directorio, config)
            self.cola.guardar_terminal(config.terminal)
        cliente = Cliente(config.servidor, datos["token"], timeout=10.0, reintentos=1)
        try:
            cliente.esquema()  # estrenarlo: el token anterior deja de valer
        except ErrorSincro as exc:
            _log.info("El token nuevo se estrenará en la próxima sincronización: %s", exc)
        finally:
            cliente.cerrar()
        self._estrenar_configuracion()
        return config

    def _estrenar_configuracion(self) -> None:
        """Tras guardar configuración o token: sin bucle en marcha se cierra el sincronizador
        (el próximo uso lo rehace con lo guardado) y se despierta el que quede."""
        with self._cerrojo:
            if self._sincronizador is not None and self._hilo is None:
                self._sincronizador.cerrar()
                self._sincronizador = None
        self.despertar()

    def _obtener_sincronizador(self) -> Sincronizador:
        with self._cerrojo:
            if self._sincronizador is None:
                config = configuracion.exigir(self.directorio)
                from agente.sincronizacion.sincronizador import Sincronizador

                self._sincronizador = Sincronizador(
                    self.directorio,
                    self.cola,
                    self.cache,
                    config,
                    self.conectividad,
                    al_progreso=self._progreso,
                )
            return self._sincronizador

    def _progreso(self, texto: str) -> None:
        if self._al_progreso is not None:
            self._al_progreso(texto)

    # -- sincronizar -------------------------------------------------------------------------

    def sincronizar_una_vez(self, al_progreso: Callable[[str], None] | None = None) -> ResumenPase:
        """Un pase de empuje + descarga. Lanza ``ErrorSincro`` o ``ErrorConfiguracion``."""
        self._al_progreso = al_progreso or self._al_progreso
        return self._obtener_sincronizador().pase()

    def verificar(self, modelos: list[str] | None = None) -> Any:
        """Descarga lo nuevo y verifica la caché contra la central, reparando lo que difiera
        (red: nunca desde el hilo de la GUI). Devuelve el ``Informe``."""
        return self._obtener_sincronizador().verificar(modelos)

    def iniciar(self, al_progreso: Callable[[str], None] | None = None) -> None:
        """Arranca el bucle en un hilo de fondo (idempotente)."""
        with self._cerrojo:
            if self._hilo is not None and self._hilo.is_alive():
                return
            self._al_progreso = al_progreso or self._al_progreso
            sincronizador = self._obtener_sincronizador()
            self._detener = threading.Event()
            self._hilo = threading.Thread(
                target=self._bucle, args=(sincronizador,), name="sincro-bucle", daemon=True
            )
            self._hilo.start()

    def _bucle(self, sincronizador: Sincronizador) -> None:
        try:
            sincronizador.bucle(self._detener)
        except Exception:
            _log.exception("El bucle de sincronización terminó con un error inesperado")
            raise

    def ejecutar_bucle(
        self, detener: threading.Event, al_progreso: Callable[[str], None] | None = None
    ) -> None:
        """El bucle en el hilo que llama (la CLI), hasta ``detener.set()``."""
        self._al_progreso = al_progreso or self._al_progreso
        self._obtener_sincronizador().bucle(detener)

    def detener(self, espera: float = 30.0) -> None:
        with self._cerrojo:
            hilo = self._hilo
            self._detener.set()
        if hilo is not None:
            hilo.join(espera)
        with self._cerrojo:
            self._hilo = None

    def en_marcha(self) -> bool:
        return self._hilo is not None and self._hilo.is_alive()

    def despertar(self) -> None:
        if self._sincronizador is not None:
            self._sincronizador.despertar()

    def al_cambiar_estado(self, funcion: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        return self.conectividad.oyente(funcion)

    def cerrar(self) -> None:
        self.detener()
        with self._cerrojo:
            if self._sincronizador is not None:
                self._sincronizador.cerrar()
                self._sincronizador = None

    # -- conflictos y errores ----------------------------------------------------------------

    def _esquema(self) -> Esquema:
        esquema = self.cache.esquema()
        if esquema is None:
            raise configuracion.ErrorConfiguracion(
                "Aún no hay esquema local: sincronice una vez con la central."
            )
        return esquema

    # -- estado ------------------------------------------------------------------------------

    def bloqueadas(self, limite: int = 50) -> list[dict[str, Any]]:
        """Operaciones PENDIENTE que esperan detrás de un ERROR/CONFLICTO (del mismo objeto, de
        un objeto al que hacen referencia o de un modelo del que dependen sin referencia
        declarada), y por qué: la caja y el encargado deben saber qué retiene cada venta."""
        return self.conflictos_.bloqueadas(limite)

    def conexion_vigente(self, conexion: dict[str, Any], configurado: bool) -> dict[str, Any]:
        """``conexion`` (la de ``parte_estado``) con lo que persistió el proceso que sincroniza,
        releído ahora de la cola (``conectividad.vista_desde_otro_proceso``)."""
        persistido = Conectividad.desde_json(self.cola.ajuste(CLAVE_AJUSTE))
        return vista_desde_otro_proceso(conexion, persistido, configurado)

    def parte_estado(self) -> dict[str, Any]:
        """Lo que este servicio añade a ``Agente.estado()`` (la fachada ya da cola y modelos)."""
        completo = self.estado()
        return {
            k: completo[k]
            for k in (
                "conexion",
                "configuracion",
                "ultimo_empuje_ok",
                "ultima_descarga_ok",
                "antiguedad_pendiente_s",
                "conflictos",
                "bloqueadas",
                "verificacion",
            )
        }

    def estado(self) -> dict[str, Any]:
        """Estado de sincronización como dict plano (JSON): conexión, configuración, cola,
        conflictos, desfase, frescura por modelo y "lista para vender offline"."""
        config = self.configuracion()
        conexion = self.conectividad.instantanea()
        if config is None:
            conexion["estado"] = "sin configurar"
            conexion["mensaje"] = (
                "Ejecute «sincro configurar --servidor URL --tienda CODIGO --terminal NOMBRE»."
            )
        conexion["sincronizando"] = conexion.get("estado") == "sincronizando"
        conexion["bucle_en_marcha"] = self.en_marcha()
        por_estado = self.cola.contar_por_estado()
        modelos: dict[str, Any] = {}
        esquema = self.cache.esquema()
        if esquema is not None:
            for config_modelo in esquema.en_orden_de_descarga():
                try:
                    datos = dict(self.cache.estado_modelo(config_modelo.nombre))
                except Exception as exc:  # la caché es desechable: no oculta la cola
                    datos = {"error": str(exc)}
                datos["critico"] = config_modelo.critico
                datos["actualizado_en"] = datos.get("ultima_pagina")
                modelos[config_modelo.nombre] = datos
        try:
            lista = self.cache.lista_para_vender_offline(esquema)
        except Exception:  # la caché es desechable: un fallo suyo no oculta la cola
            lista = False
        return {
            "conexion": conexion,
            "configuracion": None
            if config is None
            else {
                "servidor": config.servidor,
                "tienda": config.tienda,
                "terminal": config.terminal,
                "concurrencia": config.concurrencia,
                "intervalo_descarga": config.intervalo_descarga,
            },
            "ultimo_empuje_ok": conexion.get("ultimo_empuje_ok"),
            "ultima_descarga_ok": conexion.get("ultima_descarga_ok"),
            "cola": {
                "por_estado": por_estado,
                "antiguedad_pendiente_s": self.cola.antiguedad_pendiente_s(),
            },
            "antiguedad_pendiente_s": self.cola.antiguedad_pendiente_s(),
            "conflictos": {"abiertos": self.conflictos_.contar_abiertos()},
            "bloqueadas": self.bloqueadas(),
            "desfase_ms": self.cola.desfase_ms(),
            "verificacion": ultimo_informe(self.cola),
            "modelos": modelos,
            "lista_para_vender_offline": lista,
        }


def _comprobar_token(config: configuracion.Configuracion, token: str) -> None:
    """Si la central responde, que el token sea de la tienda y terminal configuradas
    (``ErrorConfiguracion`` si no). Sin conexión no se puede saber: se guarda, y cada
    sincronización lo vuelve a comprobar antes de enviar nada."""
    from agente.sincronizacion.cliente import Cliente
    from agente.sincronizacion.errores import ErrorSincro, IdentidadAjena, comprobar_identidad

    cliente = Cliente(config.servidor, token, timeout=10.0, reintentos=0)
    try:
        _, cuerpo = cliente.esquema()
        comprobar_identidad(cuerpo, config.tienda, config.terminal)
    except IdentidadAjena as exc:
        tienda, terminal = exc.del_token
        raise configuracion.ErrorConfiguracion(
            f"Ese token es de {tienda}/{terminal}, no de {config.tienda}/{config.terminal}: no "
            "se ha guardado nada; use el token de esta terminal o corrija --tienda/--terminal."
        ) from None
    except ErrorSincro as exc:
        _log.info("No se pudo comprobar el token contra la central: %s", exc)
    finally:
        cliente.cerrar()
