"""Hora de edición de los valores actuales de un objeto, para ``ultima_modificacion``.

«Última modificación» es la última *edición*, no la última llegada a la central: una terminal
sin conexión puede enviar horas después un cambio hecho antes que otro que ya llegó. La hora de
edición de una operación es su ``hora_terminal`` corregida con el ``desfase_ms`` que la terminal
midió (``desfase = central - terminal``), y nunca posterior a su llegada (una terminal no puede
ganar todos los conflictos con un reloj adelantado).

``hora_de_edicion`` busca, para cada campo en disputa, la última operación aplicada de ese objeto
que lo escribió (``OperacionRecibida``, en orden de versión) y, si el valor actual sigue siendo
el que escribió ella, toma su hora de edición; si no (lo cambió después la propia central, un
``ajustar``, o su registro ya se podó), la hora del último cambio de la fila. Devuelve la más
reciente de los campos en disputa. Sólo lee; sin estado: seguro desde cualquier hilo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .configuracion import ConfigModelo
from .models import OperacionRecibida
from .valores import Rechazo, normalizar

#: Como mucho tantas operaciones recientes del objeto se miran (las conflictivas son raras).
LIMITE_OPERACIONES = 200


def hora_corregida(
    hora_terminal: str, desfase_ms: int | None, recibida_en: dt.datetime
) -> dt.datetime:
    """La hora de edición en el reloj de la central, como mucho la de llegada."""
    try:
        hora = dt.datetime.fromisoformat(hora_terminal)
    except (TypeError, ValueError):
        return recibida_en
    if hora.tzinfo is None:
        return recibida_en
    hora += dt.timedelta(milliseconds=desfase_ms or 0)
    return min(hora, recibida_en)


def hora_de_edicion(
    config: ConfigModelo,
    objeto_id: str,
    campos: Iterable[str],
    actuales: Mapping[str, Any],
    ultimo_cambio: str,
    iguales: Callable[[ConfigModelo, str, Any, Any], bool],
) -> str:
    """ISO 8601 de la edición más reciente que produjo el valor actual de ``campos``."""
    pendientes = set(campos)
    ultimo = dt.datetime.fromisoformat(ultimo_cambio) if ultimo_cambio else None
    horas: list[dt.datetime] = []
    filas = (
        OperacionRecibida.objects.filter(
            modelo=config.nombre, objeto_id=objeto_id, tipo__in=("crear", "actualizar")
        )
        .order_by("-recibida_en")
        .values_list("datos", "resultado", "hora_terminal", "desfase_ms", "recibida_en")[
            :LIMITE_OPERACIONES
        ]
    )
    for datos, _resultado, hora_terminal, desfase_ms, recibida_en in sorted(
        filas, key=lambda f: -int((f[1] or {}).get("version") or 0)
    ):
        for campo in [c for c in pendientes if c in (datos or {})]:
            pendientes.discard(campo)
            try:
                escrito = normalizar(config, campo, datos[campo])
            except Rechazo:
                continue
            if iguales(config, campo, actuales.get(campo), escrito):
                horas.append(hora_corregida(hora_terminal, desfase_ms, recibida_en))
            elif ultimo is not None:
                horas.append(ultimo)
        if not pendientes:
            break
    if pendientes and ultimo is not None:
        horas.append(ultimo)
    return max(horas).isoformat() if horas else ultimo_cambio
