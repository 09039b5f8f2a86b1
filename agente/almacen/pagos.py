"""Pagos de las ventas de esta terminal, en la tabla ``pagos_venta`` de ``cola.sqlite``.

El esquema de la demo no tiene dónde llevar los pagos a la central, así que la terminal los
guarda aquí (una fila por venta: total y pagos en JSON) para el diario de ventas.

Durabilidad: ``Agente.vender`` guarda los pagos con ``guardar_en`` dentro de la MISMA
transacción de la cola que encola la venta y anota su registro del diario
(``agente.almacen.diario``): tras un ``kill -9`` está todo o nada. ``guardar`` y ``borrar``
son cada una su propia transacción (WAL + ``synchronous=FULL``).

Hilos: seguro desde cualquier hilo (el cerrojo de la ``Cola``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from agente.almacen.cola import Cola, Sesion, ahora_iso
from agente.reglas.pagos import texto_importe


def guardar(cola: Cola, venta: str, total: Decimal, pagos: Sequence[dict[str, str]]) -> None:
    """Guarda (o sustituye) los pagos en su propia transacción."""
    with cola.transaccion() as sesion:
        guardar_en(sesion, venta, total, pagos)


def guardar_en(sesion: Sesion, venta: str, total: Decimal, pagos: Sequence[dict[str, str]]) -> None:
    """Guarda (o sustituye) los pagos dentro de la transacción ``sesion`` de la cola."""
    sesion.execute(
        "INSERT OR REPLACE INTO pagos_venta (venta, total, pagos, creada_en) VALUES (?, ?, ?, ?)",
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


__all__ = ["borrar", "de_venta", "guardar", "guardar_en"]
