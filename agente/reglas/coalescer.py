"""Detección temprana al encolar: fusionar una operación nueva con la última
operación sin confirmar del mismo objeto cuando es seguro; si no, encolarla detrás con un aviso.

Sólo se fusiona con una operación ``PENDIENTE`` que **nunca se ha intentado enviar**
(``intentos == 0``): una que ya salió hacia la central (aunque volviera a PENDIENTE tras un
fallo de red) puede estar aplicada allí, y cambiar sus datos bajo el mismo UUID perdería el
cambio nuevo (la central la daría por «duplicada»).

Reglas (anterior + nueva):

- ``actualizar + actualizar`` -> un ``actualizar`` con los campos unidos (gana el nuevo valor);
- ``crear + actualizar`` -> ``crear`` con los datos unidos;
- ``crear + borrar`` -> nada (la anterior se anula; nada llega a la central), salvo si el
  objeto está referido (ver abajo);
- ``actualizar + borrar`` -> ``borrar``, con la misma salvedad;
- ``ajustar + ajustar`` -> un ``ajustar`` con los deltas sumados por campo.

Los valores base (para la fusión a tres bandas) son siempre los de la primera operación; los
campos que sólo trae la nueva aportan su propio valor base.

Un ``borrar`` no anula ni absorbe a la anterior si otra operación sin confirmar **hace
referencia** al objeto (``Anterior.referida``: una venta pendiente que nombra al cliente nuevo):
anular el ``crear`` dejaría a esa venta apuntando a un cliente que la central nunca recibe, y
fusionar ``actualizar + borrar`` adelantaría el ``borrar`` a la venta. Se encola al final con
un aviso y ``agente.reglas.orden`` lo envía después de las operaciones que lo referencian.

Cualquier otra combinación se encola detrás (el orden por objeto se respeta al enviar) y
**siempre** con un ``aviso`` que dice por qué no se combinó: toda operación nueva con otra
anterior sin confirmar del mismo objeto se fusiona, anula a la anterior o lleva aviso.

Puro: sin E/S ni estado; seguro desde cualquier hilo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from agente.operacion import PENDIENTE
from agente.reglas.optimista import sumar

ENCOLAR = "encolar"
FUSIONAR = "fusionar"
ANULAR = "anular"


@dataclass(frozen=True)
class Anterior:
    """Lo que el coalescer necesita saber de la última operación sin confirmar del objeto."""

    tipo: str
    datos: Mapping[str, Any]
    valores_base: Mapping[str, Any]
    estado: str = PENDIENTE
    intentos: int = 0
    #: Alguna operación sin confirmar hace referencia a este objeto (columna ``referidos``).
    referida: bool = False


@dataclass(frozen=True)
class Decision:
    """``ENCOLAR`` (nueva operación, quizá con ``aviso``), ``FUSIONAR`` (la anterior pasa a
    ``tipo``/``datos``/``valores_base``) o ``ANULAR`` (la anterior se descarta, nada se encola)."""

    accion: str
    tipo: str | None = None
    datos: dict[str, Any] = field(default_factory=dict)
    valores_base: dict[str, Any] = field(default_factory=dict)
    aviso: str | None = None


def _aviso_no_fusionable(anterior: Anterior) -> str:
    if anterior.estado != PENDIENTE:
        return (
            f"Hay otra operación sobre este objeto en estado {anterior.estado}: "
            "ésta esperará a que se resuelva."
        )
    return (
        "La operación anterior sobre este objeto ya se intentó enviar: "
        "ésta irá detrás, sin fusionarse."
    )


def _aviso(tipo: str, anterior: Anterior) -> str:
    return (
        f"Esta operación «{tipo}» no se puede combinar con el «{anterior.tipo}» pendiente sobre "
        "este objeto: se enviará después de él, en orden."
    )


def _aviso_referido(anterior: Anterior) -> str:
    return (
        "Hay operaciones pendientes que hacen referencia a este objeto: este «borrar» no anula "
        f"el «{anterior.tipo}» pendiente y se enviará después de ellas."
    )


def decidir(
    anterior: Anterior | None, tipo: str, datos: Mapping[str, Any], valores_base: Mapping[str, Any]
) -> Decision:
    """Qué hacer con una operación nueva dada la última sin confirmar del mismo objeto."""
    if anterior is None:
        return Decision(ENCOLAR, tipo, dict(datos), dict(valores_base))
    if anterior.tipo == "borrar":
        return Decision(
            ENCOLAR,
            tipo,
            dict(datos),
            dict(valores_base),
            aviso="El objeto tiene un «borrar» pendiente: esta operación probablemente fallará.",
        )
    if tipo == "crear":
        return Decision(
            ENCOLAR,
            tipo,
            dict(datos),
            dict(valores_base),
            aviso="«crear» sobre un objeto que ya tiene operaciones pendientes.",
        )
    if anterior.estado != PENDIENTE or anterior.intentos > 0:
        return Decision(
            ENCOLAR, tipo, dict(datos), dict(valores_base), aviso=_aviso_no_fusionable(anterior)
        )
    base = {**valores_base, **anterior.valores_base}
    par = (anterior.tipo, tipo)
    if tipo == "borrar" and anterior.referida:
        return Decision(
            ENCOLAR, tipo, dict(datos), dict(valores_base), aviso=_aviso_referido(anterior)
        )
    if par == ("actualizar", "actualizar"):
        return Decision(FUSIONAR, "actualizar", {**anterior.datos, **datos}, base)
    if par == ("crear", "actualizar"):
        return Decision(FUSIONAR, "crear", {**anterior.datos, **datos}, dict(anterior.valores_base))
    if par == ("crear", "borrar"):
        return Decision(ANULAR)
    if par == ("actualizar", "borrar"):
        return Decision(FUSIONAR, "borrar", {}, dict(anterior.valores_base))
    if par == ("ajustar", "ajustar"):
        suma = dict(anterior.datos)
        for campo, delta in datos.items():
            suma[campo] = sumar(suma[campo], delta) if campo in suma else delta
        return Decision(FUSIONAR, "ajustar", suma, base)
    return Decision(ENCOLAR, tipo, dict(datos), dict(valores_base), aviso=_aviso(tipo, anterior))
