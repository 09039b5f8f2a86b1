"""Lógica pura de la revisión de un conflicto: filas por campo, elecciones y resolución.

Separada del diálogo (como ``conflictsolver`` de Nextcloud) para probarla sin widgets. Sin Qt,
sin E/S: segura desde cualquier hilo.

Un conflicto es el dict de ``agente.almacen.conflictos.Conflicto.a_dict()``: ``base`` (la central
cuando la terminal hizo el cambio), ``local`` (lo que capturó esta terminal, sólo los campos que
la operación cambia), ``central`` (la central ahora; ``None`` si la borró),
``campos_en_disputa``, ``propuesta`` (lo que las reglas ya decidieron) y ``operacion`` (la
operación tal como se capturó: intentos, último error…).

Sólo los campos que la operación cambia (``local`` ∪ ``campos_en_disputa``) son elegibles; el
resto se muestran como contexto. Por campo: ``"terminal"``, ``"central"`` o un valor escrito
(``"valor"``). La elección inicial sigue la propuesta de las reglas cuando la hay, y si no, lo
capturado en la caja. ``Resolucion.para_motor`` da los argumentos de ``Agente.resolver``.
Un conflicto de borrado (la operación borra, o la central borró el objeto) se resuelve entero:
``usar`` = ``"local"`` o ``"central"``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from protocolo.esquema import ErrorValor, normalizar_valor

TERMINAL = "terminal"
CENTRAL = "central"
VALOR = "valor"
ORIGENES = (TERMINAL, CENTRAL, VALOR)
_AL_MOTOR = {TERMINAL: "local", CENTRAL: "central"}


@dataclass(frozen=True)
class FilaCampo:
    """Una fila del diálogo: el mismo campo en las tres versiones."""

    campo: str
    base: Any
    terminal: Any
    central: Any
    elegible: bool = True
    en_disputa: bool = False

    @property
    def difiere(self) -> bool:
        """Terminal y central no coinciden en un campo que la operación cambia."""
        return self.elegible and self.terminal != self.central


def es_borrado(conflicto: Mapping[str, Any]) -> bool:
    return conflicto.get("tipo") == "borrar" or conflicto.get("central") is None


def filas(conflicto: Mapping[str, Any]) -> list[FilaCampo]:
    """Filas del conflicto: primero los campos en disputa, luego el resto de los que cambió la
    terminal, y al final los demás campos conocidos (sólo contexto, no elegibles)."""
    base = dict(conflicto.get("base") or {})
    local = dict(conflicto.get("local") or {})
    central = conflicto.get("central")
    central = dict(central) if central is not None else None
    disputa = list(conflicto.get("campos_en_disputa") or [])
    borrado = es_borrado(conflicto)
    orden: list[str] = []
    for fuente in (disputa, local, central or {}, base):
        for campo in fuente:
            if campo not in orden:
                orden.append(campo)
    resultado = []
    for campo in orden:
        elegible = not borrado and (campo in local or campo in disputa)
        valor_base = base.get(campo)
        valor_central = None if central is None else central.get(campo, valor_base)
        resultado.append(FilaCampo(
            campo=campo,
            base=valor_base,
            terminal=None if conflicto.get("tipo") == "borrar" else local.get(campo, valor_base),
            central=valor_central,
            elegible=elegible,
            en_disputa=campo in disputa,
        ))
    return resultado


def firma(conflicto: Mapping[str, Any]) -> tuple[str, str, frozenset[str]]:
    """Dos conflictos son «parecidos» si son del mismo modelo y tipo y disputan los mismos
    campos."""
    disputa = frozenset(conflicto.get("campos_en_disputa") or
                        [f.campo for f in filas(conflicto) if f.difiere])
    return str(conflicto.get("modelo", "")), str(conflicto.get("tipo", "")), disputa


def convertir_texto(tipo: str | None, texto: str, campo: str = "valor") -> Any:
    """Convierte lo que el encargado escribe al valor JSON del tipo del campo.

    Lanza ``ErrorValor`` con un mensaje de una línea si no encaja (lo enseña el diálogo).
    """
    texto = texto.strip()
    if tipo is None:
        return texto
    if texto == "" and tipo != "texto":
        return normalizar_valor(tipo, None, campo, admite_nulo=True)
    if tipo == "entero":
        try:
            valor: Any = int(texto)
        except ValueError:
            raise ErrorValor(f"El campo «{campo}» espera un entero, no «{texto}».") from None
    elif tipo == "booleano":
        mapa = {"sí": True, "si": True, "true": True, "1": True, "no": False, "false": False,
                "0": False}
        if texto.lower() not in mapa:
            raise ErrorValor(f"El campo «{campo}» espera sí o no, no «{texto}».")
        valor = mapa[texto.lower()]
    elif tipo == "json":
        try:
            valor = json.loads(texto)
        except ValueError:
            raise ErrorValor(f"El campo «{campo}» espera JSON válido.") from None
    else:
        valor = texto
    return normalizar_valor(tipo, valor, campo, admite_nulo=True)


class Resolucion:
    """Elecciones del encargado para un conflicto."""

    def __init__(self, conflicto: Mapping[str, Any],
                 tipos: Mapping[str, str] | None = None) -> None:
        self.conflicto = conflicto
        self.tipos = dict(tipos or {})
        self.filas = filas(conflicto)
        self.borrado = es_borrado(conflicto)
        self._usar: str = TERMINAL if conflicto.get("central") is not None else CENTRAL
        self._elecciones: dict[str, tuple[str, Any]] = {}
        propuesta = dict(conflicto.get("propuesta") or {})
        for fila in self.filas:
            if not fila.elegible:
                continue
            if fila.campo in propuesta and propuesta[fila.campo] != fila.terminal:
                valor = propuesta[fila.campo]
                self._elecciones[fila.campo] = ((CENTRAL, None) if valor == fila.central
                                                else (VALOR, valor))
            else:
                self._elecciones[fila.campo] = (TERMINAL, None)

    @property
    def elegibles(self) -> list[FilaCampo]:
        return [f for f in self.filas if f.elegible]

    def fila(self, campo: str) -> FilaCampo:
        for fila in self.filas:
            if fila.campo == campo:
                return fila
        raise KeyError(f"El conflicto no tiene el campo «{campo}».")

    def elegir(self, campo: str, origen: str, valor: Any = None) -> None:
        """Elige ``origen`` para ``campo``; con ``VALOR``, ``valor`` es texto o ya tipado."""
        fila = self.fila(campo)
        if not fila.elegible:
            raise ValueError(f"La operación no cambia «{campo}»: no hay nada que elegir.")
        if origen not in ORIGENES:
            raise ValueError(f"Origen no válido: {origen!r} (válidos: {', '.join(ORIGENES)}).")
        if origen == VALOR:
            if isinstance(valor, str):
                valor = convertir_texto(self.tipos.get(campo), valor, campo)
            elif campo in self.tipos:
                valor = normalizar_valor(self.tipos[campo], valor, campo, admite_nulo=True)
            self._elecciones[campo] = (VALOR, valor)
        else:
            self._elecciones[campo] = (origen, None)

    def usar_todo(self, origen: str) -> None:
        """«Usar todo de esta terminal» / «de la central» (también en conflictos de borrado)."""
        if origen not in (TERMINAL, CENTRAL):
            raise ValueError(f"Origen no válido: {origen!r}.")
        self._usar = origen
        for fila in self.elegibles:
            self.elegir(fila.campo, origen)

    @property
    def usar(self) -> str:
        return self._usar

    def eleccion(self, campo: str) -> tuple[str, Any]:
        return self._elecciones[campo]

    def valor_final(self, campo: str) -> Any:
        fila = self.fila(campo)
        if self.borrado:
            return fila.terminal if self._usar == TERMINAL else fila.central
        if not fila.elegible:
            return fila.central
        origen, valor = self._elecciones[campo]
        if origen == TERMINAL:
            return fila.terminal
        if origen == CENTRAL:
            return fila.central
        return valor

    def valores_finales(self) -> dict[str, Any]:
        return {fila.campo: self.valor_final(fila.campo) for fila in self.elegibles}

    def copiar_a(self, otro: Resolucion) -> None:
        """Aplica las mismas elecciones, campo a campo, a otro conflicto parecido."""
        if otro.borrado:
            otro.usar_todo(self._usar)
            return
        for campo, (origen, valor) in self._elecciones.items():
            if any(f.campo == campo and f.elegible for f in otro.filas):
                otro.elegir(campo, origen, valor)

    def para_motor(self, quien: str, motivo: str) -> dict[str, Any]:
        """Argumentos de ``Agente.resolver``: ``{"id", "elecciones", "usar", "quien",
        "motivo"}`` con ``elecciones`` = ``{campo: "local" | "central" | valor}``.

        Exige nombre y motivo (van al registro de auditoría)."""
        quien, motivo = (quien or "").strip(), (motivo or "").strip()
        if not quien:
            raise ValueError("Escribe el nombre del encargado que resuelve.")
        if not motivo:
            raise ValueError("Escribe el motivo de la resolución (queda en la auditoría).")
        if self.borrado:
            return {"id": self.conflicto.get("id"), "elecciones": {},
                    "usar": _AL_MOTOR[self._usar], "quien": quien, "motivo": motivo}
        elecciones: dict[str, Any] = {}
        for fila in self.elegibles:
            origen, valor = self._elecciones[fila.campo]
            elecciones[fila.campo] = _AL_MOTOR.get(origen, valor)
        return {"id": self.conflicto.get("id"), "elecciones": elecciones, "usar": None,
                "quien": quien, "motivo": motivo}


def parecidos(actual: Mapping[str, Any], resto: Iterable[Mapping[str, Any]]) -> list[Mapping]:
    """Conflictos de ``resto`` con la misma ``firma`` que ``actual`` (sin incluirlo)."""
    objetivo = firma(actual)
    return [c for c in resto if c is not actual and c.get("id") != actual.get("id")
            and firma(c) == objetivo]
