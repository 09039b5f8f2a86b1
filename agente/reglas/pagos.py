"""Pagos de una venta: forma, valores y que sumen el total. Puro y seguro entre hilos.

Un pago es ``{"metodo": "efectivo", "importe": "3.90"}``: ``metodo`` en minúsculas (letras,
cifras, ``_`` o ``-``: efectivo, tarjeta, bizum…) e ``importe`` un decimal positivo con como
mucho dos decimales, devuelto como texto. Una venta sin pagos es un pago en efectivo de su
total. Los pagos deben sumar exactamente el total de las líneas; si no, ``ErrorValor`` con una
línea que dice cuánto falta o sobra.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from protocolo.esquema import ErrorValor

EFECTIVO = "efectivo"
MAX_PAGOS = 20
_METODO = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


def importe(valor: Any, que: str) -> Decimal:
    """``valor`` (texto o número, no booleano ni float) como ``Decimal`` > 0 con ≤ 2 decimales."""
    if isinstance(valor, bool | float):
        raise ErrorValor(f'{que}: el importe debe ser un texto decimal como "3.90".')
    try:
        cantidad = Decimal(str(valor).strip())
    except (InvalidOperation, ValueError):
        raise ErrorValor(f'{que}: «{valor}» no es un importe (p. ej. "3.90").') from None
    if not cantidad.is_finite() or cantidad <= 0:
        raise ErrorValor(f"{que}: el importe debe ser mayor que 0.")
    if cantidad.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ErrorValor(f"{que}: el importe tiene más de dos decimales ({valor}).")
    return cantidad


def normalizar(pagos: Sequence[Mapping[str, Any]] | None, total: Decimal) -> list[dict[str, str]]:
    """Pagos validados ``[{"metodo", "importe"}]`` que suman ``total``. ``None`` o lista vacía:
    un pago en efectivo del total."""
    if not pagos:
        return [{"metodo": EFECTIVO, "importe": texto_importe(total)}]
    if isinstance(pagos, str | bytes | Mapping) or not isinstance(pagos, Sequence):
        raise ErrorValor('Los pagos son una lista [{"metodo": "efectivo", "importe": "3.90"}].')
    if len(pagos) > MAX_PAGOS:
        raise ErrorValor(f"Una venta admite como mucho {MAX_PAGOS} pagos.")
    resultado = []
    suma = Decimal(0)
    for i, pago in enumerate(pagos, start=1):
        if not isinstance(pago, Mapping) or set(pago) - {"metodo", "importe"}:
            raise ErrorValor(f'Pago {i}: se espera {{"metodo", "importe"}}.')
        metodo = pago.get("metodo")
        if not isinstance(metodo, str) or not _METODO.fullmatch(metodo):
            raise ErrorValor(
                f"Pago {i}: el método debe ser una palabra en minúsculas (efectivo, tarjeta…)."
            )
        cantidad = importe(pago.get("importe"), f"Pago {i}")
        suma += cantidad
        resultado.append({"metodo": metodo, "importe": texto_importe(cantidad)})
    if suma != total:
        diferencia = total - suma
        que = "faltan" if diferencia > 0 else "sobran"
        raise ErrorValor(
            f"Los pagos suman {texto_importe(suma)} y el total de la venta es "
            f"{texto_importe(total)}: {que} {texto_importe(abs(diferencia))}."
        )
    return resultado


def desde_texto(texto: str) -> dict[str, str]:
    """``"tarjeta:3.90"`` (la forma de ``sincro vender --pago``) como ``{"metodo", "importe"}``
    sin validar los valores (eso lo hace ``normalizar``)."""
    metodo, separador, cantidad = texto.partition(":")
    if not separador or not metodo or not cantidad:
        raise ErrorValor(f"--pago espera METODO:IMPORTE (p. ej. efectivo:3.90), no «{texto}».")
    return {"metodo": metodo.strip().lower(), "importe": cantidad.strip()}


def texto_importe(cantidad: Decimal) -> str:
    """Importe con dos decimales exactos: ``Decimal("3.9")`` -> ``"3.90"``."""
    return str(cantidad.quantize(Decimal("0.01")))


__all__ = ["EFECTIVO", "desde_texto", "importe", "normalizar", "texto_importe"]
