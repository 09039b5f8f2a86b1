"""Acciones remotas sobre una terminal: resincronizar, revocar el token y rotarlo con un código de
enrolamiento.

- **Resincronizar** (``pedir_resincronizacion``): una ``AccionTerminal`` que se entrega en la
  respuesta de ``POST /v1/estado`` (``para_entregar``; se repite hasta que se confirma) y que
  la terminal confirma con ``POST /v1/acciones/<id>/hecha`` (``confirmar``).
- **Revocar** (``revocar``): inmediato; la central responde 401 ``token_revocado`` a ese token
  desde la siguiente petición. No hay nada que entregar.
- **Rotar** (``generar_codigo`` y ``canjear``): el admin genera un código corto, de un solo uso
  y que caduca (``SINCRO_CODIGO_MINUTOS``, 30 por defecto); sólo se guarda su hash. La terminal
  lo canjea (``POST /v1/enrolar``) por un token nuevo que la central guarda como
  ``Terminal.token_nuevo_hash``: el token anterior sigue valiendo hasta que el nuevo se usa por
  primera vez (``central.autenticacion``), y entonces deja de valer. Así un canje cuya
  respuesta se pierde no deja la caja sin token. El token nunca se muestra en el admin.

Cada función es una transacción corta; el canje bloquea la fila del código
(``select_for_update``), así que dos canjes del mismo código no pueden ganar los dos.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import configuracion
from .autenticacion import hash_token, nuevo_token
from .models import AccionTerminal, CodigoEnrolamiento, Terminal

ALFABETO_CODIGO = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Sin 0/O ni 1/I: se dicta por teléfono."""
LARGO_CODIGO = 12
MINUTOS_CODIGO = 30
ENTREGA_MAXIMA = 20
RESULTADOS = ("hecha", "fallida")


class ErrorAccion(ValueError):
    """Petición de acción imposible (modelo desconocido…). El mensaje es para personas."""


# -- resincronizar -------------------------------------------------------------------------


def pedir_resincronizacion(terminal: Terminal, modelo: str = "", por: str = "") -> AccionTerminal:
    """Pide a la terminal que tire la caché de ``modelo`` (vacío: todos) y la descargue de nuevo."""
    modelo = (modelo or "").strip()
    if modelo and modelo not in configuracion.obtener().modelos:
        raise ErrorAccion(f"La central no sincroniza el modelo «{modelo}».")
    return AccionTerminal.objects.create(
        terminal=terminal, tipo=AccionTerminal.RESINCRONIZAR, modelo=modelo, pedida_por=por
    )


def para_entregar(terminal: Terminal) -> list[dict[str, Any]]:
    """Las acciones sin confirmar de la terminal, como van en la respuesta de ``/v1/estado``;
    anota ``entregada_en`` la primera vez que se entregan. Se llama en cada informe de estado:
    una sentencia SQL escrita a mano (sin compilar una consulta del ORM) y otra sólo si hay
    alguna que se entrega por primera vez."""
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT id, tipo, modelo, entregada_en FROM {q(AccionTerminal._meta.db_table)} "  # noqa: S608
            "WHERE terminal_id = %s AND hecha_en IS NULL ORDER BY id LIMIT %s",
            [terminal.pk, ENTREGA_MAXIMA],
        )
        pendientes = cur.fetchall()
    nuevas = [f[0] for f in pendientes if f[3] is None]
    if nuevas:
        AccionTerminal.objects.filter(pk__in=nuevas, entregada_en=None).update(
            entregada_en=timezone.now()
        )
    return [{"id": f[0], "tipo": f[1], "modelo": f[2]} for f in pendientes]


def confirmar(terminal: Terminal, ident: int, resultado: str, detalle: str = "") -> bool:
    """Anota que la terminal hizo (o no pudo hacer) la acción. ``False`` si no es suya.
    Idempotente: una segunda confirmación no cambia la primera."""
    if resultado not in RESULTADOS:
        raise ErrorAccion(f"«resultado» debe ser uno de: {', '.join(RESULTADOS)}.")
    accion = AccionTerminal.objects.filter(pk=ident, terminal=terminal).first()
    if accion is None:
        return False
    ahora = timezone.now()
    AccionTerminal.objects.filter(pk=ident, hecha_en=None).update(
        hecha_en=ahora,
        entregada_en=accion.entregada_en or ahora,
        resultado=resultado,
        detalle=(detalle or "")[:300],
    )
    return True


# -- revocar -------------------------------------------------------------------------------


def revocar(terminales: Any) -> int:
    """Revoca el token (y el nuevo aún sin usar) de un queryset de terminales. Inmediato."""
    return terminales.update(revocada=True, token_nuevo_hash=None)


# -- rotar con código de enrolamiento ------------------------------------------------------


def _normalizar(codigo: str) -> str:
    return "".join(c for c in (codigo or "").upper() if c.isalnum())


def _hash_codigo(codigo: str) -> str:
    return hashlib.sha256(_normalizar(codigo).encode()).hexdigest()


def generar_codigo(terminal: Terminal, por: str = "") -> tuple[str, dt.datetime]:
    """Un código nuevo para la terminal (anula los anteriores sin usar). Devuelve el código,
    para mostrarlo una vez, y cuándo caduca."""
    codigo = "".join(secrets.choice(ALFABETO_CODIGO) for _ in range(LARGO_CODIGO))
    legible = "-".join(codigo[i : i + 4] for i in range(0, LARGO_CODIGO, 4))
    ahora = timezone.now()
    minutos = float(getattr(settings, "SINCRO_CODIGO_MINUTOS", MINUTOS_CODIGO))
    caduca = ahora + dt.timedelta(minutes=minutos)
    with transaction.atomic():
        CodigoEnrolamiento.objects.filter(
            terminal=terminal, usado_en=None, caduca_en__gt=ahora
        ).update(caduca_en=ahora)
        CodigoEnrolamiento.objects.create(
            terminal=terminal, codigo_hash=_hash_codigo(codigo), caduca_en=caduca, creado_por=por
        )
    return legible, caduca


def canjear(codigo: str) -> tuple[Terminal, str] | None:
    """El token nuevo (en claro, sólo para la respuesta) a cambio de un código válido, o
    ``None`` si no existe, caducó o ya se usó."""
    if len(_normalizar(codigo)) != LARGO_CODIGO:
        return None
    ahora = timezone.now()
    with transaction.atomic():
        fila = (
            CodigoEnrolamiento.objects.select_for_update()
            .select_related("terminal__tienda")
            .filter(codigo_hash=_hash_codigo(codigo))
            .first()
        )
        if fila is None or fila.usado_en is not None or fila.caduca_en <= ahora:
            return None
        token = nuevo_token()
        fila.usado_en = ahora
        fila.save(update_fields=["usado_en"])
        Terminal.objects.filter(pk=fila.terminal_id).update(token_nuevo_hash=hash_token(token))
    return fila.terminal, token
