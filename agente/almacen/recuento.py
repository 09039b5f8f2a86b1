"""Lo que hay en la cola contado como lo cuenta la tienda: ventas y cambios, no operaciones.

Una venta de la caja son varias operaciones (la cabecera ``ventas.Venta``, una línea por
producto y un ajuste de stock por línea); a un encargado le importa «4 ventas», no «12
operaciones». Cada operación cae en UNA clase, por su modelo y su tipo:

- ``ventas``: cabeceras de venta (``crear`` de ``ventas.Venta``), las mismas que cuenta
  ``Cola.resumen_sin_confirmar`` para «ventas sin confirmar»;
- ``ajustes``: movimientos de stock y demás ``ajustar`` (los de cada venta y los manuales);
- ``cambios``: altas, cambios y bajas del catálogo (``crear``/``actualizar``/``borrar`` fuera
  de la aplicación ``ventas``);
- las demás operaciones de ``ventas.*`` (líneas, cambios de una venta) son parte de su venta y
  no se cuentan aparte.

Una consulta agrupada sobre ``operaciones`` (milisegundos con miles de filas). Hilos: sólo
lee, con la sesión de lectura de la ``Cola``; seguro desde cualquier hilo.
"""

from __future__ import annotations

from typing import Any

from agente.almacen.cola import Cola
from agente.operacion import ESTADOS

VENTA = "ventas.Venta"
CLASES = ("ventas", "ajustes", "cambios")


def clase(modelo: str, tipo: str) -> str | None:
    """La clase de una operación (``None``: parte de una venta, no se cuenta aparte)."""
    if modelo == VENTA and tipo == "crear":
        return "ventas"
    if tipo == "ajustar":
        return "ajustes"
    if modelo.startswith("ventas."):
        return None
    return "cambios"


def por_estado(cola: Cola) -> dict[str, dict[str, int]]:
    """``{estado: {"ventas": n, "ajustes": n, "cambios": n}}`` para cada estado de la cola."""
    resultado: dict[str, dict[str, int]] = {e: dict.fromkeys(CLASES, 0) for e in ESTADOS}
    with cola.lectura() as sesion:
        filas: list[Any] = sesion.execute(
            "SELECT estado, modelo, tipo, COUNT(*) FROM operaciones GROUP BY estado, modelo, tipo"
        ).fetchall()
    for estado, modelo, tipo, n in filas:
        nombre = clase(modelo, tipo)
        if nombre is not None and estado in resultado:
            resultado[estado][nombre] += n
    return resultado
