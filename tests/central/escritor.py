"""Escritores concurrentes con el ORM real de la central (lo lanzan las pruebas de cursor como
subproceso). Cada hilo mezcla ``save()``, ``QuerySet.update()``, SQL a mano, altas y bajas, de
productos y de sus existencias en la tienda T001, en transacciones cortas y largas que confirman
tarde (duermen tras escribir).

    python escritor.py --datos DIR --segundos S --hilos N          # carga aleatoria
    python escritor.py --datos DIR --tardio S --producto P          # una transacción lenta
                                                                    # (existencia de P en T001)
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--datos", required=True)
    p.add_argument("--segundos", type=float, default=3.0)
    p.add_argument("--hilos", type=int, default=4)
    p.add_argument(
        "--minimo", type=int, default=0, help="sigue tras --segundos hasta tantas hechas (30 s más)"
    )
    p.add_argument("--semilla", type=int, default=1)
    p.add_argument("--tardio", type=float, default=None)
    p.add_argument("--producto", type=int, default=1)
    args = p.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
    os.environ["SINCRO_CENTRAL_DATOS"] = args.datos
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import F

    from servidor_demo.productos.models import Existencia, Producto
    from servidor_demo.semilla import ean13

    if args.tardio is not None:
        with transaction.atomic():
            existencia = Existencia.objects.get(tienda_id="T001", producto_id=args.producto)
            existencia.cantidad += 1000
            existencia.save()
            print("ESCRITO", flush=True)
            time.sleep(args.tardio)
        print("CONFIRMADO", flush=True)
        return 0

    ids = list(Producto.objects.values_list("pk", flat=True))
    tabla = connection.ops.quote_name(Producto._meta.db_table)
    fin = time.monotonic() + args.segundos
    contador = {"hechas": 0}
    cerrojo = threading.Lock()

    def trabajar(n: int) -> None:
        azar = random.Random(args.semilla * 1000 + n)
        k = 0
        while time.monotonic() < fin or (
            contador["hechas"] < args.minimo and time.monotonic() < fin + 30
        ):
            k += 1
            tirada = azar.random()
            try:
                with transaction.atomic():
                    if tirada < 0.4:
                        pr = Producto.objects.filter(pk=azar.choice(ids)).first()
                        if pr is not None:
                            pr.precio = f"{azar.uniform(0.5, 50):.2f}"
                            pr.save()
                            ex = Existencia.objects.filter(producto=pr).first()
                            if ex is not None:
                                ex.cantidad = azar.randrange(0, 500)
                                ex.save()
                    elif tirada < 0.55:
                        Existencia.objects.filter(
                            producto_id__in=sorted(azar.sample(ids, 5))
                        ).update(cantidad=F("cantidad") + 1)
                    elif tirada < 0.7:
                        with connection.cursor() as cur:
                            cur.execute(
                                f"UPDATE {tabla} SET precio = %s, categoria = %s "  # noqa: S608
                                "WHERE id = %s",
                                [f"{azar.uniform(0.5, 50):.2f}", f"sql-{n}-{k}", azar.choice(ids)],
                            )
                    elif tirada < 0.88:
                        Producto.objects.create(
                            nombre=f"Nuevo {n}-{k}",
                            codigo=ean13(10**9 + n * 10**6 + k),
                            precio="1.00",
                            categoria=None,
                        )
                    else:
                        Producto.objects.filter(pk=azar.choice(ids)).delete()
                    # confirma tarde; una de cada diez, mucho más tarde (transacción larga)
                    time.sleep(
                        azar.uniform(0.2, 0.6) if azar.random() < 0.1 else azar.uniform(0, 0.03)
                    )
                with cerrojo:
                    contador["hechas"] += 1
            except Exception as exc:  # base ocupada: se sigue (la prueba compara el estado final)
                print(f"reintento: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
                time.sleep(0.01)
        connection.close()

    hilos = [threading.Thread(target=trabajar, args=(n,)) for n in range(args.hilos)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()
    print(f"HECHAS={contador['hechas']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
