"""Vista optimista (como la vista «rebased» de Replicache): la fila de la central con las
operaciones no confirmadas de esta terminal aplicadas en orden de cola.

Puro: sin E/S ni estado; seguro desde cualquier hilo.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any


def sumar(valor: Any, delta: Any) -> Any:
    """``valor + delta`` para enteros y decimales en forma JSON (decimales como cadena).

    ``None`` se queda en ``None`` (como ``NULL + delta`` en la central).
    """
    if valor is None or delta is None:
        return valor
    if isinstance(valor, int) and not isinstance(valor, bool) and isinstance(delta, int):
        return valor + delta
    return str(Decimal(str(valor)) + Decimal(str(delta)))


def aplicar(
    fila: Mapping[str, Any] | None,
    operaciones: Iterable[tuple[str, Mapping[str, Any]]],
    campos: Iterable[str] = (),
) -> dict[str, Any] | None:
    """Aplica ``(tipo, datos)`` en orden sobre ``fila`` (``None`` = la central no la tiene).

    - ``crear``: la fila existe con ``datos`` (los campos no dados quedan en ``None``);
    - ``actualizar``: sobrescribe los campos dados (sobre una fila inexistente no hace nada);
    - ``ajustar``: suma los deltas;
    - ``borrar``: la fila desaparece (``None``).
    """
    actual = dict(fila) if fila is not None else None
    for tipo, datos in operaciones:
        if tipo == "crear":
            base = actual if actual is not None else dict.fromkeys(campos)
            actual = {**base, **datos}
        elif tipo == "actualizar":
            if actual is not None:
                actual.update(datos)
        elif tipo == "ajustar":
            if actual is not None:
                for campo, delta in datos.items():
                    actual[campo] = sumar(actual.get(campo), delta)
        elif tipo == "borrar":
            actual = None
        else:
            raise ValueError(f"Tipo de operación desconocido: {tipo!r}")
    return actual
