"""Vistas HTTP de las acciones remotas: confirmar una acción (``POST /v1/acciones/<id>/hecha``)
y canjear un código de enrolamiento por un token (``POST /v1/enrolar``, sin token). Ver
``central.acciones``, docs/protocolo.md y docs/openapi.yaml. Sin estado propio."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from . import acciones, envoltura
from .autenticacion import error
from .models import Terminal
from .vistas import _json, _leer_json, _volcar, vista


@vista("POST")
def accion_hecha(request: HttpRequest, terminal: Terminal, ident: int) -> HttpResponse:
    try:
        cuerpo = _leer_json(request, 16 * 1024)
    except envoltura.ErrorPeticion as exc:
        return error(exc.estado, exc.codigo, exc.mensaje)
    if not isinstance(cuerpo, dict) or not isinstance(cuerpo.get("resultado"), str):
        return error(400, "peticion_invalida", 'Se espera {"resultado": "hecha"|"fallida"}.')
    detalle = cuerpo.get("detalle", "")
    if not isinstance(detalle, str):
        return error(400, "peticion_invalida", "«detalle» debe ser texto.")
    try:
        suya = acciones.confirmar(terminal, ident, cuerpo["resultado"], detalle)
    except acciones.ErrorAccion as exc:
        return error(400, "peticion_invalida", str(exc))
    if not suya:
        return error(404, "no_encontrado", f"La acción {ident} no existe para esta terminal.")
    return HttpResponse(status=204)


@vista("POST", con_token=False)
def enrolar(request: HttpRequest) -> HttpResponse:
    try:
        cuerpo = _leer_json(request, 16 * 1024)
    except envoltura.ErrorPeticion as exc:
        return error(exc.estado, exc.codigo, exc.mensaje)
    codigo = cuerpo.get("codigo") if isinstance(cuerpo, dict) else None
    if not isinstance(codigo, str) or len(codigo) > 64:
        return error(400, "peticion_invalida", 'Se espera {"codigo": "XXXX-XXXX-XXXX"}.')
    canje = acciones.canjear(codigo)
    if canje is None:
        return error(
            403,
            "codigo_invalido",
            "El código de enrolamiento no existe, ya se usó o caducó: pida otro a informática.",
        )
    terminal, token = canje
    respuesta = _json(
        _volcar({"token": token, "tienda": terminal.tienda.codigo, "terminal": terminal.codigo}),
        request,
    )
    respuesta["Cache-Control"] = "no-store"
    return respuesta
