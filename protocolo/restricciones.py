"""Reglas de negocio declaradas por campo (``restricciones`` de cada modelo en ``/v1/esquema``).

Forma JSON de un campo (todas las claves son opcionales)::

    "precio": {"requerido": true, "minimo": "0", "maximo": "99999999.99", "decimales": 2,
               "digitos": 10, "operaciones": ["crear"]}
    "stock":  {"minimo": -2147483648, "maximo": 2147483647, "delta_minimo": -10000,
               "delta_maximo": 10000, "operaciones": ["actualizar", "ajustar"]}
    "nombre": {"requerido": true, "longitud_maxima": 200}

- ``requerido``: un ``crear`` debe traerlo (y no nulo).
- ``minimo``/``maximo``: límites del valor (enteros como número, decimales como cadena); en
  ``ajustar``, del valor resultante.
- ``longitud_maxima``: caracteres de un texto. ``decimales``/``digitos``: de un decimal.
- ``operaciones``: qué operaciones de las terminales pueden escribir el campo (``crear``,
  ``actualizar``, ``ajustar``). Por defecto ``crear`` y ``actualizar``: ``ajustar`` sólo en
  campos numéricos que lo declaren.
- ``delta_minimo``/``delta_maximo``: límites de cada delta de ``ajustar``.

Puro e inmutable: seguro desde cualquier hilo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .errores import ErrorEsquema

#: Operaciones que escriben valores en un campo (``borrar`` no escribe ninguno).
OPERACIONES_DE_CAMPO = ("crear", "actualizar", "ajustar")
OPERACIONES_POR_DEFECTO = frozenset({"crear", "actualizar"})
TIPOS_NUMERICOS = ("entero", "decimal")
CLAVES = frozenset(
    {
        "requerido",
        "minimo",
        "maximo",
        "longitud_maxima",
        "decimales",
        "digitos",
        "operaciones",
        "delta_minimo",
        "delta_maximo",
    }
)

Numero = int | Decimal


@dataclass(frozen=True)
class ReglasCampo:
    """Reglas de un campo; los valores por defecto no restringen nada salvo ``ajustar``."""

    requerido: bool = False
    minimo: Numero | None = None
    maximo: Numero | None = None
    longitud_maxima: int | None = None
    decimales: int | None = None
    digitos: int | None = None
    operaciones: frozenset[str] = OPERACIONES_POR_DEFECTO
    delta_minimo: Numero | None = None
    delta_maximo: Numero | None = None

    def a_dict(self) -> dict[str, Any]:
        """Forma JSON (sólo lo que difiere del valor por defecto, salvo ``operaciones``)."""
        forma: dict[str, Any] = {}
        if self.requerido:
            forma["requerido"] = True
        for nombre in ("minimo", "maximo", "delta_minimo", "delta_maximo"):
            valor = getattr(self, nombre)
            if valor is not None:
                forma[nombre] = format(valor, "f") if isinstance(valor, Decimal) else valor
        for nombre in ("longitud_maxima", "decimales", "digitos"):
            if getattr(self, nombre) is not None:
                forma[nombre] = getattr(self, nombre)
        forma["operaciones"] = sorted(self.operaciones)
        return forma


SIN_REGLAS = ReglasCampo()


def _numero(tipo: str, valor: Any, que: str) -> Numero | None:
    if valor is None:
        return None
    if tipo == "entero":
        if isinstance(valor, bool) or not isinstance(valor, int):
            raise ErrorEsquema(f"{que}: debe ser un entero, no {valor!r}.")
        return valor
    if isinstance(valor, bool) or not isinstance(valor, int | str | Decimal):
        raise ErrorEsquema(f"{que}: debe ser un decimal como cadena, no {valor!r}.")
    try:
        numero = Decimal(str(valor))
    except InvalidOperation:
        raise ErrorEsquema(f"{que}: {valor!r} no es un decimal.") from None
    if not numero.is_finite():
        raise ErrorEsquema(f"{que}: debe ser un decimal finito, no {valor!r}.")
    return numero


def _natural(valor: Any, que: str, minimo: int = 0) -> int | None:
    if valor is None:
        return None
    if isinstance(valor, bool) or not isinstance(valor, int) or valor < minimo:
        raise ErrorEsquema(f"{que}: debe ser un entero ≥ {minimo}, no {valor!r}.")
    return valor


def reglas_desde_dict(modelo: str, campo: str, tipo: str, forma: Any) -> ReglasCampo:
    """Valida las reglas JSON de un campo de tipo ``tipo``. Lanza ``ErrorEsquema``."""
    que = f"{modelo}.{campo}"
    if not isinstance(forma, Mapping):
        raise ErrorEsquema(f"{que}: las restricciones deben ser un objeto.")
    desconocidas = set(forma) - CLAVES
    if desconocidas:
        raise ErrorEsquema(f"{que}: restricciones desconocidas: {', '.join(sorted(desconocidas))}.")
    numerico = tipo in TIPOS_NUMERICOS
    for clave in ("minimo", "maximo", "delta_minimo", "delta_maximo"):
        if forma.get(clave) is not None and not numerico:
            raise ErrorEsquema(f"{que}: «{clave}» sólo se aplica a campos numéricos ({tipo}).")
    if forma.get("longitud_maxima") is not None and tipo != "texto":
        raise ErrorEsquema(f"{que}: «longitud_maxima» sólo se aplica a campos de texto.")
    for clave in ("decimales", "digitos"):
        if forma.get(clave) is not None and tipo != "decimal":
            raise ErrorEsquema(f"{que}: «{clave}» sólo se aplica a campos decimales.")
    requerido = forma.get("requerido", False)
    if not isinstance(requerido, bool):
        raise ErrorEsquema(f"{que}: «requerido» debe ser true o false.")
    operaciones = forma.get("operaciones", sorted(OPERACIONES_POR_DEFECTO))
    if not isinstance(operaciones, list | tuple) or any(
        o not in OPERACIONES_DE_CAMPO for o in operaciones
    ):
        raise ErrorEsquema(
            f"{que}: «operaciones» debe ser una lista de {', '.join(OPERACIONES_DE_CAMPO)}."
        )
    if "ajustar" in operaciones and not numerico:
        raise ErrorEsquema(f"{que}: «ajustar» sólo se aplica a campos numéricos.")
    reglas = ReglasCampo(
        requerido=requerido,
        minimo=_numero(tipo, forma.get("minimo"), f"{que}.minimo"),
        maximo=_numero(tipo, forma.get("maximo"), f"{que}.maximo"),
        longitud_maxima=_natural(forma.get("longitud_maxima"), f"{que}.longitud_maxima", 1),
        decimales=_natural(forma.get("decimales"), f"{que}.decimales"),
        digitos=_natural(forma.get("digitos"), f"{que}.digitos", 1),
        operaciones=frozenset(operaciones),
        delta_minimo=_numero(tipo, forma.get("delta_minimo"), f"{que}.delta_minimo"),
        delta_maximo=_numero(tipo, forma.get("delta_maximo"), f"{que}.delta_maximo"),
    )
    for bajo, alto in (("minimo", "maximo"), ("delta_minimo", "delta_maximo")):
        a, b = getattr(reglas, bajo), getattr(reglas, alto)
        if a is not None and b is not None and a > b:
            raise ErrorEsquema(f"{que}: «{bajo}» ({a}) es mayor que «{alto}» ({b}).")
    if (
        reglas.decimales is not None
        and reglas.digitos is not None
        and (reglas.decimales > reglas.digitos)
    ):
        raise ErrorEsquema(f"{que}: más «decimales» que «digitos».")
    return reglas
