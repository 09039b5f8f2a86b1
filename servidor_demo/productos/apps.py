from django.apps import AppConfig


class ProductosConfig(AppConfig):
    name = "servidor_demo.productos"
    label = "productos"
    verbose_name = "Productos"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import existencias

        existencias.conectar()  # una Existencia por tienda y producto nuevos
