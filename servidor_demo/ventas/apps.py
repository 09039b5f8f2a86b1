from django.apps import AppConfig


class VentasConfig(AppConfig):
    name = "servidor_demo.ventas"
    label = "ventas"
    verbose_name = "Ventas"
    default_auto_field = "django.db.models.BigAutoField"
