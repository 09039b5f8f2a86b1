"""``manage.py verificar_diario [--tienda T] [--desde AAAA-MM-DD] [--json]``: verifica otra vez,
desde los bytes guardados, la cadena del diario de ventas de cada terminal (``central.cadena``).

Lista cada incidencia con su tienda, terminal y número, y la anota para el admin si no lo
estaba. Sale con código 1 si hay alguna incidencia, 2 si los argumentos no valen, 0 si todo
cuadra. ``sincro-central verificar-diario`` la llama en el proyecto de demo.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from central import cadena


def fecha(texto: str) -> dt.date:
    try:
        return dt.date.fromisoformat(texto)
    except ValueError:
        raise CommandError(f"Fecha no válida: {texto!r} (AAAA-MM-DD).", returncode=2) from None


class Command(BaseCommand):
    help = "Verifica la cadena del diario de ventas guardado; código 1 si hay incidencias."

    def add_arguments(self, parser):
        parser.add_argument("--tienda", default=None)
        parser.add_argument("--desde", default=None, help="AAAA-MM-DD: desde ese día")
        parser.add_argument("--json", action="store_true", dest="como_json")

    def handle(self, *args, tienda=None, desde=None, como_json=False, **opciones):
        inicio = fecha(desde) if desde else None
        cadenas = list(cadena.verificar_todo(tienda, inicio))
        for c in cadenas:
            cadena.anotar(c)
        registros = sum(c.registros for c in cadenas)
        incidencias = sum(len(c.incidencias) for c in cadenas)
        if como_json:
            self.stdout.write(_volcar(cadenas, registros, incidencias))
        else:
            for c in cadenas:
                for linea in c.textos():
                    self.stdout.write(linea)
            self.stdout.write(
                f"Diario verificado: {registros} registros de {len(cadenas)} terminales, "
                f"{incidencias} incidencias."
            )
        if incidencias:
            raise CommandError(f"El diario tiene {incidencias} incidencias.", returncode=1)


def _volcar(cadenas, registros: int, incidencias: int) -> str:
    return json.dumps(
        {
            "registros": registros,
            "incidencias": incidencias,
            "terminales": [c.a_dict() for c in cadenas],
        },
        ensure_ascii=False,
    )
