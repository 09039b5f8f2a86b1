"""Valores que envían las terminales, del lado de la central (puro, sin E/S).

``normalizar`` y ``delta`` son el normalizador único de ``protocolo.valores`` con las reglas del
campo (las que la central deduce del campo Django más las declaradas, ver ``configuracion``):
devuelven la forma canónica JSON (la misma que sirve ``/v1/cambios``) o lanzan ``Rechazo`` con el
mismo texto que la terminal muestra al encolar. ``a_python`` convierte la forma canónica al valor
que se asigna al campo Django.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.utils.text import capfirst

from protocolo.errores import ErrorValor
from protocolo.valores import ENTERO_MAX, normalizar_delta

from .configuracion import ConfigModelo

__all__ = [
    "ENTERO_MAX",
    "UUID_CANONICO",
    "Rechazo",
    "a_python",
    "delta",
    "normalizar",
    "para_personas",
]

UUID_CANONICO = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class Rechazo(Exception):
    """Operación inválida o no permitida: resultado ``rechazada`` con este motivo."""

    def __init__(self, motivo: str):
        super().__init__(motivo)
        self.motivo = motivo


def para_personas(modelo: Any) -> str:
    """«Existencia», nunca «productos.Existencia»: cómo nombra un motivo de rechazo al modelo
    (su ``verbose_name`` con mayúscula), porque lo leen el encargado y la caja."""
    return capfirst(str(modelo._meta.verbose_name))


def normalizar(config: ConfigModelo, nombre: str, valor: Any) -> Any:
    """Forma canónica de un valor con las reglas del campo (``protocolo.valores``, el mismo
    normalizador que la terminal aplica al encolar), o ``Rechazo`` con el mismo mensaje."""
    try:
        return config.normalizar_valor(nombre, valor)
    except ErrorValor as exc:
        raise Rechazo(str(exc)) from None


def delta(config: ConfigModelo, nombre: str, valor: Any) -> int | Decimal:
    """Valida el delta de ``ajustar`` (tipo numérico y límites de delta del campo)."""
    try:
        normal = normalizar_delta(config.tipos[nombre], valor, nombre, config.reglas(nombre))
    except ErrorValor as exc:
        raise Rechazo(str(exc)) from None
    return normal if isinstance(normal, int) else Decimal(normal)


def a_python(config: ConfigModelo, nombre: str, canonico: Any) -> Any:
    """Valor canónico (ya normalizado) -> valor Python para asignar al campo."""
    if canonico is None:
        return None
    tipo = config.tipos[nombre]
    if tipo == "decimal":
        return Decimal(canonico)
    if tipo == "uuid":
        return canonico  # cadena canónica: el campo Django la acepta tal cual
    if tipo == "fecha_hora":
        return dt.datetime.fromisoformat(canonico)
    if tipo == "fecha":
        return dt.date.fromisoformat(canonico)
    return canonico
