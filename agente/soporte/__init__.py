"""Soporte de la terminal: lo que necesita cualquier capa y no es del dominio.

- ``rutas``: el directorio de datos y las rutas de sus ficheros; ``configuracion``: ``config.json``
  (sin secretos).
- ``registro``: logs rotativos sin secretos ni datos personales.
- ``diagnostico``: autodiagnóstico y paquete de soporte; ``autoarranque``: arranque con la sesión.
- ``privado``: datos sólo para el usuario que los crea; ``errores_so``: disco lleno, sólo
  lectura o sin permiso explicados en una línea.

Importa sólo la biblioteca estándar, ``platformdirs`` y ``protocolo`` (``diagnostico`` además mira
``agente.almacen``); nunca ``ui`` ni ``central``.
"""

__all__ = [
    "autoarranque",
    "configuracion",
    "diagnostico",
    "errores_so",
    "privado",
    "registro",
    "rutas",
]
