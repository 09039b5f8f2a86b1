"""Convenio de las existencias por tienda: el stock de un producto en una tienda es una fila
propia (``productos.Existencia``, privada de su tienda), no un campo del producto.

Así una venta en la tienda A sólo cambia una fila de A y nunca se sirve a las cajas de B; el
catálogo y los precios siguen siendo de toda la cadena.

La clave de la fila la calcula la caja sin preguntar a la central: ``clave(tienda, producto)``,
``"<tienda>:<producto>"``. Los códigos de tienda no llevan «:» (letras, dígitos, «_», «-» y
«.»), así que la clave no es ambigua. La central la da a cada fila al crearla (una por cada par
tienda-producto) y nunca la cambia.

Puro: sin E/S ni estado; seguro desde cualquier hilo.
"""

from __future__ import annotations

from typing import Any

#: El modelo de las existencias por tienda y su campo de cantidad (el que se ajusta al vender).
EXISTENCIA = "productos.Existencia"
CANTIDAD = "cantidad"
SEPARADOR = ":"


def clave(tienda: str, producto: Any) -> str:
    """Clave de la existencia de ``producto`` (su clave, p. ej. ``12``) en ``tienda``."""
    tienda = str(tienda)
    if not tienda or SEPARADOR in tienda:
        raise ValueError(f"Código de tienda no válido para una existencia: {tienda!r}.")
    return f"{tienda}{SEPARADOR}{producto}"
