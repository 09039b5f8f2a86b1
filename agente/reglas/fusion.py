"""Fusión a tres bandas por campo y reglas de conflicto. Puro: sin E/S ni estado.

Entradas, para una operación ``actualizar`` que la central devolvió como ``conflicto`` (o que
una descarga encontró con un cambio central pendiente de empujar):

- ``base``: valores de la central cuando la terminal hizo el cambio (``valores_base``);
- ``local``: lo que la operación cambia (``datos``);
- ``central``: los valores actuales de la central.

Por cada campo que la operación cambia:

- la central no lo tocó (``central == base``): gana el local, en silencio;
- la terminal lo deja como estaba (``local == base``): gana el central, en silencio;
- los dos llegaron al mismo valor: no hay nada que enviar;
- los dos lo cambiaron distinto: decide ``reglas_por_campo[campo]`` o, sin regla, la
  ``estrategia_conflicto`` del modelo (``ultima_modificacion`` decide por hora;
  ``campo_a_campo`` y ``manual`` lo dejan en disputa para el encargado).

Reglas: ``mayor_valor``/``menor_valor`` (comparación según el tipo; un nulo pierde),
``concatenar`` (``central | local``), ``prioridad_central``, ``ultima_modificacion`` (la hora de
la terminal corregida con el desfase medido frente a ``modificado_en`` de la central; empate o
hora desconocida: gana la central).

Seguro desde cualquier hilo (funciones puras sobre objetos inmutables).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from protocolo.esquema import ConfigModelo

SEPARADOR_CONCATENAR = " | "

SIN_CAMBIO_CENTRAL = "sin_cambio_central"
"""Sólo la terminal cambió el campo: gana el local."""
SIN_CAMBIO_LOCAL = "sin_cambio_local"
"""La operación deja el campo como estaba en la base: gana el central (no se envía)."""
MISMO_VALOR = "mismo_valor"
"""Los dos lados llegaron al mismo valor."""
EN_DISPUTA = "en_disputa"


@dataclass(frozen=True)
class DecisionCampo:
    """Qué se decidió para un campo y por qué (va a la auditoría)."""

    campo: str
    base: Any
    local: Any
    central: Any
    resultado: Any
    regla: str

    def a_dict(self) -> dict[str, Any]:
        return {
            "campo": self.campo,
            "base": self.base,
            "local": self.local,
            "central": self.central,
            "resultado": self.resultado,
            "regla": self.regla,
        }


@dataclass(frozen=True)
class ResultadoFusion:
    decisiones: tuple[DecisionCampo, ...]
    en_disputa: tuple[str, ...] = ()
    borrar: bool = False
    """La operación era ``borrar`` y se mantiene (gana el borrado)."""
    notas: tuple[str, ...] = field(default=())

    @property
    def resuelto(self) -> bool:
        return not self.en_disputa

    def datos(self, central: Mapping[str, Any]) -> dict[str, Any]:
        """Los campos que aún hay que enviar: los decididos que difieren de la central."""
        return {
            d.campo: d.resultado
            for d in self.decisiones
            if d.regla != EN_DISPUTA and d.resultado != central.get(d.campo)
        }

    def hubo_regla(self) -> bool:
        """``True`` si alguna regla decidió un campo cambiado en los dos lados."""
        return any(
            d.regla not in (SIN_CAMBIO_CENTRAL, SIN_CAMBIO_LOCAL, MISMO_VALOR, EN_DISPUTA)
            for d in self.decisiones
        )


def hora_corregida(hora_terminal: str | None, desfase_ms: int) -> dt.datetime | None:
    """Hora de la terminal llevada al reloj de la central (``desfase = central - terminal``)."""
    if not hora_terminal:
        return None
    try:
        momento = dt.datetime.fromisoformat(hora_terminal)
    except ValueError:
        return None
    if momento.tzinfo is None:
        momento = momento.replace(tzinfo=dt.UTC)
    return momento + dt.timedelta(milliseconds=desfase_ms)


def leer_hora(texto: Any) -> dt.datetime | None:
    if not isinstance(texto, str):
        return None
    try:
        momento = dt.datetime.fromisoformat(texto)
    except ValueError:
        return None
    return momento if momento.tzinfo else momento.replace(tzinfo=dt.UTC)


def _clave_orden(tipo: str, valor: Any) -> Any:
    if tipo == "decimal":
        return Decimal(str(valor))
    if tipo == "fecha_hora":
        return leer_hora(valor) or valor
    return valor


def _extremo(tipo: str, local: Any, central: Any, mayor: bool) -> Any:
    if local is None:
        return central
    if central is None:
        return local
    try:
        clave_l, clave_c = _clave_orden(tipo, local), _clave_orden(tipo, central)
        if clave_l == clave_c:
            return central
        gana_local = clave_l > clave_c if mayor else clave_l < clave_c
    except (TypeError, ArithmeticError, ValueError):
        return central
    return local if gana_local else central


def _aplicar_regla(
    regla: str,
    tipo: str,
    local: Any,
    central: Any,
    hora_local: dt.datetime | None,
    hora_central: dt.datetime | None,
) -> Any:
    if regla == "mayor_valor":
        return _extremo(tipo, local, central, mayor=True)
    if regla == "menor_valor":
        return _extremo(tipo, local, central, mayor=False)
    if regla == "concatenar":
        if local is None or local == "":
            return central
        if central is None or central == "":
            return local
        return f"{central}{SEPARADOR_CONCATENAR}{local}"
    if regla == "prioridad_central":
        return central
    if regla == "ultima_modificacion":
        if hora_local is not None and hora_central is not None and hora_local > hora_central:
            return local
        return central
    raise ValueError(f"Regla desconocida: {regla!r}")


def regla_de(config: ConfigModelo, campo: str) -> str | None:
    """La regla que decide ``campo`` cuando ambos lados lo cambiaron, o ``None`` (disputa)."""
    regla = config.reglas_por_campo.get(campo)
    if regla:
        return regla
    if config.estrategia_conflicto == "ultima_modificacion":
        return "ultima_modificacion"
    return None


def fusionar(
    config: ConfigModelo,
    base: Mapping[str, Any],
    local: Mapping[str, Any],
    central: Mapping[str, Any] | None,
    *,
    tipo_operacion: str = "actualizar",
    hora_local: dt.datetime | None = None,
    hora_central: dt.datetime | None = None,
    campos_cambiados: tuple[str, ...] = (),
) -> ResultadoFusion:
    """Fusiona una operación ``actualizar``/``borrar`` con el estado actual de la central.

    ``central`` ``None`` significa que la central ya no tiene el objeto. ``hora_local`` es la
    hora de la operación ya corregida con el desfase; ``hora_central``, el ``modificado_en``
    de la fila central.
    """
    if central is None:
        if tipo_operacion == "borrar":
            return ResultadoFusion(decisiones=(), notas=("La central ya lo había borrado.",))
        return ResultadoFusion(
            decisiones=tuple(
                DecisionCampo(c, base.get(c), v, None, None, EN_DISPUTA) for c, v in local.items()
            ),
            en_disputa=tuple(local) or ("(objeto)",),
            notas=("La central borró el objeto que esta terminal modificó.",),
        )
    if tipo_operacion == "borrar":
        cambiados = tuple(campos_cambiados) or tuple(
            c for c, v in base.items() if central.get(c) != v
        )
        if config.estrategia_conflicto == "ultima_modificacion":
            if hora_local is not None and hora_central is not None and hora_local > hora_central:
                return ResultadoFusion(
                    decisiones=(),
                    borrar=True,
                    notas=("ultima_modificacion: gana el borrado local.",),
                )
            return ResultadoFusion(
                decisiones=(), notas=("ultima_modificacion: gana el cambio central.",)
            )
        return ResultadoFusion(
            decisiones=tuple(
                DecisionCampo(c, base.get(c), None, central.get(c), None, EN_DISPUTA)
                for c in cambiados
            ),
            en_disputa=cambiados or ("(objeto)",),
            notas=("La terminal borró un objeto que la central cambió.",),
        )

    decisiones: list[DecisionCampo] = []
    disputa: list[str] = []
    for campo, valor_local in local.items():
        valor_base = base.get(campo)
        valor_central = central.get(campo)
        if valor_local == valor_central:
            decisiones.append(
                DecisionCampo(
                    campo, valor_base, valor_local, valor_central, valor_central, MISMO_VALOR
                )
            )
            continue
        if campo in base and valor_local == valor_base:
            decisiones.append(
                DecisionCampo(
                    campo, valor_base, valor_local, valor_central, valor_central, SIN_CAMBIO_LOCAL
                )
            )
            continue
        # Sin valor base conocido no hay prueba de cambio central, salvo que la central diga que
        # lo cambió (campos_cambiados): entonces se trata como cambio de los dos lados.
        sin_cambio_central = (
            valor_central == valor_base if campo in base else (campo not in campos_cambiados)
        )
        if sin_cambio_central:
            decisiones.append(
                DecisionCampo(
                    campo, valor_base, valor_local, valor_central, valor_local, SIN_CAMBIO_CENTRAL
                )
            )
            continue
        regla = regla_de(config, campo)
        if regla is None:
            decisiones.append(
                DecisionCampo(campo, valor_base, valor_local, valor_central, None, EN_DISPUTA)
            )
            disputa.append(campo)
            continue
        resultado = _aplicar_regla(
            regla,
            config.tipos.get(campo, "texto"),
            valor_local,
            valor_central,
            hora_local,
            hora_central,
        )
        decisiones.append(
            DecisionCampo(campo, valor_base, valor_local, valor_central, resultado, regla)
        )
    return ResultadoFusion(decisiones=tuple(decisiones), en_disputa=tuple(disputa))
