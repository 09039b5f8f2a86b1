"""El registro de cambios pasa de seis a cuatro índices: cada entrada que escribe un disparador de
captura los actualiza todos. Los modelos públicos se consultan con ``tienda IS NULL`` en los
mismos índices que los privados (``central.descarga``); ``captura.instalar`` (tras ``migrate``)
deja ``tienda`` NULL en las entradas de los modelos públicos."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("central", "0006_salud_acciones"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="registrocambio",
            name="central_rc_vigentes",
        ),
        migrations.RemoveIndex(
            model_name="registrocambio",
            name="central_rc_orden",
        ),
    ]
