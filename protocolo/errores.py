"""Errores del protocolo, los mismos en la terminal y en la central.

- ``ErrorEsquema``: la configuración de modelos (``MODELOS_SINCRONIZABLES`` o ``/v1/esquema``)
  no es válida.
- ``ErrorValor``: una operación o un valor no cumple las reglas de su modelo. En la terminal se
  lanza al encolar (nada se encola); en la central la operación queda ``rechazada`` con este
  mismo texto como motivo.
"""

from __future__ import annotations


class ErrorEsquema(ValueError):
    """La configuración de modelos no es válida. El mensaje dice qué corregir."""


class ErrorValor(ValueError):
    """Un valor u operación no cumple las reglas de su campo. El mensaje dice qué corregir."""
