"""Compactación del registro de cambios y horizonte de retención.

- Las entradas no vigentes (historia superada por otra entrada del mismo objeto) nunca se sirven:
  se borran sin afectar a ningún cursor.
- Las lápidas vigentes más antiguas que la retención se borran; el horizonte de su modelo sube al
  mayor id borrado. Un cursor (de ese modelo) por debajo recibe ``410 cursor_expirado``.

Se ejecuta en una transacción con el cerrojo de orden de commit (PostgreSQL): se puede lanzar con
la central en marcha (``sincro-central compactar``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from . import captura
from .models import Horizonte, RegistroCambio


def compactar(retencion: dt.timedelta) -> dict[str, int]:
    limite = timezone.now() - retencion
    with transaction.atomic():
        captura.bloquear()
        superadas, _ = RegistroCambio.objects.filter(vigente=False).delete()
        viejas = RegistroCambio.objects.filter(vigente=True, borrado=True, modificado_en__lt=limite)
        horizontes = dict(viejas.values("modelo").annotate(m=Max("id")).values_list("modelo", "m"))
        lapidas, _ = viejas.delete()
        for modelo, cursor in horizontes.items():
            h, _ = Horizonte.objects.get_or_create(modelo=modelo)
            if cursor > h.cursor:
                h.cursor = cursor
                h.save()
    return {"superadas": superadas, "lapidas": lapidas}
