"""``manage.py conciliar --fecha AAAA-MM-DD [--tienda T] [--json]``: conciliación de caja de
ese día por tienda y terminal (``central.conciliacion``): cierre frente a diario recibido
frente a tablas de ventas. Lista cada diferencia, guarda el resultado para el admin y sale con
código 1 si algo no cuadra (2 si los argumentos no valen). ``sincro-central conciliar`` la
llama en el proyecto de demo."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from central import conciliacion

from .verificar_diario import fecha as leer_fecha


class Command(BaseCommand):
    help = (
        "Concilia los cierres de caja de un día con el diario y las ventas; código 1 si no cuadra."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fecha", required=True, help="AAAA-MM-DD")
        parser.add_argument("--tienda", default=None)
        parser.add_argument("--json", action="store_true", dest="como_json")

    def handle(self, *args, fecha: str, tienda=None, como_json=False, **opciones):
        dia = leer_fecha(fecha)
        resultado = conciliacion.conciliar(dia, tienda)
        conciliacion.guardar(resultado)
        diferencias = sum(len(c.diferencias) for c in resultado)
        if como_json:
            self.stdout.write(
                json.dumps(
                    {
                        "fecha": dia.isoformat(),
                        "diferencias": diferencias,
                        "terminales": [c.a_dict() for c in resultado],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            for c in resultado:
                if c.forzado:
                    self.stdout.write(f"{c.prefijo()}: AVISO: {c.forzado}.")
                for linea in c.textos():
                    self.stdout.write(linea)
                if c.cuadra:
                    self.stdout.write(f"{c.prefijo()}: cuadra ({c.recibido.get('total')}).")
            self.stdout.write(
                f"Conciliación del {dia.isoformat()}: {len(resultado)} cierres o cajas, "
                f"{diferencias} diferencias."
            )
        if diferencias:
            raise CommandError(f"La conciliación tiene {diferencias} diferencias.", returncode=1)
