"""Actividad de la cola por minuto, para el gráfico de la ventana.

Se reconstruye de la propia cola (sobrevive a reinicios): cada operación entra en la cola al
encolarse (``hora_terminal``) y sale al finalizar (``finalizada_en``). Sólo lee; seguro desde
cualquier hilo (el cerrojo de la ``ConexionCola`` compartida).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from agente.almacen.conexion import ConexionCola
from agente.operacion import COMPLETADO


def serie(
    bd: ConexionCola, horas: float = 6, ahora: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Serie por minuto de las últimas ``horas``: ``{"minuto", "cola", "enviadas"}``, donde
    ``cola`` = operaciones encoladas y aún sin finalizar al acabar ese minuto y ``enviadas`` =
    las que la central confirmó en ese minuto. Sólo minutos con algo que contar."""
    ahora = (ahora or dt.datetime.now(dt.UTC)).replace(second=0, microsecond=0)
    desde = ahora - dt.timedelta(hours=horas)
    with bd.leer() as c:
        filas = c.execute(
            "SELECT hora_terminal, finalizada_en, estado FROM operaciones"
            " WHERE finalizada_en IS NULL OR finalizada_en >= ?",
            (desde.isoformat(),),
        ).fetchall()

    def minuto(texto: str) -> dt.datetime:
        momento = dt.datetime.fromisoformat(texto)
        if momento.tzinfo is None:
            momento = momento.replace(tzinfo=dt.UTC)
        return max(desde, momento.astimezone(dt.UTC).replace(second=0, microsecond=0))

    cambios: dict[dt.datetime, int] = {}
    enviadas: dict[dt.datetime, int] = {}
    for hora_terminal, finalizada_en, estado in filas:
        entra = minuto(hora_terminal)
        cambios[entra] = cambios.get(entra, 0) + 1
        if finalizada_en is not None:
            sale = minuto(finalizada_en)
            cambios[sale] = cambios.get(sale, 0) - 1
            if estado == COMPLETADO:
                enviadas[sale] = enviadas.get(sale, 0) + 1
    resultado, profundidad = [], 0
    for momento in sorted(set(cambios) | set(enviadas)):
        profundidad += cambios.get(momento, 0)
        if momento <= ahora:
            resultado.append(
                {
                    "minuto": momento.isoformat(),
                    "cola": max(0, profundidad),
                    "enviadas": enviadas.get(momento, 0),
                }
            )
    return resultado
