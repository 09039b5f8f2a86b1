"""Límite de peticiones caras a la vez por proceso: una cola corta y, si no basta, ``429`` con
``Retry-After``; siempre queda un hilo para las baratas.

Las rutas caras (``GET /v1/cambios``, ``POST /v1/operaciones``) pasan por ``@pesada``. Como mucho
``maximo()`` de ellas se ejecutan a la vez en un proceso; la siguiente espera una plaza hasta
``SINCRO_ESPERA_PESADA_S`` segundos (1 por defecto, entre 0 y 30) si hay sitio en la cola del
proceso (``esperando_maximo()`` hilos esperando); si no lo hay, o si el plazo pasa sin plaza,
responde ``429`` ``central_saturada`` con ``Retry-After`` (``SINCRO_RETRY_AFTER_S``, 1 s por
defecto), sin tocar la base de datos. Un ciclo de caja cuesta milisegundos: una punta pasajera
se absorbe esperando en vez de devolver a la caja un error que le costaría un segundo entero.
La terminal que recibe el 429 espera lo que se le pide (con un poco de azar) y reintenta; nada
se pierde porque nada se aplicó.

Las peticiones baratas (salud, esquema, estado) nunca se limitan, y nunca esperan a una cara:
ejecutándose y esperando hay a lo sumo hilos − 1 caras, así que un hilo del proceso queda libre
para ellas (el servidor reparte las peticiones a sus hilos por orden de llegada).

Por defecto (``SINCRO_PETICIONES_PESADAS`` sin definir) ``maximo`` es la mitad de los hilos de
cada proceso (``fijar_hilos``, que llama el servidor al arrancar; 8 si nadie lo llamó): con
más peticiones caras a la vez que núcleos, PostgreSQL gasta la CPU en esperas entre ellas (ver
``docs/rendimiento.md``). ``0`` desactiva el límite.

Hilos: un ``BoundedSemaphore`` y un contador de hilos esperando por proceso, creados la primera
vez que hacen falta; la plaza se toma con plazo (``acquire(timeout=…)``) y se suelta siempre en
un ``finally``.
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
_esperando = 0
_configurado = False
_hilos = HILOS_POR_DEFECTO


def fijar_hilos(hilos: int) -> None:
    """Los hilos de cada proceso del servidor (para el máximo por defecto)."""
    global _hilos, _configurado, _semaforo, _esperando
    with _cerrojo:
        _hilos = max(1, int(hilos))
        _esperando = 0
        _configurado = False
        _semaforo = None


def maximo() -> int:
    from django.conf import settings

    valor = getattr(settings, "SINCRO_PETICIONES_PESADAS", None)
    if valor is None:
        return max(1, _hilos // 2)
    return max(0, int(valor))


def esperando_maximo() -> int:
    """Hilos que pueden esperar plaza a la vez: los que dejan las caras en curso, menos uno
    para las baratas."""
    return max(0, _hilos - maximo() - 1)


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

    return min(30.0, max(0.0, float(getattr(settings, "SINCRO_ESPERA_PESADA_S", 1.0))))


def _saturada() -> HttpResponse:
    from django.conf import settings

    respuesta = error(
        429, "central_saturada", "La central atiende demasiadas peticiones; reintenta en breve."
    )
    respuesta["Retry-After"] = str(int(getattr(settings, "SINCRO_RETRY_AFTER_S", 1)))
    return respuesta


def _tomar(semaforo: threading.BoundedSemaphore) -> bool:
    """Una plaza: al momento si la hay; si no, esperándola si cabe en la cola del proceso."""
    global _esperando
    if semaforo.acquire(False):
        return True
    plazo = espera()
    with _cerrojo:
        if plazo <= 0 or _esperando >= esperando_maximo():
            return False
        _esperando += 1
    try:
        return semaforo.acquire(timeout=plazo)
    finally:
        with _cerrojo:
            _esperando -= 1


def pesada(funcion: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decora una vista cara (ver el docstring del módulo)."""

    @functools.wraps(funcion)
    def envoltura(*args: Any, **kwargs: Any) -> HttpResponse:
        semaforo = _obtener()
        if semaforo is None:
            return funcion(*args, **kwargs)
        if not _tomar(semaforo):
            request = args[0]
            quien = args[1] if len(args) > 1 else "?"
            registro.info("429 en %s para %s: límite de peticiones caras", request.path, quien)
            return _saturada()
        try:
            return funcion(*args, **kwargs)
        finally:
            semaforo.release()

    return envoltura
