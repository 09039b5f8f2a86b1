"""Escribe en la base de una central por todos los caminos que no pasan por la app (lo lanza
``test_captura`` como subproceso con el entorno de la central) y comprueba, byte a byte, que el
cuerpo que escribió el disparador es el de la serialización de referencia en Python.

    python caminos_escritura.py --datos DIR

Imprime una línea JSON: {"caminos": {camino: [ids]}, "distintos": [...], "sin_entrada": [...]}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import uuid
from decimal import Decimal


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--datos", required=True)
    args = p.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
    os.environ["SINCRO_CENTRAL_DATOS"] = args.datos
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import F

    from central import captura, configuracion
    from central.models import RegistroCambio, Tienda
    from servidor_demo.clientes.models import Cliente
    from servidor_demo.productos import existencias
    from servidor_demo.productos.models import Existencia, Producto
    from servidor_demo.ventas.models import LineaVenta, Venta

    caminos: dict[str, list[str]] = {}
    raros = [
        'comillas " y \\ barra',
        "salto\nlínea\ttab",
        "control \x01\x1f fin",
        "ñandú €",
        "emoji 🧾",
        "  espacios  ",
        "",
    ]
    q = connection.ops.quote_name
    tabla = q(Producto._meta.db_table)

    # save()
    p1 = Producto.objects.create(
        nombre=raros[0], codigo="9000000000001", precio=Decimal("0"), categoria=None
    )
    p2 = Producto(
        nombre=raros[1],
        codigo="9000000000002",
        precio=Decimal("-12.5"),
        categoria=raros[3],
    )
    p2.save()
    caminos["save"] = [str(p1.pk), str(p2.pk)]
    # bulk_create + bulk_update
    nuevos = Producto.objects.bulk_create(
        [
            Producto(
                nombre=raros[i % len(raros)],
                codigo=f"91{i:011d}",
                precio=Decimal(f"{i}.99"),
                categoria=raros[(i + 2) % len(raros)] if i % 3 else None,
            )
            for i in range(20)
        ]
    )
    caminos["bulk_create"] = [str(o.pk) for o in nuevos]
    for o in nuevos[:5]:
        o.precio = Decimal("99999999.99")
        o.nombre = raros[4]
    Producto.objects.bulk_update(nuevos[:5], ["precio", "nombre"])
    caminos["bulk_update"] = [str(o.pk) for o in nuevos[:5]]
    # QuerySet.update()
    ids_update = [o.pk for o in nuevos[5:10]]
    with transaction.atomic():
        Producto.objects.filter(pk__in=ids_update).update(precio=Decimal("1.10"))
    caminos["update"] = [str(i) for i in ids_update]
    # SQL a mano
    ids_sql = [o.pk for o in nuevos[10:13]]
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {tabla} SET precio = 2.5, categoria = %s WHERE id IN (%s, %s, %s)",  # noqa: S608
            [raros[2], *ids_sql],
        )
    caminos["sql"] = [str(i) for i in ids_sql]
    # QuerySet.delete() y SQL DELETE (lápidas)
    borrar = [o.pk for o in nuevos[13:15]]
    Producto.objects.filter(pk=borrar[0]).delete()
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {tabla} WHERE id = %s", [borrar[1]])  # noqa: S608
    caminos["delete"] = [str(i) for i in borrar]
    # loaddata
    fijo = {
        "model": "productos.producto",
        "pk": 777001,
        "fields": {
            "nombre": raros[5],
            "codigo": "9200000000001",
            "precio": "3.30",
            "categoria": "Fixture",
            "descripcion": "",
            "imagen": "",
        },
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([fijo], f)
    try:
        call_command("loaddata", f.name, verbosity=0)
    finally:
        os.unlink(f.name)
    caminos["loaddata"] = ["777001"]
    # Un UPDATE que no cambia campos esenciales no escribe entrada.
    antes = RegistroCambio.objects.filter(modelo="productos.Producto", objeto_id=str(p1.pk)).count()
    Producto.objects.filter(pk=p1.pk).update(descripcion="sólo un campo no esencial")
    despues = RegistroCambio.objects.filter(
        modelo="productos.Producto", objeto_id=str(p1.pk)
    ).count()
    no_esencial_sin_entrada = antes == despues
    # Una transacción deshecha no deja entrada.
    antes = RegistroCambio.objects.count()
    try:
        with transaction.atomic():
            Producto.objects.filter(pk=p2.pk).update(precio=Decimal("5.55"))
            raise RuntimeError("deshacer")
    except RuntimeError:
        pass
    deshecha_sin_entrada = RegistroCambio.objects.count() == antes
    # UUID, fechas con y sin microsegundos, FK a tienda, privados por tienda.
    tienda, _ = Tienda.objects.get_or_create(codigo="T001")
    cliente = Cliente.objects.create(
        id=uuid.UUID("0F0E0D0C-0B0A-4908-8706-050403020100"),
        nombre=raros[6],
        nif="12345678Z",
        email=None,
        telefono="+34 600",
        puntos=0,
    )
    ventas = [
        Venta.objects.create(
            tienda=tienda,
            terminal="caja-1",
            cliente=cliente,
            fecha=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
            total=Decimal("10.00"),
        ),
        Venta.objects.create(
            tienda=tienda,
            terminal="caja-2",
            cliente=None,
            fecha=dt.datetime(
                2026, 6, 30, 23, 59, 59, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2))
            ),
            total=Decimal("0.01"),
        ),
    ]
    linea = LineaVenta.objects.create(
        venta=ventas[0], tienda=tienda, producto=p1, cantidad=2, precio_unitario=Decimal("5.00")
    )
    caminos["uuid_y_fechas"] = [str(cliente.pk)] + [str(v.pk) for v in ventas] + [str(linea.pk)]
    # Borrado en cascada: la línea se va con su venta.
    caminos["cascada"] = [str(ventas[0].pk), str(linea.pk)]
    ventas[0].delete()
    # Existencias por tienda: las crea la señal de save() (y crear_que_faltan tras un
    # bulk_create); privadas de su tienda.
    existencias.crear_que_faltan()
    Existencia.objects.filter(pk=f"T001:{p1.pk}").update(cantidad=F("cantidad") - 3)
    caminos["existencias"] = [f"T001:{p1.pk}", f"T001:{nuevos[0].pk}"]

    conf = configuracion.obtener()
    distintos, sin_entrada = [], []
    for modelo, config in conf.modelos.items():
        for entrada in RegistroCambio.objects.filter(modelo=modelo, vigente=True):
            objeto = config.modelo._default_manager.filter(pk=entrada.objeto_id).first()
            if objeto is None:
                esperado_fin = ',"borrado":true}'
                if not entrada.borrado or not entrada.cuerpo.endswith(esperado_fin):
                    distintos.append([modelo, entrada.objeto_id, entrada.cuerpo, "lápida"])
                continue
            referencia = json.dumps(
                captura.instantanea(config, objeto), ensure_ascii=False, separators=(",", ":")
            )
            inicio = '"id":' + json.dumps(str(objeto.pk)) + ',"modificado_en":"'
            datos = entrada.cuerpo.split('","datos":', 1)
            if (
                not entrada.cuerpo.startswith(inicio)
                or len(datos) != 2
                or datos[1] != referencia + "}"
                or entrada.tienda != captura.tienda_de(config, objeto)
            ):
                distintos.append([modelo, entrada.objeto_id, entrada.cuerpo, referencia])
            fecha = entrada.cuerpo[len(inicio) :].split('"', 1)[0]
            if dt.datetime.fromisoformat(fecha).isoformat() != fecha or not fecha.endswith(
                "+00:00"
            ):
                distintos.append([modelo, entrada.objeto_id, fecha, "modificado_en"])
    for camino, ids in caminos.items():
        for objeto_id in ids:
            if not RegistroCambio.objects.filter(objeto_id=objeto_id, vigente=True).exists():
                sin_entrada.append([camino, objeto_id])
    print(
        json.dumps(
            {
                "caminos": caminos,
                "distintos": distintos,
                "sin_entrada": sin_entrada,
                "no_esencial_sin_entrada": no_esencial_sin_entrada,
                "deshecha_sin_entrada": deshecha_sin_entrada,
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
