"""App Django reutilizable que habla el protocolo de sincronización v1: lo que una cadena instala
en su propio proyecto Django (``INSTALLED_APPS += ["central"]`` y sus URLs).

Tiendas, terminales y tokens, el registro de cambios y su captura, ``/v1/esquema``,
``/v1/cambios`` y ``/v1/operaciones``, y el admin. Importa Django y ``protocolo`` (las reglas que
comparte con la terminal); nunca ``agente``, ``ui`` ni ``servidor_demo`` (el proyecto de demo,
su CLI ``sincro-central`` y el servidor gunicorn viven fuera, en ``servidor_demo``).
"""
