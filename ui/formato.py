"""Formato de valores, fechas y duraciones para la interfaz. Sólo hilo de la GUI (traduce)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from PySide6.QtCore import QCoreApplication

translate = QCoreApplication.translate

VACIO = "—"


def valor(v: Any) -> str:
    """Un valor de campo tal como se guardó: ``None`` como «—», booleanos en palabra."""
    if v is None:
        return VACIO
    if isinstance(v, bool):
        return translate("Formato", "sí") if v else translate("Formato", "no")
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return str(v)


def plantilla_referido() -> str:
    """Cómo se nombra un objeto sin título por el que lo nombra (``ui.nombres.nombrar``):
    «Existencia de Producto «Leche entera 1 l»»."""
    return translate("Nombres", "{modelo} de {referido}")


def duracion(segundos: float | None) -> str:
    """«45 s», «3 min», «2 h 5 min», «3 d 4 h»; «—» si no hay."""
    if segundos is None:
        return VACIO
    s = max(0, int(segundos))
    if s < 60:
        return translate("Formato", "{n} s").format(n=s)
    if s < 3600:
        return translate("Formato", "{n} min").format(n=s // 60)
    if s < 86400:
        return translate("Formato", "{h} h {m} min").format(h=s // 3600, m=(s % 3600) // 60)
    return translate("Formato", "{d} d {h} h").format(d=s // 86400, h=(s % 86400) // 3600)


def hora(fecha: dt.datetime | str | None) -> str:
    """Fecha y hora locales («28/11 14:05»; sólo la hora si es de hoy); «nunca» si no hay."""
    if fecha in (None, ""):
        return translate("Formato", "nunca")
    return _local(fecha, hoy="%H:%M:%S", otro_dia="%d/%m/%Y %H:%M")


def hace(fecha: dt.datetime | None, ahora: dt.datetime | None = None) -> str:
    """«hace 3 min» o «nunca»."""
    if fecha is None:
        return translate("Formato", "nunca")
    ahora = ahora or dt.datetime.now(dt.UTC)
    return translate("Formato", "hace {duracion}").format(
        duracion=duracion((ahora - fecha).total_seconds())
    )


def hora_corta(fecha: dt.datetime | str | None) -> str:
    """«10:42» (hora local; con el día delante si no es de hoy); «—» si no hay."""
    if fecha in (None, ""):
        return VACIO
    return _local(fecha, hoy="%H:%M", otro_dia="%d/%m %H:%M")


def _local(fecha: dt.datetime | str, *, hoy: str, otro_dia: str) -> str:
    """``fecha`` (ISO 8601 o ``datetime``; sin zona, UTC) en hora local con el formato ``hoy``
    si es de hoy y ``otro_dia`` si no; un texto que no es una fecha se devuelve tal cual."""
    if isinstance(fecha, str):
        try:
            fecha = dt.datetime.fromisoformat(fecha)
        except ValueError:
            return fecha
    if fecha.tzinfo is None:
        fecha = fecha.replace(tzinfo=dt.UTC)
    local = fecha.astimezone()
    if local.date() == dt.datetime.now().astimezone().date():
        return local.strftime(hoy)
    return local.strftime(otro_dia)


def dinero(importe: str | float | int | None, moneda: str = "€") -> str:
    """Importe exacto (texto decimal del motor) con la moneda y los separadores del idioma de
    la interfaz: «184,30 €» en español, «€184.30» en inglés."""
    from decimal import Decimal, InvalidOperation

    from PySide6.QtCore import QLocale

    try:
        cantidad = Decimal(str(importe if importe is not None else 0))
    except InvalidOperation:
        return str(importe)
    return QLocale().toCurrencyString(float(cantidad), moneda, 2)


def numero(n: int | float) -> str:
    """Número con los separadores del idioma de la interfaz («2.000» / «2,000»)."""
    from PySide6.QtCore import QLocale

    return QLocale().toString(n)


def plural(n: int, singular: str, varios: str) -> str:
    """La forma que toca de dos textos ya traducidos con ``%n`` («%n venta» / «%n ventas»),
    con el número en el idioma de la interfaz. Español e inglés tienen las mismas dos formas;
    ``pyside6-lupdate`` no conserva las formas plurales de Qt en el .ts, así que cada forma
    es un mensaje propio."""
    return (singular if n == 1 else varios).replace("%n", numero(n))


def estado_operacion(estado: str | None) -> str:
    """El estado de una operación de la cola en palabras («pendiente», no «PENDIENTE»)."""
    textos = {
        "PENDIENTE": translate("Formato", "pendiente"),
        "PROCESANDO": translate("Formato", "enviándose"),
        "COMPLETADO": translate("Formato", "confirmada"),
        "CONFLICTO": translate("Formato", "en conflicto"),
        "ERROR": translate("Formato", "rechazada"),
        "DESCARTADO": translate("Formato", "descartada"),
    }
    return textos.get(str(estado or "").upper(), str(estado or VACIO))


def tipo_operacion(tipo: str | None) -> str:
    """El tipo de una operación en palabras («alta», «cambio», «baja», «ajuste»)."""
    textos = {
        "crear": translate("Formato", "alta"),
        "actualizar": translate("Formato", "cambio"),
        "borrar": translate("Formato", "baja"),
        "ajustar": translate("Formato", "ajuste"),
    }
    return textos.get(str(tipo or ""), str(tipo or VACIO))
