from django.apps import AppConfig


class ProductosConfig(AppConfig):
    name = "servidor_demo.productos"
    label = "productos"
    verbose_name = "Productos"
    default_auto_field = "django.db.models.BigAutoField"
