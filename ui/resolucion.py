"""Lógica pura de la revisión de un conflicto: filas por campo, elecciones y resolución.

Separada del diálogo (como ``conflictsolver`` de Nextcloud) para probarla sin widgets. Sin Qt,
sin E/S: segura desde cualquier hilo.

Un conflicto (dict plano que entrega el motor) trae tres versiones del objeto:

- ``base``: los valores de la central cuando la terminal hizo el cambio;
- ``local``: lo que capturó esta terminal (la operación tal cual);
- ``central``: los valores actuales de la central.

Por cada campo el encargado elige ``"terminal"``, ``"central"`` o escribe un valor
(``"valor"``). ``Resolucion.para_motor`` produce los argumentos de ``Agente.resolver``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agente.esquema import ErrorValor, normalizar_valor

TERMINAL = "terminal"
CENTRAL = "central"
VALOR = "valor"
ORIGENES = (TERMINAL, CENTRAL, VALOR)


@dataclass(frozen=True)
class FilaCampo:
    """Una fila del diálogo: el mismo campo en las tres versiones."""

    campo: str
    base: Any
    terminal: Any
    central: Any

    @property
    def difiere(self) -> bool:
        """Terminal y central no coinciden: el encargado debe decidir."""
        return self.terminal != self.central

    @property
    def cambiado_en_terminal(self) -> bool:
        return self.terminal != self.base

    @property
    def cambiado_en_central(self) -> bool:
        return self.central != self.base


def _versiones(conflicto: Mapping[str, Any]) -> tuple[dict, dict, dict]:
    base = dict(conflicto.get("base") or conflicto.get("valores_base") or {})
    local = dict(conflicto.get("local") or conflicto.get("terminal") or {})
    central = dict(conflicto.get("central") or conflicto.get("valores_central") or {})
    return base, local, central


def filas(conflicto: Mapping[str, Any]) -> list[FilaCampo]:
    """Filas del conflicto: primero los campos que cambió la terminal (en su orden), después el
    resto de campos conocidos. Un campo ausente en una versión se muestra con el valor base."""
    base, local, central = _versiones(conflicto)
    orden: list[str] = []
    for fuente in (conflicto.get("campos") or [], local, central, base):
        for campo in fuente:
            if campo not in orden:
                orden.append(campo)
    resultado = []
    for campo in orden:
        valor_base = base.get(campo)
        resultado.append(FilaCampo(
            campo=campo,
            base=valor_base,
            terminal=local.get(campo, valor_base),
            central=central.get(campo, valor_base),
        ))
    return resultado


def firma(conflicto: Mapping[str, Any]) -> tuple[str, frozenset[str]]:
    """Dos conflictos son «parecidos» si son del mismo modelo y difieren en los mismos campos."""
    distintos = frozenset(f.campo for f in filas(conflicto) if f.difiere)
    return str(conflicto.get("modelo", "")), distintos


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
    """Elecciones del encargado para un conflicto. Por defecto, cada campo conserva lo de esta
    terminal (lo capturado en la caja), que es lo que el encargado ve resaltado."""

    def __init__(self, conflicto: Mapping[str, Any], tipos: Mapping[str, str] | None = None,
                 defecto: str = TERMINAL) -> None:
        if defecto not in (TERMINAL, CENTRAL):
            raise ValueError(f"Origen por defecto no válido: {defecto!r}.")
        self.conflicto = conflicto
        self.tipos = dict(tipos or conflicto.get("tipos") or {})
        self.filas = filas(conflicto)
        self._elecciones: dict[str, tuple[str, Any]] = {f.campo: (defecto, None) for f in self.filas}

    def fila(self, campo: str) -> FilaCampo:
        for fila in self.filas:
            if fila.campo == campo:
                return fila
        raise KeyError(f"El conflicto no tiene el campo «{campo}».")

    def elegir(self, campo: str, origen: str, valor: Any = None) -> None:
        """Elige ``origen`` para ``campo``; con ``VALOR``, ``valor`` es texto o ya tipado."""
        self.fila(campo)
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
        """«Usar todo de esta terminal» / «de la central»."""
        for fila in self.filas:
            self.elegir(fila.campo, origen)

    def eleccion(self, campo: str) -> tuple[str, Any]:
        return self._elecciones[campo]

    def valor_final(self, campo: str) -> Any:
        origen, valor = self._elecciones[campo]
        fila = self.fila(campo)
        if origen == TERMINAL:
            return fila.terminal
        if origen == CENTRAL:
            return fila.central
        return valor

    def valores_finales(self) -> dict[str, Any]:
        return {fila.campo: self.valor_final(fila.campo) for fila in self.filas}

    def copiar_a(self, otro: Resolucion) -> None:
        """Aplica las mismas elecciones, campo a campo, a otro conflicto parecido."""
        for campo, (origen, valor) in self._elecciones.items():
            if any(f.campo == campo for f in otro.filas):
                otro.elegir(campo, origen, valor)

    def para_motor(self, quien: str, motivo: str) -> dict[str, Any]:
        """Argumentos de ``Agente.resolver``: ``{"id", "campos", "quien", "motivo"}`` donde
        ``campos`` = ``{campo: "local" | "central" | {"valor": v}}``.

        Exige nombre y motivo (van al registro de auditoría)."""
        quien, motivo = (quien or "").strip(), (motivo or "").strip()
        if not quien:
            raise ValueError("Escribe el nombre del encargado que resuelve.")
        if not motivo:
            raise ValueError("Escribe el motivo de la resolución (queda en la auditoría).")
        campos: dict[str, Any] = {}
        for fila in self.filas:
            origen, valor = self._elecciones[fila.campo]
            if origen == TERMINAL:
                campos[fila.campo] = "local"
            elif origen == CENTRAL:
                campos[fila.campo] = "central"
            else:
                campos[fila.campo] = {"valor": valor}
        return {"id": self.conflicto.get("id"), "campos": campos, "quien": quien,
                "motivo": motivo}


def parecidos(actual: Mapping[str, Any], resto: Iterable[Mapping[str, Any]]) -> list[Mapping]:
    """Conflictos de ``resto`` con la misma ``firma`` que ``actual`` (sin incluirlo)."""
    objetivo = firma(actual)
    return [c for c in resto if c is not actual and c.get("id") != actual.get("id")
            and firma(c) == objetivo]
