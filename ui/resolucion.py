"""Lógica pura de la revisión de un conflicto: filas por campo, elecciones y resolución.

Separada del diálogo (como ``conflictsolver`` de Nextcloud) para probarla sin widgets. Sin Qt,
sin E/S: segura desde cualquier hilo.

Un conflicto es el dict de ``agente.almacen.conflictos.Conflicto.a_dict()``: ``base`` (la central
cuando la terminal hizo el cambio), ``local`` (lo que capturó esta terminal, sólo los campos que
la operación cambia), ``central`` (la central ahora; ``None`` si la borró),
``campos_en_disputa``, ``propuesta`` (lo que las reglas ya decidieron) y ``operacion`` (la
operación tal como se capturó: intentos, último error…).

Sólo los campos que la operación cambia (``local`` ∪ ``campos_en_disputa``) son elegibles; el
resto se muestran como contexto. Por campo, un *lado* (``"terminal"``, ``"central"``, ``"base"``),
lo que decidió una regla (``"regla"``, la ``propuesta`` de ese mismo conflicto) o un valor escrito
por el encargado (``"valor"``). La elección inicial sigue la propuesta de las reglas cuando la
hay, y si no, lo capturado en la caja. ``Resolucion.para_motor`` da los argumentos de
``Agente.resolver``.

Resolución en bloque segura por construcción: ``copiar_a`` sólo copia lados y reglas, que cada
conflicto parecido resuelve con SUS propios valores; un valor escrito pertenece a un objeto y
nunca se copia (``copiar_a`` lo rechaza y ``admite_copia`` lo dice antes). ``cambios`` da, por
campo, el valor de la central ahora y el que quedará, para la vista previa.
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
BASE = "base"
REGLA = "regla"
VALOR = "valor"
LADOS = (TERMINAL, CENTRAL, BASE)
ORIGENES = (TERMINAL, CENTRAL, BASE, REGLA, VALOR)
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
        resultado.append(
            FilaCampo(
                campo=campo,
                base=valor_base,
                terminal=None
                if conflicto.get("tipo") == "borrar"
                else local.get(campo, valor_base),
                central=valor_central,
                elegible=elegible,
                en_disputa=campo in disputa,
            )
        )
    return resultado


def firma(conflicto: Mapping[str, Any]) -> tuple[str, str, frozenset[str]]:
    """Dos conflictos son «parecidos» si son del mismo modelo y tipo y disputan los mismos
    campos."""
    disputa = frozenset(
        conflicto.get("campos_en_disputa") or [f.campo for f in filas(conflicto) if f.difiere]
    )
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
        mapa = {
            "sí": True,
            "si": True,
            "true": True,
            "1": True,
            "no": False,
            "false": False,
            "0": False,
        }
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

    def __init__(
        self, conflicto: Mapping[str, Any], tipos: Mapping[str, str] | None = None
    ) -> None:
        self.conflicto = conflicto
        self.tipos = dict(tipos or {})
        self.filas = filas(conflicto)
        self.borrado = es_borrado(conflicto)
        self._usar: str = TERMINAL if conflicto.get("central") is not None else CENTRAL
        self._elecciones: dict[str, tuple[str, Any]] = {}
        self.propuesta = dict(conflicto.get("propuesta") or {})
        for fila in self.filas:
            if fila.elegible:
                self._elecciones[fila.campo] = self._inicial(fila)

    def _inicial(self, fila: FilaCampo) -> tuple[str, Any]:
        if fila.campo in self.propuesta and self.propuesta[fila.campo] != fila.terminal:
            valor = self.propuesta[fila.campo]
            return (CENTRAL, None) if valor == fila.central else (REGLA, None)
        return (TERMINAL, None)

    def decidido_por_regla(self, campo: str) -> bool:
        """Una regla del motor ya propuso un valor para ``campo`` (no lo disputa nadie)."""
        return campo in self.propuesta and campo not in (
            self.conflicto.get("campos_en_disputa") or []
        )

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
        if origen == REGLA and campo not in self.propuesta:
            raise ValueError(f"Ninguna regla decidió «{campo}».")
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
        if origen == BASE:
            return fila.base
        if origen == REGLA:
            return self.propuesta[campo]
        return valor

    def valores_finales(self) -> dict[str, Any]:
        return {fila.campo: self.valor_final(fila.campo) for fila in self.elegibles}

    @property
    def escritos(self) -> list[str]:
        """Campos con un valor escrito a mano (sólo valen para este objeto)."""
        return [c for c, (origen, _) in self._elecciones.items() if origen == VALOR]

    @property
    def admite_copia(self) -> bool:
        """Las elecciones se pueden aplicar a parecidos: ningún valor escrito a mano."""
        return not self.escritos

    def copiar_a(self, otro: Resolucion) -> None:
        """Aplica el mismo *lado* por campo a otro conflicto parecido, con los valores de ese
        otro conflicto. Un campo que aquí decidió una regla sigue la regla del otro (o su
        elección inicial si allí no la hay). Lanza ``ValueError`` si hay un valor escrito:
        nunca se copia un valor de un objeto a otro."""
        if self.escritos:
            raise ValueError(
                "Un valor escrito a mano sólo vale para este objeto: no se aplica a los "
                f"parecidos ({', '.join(self.escritos)})."
            )
        if otro.borrado:
            otro.usar_todo(self._usar)
            return
        for campo, (origen, _valor) in self._elecciones.items():
            if not any(f.campo == campo and f.elegible for f in otro.filas):
                continue
            if origen in LADOS:
                otro.elegir(campo, origen)
            elif origen == REGLA and campo in otro.propuesta:
                otro.elegir(campo, REGLA)

    def cambios(self) -> list[tuple[str, Any, Any]]:
        """``[(campo, valor en la central ahora, valor que quedará)]`` de los campos que la
        resolución cambia en la central (para la vista previa). En un conflicto de borrado,
        un solo elemento ``("(objeto)", existe_ahora, existira_despues)``."""
        if self.borrado:
            ahora = self.conflicto.get("central") is not None
            despues = (self._usar == CENTRAL) if ahora else (self._usar == TERMINAL)
            return [("(objeto)", ahora, despues)]
        return [
            (f.campo, f.central, self.valor_final(f.campo))
            for f in self.elegibles
            if self.valor_final(f.campo) != f.central
        ]

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
            return {
                "id": self.conflicto.get("id"),
                "elecciones": {},
                "usar": _AL_MOTOR[self._usar],
                "quien": quien,
                "motivo": motivo,
            }
        elecciones: dict[str, Any] = {}
        for fila in self.elegibles:
            origen, _valor = self._elecciones[fila.campo]
            elecciones[fila.campo] = _AL_MOTOR.get(origen, self.valor_final(fila.campo))
        return {
            "id": self.conflicto.get("id"),
            "elecciones": elecciones,
            "usar": None,
            "quien": quien,
            "motivo": motivo,
        }


def parecidos(actual: Mapping[str, Any], resto: Iterable[Mapping[str, Any]]) -> list[Mapping]:
    """Conflictos de ``resto`` con la misma ``firma`` que ``actual`` (sin incluirlo)."""
    objetivo = firma(actual)
    return [
        c
        for c in resto
        if c is not actual and c.get("id") != actual.get("id") and firma(c) == objetivo
    ]
