"""Estado de conexión con la central: una máquina de estados pequeña y observable.

Estados (texto para personas, igual en ``sincro estado`` y en la bandeja):

- ``al día``: el último pase terminó bien y no queda nada por enviar;
- ``sincronizando``: hay un pase en curso;
- ``sin conexión``: la central no responde (red, tiempo agotado, respuesta cortada);
- ``error de autenticación``: 401, el token está caducado o revocado; la sincronización se
  detiene (todo sigue en la cola) hasta que se configure un token nuevo;
- ``error del servidor``: la central responde con errores o fuera del protocolo.

Además: última subida y última bajada correctas, último error y desfase de reloj con la
central (medido con ``/v1/salud``). Cada cambio se guarda con ``guardar(clave, valor)`` (los
ajustes duraderos de la cola) para que otro proceso (``sincro estado``) lo lea, y se notifica a
los oyentes (callables planos; el puente de la UI los convierte en señales Qt).

Hilos: todos los métodos son seguros desde cualquier hilo (un cerrojo). Los oyentes se llaman
FUERA del cerrojo, en el hilo que provocó el cambio; no deben bloquear.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from agente.sincronizacion.errores import (
    ErrorAutenticacion,
    ErrorServidor,
    ErrorSincro,
    SinConexion,
)

AL_DIA = "al día"
SINCRONIZANDO = "sincronizando"
SIN_CONEXION = "sin conexión"
ERROR_AUTENTICACION = "error de autenticación"
ERROR_SERVIDOR = "error del servidor"
SIN_CONFIGURAR = "sin configurar"
ESTADOS = (AL_DIA, SINCRONIZANDO, SIN_CONEXION, ERROR_AUTENTICACION, ERROR_SERVIDOR, SIN_CONFIGURAR)

CLAVE_AJUSTE = "conectividad"

_log = logging.getLogger(__name__)

Oyente = Callable[[dict[str, Any]], None]


def estado_de_error(error: BaseException) -> str:
    """El estado que corresponde a una excepción de sincronización."""
    if isinstance(error, ErrorAutenticacion):
        return ERROR_AUTENTICACION
    if isinstance(error, SinConexion):
        return SIN_CONEXION
    if isinstance(error, ErrorServidor | ErrorSincro):
        return ERROR_SERVIDOR
    return ERROR_SERVIDOR


def _ahora() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Conectividad:
    """Estado de conexión de una terminal (ver el docstring del módulo)."""

    def __init__(
        self,
        guardar: Callable[[str, str], None] | None = None,
        inicial: dict[str, Any] | None = None,
    ) -> None:
        self._cerrojo = threading.Lock()
        self._guardar = guardar
        self._oyentes: list[Oyente] = []
        self._datos: dict[str, Any] = {
            "estado": SIN_CONFIGURAR,
            "mensaje": "",
            "ultimo_empuje_ok": None,
            "ultima_descarga_ok": None,
            "ultimo_error": None,
            "ultimo_error_en": None,
            "desfase_ms": None,
            "lista_para_vender_offline": False,
        }
        if inicial:
            self._datos.update({k: v for k, v in inicial.items() if k in self._datos})

    @staticmethod
    def desde_json(texto: str | None) -> dict[str, Any]:
        if not texto:
            return {}
        try:
            datos = json.loads(texto)
        except ValueError:
            return {}
        return datos if isinstance(datos, dict) else {}

    def oyente(self, funcion: Oyente) -> Callable[[], None]:
        """Registra ``funcion(estado_dict)``; devuelve una función para quitarla."""
        with self._cerrojo:
            self._oyentes.append(funcion)

        def quitar() -> None:
            with self._cerrojo:
                if funcion in self._oyentes:
                    self._oyentes.remove(funcion)

        return quitar

    def instantanea(self) -> dict[str, Any]:
        with self._cerrojo:
            return dict(self._datos)

    @property
    def estado(self) -> str:
        with self._cerrojo:
            return self._datos["estado"]

    def _cambiar(self, **cambios: Any) -> None:
        with self._cerrojo:
            antes = dict(self._datos)
            self._datos.update(cambios)
            despues = dict(self._datos)
            oyentes = list(self._oyentes)
        if antes == despues:
            return
        if self._guardar is not None:
            try:
                self._guardar(CLAVE_AJUSTE, json.dumps(despues, ensure_ascii=False))
            except Exception:  # el estado visible no debe tumbar la sincronización
                _log.exception("No se pudo guardar el estado de conexión")
        for funcion in oyentes:
            try:
                funcion(despues)
            except Exception:
                _log.exception("Un oyente del estado de conexión falló")

    # -- transiciones ------------------------------------------------------------------------

    def sincronizando(self) -> None:
        # Un error de autenticación no se borra por empezar otro pase: sólo un éxito lo quita.
        if self.estado != ERROR_AUTENTICACION:
            self._cambiar(estado=SINCRONIZANDO, mensaje="Sincronizando con la central…")

    def empuje_ok(self) -> None:
        self._cambiar(ultimo_empuje_ok=_ahora())

    def descarga_ok(self, lista_para_vender_offline: bool) -> None:
        self._cambiar(
            ultima_descarga_ok=_ahora(), lista_para_vender_offline=lista_para_vender_offline
        )

    def desfase(self, desfase_ms: int) -> None:
        self._cambiar(desfase_ms=int(desfase_ms))

    def al_dia(self, mensaje: str = "Todo sincronizado.") -> None:
        self._cambiar(estado=AL_DIA, mensaje=mensaje)

    def sin_configurar(self, mensaje: str) -> None:
        self._cambiar(estado=SIN_CONFIGURAR, mensaje=mensaje)

    def fallo(self, error: BaseException) -> str:
        """Anota el error y pasa al estado que le corresponde; devuelve ese estado."""
        estado = estado_de_error(error)
        mensaje = str(error) or type(error).__name__
        self._cambiar(
            estado=estado, mensaje=mensaje, ultimo_error=mensaje, ultimo_error_en=_ahora()
        )
        return estado


def vista_desde_otro_proceso(
    conexion: dict[str, Any], persistido: dict[str, Any], configurado: bool
) -> dict[str, Any]:
    """El estado de conexión que debe ver un proceso que NO sincroniza (la bandeja: el bucle
    corre en un proceso hijo): ``conexion`` es lo que sabe este proceso, ``persistido`` lo que
    el que sincroniza guardó en los ajustes de la cola (``CLAVE_AJUSTE``). Devuelve uno nuevo.

    - Si el bucle corre en este proceso, manda lo suyo.
    - «Sin configurar» sólo vale si la configuración falta AHORA (``configurado`` falso).
    - Configurada pero sin nada persistido aún (primer arranque tras configurar), o con un
      «sin configurar» persistido de antes de configurar: «sincronizando» (va a conectar).
    - Si no, lo persistido se superpone a lo local."""
    resultado = dict(conexion)
    if resultado.get("bucle_en_marcha"):
        return resultado
    if resultado.get("estado") == SIN_CONFIGURAR and not configurado:
        return resultado
    persistido = dict(persistido)
    if resultado.get("estado") == SIN_CONFIGURAR and persistido.get("estado") in (
        None,
        SIN_CONFIGURAR,
    ):
        persistido.update(estado=SINCRONIZANDO, mensaje="")
    if persistido:
        resultado.update(persistido)
        resultado["sincronizando"] = persistido.get("estado") == SINCRONIZANDO
    return resultado
