"""``manage.py crear_terminal TIENDA TERMINAL``: crea (o vuelve a emitir) el token de una terminal.

Imprime ``TOKEN=<token>`` una sola vez: la central sólo guarda su hash. La orden de la cadena
para dar de alta una caja; ``sincro-central crear-terminal`` la llama en el proyecto de demo.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from central.autenticacion import crear_terminal
from central.configuracion import IDENTIFICADOR

LONGITUD_MAXIMA = 40


def codigo_valido(valor: str) -> bool:
    return bool(IDENTIFICADOR.match(valor.replace("-", "_"))) and len(valor) <= LONGITUD_MAXIMA


class Command(BaseCommand):
    help = "Crea una terminal (o renueva su token) e imprime TOKEN=<token> una sola vez."

    def add_arguments(self, parser):
        parser.add_argument("tienda")
        parser.add_argument("terminal")

    def handle(self, *args, tienda: str, terminal: str, **opciones):
        for valor in (tienda, terminal):
            if not codigo_valido(valor):
                raise CommandError(f"Código no válido: {valor!r} (letras, cifras, _ y -).")
        _, token = crear_terminal(tienda, terminal)
        self.stdout.write(f"Terminal {tienda}/{terminal} lista. Token (no se vuelve a mostrar):")
        self.stdout.write(f"TOKEN={token}")
