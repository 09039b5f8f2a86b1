"""AppConfig de la central: valida MODELOS_SINCRONIZABLES e instala la captura tras ``migrate``."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CentralConfig(AppConfig):
    name = "central"
    label = "central"
    verbose_name = "Sincro central"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import captura, configuracion

        configuracion.obtener()
        post_migrate.connect(captura.al_migrar, sender=self, dispatch_uid="central-captura")
