"""El stock pasa de ser un campo del producto (de toda la cadena) a una ``Existencia`` por
tienda y producto.

Cada tienda existente recibe, por cada producto, la cantidad que tenía el producto: es lo que
sus cajas enseñaban como stock, así que ninguna ve un salto al migrar. Como ese número era de
toda la cadena, el primer recuento de cada tienda lo corrige (``actualizar`` de la existencia).

Antes de borrar la columna se quitan los disparadores de captura de la tabla de productos (la
nombran; SQLite no la dejaría borrar). El ``post_migrate`` de este mismo ``migrate`` los vuelve a
instalar sin ella y registra las existencias nuevas, que así se sirven a las cajas de su tienda.
"""

from django.db import migrations, models

SEPARADOR = ":"  # el de protocolo.existencias.clave, fijo en esta migración


def copiar_stock(apps, schema_editor):
    Existencia = apps.get_model("productos", "Existencia")
    Producto = apps.get_model("productos", "Producto")
    Tienda = apps.get_model("central", "Tienda")
    q = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {q(Existencia._meta.db_table)} "  # noqa: S608
            "(id, tienda_id, producto_id, cantidad) "
            f"SELECT t.codigo || %s || CAST(p.id AS TEXT), t.codigo, p.id, p.stock "
            f"FROM {q(Tienda._meta.db_table)} t CROSS JOIN {q(Producto._meta.db_table)} p "
            "ORDER BY t.codigo, p.id",
            [SEPARADOR],
        )


def devolver_stock(apps, schema_editor):
    """Vuelta atrás: cada producto recupera la mayor de sus cantidades por tienda (el stock de
    toda la cadena no se puede reconstruir mejor)."""
    Existencia = apps.get_model("productos", "Existencia")
    Producto = apps.get_model("productos", "Producto")
    for producto in Producto.objects.all():
        cantidades = Existencia.objects.filter(producto=producto).values_list("cantidad", flat=True)
        producto.stock = max(cantidades, default=0)
        producto.save(update_fields=["stock"])


def quitar_captura_de_productos(apps, schema_editor):
    from central import captura

    Producto = apps.get_model("productos", "Producto")
    captura.quitar_de_tabla(Producto._meta.db_table, schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("central", "0001_initial"),
        ("productos", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Existencia",
            fields=[
                (
                    "id",
                    models.CharField(
                        editable=False, max_length=80, primary_key=True, serialize=False
                    ),
                ),
                ("cantidad", models.IntegerField(default=0)),
                (
                    "producto",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="existencias",
                        to="productos.producto",
                    ),
                ),
                (
                    "tienda",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="existencias",
                        to="central.tienda",
                        to_field="codigo",
                    ),
                ),
            ],
            options={
                "verbose_name": "existencia",
                "verbose_name_plural": "existencias",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tienda", "producto"), name="productos_existencia_unica"
                    )
                ],
            },
        ),
        migrations.RunPython(copiar_stock, devolver_stock),
        migrations.RunPython(quitar_captura_de_productos, migrations.RunPython.noop),
        migrations.RemoveField(model_name="producto", name="stock"),
    ]
