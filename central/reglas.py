"""Reglas de negocio de cada operación recibida, antes de tocar la base de datos.

``comprobar(op, tienda, terminal)`` lanza ``Rechazo`` (la operación queda ``rechazada`` con ese
motivo) si:

- la operación trae la tienda o la terminal (``campo_tienda``/``campo_terminal``) con un valor
  distinto del de la terminal autenticada: la identidad sale del token, nunca de los datos;
- es un ``actualizar`` o un ``borrar`` sin ``version_base``: la comprobación de conflictos no se
  puede saltar (una terminal que no conoce la versión envía 0 y los ``valores_base`` de lo que
  cambia; ver docs/protocolo.md);
- sus datos no cumplen las reglas declaradas del modelo: las mismas con las que la terminal
  valida al encolar (``protocolo.esquema.ConfigModelo.validar_datos``), con el mismo mensaje.

Puro salvo la lectura de ``op``; sin estado: seguro desde cualquier hilo.
"""

from __future__ import annotations

from typing import Any

from protocolo.errores import ErrorValor

from .envoltura import Operacion
from .valores import Rechazo


def comprobar(op: Operacion, tienda: str, terminal: str) -> None:
    """``Rechazo`` si ``op`` incumple una regla de negocio (ver el módulo)."""
    config = op.config
    if op.tipo in ("actualizar", "borrar") and op.version_base is None:
        raise Rechazo(
            f"«{op.tipo}» sin «version_base»: la central no aplica cambios sin comprobar "
            "conflictos (envíe la versión en que se basa, 0 si no la conoce)."
        )
    datos = dict(op.datos)
    for campo, propio, que in (
        (config.campo_tienda, tienda, "tienda"),
        (config.campo_terminal, terminal, "terminal"),
    ):
        if campo is not None and campo in datos and _texto(datos.pop(campo)) != propio:
            raise Rechazo(
                f"«{campo}» no es el de esta {que} ({propio}): la central lo pone desde el "
                "token, no desde los datos."
            )
    try:
        config.validar_datos(op.tipo, datos)
    except ErrorValor as exc:
        raise Rechazo(str(exc)) from None


def _texto(valor: Any) -> str | None:
    return valor if isinstance(valor, str) else None


# -- límites del resultado de «ajustar» ------------------------------------------------------


def limites_sql(columnas: list[str], marca: str) -> str:
    """Condición SQL que deja aplicar un ajuste sólo si cada columna queda dentro de sus
    límites. En NUMERIC: la suma de la comprobación no desborda en ningún motor, y como el
    WHERE se evalúa antes que el SET, la suma de la columna tampoco."""

    def numero(x: str) -> str:
        return f"CAST({x} AS NUMERIC)"

    return "".join(
        f" AND {numero(c)} + {numero(marca)} BETWEEN {numero(marca)} AND {numero(marca)}"
        for c in columnas
    )


def _limites(config: Any, campo: str) -> tuple[Any, Any]:
    r = config.reglas(campo)
    bajo = r.minimo if r.minimo is not None else -(2**63)
    alto = r.maximo if r.maximo is not None else 2**63 - 1
    return bajo, alto


def parametros_limites(config: Any, deltas: dict[str, Any]) -> list[Any]:
    """Parámetros de ``limites_sql`` en el mismo orden: por campo, delta, mínimo y máximo."""
    parametros: list[Any] = []
    for campo, delta in deltas.items():
        parametros += [delta, *_limites(config, campo)]
    return parametros


def motivo_fuera_de_limites(config: Any, deltas: dict[str, Any]) -> str:
    campos = ", ".join(
        f"«{c}» ({_limites(config, c)[0]} … {_limites(config, c)[1]})" for c in deltas
    )
    return f"El ajuste dejaría {campos} fuera de sus límites; no se aplicó."
