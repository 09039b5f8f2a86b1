"""Reglas del diario de ventas en la caja: cuadre de importes, qué se puede devolver y el
resumen de un cierre. Puro (sin E/S) y seguro desde cualquier hilo.

Los registros son los de ``protocolo.diario`` (importes en texto con dos decimales). Una
anulación o una devolución resta lo que devuelve; una venta suma.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from agente.reglas.pagos import texto_importe
from protocolo.esquema import ErrorValor

VENTA, ANULACION, DEVOLUCION, CIERRE = "venta", "anulacion", "devolucion", "cierre"
DEVUELVEN = (ANULACION, DEVOLUCION)


MAX_IMPORTE = Decimal(10) ** 12
"""Un importe de línea no llega a esto (la central no guarda importes mayores)."""


def importe_linea(precio: Decimal, cantidad: int, numero: int) -> str:
    """``precio × cantidad`` en texto con dos decimales; ``ErrorValor`` si tiene más o si no
    cabe (``MAX_IMPORTE``)."""
    importe = precio * cantidad
    if abs(importe) >= MAX_IMPORTE:
        raise ErrorValor(
            f"Línea {numero}: el importe es demasiado grande; revise precio y cantidad."
        )
    if importe != importe.quantize(Decimal("0.01")):
        raise ErrorValor(
            f"Línea {numero}: el importe ({importe}) tiene más de dos decimales; revise el precio."
        )
    return texto_importe(importe)


def texto_precio(precio: Decimal) -> str:
    """Un precio unitario en texto: con dos decimales si no tiene más (``"2.00"``); si los
    tiene (``"0.125"``), tal cual: nunca se redondea."""
    centimos = precio.quantize(Decimal("0.01"))
    return texto_importe(precio) if precio == centimos else str(precio)


def comprobar_cuadre(registro: Mapping[str, Any]) -> None:
    """``ErrorValor`` de una línea si las líneas, el total y los pagos no suman lo mismo."""
    lineas = sum((Decimal(linea["importe"]) for linea in registro["lineas"]), Decimal(0))
    pagos = sum((Decimal(p["importe"]) for p in registro["pagos"]), Decimal(0))
    total = Decimal(registro["total"])
    if not lineas == total == pagos:
        raise ErrorValor(
            f"El registro no cuadra: líneas {texto_importe(lineas)}, total "
            f"{texto_importe(total)}, pagos {texto_importe(pagos)}."
        )


def pendiente_de_devolver(
    venta: Mapping[str, Any], devoluciones: Iterable[Mapping[str, Any]]
) -> dict[Any, int]:
    """Unidades de cada producto de ``venta`` que aún no se han devuelto ni anulado."""
    quedan: dict[Any, int] = {}
    for linea in venta["lineas"]:
        quedan[linea["producto"]] = quedan.get(linea["producto"], 0) + linea["cantidad"]
    for registro in devoluciones:
        for linea in registro["lineas"]:
            quedan[linea["producto"]] = quedan.get(linea["producto"], 0) - linea["cantidad"]
    return quedan


def lineas_a_devolver(
    venta: Mapping[str, Any],
    devoluciones: Iterable[Mapping[str, Any]],
    pedidas: Sequence[Mapping[str, Any]] | None,
) -> list[dict[str, Any]]:
    """Las líneas de una devolución (``pedidas``: ``[{"producto", "cantidad"}]``; ``None``: todo
    lo que queda, una anulación) al precio de la venta original. ``ErrorValor`` si se pide más
    de lo que queda o un producto que no estaba en la venta."""
    devoluciones = list(devoluciones)
    if pedidas is None and not devoluciones:  # anulación de una venta intacta: sus líneas
        return [dict(linea) for linea in venta["lineas"]]
    quedan = pendiente_de_devolver(venta, devoluciones)
    precios: dict[Any, Decimal] = {}
    for linea in venta["lineas"]:
        precio = Decimal(linea["precio_unitario"])
        if precios.setdefault(linea["producto"], precio) != precio:
            raise ErrorValor(
                f"El producto {linea['producto']} va a dos precios en esa venta: anúlela entera"
                " y vuelva a cobrar lo que se queda."
            )
    if pedidas is None:
        pedidas = [{"producto": p, "cantidad": n} for p, n in quedan.items() if n > 0]
        if not pedidas:
            raise ErrorValor("Esa venta ya está devuelta o anulada entera.")
    elif not pedidas:
        raise ErrorValor("Indique qué líneas se devuelven.")
    por_producto: dict[Any, int] = {}
    for i, linea in enumerate(pedidas, start=1):
        if not isinstance(linea, Mapping) or set(linea) - {"producto", "cantidad"}:
            raise ErrorValor(f'Línea {i}: se espera {{"producto", "cantidad"}}.')
        producto, cantidad = linea.get("producto"), linea.get("cantidad")
        claves = {str(p): p for p in quedan}
        if str(producto) not in claves:
            raise ErrorValor(f"Línea {i}: el producto {producto} no está en esa venta.")
        if isinstance(cantidad, bool) or not isinstance(cantidad, int) or cantidad <= 0:
            raise ErrorValor(f"Línea {i}: la cantidad debe ser un entero positivo.")
        producto = claves[str(producto)]
        por_producto[producto] = por_producto.get(producto, 0) + cantidad
    resultado = []
    for i, (producto, cantidad) in enumerate(por_producto.items(), start=1):
        if cantidad > quedan[producto]:
            raise ErrorValor(
                f"Del producto {producto} quedan {max(quedan[producto], 0)} unidades por "
                f"devolver, no {cantidad}."
            )
        precio = precios[producto]
        resultado.append(
            {
                "producto": producto,
                "cantidad": cantidad,
                "precio_unitario": texto_precio(precio),
                "importe": importe_linea(precio, cantidad, i),
            }
        )
    return resultado


def resumen(registros: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Lo que cubre un cierre: ``ventas`` (registros que no son cierres), ``por_tipo``,
    ``desde``/``hasta`` (primer y último número), ``por_metodo`` y ``total`` (ventas menos
    devoluciones, en texto)."""
    por_metodo: dict[str, Decimal] = {}
    por_tipo: dict[str, int] = {}
    total = Decimal(0)
    desde = hasta = None
    n = 0
    for registro in registros:
        tipo = registro["tipo"]
        if tipo == CIERRE:
            continue
        n += 1
        por_tipo[tipo] = por_tipo.get(tipo, 0) + 1
        desde = registro["numero"] if desde is None else desde
        hasta = registro["numero"]
        signo = -1 if tipo in DEVUELVEN else 1
        total += signo * Decimal(registro["total"])
        for pago in registro["pagos"]:
            metodo = pago["metodo"]
            por_metodo[metodo] = por_metodo.get(metodo, Decimal(0)) + signo * Decimal(
                pago["importe"]
            )
    return {
        "ventas": n,
        "por_tipo": por_tipo,
        "desde": desde,
        "hasta": hasta,
        "por_metodo": {m: texto_importe(v) for m, v in sorted(por_metodo.items())},
        "total": texto_importe(total),
    }


__all__ = [
    "ANULACION",
    "CIERRE",
    "DEVOLUCION",
    "DEVUELVEN",
    "VENTA",
    "comprobar_cuadre",
    "importe_linea",
    "lineas_a_devolver",
    "pendiente_de_devolver",
    "resumen",
    "texto_precio",
]
