"""AppConfig de la central: valida MODELOS_SINCRONIZABLES y conecta la captura de cambios."""

from django.apps import AppConfig


class CentralConfig(AppConfig):
    name = "central"
    label = "central"
    verbose_name = "Sincro central"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import captura, configuracion

        captura.conectar(configuracion.obtener())
