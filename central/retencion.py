"""Compactación del registro de cambios y horizonte de retención.

- Las entradas no vigentes (historia superada por otra entrada del mismo objeto) nunca se sirven:
  se borran sin afectar a ningún cursor.
- Las lápidas vigentes más antiguas que la retención se borran; el horizonte de su modelo sube al
  mayor id borrado. Un cursor (de ese modelo) por debajo recibe ``410 cursor_expirado``.

Se ejecuta en una transacción y se puede lanzar con la central en marcha (``sincro-central
compactar``). En PostgreSQL sólo borra lápidas de transacciones anteriores a la marca de agua
(``descarga``): una lápida que aún no pudo servirse no se borra.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from . import orden
from .models import Horizonte, RegistroCambio


def compactar(retencion: dt.timedelta) -> dict[str, int]:
    limite = timezone.now() - retencion
    with transaction.atomic():
        superadas, _ = RegistroCambio.objects.filter(vigente=False).delete()
        viejas = RegistroCambio.objects.filter(vigente=True, borrado=True, modificado_en__lt=limite)
        if connection.vendor == "postgresql":
            # Sólo lápidas ya servibles; el horizonte es la transacción siguiente a la última
            # borrada (un cursor de esa transacción o anterior puede no haberla visto).
            viejas = viejas.filter(transaccion__lt=orden.marca_de_agua())
            columna = "transaccion"
        else:
            columna = "id"
        horizontes = {
            modelo: m + (columna == "transaccion")
            for modelo, m in viejas.values("modelo")
            .annotate(m=Max(columna))
            .values_list("modelo", "m")
        }
        lapidas, _ = viejas.delete()
        for modelo, cursor in horizontes.items():
            h, _ = Horizonte.objects.get_or_create(modelo=modelo)
            if cursor > h.cursor:
                h.cursor = cursor
                h.save()
    return {"superadas": superadas, "lapidas": lapidas}
