"""Orden de envío de la cola (puro): qué operaciones pendientes pueden salir ya y en qué orden.

Una operación ``PENDIENTE`` está **lista** cuando:

- ninguna operación anterior (menor ``seq``) sobre el mismo objeto sigue sin confirmar, salvo
  que ya se haya elegido antes en esta misma llamada; y
- ninguna operación anterior sobre un **objeto que referencia** sigue sin confirmar, con la
  misma salvedad (una venta que nombra a un cliente nuevo va detrás de él, y sólo de él); y
- si es un ``borrar`` (``Pieza.borra``): ninguna operación anterior **que referencia a su
  objeto** sigue sin confirmar, con la misma salvedad (el ``borrar`` de un cliente no adelanta
  a la venta pendiente que lo nombra aunque Cliente tenga más prioridad); y
- para cada modelo D del que depende **sin** saber a qué objeto de D apunta (el modelo no
  declara ``referencias`` hacia D, o la operación no lleva el campo): ninguna operación
  anterior sobre D, ni sobre los modelos de los que D depende por modelo (``cierres``), sigue
  sin confirmar. Es la regla por modelo de siempre, ahora sólo donde falta la referencia.

Así un cliente rechazado (``ERROR``) retiene sólo las ventas que lo nombran; una venta de otro
cliente o sin cliente sale. La transitividad por objeto sale sola: una línea espera a su venta,
que espera a su cliente.

Entre las listas sale primero la de menor ``clave`` (críticos, prioridad dinámica, prioridad
propia) y, a igualdad, la más antigua (FIFO). Elegir una puede dejar lista a otra, así que la
selección es incremental: coste O(n log n + n·(d + r)), con n operaciones sin confirmar, d
modelos de espera por modelo y r referencias por operación (cada referencia cuenta una vez más
para el primer ``borrar`` posterior de su objeto).

Puro: sin E/S ni estado; seguro desde cualquier hilo.
"""

from __future__ import annotations

import graphlib
import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
    #: ``{modelo del que depende: claves de los objetos que referencia}``; los modelos de los
    #: que depende y no figuran aquí (o ``None``: ninguno resuelto) se esperan por modelo.
    referidos: Mapping[str, Iterable[str]] | None = None
    #: Es un ``borrar``: espera también a las anteriores que referencian su objeto.
    borra: bool = False


def _en_orden(dependencias: Mapping[str, Iterable[str]]) -> list[str]:
    """Modelos con cada uno detrás de los suyos (``graphlib``). ``ValueError`` si hay ciclos."""
    try:
        return list(
            graphlib.TopologicalSorter(
                {m: tuple(d) for m, d in dependencias.items()}
            ).static_order()
        )
    except graphlib.CycleError as exc:
        ciclo = exc.args[1]
        raise ValueError(f"Dependencias circulares: {' -> '.join(reversed(ciclo))}") from None


def cierres_por_modelo(
    dependencias: Mapping[str, Iterable[str]],
    referencias: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, frozenset[str]]:
    """``{modelo: modelos a esperar por modelo cuando se espera a él por modelo}``.

    Esperar a D por modelo es esperar a toda operación anterior de D y, transitivamente, a los
    modelos de los que D depende sin referencias (``referencias[D]``: modelos hacia los que D
    declara referencias; por esas aristas basta el orden por objeto de las operaciones de D).
    Sin ``referencias`` es el cierre transitivo clásico. Lanza ``ValueError`` si hay ciclos.
    """
    referencias = referencias or {}
    resultado: dict[str, frozenset[str]] = {}
    for modelo in _en_orden(dependencias):
        por_objeto = set(referencias.get(modelo, ()))
        todas: set[str] = set()
        for dependencia in dependencias.get(modelo, ()):
            if dependencia not in por_objeto:
                todas.add(dependencia)
                todas |= resultado[dependencia]
        resultado[modelo] = frozenset(todas)
    return resultado


@dataclass(frozen=True)
class Grafo:
    """Dependencias directas de cada modelo y sus cierres por modelo (``cierres_por_modelo``)."""

    directas: Mapping[str, tuple[str, ...]]
    cierres: Mapping[str, frozenset[str]]
    #: (modelo, destinos resueltos) -> esperas por modelo; pocas combinaciones, se calculan una
    #: vez por grafo (idempotente: seguro aunque dos hilos la rellenen a la vez).
    _memoria: dict[tuple[str, frozenset[str]], frozenset[str]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def de(
        cls,
        dependencias: Mapping[str, Iterable[str]],
        referencias: Mapping[str, Iterable[str]] | None = None,
    ) -> Grafo:
        return cls(
            {m: tuple(d) for m, d in dependencias.items()},
            cierres_por_modelo(dependencias, referencias),
        )

    def por_modelo(self, pieza: Pieza) -> frozenset[str]:
        """Modelos a los que ``pieza`` espera por modelo (los que no resolvió por objeto)."""
        referidos = pieza.referidos or {}
        return self._por_modelo(pieza.modelo, frozenset(referidos))

    def _por_modelo(self, modelo: str, resueltos: frozenset[str]) -> frozenset[str]:
        memoria = self._memoria
        llave = (modelo, resueltos)
        if llave not in memoria:
            esperas: set[str] = set()
            for dependencia in self.directas.get(modelo, ()):
                if dependencia not in resueltos:
                    esperas.add(dependencia)
                    esperas |= self.cierres.get(dependencia, frozenset())
            memoria[llave] = frozenset(esperas)
        return memoria[llave]


def dependencias_transitivas(
    dependencias: Mapping[str, Iterable[str]],
) -> dict[str, frozenset[str]]:
    """``{modelo: todos los modelos de los que depende, directa o indirectamente}``."""
    return cierres_por_modelo(dependencias)


def elegir(piezas: Sequence[Pieza], grafo: Grafo, limite: int) -> list[int]:
    """Índices de ``piezas`` (ordenadas por ``seq``) a enviar, en el orden de envío.

    ``piezas`` son todas las operaciones sin confirmar; sólo las ``PENDIENTE`` se eligen, las
    demás (en vuelo, en error, en conflicto) bloquean a las que dependen de ellas.
    """
    n = len(piezas)
    if limite <= 0 or n == 0:
        return []
    bloqueos = [0] * n
    # Quién espera a cada operación por objeto: la siguiente del mismo objeto y las posteriores
    # que referencian ese objeto (basta esperar a la última anterior: las del mismo objeto
    # salen en orden).
    esperan_a: list[list[int]] = [[] for _ in range(n)]
    ultima_del_objeto: dict[tuple[str, str], int] = {}
    # Operaciones que referencian cada objeto desde su último «borrar» (el siguiente «borrar»
    # espera a todas; las anteriores a ése ya las espera él, y a él la cadena del objeto).
    referentes: dict[tuple[str, str], list[int]] = defaultdict(list)
    por_modelo: dict[str, list[int]] = defaultdict(list)
    dependientes: dict[str, list[int]] = defaultdict(list)
    for i, pieza in enumerate(piezas):
        objeto = (pieza.modelo, pieza.objeto_id)
        retenedoras = set()
        previa = ultima_del_objeto.get(objeto)
        if previa is not None:
            retenedoras.add(previa)
        if pieza.borra:
            retenedoras.update(referentes.pop(objeto, ()))
        for modelo_referido, claves in (pieza.referidos or {}).items():
            for clave in claves:
                previa = ultima_del_objeto.get((modelo_referido, clave))
                if previa is not None:
                    retenedoras.add(previa)
                referentes[(modelo_referido, clave)].append(i)
        for previa in retenedoras:
            esperan_a[previa].append(i)
            bloqueos[i] += 1
        ultima_del_objeto[objeto] = i
        por_modelo[pieza.modelo].append(i)
        for dependencia in grafo.por_modelo(pieza):
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
        for siguiente in esperan_a[i]:
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


def retenedoras(piezas: Sequence[Pieza], grafo: Grafo, detenidas: frozenset[str]) -> dict[int, int]:
    """``{i: j}``: la ``PENDIENTE`` ``i`` no puede salir mientras la ``j`` (en un estado de
    ``detenidas``, p. ej. ``ERROR``/``CONFLICTO``) siga sin resolverse, directamente o a través
    de una cadena de operaciones que esperan a ella (una línea -> su venta -> su cliente
    rechazado). Misma regla que ``elegir``; O(n·(d + r)). ``piezas`` ordenadas por ``seq``."""
    raiz: list[int | None] = [None] * len(piezas)
    ultima_del_objeto: dict[tuple[str, str], int] = {}
    referentes: dict[tuple[str, str], list[int]] = defaultdict(list)
    primera_retenida_del_modelo: dict[str, int] = {}
    for i, pieza in enumerate(piezas):
        if pieza.estado != PENDIENTE and pieza.estado not in detenidas:
            # En vuelo: ya salió y, al confirmarse, deja de contar; no retiene a nadie ni
            # transmite la retención de lo anterior (las posteriores miran más atrás).
            continue
        candidatas: list[int] = []
        previa = ultima_del_objeto.get((pieza.modelo, pieza.objeto_id))
        if previa is not None:
            candidatas.append(previa)
        if pieza.borra:
            candidatas.extend(referentes.pop((pieza.modelo, pieza.objeto_id), ()))
        for modelo_referido, claves in (pieza.referidos or {}).items():
            for clave in claves:
                previa = ultima_del_objeto.get((modelo_referido, clave))
                if previa is not None:
                    candidatas.append(previa)
                referentes[(modelo_referido, clave)].append(i)
        encontrada: int | None = None
        for j in candidatas:
            encontrada = j if piezas[j].estado in detenidas else raiz[j]
            if encontrada is not None:
                break
        if encontrada is None:
            for dependencia in sorted(grafo.por_modelo(pieza)):
                encontrada = primera_retenida_del_modelo.get(dependencia)
                if encontrada is not None:
                    break
        raiz[i] = encontrada
        propia = i if pieza.estado in detenidas else encontrada
        if propia is not None:
            primera_retenida_del_modelo.setdefault(pieza.modelo, propia)
        ultima_del_objeto[(pieza.modelo, pieza.objeto_id)] = i
    return {i: j for i, j in enumerate(raiz) if j is not None and piezas[i].estado == PENDIENTE}
