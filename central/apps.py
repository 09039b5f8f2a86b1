"""AppConfig de la central: valida MODELOS_SINCRONIZABLES e instala la captura tras ``migrate``."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CentralConfig(AppConfig):
    name = "central"
    label = "central"
    verbose_name = "Sincro central"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.exceptions import ImproperlyConfigured

        from . import captura, configuracion, salud

        configuracion.obtener()
        try:
            salud.umbrales()  # SINCRO_SALUD mal puesto: se dice al arrancar, no en el admin
        except (TypeError, ValueError) as exc:
            raise ImproperlyConfigured(f"SINCRO_SALUD: {exc}") from None
        post_migrate.connect(captura.al_migrar, sender=self, dispatch_uid="central-captura")
