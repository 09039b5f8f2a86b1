"""Validación de los valores que envían las terminales, por tipo del protocolo (puro, sin E/S).

``normalizar`` devuelve la forma canónica JSON (la misma que sirve ``/v1/cambios``: decimales
como cadena con los decimales del campo, UUID en minúsculas, fechas ISO 8601 con zona) o lanza
``Rechazo`` con un motivo legible. ``a_python`` convierte la forma canónica al valor que se asigna
al campo Django.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models

from .configuracion import ConfigModelo

ENTERO_MAX = 2**63 - 1
UUID_CANONICO = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class Rechazo(Exception):
    """Operación inválida o no permitida: resultado ``rechazada`` con este motivo."""

    def __init__(self, motivo: str):
        super().__init__(motivo)
        self.motivo = motivo


def _destino(campo: models.Field) -> models.Field:
    return campo.target_field if campo.is_relation else campo


def normalizar(config: ConfigModelo, nombre: str, valor: Any) -> Any:
    tipo = config.tipos[nombre]
    campo = _destino(config.campos[nombre])
    if valor is None:
        if nombre not in config.nulos:
            raise Rechazo(f"El campo «{nombre}» no admite nulos.")
        return None
    if tipo == "entero":
        if isinstance(valor, bool) or not isinstance(valor, int) or abs(valor) > ENTERO_MAX:
            raise Rechazo(f"El campo «{nombre}» no admite «{valor}»: espera un entero.")
        return valor
    if tipo == "decimal":
        return _decimal(nombre, valor, campo)
    if tipo == "texto":
        if not isinstance(valor, str):
            raise Rechazo(f"El campo «{nombre}» no admite «{valor}»: espera texto.")
        if campo.max_length is not None and len(valor) > campo.max_length:
            raise Rechazo(f"El campo «{nombre}» admite como mucho {campo.max_length} caracteres.")
        if "\x00" in valor:
            raise Rechazo(f"El campo «{nombre}» no admite el carácter nulo.")
        return valor
    if tipo == "booleano":
        if not isinstance(valor, bool):
            raise Rechazo(f"El campo «{nombre}» no admite «{valor}»: espera true o false.")
        return valor
    if tipo == "uuid":
        if isinstance(valor, str) and UUID_CANONICO.match(valor):
            return valor  # ya canónico: sin construir un UUID
        try:
            return str(uuid.UUID(valor)) if isinstance(valor, str) else _falla()
        except (ValueError, TypeError):
            raise Rechazo(f"El campo «{nombre}» no admite «{valor}»: espera un UUID.") from None
    if tipo == "fecha_hora":
        try:
            fecha = dt.datetime.fromisoformat(valor) if isinstance(valor, str) else _falla()
        except (ValueError, TypeError):
            raise Rechazo(f"El campo «{nombre}» no admite «{valor}»: espera fecha y hora ISO 8601."
                          ) from None
        if fecha.tzinfo is None:
            raise Rechazo(f"El campo «{nombre}» necesita la zona horaria (ISO 8601 con zona).")
        return fecha.isoformat()
    if tipo == "fecha":
        try:
            return dt.date.fromisoformat(valor).isoformat() if isinstance(valor, str) else _falla()
        except (ValueError, TypeError):
            raise Rechazo(f"El campo «{nombre}» no admite «{valor}»: espera una fecha ISO 8601."
                          ) from None
    return valor  # json


def _falla() -> Any:
    raise TypeError


def _decimal(nombre: str, valor: Any, campo: models.Field) -> str:
    if isinstance(valor, bool) or not isinstance(valor, str | int):
        raise Rechazo(f"El campo «{nombre}» no admite «{valor}»: espera un decimal como cadena.")
    try:
        d = Decimal(str(valor).strip())
    except InvalidOperation:
        raise Rechazo(f"El campo «{nombre}» no admite «{valor}».") from None
    if not d.is_finite():
        raise Rechazo(f"El campo «{nombre}» no admite «{valor}».")
    lugares = campo.decimal_places or 0
    q = d.quantize(Decimal(1).scaleb(-lugares))
    if q != d:
        raise Rechazo(f"El campo «{nombre}» admite como mucho {lugares} decimales.")
    if campo.max_digits is not None and len(q.as_tuple().digits) > campo.max_digits:
        raise Rechazo(f"El campo «{nombre}» admite como mucho {campo.max_digits} dígitos.")
    return format(q, "f")


def delta(config: ConfigModelo, nombre: str, valor: Any) -> int | Decimal:
    """Valida el delta de ``ajustar`` para un campo numérico."""
    tipo = config.tipos[nombre]
    if tipo == "entero":
        if isinstance(valor, bool) or not isinstance(valor, int) or abs(valor) > ENTERO_MAX:
            raise Rechazo(f"El delta de «{nombre}» debe ser un entero.")
        return valor
    if tipo == "decimal":
        return Decimal(_decimal(nombre, valor, _destino(config.campos[nombre])))
    raise Rechazo(f"«ajustar» sólo admite campos numéricos; «{nombre}» es {tipo}.")


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
