"""Captura en la base de datos: cada entrada del registro guarda la transacción que la escribió
(PostgreSQL: ``pg_current_xact_id()``; SQLite: 0) y un índice para servir en orden de commit.
La salud de cada terminal guarda su última verificación de la caché."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("central", "0002_operacionrecibida_objeto"),
    ]

    operations = [
        migrations.AddField(
            model_name="registrocambio",
            name="transaccion",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="registrocambio",
            index=models.Index(
                condition=models.Q(("vigente", True)),
                fields=["modelo", "transaccion", "id"],
                name="central_rc_orden",
            ),
        ),
        migrations.AddField(
            model_name="saludterminal",
            name="verificado_en",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="saludterminal",
            name="reparadas",
            field=models.IntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="registrocambio",
            index=models.Index(
                condition=models.Q(("vigente", True)),
                fields=["modelo", "tienda", "transaccion", "id"],
                name="central_rc_orden_tienda",
            ),
        ),
    ]
