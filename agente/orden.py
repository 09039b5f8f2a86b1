"""Orden de envío de la cola (puro): qué operaciones pendientes pueden salir ya y en qué orden.

Una operación ``PENDIENTE`` está **lista** cuando:

- ninguna operación anterior (menor ``seq``) sobre el mismo objeto sigue sin confirmar, salvo
  que ya se haya elegido antes en esta misma llamada; y
- ninguna operación anterior sobre un modelo del que depende (transitivamente) sigue sin
  confirmar, con la misma salvedad (una venta que nombra a un cliente nuevo va detrás de él).

Entre las listas sale primero la de menor ``clave`` (críticos, prioridad dinámica, prioridad
propia) y, a igualdad, la más antigua (FIFO). Elegir una puede dejar lista a otra, así que la
selección es incremental: coste O(n log n + n·d), con n operaciones sin confirmar y d
dependencias por modelo.

Puro: sin E/S ni estado; seguro desde cualquier hilo.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agente.operacion import PENDIENTE


@dataclass(frozen=True)
class Pieza:
    """Lo que el orden necesita de una operación sin confirmar."""

    seq: int
    modelo: str
    objeto_id: str
    estado: str
    clave: tuple[Any, ...] = ()


def dependencias_transitivas(
    dependencias: Mapping[str, Iterable[str]],
) -> dict[str, frozenset[str]]:
    """``{modelo: todos los modelos de los que depende, directa o indirectamente}``."""
    resultado: dict[str, frozenset[str]] = {}

    def visitar(modelo: str, camino: tuple[str, ...]) -> frozenset[str]:
        if modelo in resultado:
            return resultado[modelo]
        if modelo in camino:
            raise ValueError(f"Dependencias circulares: {' -> '.join((*camino, modelo))}")
        todas: set[str] = set()
        for dependencia in dependencias.get(modelo, ()):
            todas.add(dependencia)
            todas |= visitar(dependencia, (*camino, modelo))
        resultado[modelo] = frozenset(todas)
        return resultado[modelo]

    for modelo in dependencias:
        visitar(modelo, ())
    return resultado


def elegir(
    piezas: Sequence[Pieza], dependencias: Mapping[str, frozenset[str]], limite: int
) -> list[int]:
    """Índices de ``piezas`` (ordenadas por ``seq``) a enviar, en el orden de envío.

    ``piezas`` son todas las operaciones sin confirmar; sólo las ``PENDIENTE`` se eligen, las
    demás (en vuelo, en error, en conflicto) bloquean a las que dependen de ellas.
    """
    n = len(piezas)
    if limite <= 0 or n == 0:
        return []
    bloqueos = [0] * n
    siguiente_del_objeto: list[int | None] = [None] * n
    ultima_del_objeto: dict[tuple[str, str], int] = {}
    por_modelo: dict[str, list[int]] = defaultdict(list)
    dependientes: dict[str, list[int]] = defaultdict(list)
    for i, pieza in enumerate(piezas):
        objeto = (pieza.modelo, pieza.objeto_id)
        previa = ultima_del_objeto.get(objeto)
        if previa is not None:
            siguiente_del_objeto[previa] = i
            bloqueos[i] += 1
        ultima_del_objeto[objeto] = i
        por_modelo[pieza.modelo].append(i)
        for dependencia in dependencias.get(pieza.modelo, ()):
            dependientes[dependencia].append(i)

    # Para cada modelo D: puntero a su primera operación sin elegir; las operaciones de modelos
    # que dependen de D y son posteriores a ella están bloqueadas por D.
    primera_sin_elegir = dict.fromkeys(por_modelo, 0)
    liberadas_hasta: dict[str, int] = {}
    for modelo, indices in dependientes.items():
        primera = por_modelo[modelo][0] if por_modelo.get(modelo) else n
        posicion = 0
        while posicion < len(indices) and indices[posicion] < primera:
            posicion += 1
        for i in indices[posicion:]:
            bloqueos[i] += 1
        liberadas_hasta[modelo] = posicion

    listas: list[tuple[tuple[Any, ...], int]] = [
        (piezas[i].clave, i) for i in range(n) if bloqueos[i] == 0 and piezas[i].estado == PENDIENTE
    ]
    heapq.heapify(listas)
    elegidas: list[int] = []
    elegida = [False] * n

    def liberar(i: int) -> None:
        bloqueos[i] -= 1
        if bloqueos[i] == 0 and piezas[i].estado == PENDIENTE:
            heapq.heappush(listas, (piezas[i].clave, i))

    while listas and len(elegidas) < limite:
        _, i = heapq.heappop(listas)
        elegida[i] = True
        elegidas.append(i)
        siguiente = siguiente_del_objeto[i]
        if siguiente is not None:
            liberar(siguiente)
        modelo = piezas[i].modelo
        indices_modelo = por_modelo[modelo]
        posicion = primera_sin_elegir[modelo]
        while posicion < len(indices_modelo) and elegida[indices_modelo[posicion]]:
            posicion += 1
        primera_sin_elegir[modelo] = posicion
        frontera = indices_modelo[posicion] if posicion < len(indices_modelo) else n
        if modelo in dependientes:
            esperando = dependientes[modelo]
            j = liberadas_hasta[modelo]
            while j < len(esperando) and esperando[j] < frontera:
                liberar(esperando[j])
                j += 1
            liberadas_hasta[modelo] = j
    return elegidas
