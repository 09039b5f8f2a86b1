"""``manage.py compactar_registro [--dias D]``: compacta el registro de cambios.

Borra las entradas superadas por otra posterior del mismo objeto y las lápidas más viejas que
``D`` días (el horizonte de retención avanza: una terminal con un cursor anterior se
resincroniza). Para un cron de la cadena; ``sincro-central compactar`` la llama en la demo.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from central.retencion import compactar


class Command(BaseCommand):
    help = "Compacta el registro de cambios (entradas superadas y lápidas de más de D días)."

    def add_arguments(self, parser):
        parser.add_argument("--dias", type=float, default=30.0, help="retención de lápidas")

    def handle(self, *args, dias: float, **opciones):
        r = compactar(dt.timedelta(days=dias))
        self.stdout.write(
            f"Entradas superadas borradas: {r['superadas']}; lápidas borradas: {r['lapidas']}."
        )
