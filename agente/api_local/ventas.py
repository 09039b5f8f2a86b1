"""Ventas y estado para la caja, comunes a ``sincro vender`` y a la API local.

``vender`` pasa por ``Agente.vender`` (el mismo camino que la CLI y el código Python) y, con
clave de idempotencia, por ``RegistroIdempotencia`` (ver su docstring: el id de la venta se
deriva de la clave, así un reintento encuentra la venta aunque se perdiera su respuesta).
``resultado_venta`` es la respuesta: ``{"venta", "total", "pagos", "serie", "numero"}``;
``serie`` y ``numero`` son los de la venta en el diario de la terminal (``None`` sólo si la
venta no tiene registro en el diario, p. ej. una cola rescatada sin él).

Hilos: funciones sin estado propio; seguras desde cualquier hilo porque la fachada lo es.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from agente.almacen import ventas as almacen_ventas
from agente.api_local.idempotencia import (
    ErrorIdempotencia,
    RegistroIdempotencia,
    comprobar_clave,
    huella,
)
from agente.fachada import VENTA
from agente.operacion import PENDIENTE, PROCESANDO
from agente.reglas.pagos import texto_importe
from agente.sincronizacion.conectividad import CLAVE_AJUSTE, SIN_CONFIGURAR, Conectividad
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
        raise ErrorValor(
            '«lineas» debe ser una lista [{"producto", "cantidad", "precio_unitario"}].'
        )
    cliente = cuerpo.get("cliente")
    if cliente is not None and not isinstance(cliente, str):
        raise ErrorValor("«cliente» debe ser el id (texto) de un cliente o null.")
    pagos = cuerpo.get("pagos")
    if pagos is not None and not isinstance(pagos, list):
        raise ErrorValor('«pagos» debe ser una lista [{"metodo": "efectivo", "importe": "3.90"}].')
    return lineas, cliente, pagos


def venta_existe(agente: Any, venta: str) -> bool:
    """¿Ya está esa venta en esta terminal? Primero en la cola (sin depender de la caché, que
    puede estar dañada sin que la caja deje de vender); si la cola ya la podó, en la vista
    optimista."""
    if agente.operaciones.sin_confirmar_de(VENTA, [venta], incluir_completadas=True).get(venta):
        return True
    try:
        return agente.obtener(VENTA, venta) is not None
    except sqlite3.DatabaseError:
        return False


def resultado_venta(agente: Any, venta: str) -> dict[str, Any]:
    """La respuesta de una venta de esta terminal. Sin sus pagos guardados (una cola
    rescatada de un fichero dañado) el total sale de la cabecera y ``pagos`` va vacía."""
    pagos = agente.pagos_de_venta(venta)
    if pagos:
        total = sum((Decimal(p["importe"]) for p in pagos), Decimal(0))
    else:
        try:
            cabecera = agente.obtener(VENTA, venta) or {}
        except sqlite3.DatabaseError:
            cabecera = {}
        total = Decimal(str(cabecera.get("total") or 0))
    registro = agente.registro_de_venta(venta)
    return {
        "venta": venta,
        "total": texto_importe(total),
        "pagos": pagos or [],
        "serie": registro["serie"] if registro else None,
        "numero": registro["numero"] if registro else None,
    }


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
    with registro.en_exclusiva():
        previa = registro.buscar(clave)
        if previa is not None:
            if previa.huella != huella_cuerpo:
                raise ErrorIdempotencia(
                    "Esta Idempotency-Key ya se usó con otra venta: use una clave nueva por venta."
                )
            return previa.respuesta, True
        venta = registro.venta_para(clave)
        repetida = venta_existe(agente, venta)
        if not repetida:
            agente.vender(lineas, cliente, pagos, venta_id=venta)
        respuesta = resultado_venta(agente, venta)
        registro.guardar(clave, huella_cuerpo, venta, respuesta)
        return respuesta, repetida


def ventas_pendientes(agente: Any) -> dict[str, Any]:
    """Ventas que la central aún no ha confirmado (las únicas copias están en esta caja)."""
    numero, importe = almacen_ventas.sin_confirmar(agente.operaciones)
    return {"numero": numero, "importe": texto_importe(importe)}


def estado_caja(agente: Any) -> dict[str, Any]:
    """Lo que la caja necesita para su aviso: conexión, si puede vender sin conexión, ventas
    pendientes, cola y conflictos abiertos. Compuesto de lecturas baratas (no de
    ``Agente.estado()``, que calcula también prioridades y operaciones retenidas). La conexión
    se lee de lo que guarda el bucle de sincronización en la cola, así vale también cuando el
    bucle corre en otro proceso (la bandeja) y la API en ``sincro servir-local``."""
    cola = agente.operaciones
    conexion = Conectividad.desde_json(cola.ajuste(CLAVE_AJUSTE))
    esquema = agente.esquema()
    try:
        lista = agente.cache.lista_para_vender_offline(esquema)
    except Exception:  # la caché es desechable: un fallo suyo no oculta la cola
        lista = False
    por_estado = cola.contar_por_estado()
    return {
        "terminal": cola.terminal(),
        "conexion": {
            "estado": conexion.get("estado") or SIN_CONFIGURAR,
            "mensaje": conexion.get("mensaje") or "",
            "ultimo_empuje_ok": conexion.get("ultimo_empuje_ok"),
            "ultima_descarga_ok": conexion.get("ultima_descarga_ok"),
        },
        "lista_para_vender_offline": bool(lista),
        "ventas_pendientes": ventas_pendientes(agente),
        "cola": {
            "sin_enviar": por_estado[PENDIENTE] + por_estado[PROCESANDO],
            "por_estado": por_estado,
            "antiguedad_pendiente_s": cola.antiguedad_pendiente_s(),
        },
        "conflictos_abiertos": len(agente.conflictos()),
        "tiene_esquema": esquema is not None,
        "catalogo_reconstruyendo": _reconstruyendo(agente),
    }


def _reconstruyendo(agente: Any) -> bool:
    """El catálogo local aún no está entero: una búsqueda vacía no significa «no existe»."""
    try:
        return bool(agente.catalogo_reconstruyendo())
    except sqlite3.DatabaseError:
        return True
