"""Sincronización con la central: la única parte de la terminal que hace E/S de red.

- ``cliente``: HTTP del protocolo v1, con validación estricta de cada respuesta;
  ``plazo``: plazo total y cuerpo máximo de cada petición; ``errores``: sus errores.
- ``empuje`` (cola -> central) y ``descarga`` (central -> caché), por lotes y páginas.
- ``diario`` (el diario de ventas a la central), ``verificacion`` (sumas por cubos contra la
  central y reparación) y ``acciones`` (lo que la central pide a la terminal).
- ``sincronizador``: un pase (salud, esquema, empuje, descarga) y el bucle que los repite.
- ``conectividad``: la máquina de estados de la conexión; ``credenciales``: el token, sólo en el
  llavero del sistema; ``comprobacion``: probar servidor y token antes de guardarlos;
  ``servicio``: lo que la fachada ``agente.Agente`` expone de todo esto.

Escribe en SQLite sólo a través de ``agente.almacen``; nunca importa ``ui`` ni ``central``.
"""

__all__ = [
    "acciones",
    "cliente",
    "comprobacion",
    "conectividad",
    "credenciales",
    "descarga",
    "diario",
    "empuje",
    "errores",
    "plazo",
    "servicio",
    "sincronizador",
    "verificacion",
]
