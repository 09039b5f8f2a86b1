from django.apps import AppConfig


class ClientesConfig(AppConfig):
    name = "servidor_demo.clientes"
    label = "clientes"
    verbose_name = "Clientes"
    default_auto_field = "django.db.models.BigAutoField"
