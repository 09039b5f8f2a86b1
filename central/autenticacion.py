"""Tokens de terminal (``Authorization: Token <token>``) y respuestas de error JSON.

La central sólo guarda ``sha256(token)``. ``autenticar`` es de sólo lectura salvo el último
contacto, que se escribe como mucho una vez cada ``INTERVALO_CONTACTO`` por terminal y proceso
(la memoria de cuándo se escribió está protegida por un cerrojo: es segura entre hilos).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from .models import SaludTerminal, Terminal, Tienda

INTERVALO_CONTACTO = 30.0
_contactos: dict[int, float] = {}
_cerrojo = threading.Lock()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def nuevo_token() -> str:
    return secrets.token_urlsafe(32)


def error(estado: int, codigo: str, mensaje: str, **extra: Any) -> JsonResponse:
    """Respuesta de error del protocolo: ``{"error": codigo, "mensaje": texto, ...}``."""
    respuesta = JsonResponse(
        {"error": codigo, "mensaje": mensaje, **extra},
        status=estado,
        json_dumps_params={"ensure_ascii": False},
    )
    if estado == 401:
        respuesta["WWW-Authenticate"] = 'Token realm="sincro"'
    return respuesta


def crear_terminal(codigo_tienda: str, codigo_terminal: str) -> tuple[Terminal, str]:
    """Crea la tienda si falta y la terminal (o le da un token nuevo si ya existe, invalidando el
    anterior). Devuelve la terminal y el token en claro, que no se guarda en ningún sitio."""
    token = nuevo_token()
    with transaction.atomic():
        tienda, _ = Tienda.objects.get_or_create(
            codigo=codigo_tienda, defaults={"nombre": codigo_tienda}
        )
        terminal, creada = Terminal.objects.get_or_create(
            tienda=tienda, codigo=codigo_terminal, defaults={"token_hash": hash_token(token)}
        )
        if not creada:
            terminal.token_hash = hash_token(token)
            terminal.revocada = False
            terminal.token_nuevo_hash = None
            terminal.save(update_fields=["token_hash", "revocada", "token_nuevo_hash"])
        SaludTerminal.objects.get_or_create(terminal=terminal)
    return terminal, token


def autenticar(request: HttpRequest) -> Terminal | JsonResponse:
    """La terminal del token, o la respuesta 401/403 que hay que devolver."""
    cabecera = request.META.get("HTTP_AUTHORIZATION", "")
    partes = cabecera.split()
    if len(partes) != 2 or partes[0].lower() != "token" or len(partes[1]) > 200:
        return error(401, "no_autenticado", "Falta la cabecera «Authorization: Token …».")
    huella = hash_token(partes[1])
    terminal = buscar(huella)
    if terminal is not None and terminal.token_nuevo_hash == huella:
        terminal = _estrenar(terminal, huella)
    if terminal is None:
        return error(401, "no_autenticado", "Token desconocido o revocado.")
    if terminal.revocada:
        return error(
            401,
            "token_revocado",
            "La central ha revocado el token de esta terminal: pida a informática un código de "
            "enrolamiento y ejecute «sincro enrolar CÓDIGO».",
        )
    if not terminal.tienda.activa:
        return error(403, "prohibido", f"La tienda {terminal.tienda.codigo} está desactivada.")
    _anotar_contacto(terminal)
    return terminal


_CAMPOS_TERMINAL = ("id", "tienda_id", "codigo", "token_hash", "token_nuevo_hash", "revocada")
_CAMPOS_TIENDA = ("id", "codigo", "activa")


def _sql_buscar() -> str:
    q = connection.ops.quote_name
    columnas = [f"t.{q(c)}" for c in _CAMPOS_TERMINAL] + [f"s.{q(c)}" for c in _CAMPOS_TIENDA]
    return (
        f"SELECT {', '.join(columnas)} FROM {q(Terminal._meta.db_table)} t "  # noqa: S608
        f"JOIN {q(Tienda._meta.db_table)} s ON s.id = t.tienda_id "
        "WHERE t.token_hash = %s OR t.token_nuevo_hash = %s"
    )


def buscar(huella: str) -> Terminal | None:
    """La terminal (con su tienda) cuyo token actual o nuevo tiene esta huella: una sentencia
    SQL escrita a mano y dos instancias armadas con ``from_db`` (sin compilar una consulta del
    ORM en cada petición). Los campos que no se leen quedan diferidos."""
    with connection.cursor() as cur:
        cur.execute(_sql_buscar(), [huella, huella])
        filas = cur.fetchall()
    if not filas:
        return None
    # Si una huella fuera a la vez el token de una terminal y el nuevo de otra, gana el actual.
    fila = next((f for f in filas if f[3] == huella), filas[0])
    n = len(_CAMPOS_TERMINAL)
    terminal = Terminal.from_db(connection.alias, _CAMPOS_TERMINAL, fila[:n])
    terminal.tienda = Tienda.from_db(connection.alias, _CAMPOS_TIENDA, fila[n:])
    return terminal


def _estrenar(terminal: Terminal, huella: str) -> Terminal | None:
    """Primer uso del token obtenido con un código de enrolamiento (``central.acciones``): pasa
    a ser el token de la terminal, el anterior deja de valer y la terminal deja de estar
    revocada. Condicional: si otro hilo lo estrenó a la vez, sólo uno escribe."""
    Terminal.objects.filter(pk=terminal.pk, token_nuevo_hash=huella).update(
        token_hash=huella, token_nuevo_hash=None, revocada=False
    )
    terminal.refresh_from_db(fields=["token_hash", "token_nuevo_hash", "revocada"])
    return terminal if terminal.token_hash == huella else None


def _anotar_contacto(terminal: Terminal) -> None:
    ahora = time.monotonic()
    with _cerrojo:
        ultimo = _contactos.get(terminal.pk)
        if ultimo is not None and ahora - ultimo < INTERVALO_CONTACTO:
            return
        _contactos[terminal.pk] = ahora
    actualizadas = SaludTerminal.objects.filter(terminal=terminal).update(
        ultimo_contacto=timezone.now()
    )
    if not actualizadas:
        SaludTerminal.objects.get_or_create(
            terminal=terminal, defaults={"ultimo_contacto": timezone.now()}
        )
