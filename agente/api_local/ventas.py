"""Ventas y estado para la caja, comunes a ``sincro vender`` y a la API local.

``vender`` pasa por ``Agente.vender`` (el mismo camino que la CLI y el código Python) y, con
clave de idempotencia, por ``RegistroIdempotencia`` (ver su docstring: el id de la venta se
deriva de la clave, así un reintento encuentra la venta aunque se perdiera su respuesta).
``resultado_venta`` es la respuesta: ``{"venta", "total", "pagos", "numero"}``; ``numero`` es
el número de la venta en el diario de la terminal y vale ``None`` mientras el diario no exista.

Hilos: funciones sin estado propio; seguras desde cualquier hilo porque la fachada lo es.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from agente.api_local.idempotencia import (
    ErrorIdempotencia,
    RegistroIdempotencia,
    comprobar_clave,
    huella,
)
from agente.fachada import VENTA
from agente.operacion import SIN_CONFIRMAR
from agente.reglas.pagos import texto_importe
from protocolo.esquema import ErrorValor

CAMPOS_VENTA = frozenset({"lineas", "cliente", "pagos"})


def leer_venta(cuerpo: Any) -> tuple[list[Any], str | None, list[Any] | None]:
    """(lineas, cliente, pagos) de ``{"lineas": [...], "cliente": …, "pagos": [...]}``."""
    if not isinstance(cuerpo, Mapping):
        raise ErrorValor('El cuerpo debe ser un objeto {"lineas": [...], "pagos": [...]}.')
    sobran = sorted(set(cuerpo) - CAMPOS_VENTA)
    if sobran:
        raise ErrorValor(f"Campos desconocidos en la venta: {', '.join(sobran)}.")
    lineas = cuerpo.get("lineas")
    if not isinstance(lineas, list):
        raise ErrorValor('«lineas» debe ser una lista [{"producto", "cantidad", '
                         '"precio_unitario"}].')
    cliente = cuerpo.get("cliente")
    if cliente is not None and not isinstance(cliente, str):
        raise ErrorValor("«cliente» debe ser el id (texto) de un cliente o null.")
    pagos = cuerpo.get("pagos")
    if pagos is not None and not isinstance(pagos, list):
        raise ErrorValor('«pagos» debe ser una lista [{"metodo": "efectivo", "importe": '
                         '"3.90"}].')
    return lineas, cliente, pagos


def resultado_venta(agente: Any, venta: str) -> dict[str, Any]:
    pagos = agente.pagos_de_venta(venta) or []
    total = sum((Decimal(p["importe"]) for p in pagos), Decimal(0))
    return {"venta": venta, "total": texto_importe(total), "pagos": pagos, "numero": None}


def vender(
    agente: Any,
    cuerpo: Any,
    clave: str | None = None,
    registro: RegistroIdempotencia | None = None,
) -> tuple[dict[str, Any], bool]:
    """Registra la venta de ``cuerpo``; devuelve (respuesta, repetida). ``repetida`` es
    ``True`` cuando ``clave`` ya tenía una venta y se devuelve la suya sin vender otra vez.
    ``ErrorValor`` (no valida: nada encolado) o ``ErrorIdempotencia``."""
    lineas, cliente, pagos = leer_venta(cuerpo)
    if clave is None or registro is None:
        operaciones = agente.vender(lineas, cliente, pagos)
        return resultado_venta(agente, operaciones[0].objeto_id), False
    comprobar_clave(clave)
    huella_cuerpo = huella(cuerpo)
    with registro.en_exclusiva(clave):
        previa = registro.buscar(clave)
        if previa is not None:
            if previa.huella != huella_cuerpo:
                raise ErrorIdempotencia(
                    "Esta Idempotency-Key ya se usó con otra venta: use una clave nueva por "
                    "venta.")
            return previa.respuesta, True
        venta = registro.venta_para(clave)
        repetida = agente.obtener(VENTA, venta) is not None
        if not repetida:
            agente.vender(lineas, cliente, pagos, venta_id=venta)
        respuesta = resultado_venta(agente, venta)
        registro.guardar(clave, huella_cuerpo, venta, respuesta)
        return respuesta, repetida


def ventas_pendientes(agente: Any) -> dict[str, Any]:
    """Ventas que la central aún no ha confirmado (las únicas copias están en esta caja)."""
    numero = 0
    importe = Decimal(0)
    for estado in SIN_CONFIRMAR:
        for op in agente.cola(estado=estado, modelo=VENTA):
            if op.tipo != "crear":
                continue
            numero += 1
            try:
                importe += Decimal(str(op.datos.get("total") or 0))
            except ArithmeticError:
                continue
    return {"numero": numero, "importe": texto_importe(importe)}


def estado_caja(agente: Any) -> dict[str, Any]:
    """Lo que la caja necesita para su aviso: conexión, si puede vender sin conexión, ventas
    pendientes, cola y conflictos abiertos."""
    completo = agente.estado()
    conexion = completo.get("conexion") or {}
    cola = completo.get("cola") or {}
    return {
        "terminal": completo.get("terminal") or "",
        "conexion": {
            "estado": conexion.get("estado"),
            "mensaje": conexion.get("mensaje") or "",
            "ultimo_empuje_ok": conexion.get("ultimo_empuje_ok"),
            "ultima_descarga_ok": conexion.get("ultima_descarga_ok"),
        },
        "lista_para_vender_offline": bool(completo.get("lista_para_vender_offline")),
        "ventas_pendientes": ventas_pendientes(agente),
        "cola": {
            "sin_enviar": cola.get("sin_enviar", 0),
            "por_estado": cola.get("por_estado", {}),
            "antiguedad_pendiente_s": cola.get("antiguedad_pendiente_s"),
        },
        "conflictos_abiertos": (completo.get("conflictos") or {}).get("abiertos", 0),
        "tiene_esquema": bool(completo.get("tiene_esquema")),
    }
