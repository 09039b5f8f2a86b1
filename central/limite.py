"""Límite de peticiones caras a la vez por proceso: una cola corta y, si no basta, ``429`` con
``Retry-After``.

Las rutas caras (``GET /v1/cambios``, ``POST /v1/operaciones``) pasan por ``@pesada``: si ya hay
``maximo`` de ellas en curso en este proceso, la petición espera una plaza hasta
``SINCRO_ESPERA_PESADA_S`` segundos (1 por defecto; ``0``: no espera). Un ciclo de caja cuesta
milisegundos, así que una punta pasajera se absorbe esperando en vez de devolver a la caja un
error que le costaría un segundo entero; sólo si en ese plazo no se libera ninguna plaza (la
central está de verdad saturada) responde ``429`` ``central_saturada`` con ``Retry-After``
(``SINCRO_RETRY_AFTER_S``, 1 s por defecto), sin tocar la base de datos. La terminal espera lo
que se le pide (con un poco de azar) y reintenta; nada se pierde porque nada se aplicó. Las
peticiones baratas (salud, esquema, estado) nunca se limitan: así una central saturada sigue
respondiendo a quien sólo pregunta.

``maximo`` sale de ``settings.SINCRO_PETICIONES_PESADAS``; si no está, de los hilos de cada
proceso (``fijar_hilos``, que llama el servidor al arrancar; 8 si nadie lo llamó) menos uno, para
que siempre quede un hilo para las baratas. ``0`` desactiva el límite.

Hilos: un ``BoundedSemaphore`` por proceso, creado la primera vez que hace falta; se toma con
plazo (``acquire(timeout=…)``) y se suelta siempre en un ``finally``. Mientras un hilo espera su
plaza no atiende otra cosa: con ``maximo`` = hilos − 1 hay a lo sumo uno esperando.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse

from .autenticacion import error

HILOS_POR_DEFECTO = 8

registro = logging.getLogger("central.limite")

_cerrojo = threading.Lock()
_semaforo: threading.BoundedSemaphore | None = None
_configurado = False
_hilos = HILOS_POR_DEFECTO


def fijar_hilos(hilos: int) -> None:
    """Los hilos de cada proceso del servidor (para el máximo por defecto)."""
    global _hilos, _configurado, _semaforo
    with _cerrojo:
        _hilos = max(1, int(hilos))
        _configurado = False
        _semaforo = None


def maximo() -> int:
    from django.conf import settings

    valor = getattr(settings, "SINCRO_PETICIONES_PESADAS", None)
    if valor is None:
        return max(1, _hilos - 1)
    return max(0, int(valor))


def _obtener() -> threading.BoundedSemaphore | None:
    global _semaforo, _configurado
    if not _configurado:
        with _cerrojo:
            if not _configurado:
                n = maximo()
                _semaforo = threading.BoundedSemaphore(n) if n > 0 else None
                _configurado = True
    return _semaforo


def espera() -> float:
    """Segundos que una petición cara espera una plaza antes del 429."""
    from django.conf import settings

    return max(0.0, float(getattr(settings, "SINCRO_ESPERA_PESADA_S", 1.0)))


def _saturada() -> HttpResponse:
    from django.conf import settings

    respuesta = error(
        429, "central_saturada", "La central atiende demasiadas peticiones; reintenta en breve."
    )
    respuesta["Retry-After"] = str(int(getattr(settings, "SINCRO_RETRY_AFTER_S", 1)))
    return respuesta


def pesada(funcion: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decora una vista cara (ver el docstring del módulo)."""

    @functools.wraps(funcion)
    def envoltura(*args: Any, **kwargs: Any) -> HttpResponse:
        semaforo = _obtener()
        if semaforo is None:
            return funcion(*args, **kwargs)
        plazo = espera()
        libre = semaforo.acquire(timeout=plazo) if plazo > 0 else semaforo.acquire(False)
        if not libre:
            request = args[0]
            quien = args[1] if len(args) > 1 else "?"
            registro.info("429 en %s para %s: límite de peticiones caras", request.path, quien)
            return _saturada()
        try:
            return funcion(*args, **kwargs)
        finally:
            semaforo.release()

    return envoltura
