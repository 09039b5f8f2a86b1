"""``manage.py exportar_diario --tienda T --fecha AAAA-MM-DD --formato csv|json [--salida F]``:
el diario de ventas de una tienda y un día (``central.exportacion``) en la salida estándar o en
el fichero ``F``. ``sincro-central exportar-diario`` la llama en el proyecto de demo."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from central import exportacion

from .verificar_diario import fecha as leer_fecha


class Command(BaseCommand):
    help = "Exporta el diario de ventas de una tienda y un día (CSV o JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--tienda", required=True)
        parser.add_argument("--fecha", required=True, help="AAAA-MM-DD")
        parser.add_argument("--formato", choices=("csv", "json"), default="csv")
        parser.add_argument("--salida", default=None, help="fichero (por defecto, la pantalla)")

    def handle(self, *args, tienda, fecha: str, formato: str, salida=None, **opciones):
        texto = exportacion.exportar(tienda, leer_fecha(fecha), formato)
        if salida:
            Path(salida).write_text(texto, encoding="utf-8")
        else:
            self.stdout.write(texto, ending="")
