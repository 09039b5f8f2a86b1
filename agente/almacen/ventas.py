"""Resumen de las ventas de esta terminal que la central aún no ha confirmado (para la caja).

Una consulta sobre ``operaciones`` de ``cola.sqlite`` (las cabeceras ``crear`` de
``ventas.Venta`` en un estado sin confirmar) en lugar de cargar cada operación: con un día de
ventas sin conexión (miles) sigue costando unos milisegundos. Los importes se suman en
``Decimal`` en Python, nunca en coma flotante.

Hilos: seguro desde cualquier hilo (lee bajo el cerrojo de la ``Cola``, sin transacción de
escritura).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from agente.almacen.cola import Cola
from agente.operacion import SIN_CONFIRMAR

VENTA = "ventas.Venta"


def sin_confirmar(cola: Cola) -> tuple[int, Decimal]:
    """(número de ventas, suma de sus totales) aún sin confirmar por la central."""
    marcas = ", ".join("?" for _ in SIN_CONFIRMAR)
    with cola.lectura() as c:
        totales = c.execute(
            "SELECT json_extract(datos, '$.total') FROM operaciones"  # noqa: S608
            f" WHERE modelo = ? AND tipo = 'crear' AND estado IN ({marcas})"
            # Una fila con JSON dañado no rompe el resumen (el envío la pone en cuarentena).
            " AND json_valid(datos)",
            (VENTA, *SIN_CONFIRMAR),
        ).fetchall()
    importe = Decimal(0)
    for (total,) in totales:
        try:
            importe += Decimal(str(total)) if total is not None else 0
        except InvalidOperation:
            continue
    return len(totales), importe


__all__ = ["sin_confirmar"]
