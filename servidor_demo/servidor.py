"""Servidor WSGI de producción para ``sincro-central iniciar``: gunicorn con trabajadores de
hilos (``gthread``). La aplicación se carga en el proceso maestro antes de bifurcar
(``preload_app``), así que el arranque es rápido. SIGTERM = parada ordenada.

Los errores que gunicorn responde por su cuenta (400, 414, 431…) salen en JSON como los demás
(``errores_http``).

Trabajadores (procesos): con SQLite, uno (un solo escritor; más procesos sólo esperarían su
cerrojo); con PostgreSQL, uno por núcleo, salvo que se pida otro número (``--trabajadores``).
Cada trabajador atiende ``--hilos`` peticiones a la vez.

Orden de producción equivalente, detrás de un balanceador con TLS (``-c`` pone los errores de
gunicorn en JSON)::

    DJANGO_SETTINGS_MODULE=mi_proyecto.settings gunicorn mi_proyecto.wsgi \
        --worker-class gthread --workers $(nproc) --threads 8 --preload --keep-alive 30 \
        -c python:servidor_demo.errores_http
"""

from __future__ import annotations

import os
import sys

from gunicorn.app.base import BaseApplication

from servidor_demo import errores_http


class _Aplicacion(BaseApplication):
    def __init__(self, opciones: dict):
        self.opciones = opciones
        super().__init__()

    def load_config(self) -> None:
        for clave, valor in self.opciones.items():
            self.cfg.set(clave, valor)

    def load(self):
        from servidor_demo.wsgi import application

        return application


def _al_escuchar(servidor) -> None:
    host, puerto = servidor.LISTENERS[0].sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    print(
        f"Central Sincro escuchando en http://{host}:{puerto}/sincro (admin en /admin/)", flush=True
    )
    print(f"URL=http://{host}:{puerto}/sincro", flush=True)


def trabajadores_por_defecto(motor: str, nucleos: int | None = None) -> int:
    """Procesos de gunicorn si no se pide otro número: 1 con SQLite; uno por núcleo si no."""
    if motor == "sqlite":
        return 1
    nucleos = nucleos or os.cpu_count() or 1
    return max(1, nucleos)


def servir(host: str, puerto: int, hilos: int = 8, trabajadores: int | None = None) -> int:
    from django.db import connection, connections

    if trabajadores is None:
        trabajadores = trabajadores_por_defecto(connection.vendor)

    from central import limite

    limite.fijar_hilos(hilos)  # peticiones caras a la vez por proceso (429 al pasarse)
    connections.close_all()  # nada de conexiones heredadas por los hijos
    errores_http.instalar()  # también los errores propios de gunicorn, en JSON
    opciones = {
        "bind": f"{host}:{puerto}",
        "workers": trabajadores,
        "worker_class": "gthread",
        "threads": hilos,
        "preload_app": True,
        "timeout": 120,
        "graceful_timeout": 10,
        "keepalive": 30,
        "when_ready": _al_escuchar,
        "loglevel": "warning",
        "accesslog": None,
        "proc_name": "sincro-central",
    }
    _Aplicacion(opciones).run()
    sys.stdout.flush()
    return 0
