"""Límites de una petición HTTP entera: plazo total y tamaño máximo del cuerpo.

Los tiempos de espera de ``requests`` son por operación de red (conectar, cada lectura): una
central que manda un byte cada dos segundos nunca los agota. Aquí:

- ``Vigilante``: un temporizador por petición que, al vencer el plazo, corta el socket de la
  conexión que esa petición está usando (la lectura bloqueada falla enseguida). Cada
  conexión se apunta en el vigilante del hilo al empezar una petición
  (``ConexionVigilada``/``ConexionVigiladaTLS`` en los pools del adaptador, ``instalar``).
- ``leer_cuerpo``: lee el cuerpo en trozos ya descomprimidos (gzip incluido: urllib3 ≥ 2.6
  nunca descomprime más de lo pedido) y corta en cuanto pasa de ``maximo`` bytes, sin tener
  nunca más de ``maximo`` + un trozo en memoria.

Hilos: cada petición vigila sólo su propia conexión (variable local del hilo); ``Vigilante``
es un ``threading.Timer`` que sólo hace ``shutdown`` de un socket.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

import requests
import requests.adapters
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

TROZO = 64 * 1024
_actual = threading.local()


class PlazoAgotado(Exception):
    """La petición entera superó su plazo (cuerpo o cabeceras demasiado lentos)."""


class CuerpoDemasiadoGrande(Exception):
    """El cuerpo (ya descomprimido) supera el máximo admitido."""


class _Apuntar:
    """Apunta la conexión en el hilo que la usa, al empezar cada petición."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        vigilante = getattr(_actual, "vigilante", None)
        if vigilante is not None:
            vigilante.conexion = self
            if vigilante.vencido:  # venció durante una espera entre reintentos
                self.close()
                raise PlazoAgotado()
        return super().request(*args, **kwargs)  # type: ignore[misc]


class ConexionVigilada(_Apuntar, HTTPConnection):
    pass


class ConexionVigiladaTLS(_Apuntar, HTTPSConnection):
    pass


class _PoolVigilado(HTTPConnectionPool):
    ConnectionCls = ConexionVigilada


class _PoolVigiladoTLS(HTTPSConnectionPool):
    ConnectionCls = ConexionVigiladaTLS


def instalar(adaptador: requests.adapters.HTTPAdapter) -> None:
    """Hace que las conexiones directas del adaptador se apunten (las que pasan por un proxy
    del sistema sólo tienen el plazo comprobado entre trozos del cuerpo)."""
    adaptador.poolmanager.pool_classes_by_scheme = {
        "http": _PoolVigilado,
        "https": _PoolVigiladoTLS,
    }


class Vigilante:
    """``with Vigilante(segundos):`` corta la conexión que use este hilo si el bloque no
    termina a tiempo; ``vencido`` dice si el plazo llegó a vencer."""

    def __init__(self, segundos: float) -> None:
        self.limite = time.monotonic() + segundos
        self.vencido = False
        self.conexion: Any = None
        self._temporizador = threading.Timer(max(0.0, segundos), self._cortar)
        self._temporizador.daemon = True

    def restante(self) -> float:
        return self.limite - time.monotonic()

    def _cortar(self) -> None:
        self.vencido = True
        sock = getattr(self.conexion, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> Vigilante:
        _actual.vigilante = self
        self._temporizador.start()
        return self

    def __exit__(self, *excepcion: object) -> None:
        self._temporizador.cancel()
        _actual.vigilante = None


def leer_cuerpo(respuesta: requests.Response, maximo: int, vigilante: Vigilante) -> bytes:
    """El cuerpo entero (descomprimido) de una respuesta pedida con ``stream=True``. Lanza
    ``CuerpoDemasiadoGrande`` o ``PlazoAgotado`` (y cierra la respuesta) si no cabe a tiempo."""
    partes: list[bytes] = []
    total = 0
    try:
        for trozo in respuesta.raw.stream(TROZO, decode_content=True):
            total += len(trozo)
            if total > maximo:
                raise CuerpoDemasiadoGrande()
            partes.append(trozo)
            if vigilante.restante() <= 0:
                raise PlazoAgotado()
    except BaseException:
        respuesta.close()
        raise
    return b"".join(partes)
