"""Prioridad dinámica por modelo: los modelos con más operaciones en los últimos
7 días se envían antes; los modelos críticos, siempre primero.

Puro: ``calcular`` recibe los recuentos por modelo, que cuenta la cola
(``agente.almacen.cola``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from protocolo.esquema import ConfigModelo

DIAS_VENTANA = 7


@dataclass(frozen=True)
class PrioridadModelo:
    modelo: str
    critico: bool
    declarada: int
    operaciones_recientes: int
    rango: int
    """1 = el primero en enviarse."""

    def a_dict(self) -> dict[str, Any]:
        return asdict(self)


def calcular(
    modelos: Iterable[ConfigModelo], conteos: Mapping[str, int]
) -> dict[str, PrioridadModelo]:
    """Rango de cada modelo: críticos primero, luego más operaciones recientes, luego la
    prioridad declarada (menor número primero, como en la central), luego el
    nombre (para que sea estable)."""
    lista = sorted(
        modelos, key=lambda m: (not m.critico, -conteos.get(m.nombre, 0), m.prioridad, m.nombre)
    )
    return {
        m.nombre: PrioridadModelo(
            modelo=m.nombre,
            critico=m.critico,
            declarada=m.prioridad,
            operaciones_recientes=conteos.get(m.nombre, 0),
            rango=rango,
        )
        for rango, m in enumerate(lista, start=1)
    }


def clave_envio(
    prioridades: Mapping[str, PrioridadModelo], modelo: str, prioridad_operacion: int
) -> tuple[int, int, int]:
    """Clave de orden (menor sale antes) de una operación lista para enviarse. La prioridad
    de la operación sigue el mismo convenio que la del modelo: menor número, antes."""
    info = prioridades.get(modelo)
    if info is None:
        return (1, len(prioridades) + 1, prioridad_operacion)
    return (0 if info.critico else 1, info.rango, prioridad_operacion)


def hace_dias(dias: float, ahora: dt.datetime | None = None) -> str:
    momento = (ahora or dt.datetime.now(dt.UTC)) - dt.timedelta(days=dias)
    return momento.isoformat(timespec="microseconds")
