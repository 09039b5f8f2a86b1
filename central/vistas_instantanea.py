"""Vista de ``GET /v1/instantanea?modelo=M``: la descarga completa de un modelo ya hecha y
comprimida (``central.instantanea``; docs/protocolo.md, docs/openapi.yaml).

El cuerpo es el de una página de ``/v1/cambios`` con ``completo: true`` y ``hay_mas: false``; se
sirve tal como está guardado, con ``Content-Encoding: gzip`` (descomprimido sólo para un cliente
que no acepte gzip). Cabeceras informativas: ``Sincro-Instantanea-Filas`` y
``Sincro-Instantanea-Construccion`` (cuántas veces se ha construido la de ese modelo y ámbito).
404 ``instantanea_no_disponible`` si es demasiado grande: la terminal descarga por páginas.
Servir una ya hecha no pasa por el límite de peticiones pesadas (``central.limite``: cuesta leer
un fichero); construirla sí (429 con ``Retry-After`` si está lleno). Sin estado propio;
cualquier hilo.
"""

from __future__ import annotations

import gzip

from django.http import HttpRequest, HttpResponse

from . import configuracion, instantanea, limite
from .autenticacion import error
from .models import Terminal
from .vistas import _fuera_de_servicio, vista


@vista("GET")
def instantanea_(request: HttpRequest, terminal: Terminal) -> HttpResponse:
    nombre = request.GET.get("modelo", "").strip()
    config = configuracion.obtener().modelos.get(nombre)
    if config is None:
        return error(400, "modelo_desconocido", f"Modelo desconocido: «{nombre[:100]}».")
    fuera = _fuera_de_servicio([config.nombre])
    if fuera is not None:
        return fuera
    try:
        hecha = instantanea.vigente(config, terminal.tienda.codigo)
    except instantanea.DemasiadoGrande:
        return _demasiado_grande(config)
    if hecha is None:
        return _construir(request, terminal, config)
    return _servir(request, hecha)


@limite.pesada
def _construir(request: HttpRequest, terminal: Terminal, config) -> HttpResponse:
    """Construirla es lo caro: pasa por el límite de peticiones pesadas (429 si está lleno)."""
    try:
        hecha = instantanea.construir(config, terminal.tienda.codigo)
    except instantanea.DemasiadoGrande:
        return _demasiado_grande(config)
    return _servir(request, hecha)


def _demasiado_grande(config) -> HttpResponse:
    return error(
        404,
        "instantanea_no_disponible",
        f"{config.nombre} es demasiado grande para una instantánea: descarga por páginas.",
    )


def _servir(request: HttpRequest, hecha: instantanea.Instantanea) -> HttpResponse:
    respuesta = HttpResponse(content_type="application/json")
    respuesta["Vary"] = "Accept-Encoding"
    if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", ""):
        respuesta["Content-Encoding"] = "gzip"
        respuesta.content = hecha.gzip
    else:
        respuesta.content = gzip.decompress(hecha.gzip)
    respuesta["Sincro-Instantanea-Filas"] = str(hecha.filas)
    respuesta["Sincro-Instantanea-Construccion"] = str(hecha.construccion)
    return respuesta
