"""Pagos de las ventas de esta terminal, en la tabla ``pagos_venta`` de ``cola.sqlite``.

El esquema de la demo no tiene dónde llevar los pagos a la central, así que la terminal los
guarda aquí (una fila por venta: total y pagos en JSON) para el diario de ventas.

Durabilidad: cada escritura es una transacción de la cola (``Cola.transaccion``: WAL +
``synchronous=FULL``). ``Agente.vender`` guarda los pagos ANTES de encolar la venta: tras un
``kill -9`` entre ambos pasos queda una fila de pagos sin venta en la cola (se reconoce porque
su venta no existe), nunca una venta sin sus pagos.

Hilos: seguro desde cualquier hilo (el cerrojo de la ``Cola``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from agente.almacen.cola import Cola, ahora_iso
from agente.reglas.pagos import texto_importe


def guardar(cola: Cola, venta: str, total: Decimal, pagos: Sequence[dict[str, str]]) -> None:
    """Guarda (o sustituye: restos de un intento que murió antes de encolar) los pagos."""
    with cola.transaccion() as c:
        c.execute(
            "INSERT OR REPLACE INTO pagos_venta (venta, total, pagos, creada_en)"
            " VALUES (?, ?, ?, ?)",
            (venta, texto_importe(total), json.dumps(list(pagos), ensure_ascii=False), ahora_iso()),
        )


def borrar(cola: Cola, venta: str) -> None:
    """Quita los pagos de una venta que no llegó a encolarse."""
    with cola.transaccion() as c:
        c.execute("DELETE FROM pagos_venta WHERE venta = ?", (venta,))


def de_venta(cola: Cola, venta: str) -> list[dict[str, str]] | None:
    with cola.lectura() as c:
        fila = c.execute("SELECT pagos FROM pagos_venta WHERE venta = ?", (venta,)).fetchone()
    return None if fila is None else json.loads(fila[0])


__all__ = ["borrar", "de_venta", "guardar"]
