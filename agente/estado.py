"""El estado de la terminal que enseñan la UI, ``sincro estado`` y la API local: partes
planas (un dict cada una) que ``Agente.estado()`` junta en el orden de ``Agente.partes_estado``.

Hilos: sólo lee la cola, la caché y los avisos de recuperación; seguro desde cualquier hilo.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from agente.almacen import diario as almacen_diario
from agente.almacen.cache import Cache
from agente.almacen.cola import Cola
from agente.almacen.ventas import VENTA
from agente.operacion import PENDIENTE, PROCESANDO

if TYPE_CHECKING:
    from agente.fachada import Agente


def general(directorio: Path, cola: Cola, cache: Cache) -> dict[str, Any]:
    """Directorio, versión del motor, terminal, desfase de reloj y si hay esquema."""
    from agente import __version__

    return {
        "directorio": str(directorio),
        "version_agente": __version__,
        "terminal": cola.terminal(),
        "desfase_ms": cola.desfase_ms(),
        "tiene_esquema": cache.esquema() is not None,
    }


def de_la_cola(cola: Cola) -> dict[str, Any]:
    """Operaciones por estado, las que faltan por enviar y la antigüedad de la más vieja."""
    conteos = cola.contar_por_estado()
    return {
        "cola": {
            "por_estado": conteos,
            "sin_enviar": conteos[PENDIENTE] + conteos[PROCESANDO],
            "antiguedad_pendiente_s": cola.antiguedad_pendiente_s(),
        }
    }


def de_los_modelos(cola: Cola, cache: Cache) -> dict[str, Any]:
    """Cada modelo del esquema (filas, frescura, prioridad), si la terminal puede vender sin
    conexión (``Cache.lista_para_vender_offline``) y si el catálogo se está rehaciendo."""
    esquema = cache.esquema()
    if esquema is None:
        return {
            "modelos": {},
            "lista_para_vender_offline": False,
            "catalogo_reconstruyendo": True,
        }
    rangos = cola.prioridades()
    modelos = {}
    for config in esquema.en_orden_de_descarga():
        estado = cache.estado_modelo(config.nombre)
        rango = rangos.get(config.nombre)
        modelos[config.nombre] = {
            **estado,
            "critico": config.critico,
            "prioridad_declarada": config.prioridad,
            "prioridad_dinamica": rango.rango if rango else None,
            "operaciones_7d": rango.operaciones_recientes if rango else 0,
        }
    lista = cache.lista_para_vender_offline(esquema)
    return {
        "modelos": modelos,
        "lista_para_vender_offline": lista,
        "catalogo_reconstruyendo": not all(m["completo"] for m in modelos.values()),
    }


def avisos(directorio: Path) -> dict[str, Any]:
    """Avisos de recuperación sin confirmar (cola rescatada, caché apartada)."""
    from agente.almacen import recuperacion

    return {"avisos": recuperacion.avisos_pendientes(directorio)}


def del_diario(cola: Cola) -> dict[str, Any]:
    """Registros del diario que la central aún no tiene y desde cuándo (barato: sólo mira
    desde donde todo está confirmado)."""
    n, desde = almacen_diario.sin_confirmar(cola, almacen_diario.confirmados_hasta(cola))
    return {"diario": {"sin_confirmar": n, "sin_confirmar_desde": desde}}


def ventas_pendientes(cola: Cola, cache: Cache) -> dict[str, Any]:
    """Ventas que la central aún no ha confirmado: ``{"n", "importe", "antiguedad_s"}``
    (importe exacto en texto, suma de ``total``). Sin modelo de ventas en el esquema, ``n``
    es 0."""
    esquema = cache.esquema()
    if esquema is None or VENTA not in esquema.modelos:
        return {"n": 0, "importe": "0", "antiguedad_s": None}
    campo = "total" if "total" in esquema.modelo(VENTA).tipos else None
    return cola.resumen_sin_confirmar(VENTA, campo)


def de_la_terminal(agente: Agente) -> dict[str, Any]:
    """``agente.estado()`` como lo muestra un proceso que no sincroniza él mismo (la bandeja:
    el bucle corre en un proceso hijo): la conexión es la que persistió quien sincroniza
    (``ServicioSincronizacion.conexion_vigente``), más las ventas pendientes, la cola contada
    como la tienda (``agente.almacen.recuento``) y si toca cerrar la caja."""
    estado = agente.estado()
    estado["conexion"] = agente.sincronizacion.conexion_vigente(
        dict(estado.get("conexion") or {}), estado.get("configuracion") is not None
    )
    estado["ventas_pendientes"] = agente.ventas_pendientes()
    estado["cola"] = {**estado.get("cola", {}), "por_clase": agente.recuento_cola()}
    estado["cierre_pendiente"] = agente.cierre_pendiente()
    return estado


__all__ = [
    "avisos",
    "de_la_cola",
    "de_la_terminal",
    "de_los_modelos",
    "del_diario",
    "general",
    "ventas_pendientes",
]
