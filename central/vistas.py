"""Vistas HTTP del protocolo v1 (docs/protocolo.md, docs/openapi.yaml).

Todas responden JSON, también los errores (401/403/404/405/413/500), nunca HTML. Sin estado
compartido entre hilos salvo la configuración (inmutable).
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import json
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from protocolo import verificacion as protocolo_verificacion

from . import (
    acciones,
    avisos,
    captura,
    configuracion,
    descarga,
    dialecto,
    diario,
    envoltura,
    informe,
    limite,
    operaciones,
    verificacion,
)
from .autenticacion import autenticar, error
from .models import Terminal

registro = logging.getLogger("central")
GZIP_MINIMO = 2048


def _ahora() -> str:
    return timezone.now().isoformat()


def vista(*metodos: str, con_token: bool = True) -> Callable:
    """Método permitido, autenticación por token y errores inesperados como JSON 500."""

    def decorador(funcion: Callable) -> Callable:
        # Sin ATOMIC_REQUESTS aunque el proyecto lo active: cada vista gestiona sus transacciones
        # (un lote = una transacción; las lecturas, sin transacción, no toman el cerrojo de
        # escritura de SQLite).
        @transaction.non_atomic_requests
        @csrf_exempt
        @functools.wraps(funcion)
        def envoltura(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in metodos:
                respuesta = error(
                    405, "metodo_no_permitido", f"Usa {' o '.join(metodos)} en esta ruta."
                )
                respuesta["Allow"] = ", ".join(metodos)
                return respuesta
            avisos.arrancar()
            try:
                if con_token:
                    terminal = autenticar(request)
                    if isinstance(terminal, HttpResponse):
                        return terminal
                    return funcion(request, terminal, *args, **kwargs)
                return funcion(request, *args, **kwargs)
            except Exception:
                registro.exception("Error inesperado en %s", request.path)
                return error(500, "error_interno", "Error interno de la central.")

        return envoltura

    return decorador


def _json(cuerpo: bytes, request: HttpRequest, estado: int = 200) -> HttpResponse:
    """Respuesta JSON ya serializada; gzip (nivel 1: rápido) si el cliente lo acepta y es grande."""
    respuesta = HttpResponse(content_type="application/json", status=estado)
    if len(cuerpo) >= GZIP_MINIMO and "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", ""):
        cuerpo = gzip.compress(cuerpo, compresslevel=1, mtime=0)
        respuesta["Content-Encoding"] = "gzip"
    respuesta["Vary"] = "Accept-Encoding"
    respuesta.content = cuerpo
    return respuesta


def _volcar(datos: Any) -> bytes:
    return json.dumps(datos, ensure_ascii=False, separators=(",", ":")).encode()


@vista("GET", con_token=False)
def salud(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        {
            "estado": "ok",
            "version_protocolo": configuracion.VERSION_PROTOCOLO,
            "hora_servidor": _ahora(),
        }
    )


@vista("GET")
def esquema(request: HttpRequest, terminal: Terminal) -> HttpResponse:
    conf = configuracion.obtener()
    cuerpo = {
        "version_protocolo": configuracion.VERSION_PROTOCOLO,
        "hora_servidor": _ahora(),
        "tienda": terminal.tienda.codigo,
        "terminal": terminal.codigo,
        "instantaneas": True,  # GET /v1/instantanea para la primera descarga (central.instantanea)
        "modelos": {c.nombre: c.a_dict() for c in conf.en_orden},
    }
    return _json(_volcar(cuerpo), request)


@vista("GET")
@limite.pesada
def cambios(request: HttpRequest, terminal: Terminal) -> HttpResponse:
    conf = configuracion.obtener()
    nombres = [n for n in request.GET.get("modelos", "").split(",") if n.strip()]
    desconocidos = [n for n in nombres if n.strip() not in conf.modelos]
    if desconocidos:
        return error(400, "modelo_desconocido", f"Modelo desconocido: «{desconocidos[0][:100]}».")
    pedidos = {n.strip() for n in nombres}
    modelos = [c for c in conf.en_orden if not pedidos or c.nombre in pedidos]
    fuera = _fuera_de_servicio(m.nombre for m in modelos)
    if fuera is not None:
        return fuera
    texto_limite = request.GET.get("limite", str(descarga.LIMITE_DEFECTO))
    if not texto_limite.isdigit() or not 1 <= int(texto_limite) <= descarga.LIMITE_MAXIMO:
        return error(
            400,
            "peticion_invalida",
            f"«limite» debe ser un entero entre 1 y {descarga.LIMITE_MAXIMO}.",
        )
    try:
        pagina = descarga.pagina(
            modelos, terminal.tienda.codigo, request.GET.get("cursor", ""), int(texto_limite)
        )
    except descarga.CursorInvalido:
        return error(400, "cursor_invalido", "Cursor no válido: resincroniza desde cero.")
    except descarga.CursorExpirado as exc:
        return error(
            410,
            "cursor_expirado",
            "El cursor es anterior al horizonte de retención: resincroniza desde cero.",
            horizonte=str(exc.horizonte),
        )
    cuerpo = "".join(
        [
            '{"cambios":[',
            ",".join(pagina.cuerpos),
            '],"cursor":',
            json.dumps(pagina.cursor),
            ',"hay_mas":',
            "true" if pagina.hay_mas else "false",
            ',"completo":',
            "true" if pagina.completo else "false",
            ',"hora_servidor":"',
            _ahora(),
            '"}',
        ]
    )
    return _json(cuerpo.encode(), request)


def _fuera_de_servicio(nombres) -> HttpResponse | None:
    """503 si alguno de estos modelos no tiene la captura completa en la base de datos (tabla o
    columnas que faltan, disparadores sin instalar): servirlo daría un registro incompleto."""
    problemas = captura.problemas()
    for nombre in nombres:
        if nombre in problemas:
            return error(
                503,
                "modelo_no_disponible",
                f"La central no puede servir {nombre}: {problemas[nombre]}.",
            )
    return None


CUBOS_POR_PETICION = 4096


def _modelo_y_cubos(request: HttpRequest) -> tuple[Any, int] | HttpResponse:
    conf = configuracion.obtener()
    nombre = request.GET.get("modelo", "").strip()
    config = conf.modelos.get(nombre)
    if config is None:
        return error(400, "modelo_desconocido", f"Modelo desconocido: «{nombre[:100]}».")
    texto = request.GET.get("cubos", "")
    if not texto.isdigit() or not 1 <= int(texto) <= protocolo_verificacion.CUBOS_MAXIMO:
        return error(
            400,
            "peticion_invalida",
            f"«cubos» debe ser un entero entre 1 y {protocolo_verificacion.CUBOS_MAXIMO}.",
        )
    fuera = _fuera_de_servicio([config.nombre])
    return fuera if fuera is not None else (config, int(texto))


@vista("GET")
def verificacion_(request: HttpRequest, terminal: Terminal) -> HttpResponse:
    elegido = _modelo_y_cubos(request)
    if isinstance(elegido, HttpResponse):
        return elegido
    config, cubos = elegido
    sumas = verificacion.sumas(config, terminal.tienda.codigo, cubos)
    cuerpo = {
        "modelo": config.nombre,
        "cubos": cubos,
        "filas": sum(n for n, _ in sumas.values()),
        "sumas": [[c, n, str(s)] for c, (n, s) in sorted(sumas.items())],
        "hora_servidor": _ahora(),
    }
    return _json(_volcar(cuerpo), request)


@vista("GET")
def verificacion_filas(request: HttpRequest, terminal: Terminal) -> HttpResponse:
    elegido = _modelo_y_cubos(request)
    if isinstance(elegido, HttpResponse):
        return elegido
    config, cubos = elegido
    partes = [p for p in request.GET.get("cubo", "").split(",") if p.strip()]
    if (
        not partes
        or len(partes) > CUBOS_POR_PETICION
        or not all(p.strip().isdigit() and int(p) < cubos for p in partes)
    ):
        return error(
            400,
            "peticion_invalida",
            f"«cubo»: de 1 a {CUBOS_POR_PETICION} números de cubo menores que «cubos».",
        )
    cuerpos = verificacion.filas(config, terminal.tienda.codigo, cubos, {int(p) for p in partes})
    cuerpo = "".join(['{"cambios":[', ",".join(cuerpos), '],"hora_servidor":"', _ahora(), '"}'])
    return _json(cuerpo.encode(), request)


DESCARTE_MAXIMO = 64 * 1024 * 1024


def _descartar(request: HttpRequest, longitud: int) -> None:
    """Lee y tira el cuerpo (hasta 64 MB) para que el cliente reciba el 413 en vez de un
    «connection reset» por cerrar la conexión a mitad de su envío."""
    if longitud > DESCARTE_MAXIMO:
        return
    while request.read(1024 * 1024):
        pass


def _leer_json(request: HttpRequest, limite: int) -> Any:
    try:
        longitud = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        longitud = 0
    if longitud > limite:
        _descartar(request, longitud)
        raise envoltura.ErrorPeticion(
            413,
            "peticion_demasiado_grande",
            f"Como mucho {limite // (1024 * 1024)} MB por petición.",
        )
    crudo = request.read(limite + 1)
    if len(crudo) > limite:
        _descartar(request, DESCARTE_MAXIMO)
        raise envoltura.ErrorPeticion(
            413,
            "peticion_demasiado_grande",
            f"Como mucho {limite // (1024 * 1024)} MB por petición.",
        )
    try:
        return json.loads(crudo)
    except (ValueError, UnicodeDecodeError):
        raise envoltura.ErrorPeticion(
            400, "json_invalido", "El cuerpo no es JSON válido."
        ) from None


def _ocupada(que: str, terminal: Terminal, exc: Exception) -> HttpResponse:
    """503 con Retry-After: la base chocó con otros escritores en todos los intentos."""
    registro.warning("%s de %s sin guardar, base ocupada: %s", que, terminal, exc)
    respuesta = error(503, "central_ocupada", "La central está ocupada; reintenta en breve.")
    respuesta["Retry-After"] = "2"
    return respuesta


@vista("POST")
@limite.pesada
def operaciones_(request: HttpRequest, terminal: Terminal) -> HttpResponse:
    conf = configuracion.obtener()
    try:
        cuerpo = _leer_json(request, envoltura.LIMITE_BYTES)
        ops = envoltura.validar_envoltura(cuerpo, conf)
    except envoltura.ErrorPeticion as exc:
        return error(exc.estado, exc.codigo, exc.mensaje)
    fuera = _fuera_de_servicio(op.config.nombre for op in ops)
    if fuera is not None:
        return fuera
    try:
        resultados = (
            operaciones.aplicar(
                terminal, lambda: envoltura.validar_envoltura(cuerpo, conf), primeras=ops
            )
            if ops
            else []
        )
    except dialecto.CentralOcupada as exc:
        return _ocupada("Lote", terminal, exc)
    return _json(_volcar({"resultados": resultados, "hora_servidor": _ahora()}), request)


@vista("POST")
def diario_(request: HttpRequest, terminal: Terminal) -> HttpResponse:
    """Registros del diario de ventas de la terminal del token (``central.diario``)."""
    try:
        cuerpo = _leer_json(request, envoltura.LIMITE_BYTES)
        registros = diario.validar_peticion(cuerpo, terminal)
    except (envoltura.ErrorPeticion, diario.ErrorDiarioPeticion) as exc:
        return error(exc.estado, exc.codigo, exc.mensaje)
    try:
        recibidos = diario.recibir(terminal, registros)
    except dialecto.CentralOcupada as exc:
        return _ocupada("Diario", terminal, exc)
    return _json(_volcar({"recibidos": recibidos, "hora_servidor": _ahora()}), request)


_CAMPOS_ESTADO = {
    "pendientes": int,
    "conflictos": int,
    "errores": int,
    "antiguedad_pendiente_s": int,
    "cursores": dict,
    "version_agente": str,
    "desfase_ms": int,
    "reparadas": int,
    "verificado_en": str,
}


@vista("POST")
def estado(request: HttpRequest, terminal: Terminal) -> HttpResponse:
    try:
        cuerpo = _leer_json(request, 256 * 1024)
    except envoltura.ErrorPeticion as exc:
        return error(exc.estado, exc.codigo, exc.mensaje)
    if not isinstance(cuerpo, dict):
        return error(400, "peticion_invalida", "Se espera un objeto JSON.")
    cambios_salud: dict[str, Any] = {}
    for campo, tipo in _CAMPOS_ESTADO.items():
        if campo in cuerpo and cuerpo[campo] is not None:
            valor = cuerpo[campo]
            if not isinstance(valor, tipo) or isinstance(valor, bool):
                return error(400, "peticion_invalida", f"«{campo}» tiene un tipo erróneo.")
            if tipo is int and not -(2**31) < valor < 2**31:
                return error(400, "peticion_invalida", f"«{campo}» fuera de rango.")
            if campo == "verificado_en":
                try:
                    valor = dt.datetime.fromisoformat(valor)
                except ValueError:
                    return error(400, "peticion_invalida", "«verificado_en»: fecha ISO 8601.")
                if valor.tzinfo is None:
                    return error(400, "peticion_invalida", "«verificado_en» necesita la zona.")
            elif tipo is str:
                valor = valor[:40]
            if tipo is dict and (
                len(valor) > 500
                or not all(
                    isinstance(k, str) and isinstance(v, str | int) for k, v in valor.items()
                )
            ):
                return error(400, "peticion_invalida", "«cursores»: modelo -> cursor.")
            cambios_salud[campo] = valor
    informe.guardar(terminal, cambios_salud, timezone.now())
    return _json(_volcar({"acciones": acciones.para_entregar(terminal)}), request)


@vista("GET", "POST", "PUT", "PATCH", "DELETE", con_token=False)
def no_encontrada(request: HttpRequest, resto: str = "") -> HttpResponse:
    return error(404, "no_encontrado", "Ruta desconocida del protocolo de sincronización.")
