"""Errores que gunicorn responde por su cuenta (petición mal formada, URL o cabeceras demasiado
largas…) en JSON, como todos los demás errores del protocolo, en vez de su página HTML.

Gunicorn los escribe antes de llegar a Django, con ``gunicorn.util.write_error``, su único punto
de salida para estos errores; ``instalar()`` lo sustituye por ``escribir_error_json`` en el
proceso maestro antes de bifurcar (los trabajadores lo heredan). El mensaje no repite nada de
la petición. ``sincro-central iniciar`` lo instala; con gunicorn a mano, este módulo sirve de
configuración: ``gunicorn … -c python:servidor_demo.errores_http`` (su gancho ``on_starting``).
"""

from __future__ import annotations

import json
from typing import Any

from gunicorn import util

CODIGOS = {
    400: ("peticion_invalida", "Petición HTTP mal formada."),
    403: ("prohibido", "Petición rechazada."),
    414: ("uri_demasiado_larga", "La URL de la petición es demasiado larga."),
    417: ("expectativa_fallida", "Cabecera «Expect» no admitida."),
    431: ("cabeceras_demasiado_grandes", "Las cabeceras de la petición son demasiado grandes."),
    501: ("no_implementado", "Codificación de la petición no admitida."),
}


def cuerpo_error(estado: int) -> bytes:
    codigo, mensaje = CODIGOS.get(estado, ("error_interno", "Error interno de la central."))
    return json.dumps({"error": codigo, "mensaje": mensaje}, ensure_ascii=False).encode()


def escribir_error_json(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """Misma firma que ``gunicorn.util.write_error``; ``mesg`` (que puede repetir la petición)
    sólo va al registro de gunicorn, no a la respuesta."""
    cuerpo = cuerpo_error(int(status_int))
    cabecera = (
        f"HTTP/1.1 {int(status_int)} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(cuerpo)}\r\n\r\n"
    )
    util.write_nonblock(sock, cabecera.encode("latin-1") + cuerpo)


def instalar() -> None:
    util.write_error = escribir_error_json


def on_starting(servidor: Any) -> None:
    """Gancho de gunicorn (``-c python:servidor_demo.errores_http``)."""
    instalar()
