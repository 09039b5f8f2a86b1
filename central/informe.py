"""El informe de estado de una terminal (``POST /v1/estado``) en la base, en el camino caliente:
cada caja lo envía al final de cada pase de sincronización.

- ``guardar``: una sentencia ``UPDATE`` de su fila de ``SaludTerminal`` con los campos
  informados (valores adaptados por los propios campos del modelo, como haría el ORM); si la
  fila aún no existe (una terminal creada sin ella), la crea con el ORM.

La sentencia es atómica por sí misma (autocommit); sin estado propio: seguro en cualquier hilo.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from .models import SaludTerminal, Terminal


def guardar(terminal: Terminal, cambios: dict[str, Any], ahora: dt.datetime) -> None:
    """Guarda ``cambios`` (campo -> valor ya validado) y la hora del informe y del contacto."""
    valores = {**cambios, "informado_en": ahora, "ultimo_contacto": ahora}
    meta = SaludTerminal._meta
    q = connection.ops.quote_name
    columnas, params = [], []
    for nombre, valor in valores.items():
        campo = meta.get_field(nombre)
        columnas.append(f"{q(campo.column)} = %s")
        params.append(campo.get_db_prep_save(valor, connection))
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {q(meta.db_table)} SET {', '.join(columnas)} "  # noqa: S608
            f"WHERE {q(meta.pk.column)} = %s",
            [*params, terminal.pk],
        )
        actualizadas = cur.rowcount
    if not actualizadas:
        SaludTerminal.objects.update_or_create(terminal=terminal, defaults=valores)
