"""Almacén de la terminal: los dos ficheros SQLite y todo lo que escribe en ellos.

- ``cola.sqlite`` (preciosa: la única copia de una venta hasta que la central la confirma):
  ``cola`` (operaciones y sus estados), ``conflictos`` (conflictos y auditoría),
  ``propietarios`` (quién tiene operaciones en vuelo).
- ``cache.sqlite`` (desechable: se rehace desde la central): ``cache``.
- Común: ``sqlite`` (conexiones y PRAGMAs), ``migraciones`` (esquema de cada fichero),
  ``recuperacion`` (integridad al arrancar: apartar la caché, rescatar la cola).

Puede importar ``protocolo`` y ``agente.reglas`` (reglas puras) y ``agente.soporte``; nunca la
red (``agente.sincronizacion``), ``ui`` ni ``central``. Cada clase con conexión documenta en qué
hilo se usa.
"""

__all__ = [
    "cache",
    "cola",
    "conflictos",
    "migraciones",
    "propietarios",
    "recuperacion",
    "sqlite",
]
