"""Almacén de la terminal: los dos ficheros SQLite y todo lo que escribe en ellos.

- ``cola.sqlite`` (preciosa: la única copia de una venta hasta que la central la confirma):
  ``cola`` (la dueña del fichero y la única que cambia estados de operaciones), sus piezas
  ``encolado`` (insertar o fusionar), ``envio`` (el siguiente lote), ``en_vuelo`` (devolver lo
  que dejó una instancia muerta), ``ajustes`` (nombre de terminal, desfase...) y
  ``actividad`` (la serie del gráfico), todas sobre la ``conexion`` de la cola;
  ``cuarentena`` (apartar una fila ilegible sin parar el envío); ``recuento`` (la cola
  contada como la tienda: ventas, ajustes de stock y cambios del catálogo) y ``ventas`` (las
  ventas sin confirmar y su importe);
  ``pagos`` y ``diario`` (los pagos de cada venta y el diario de ventas encadenado, tablas
  propias que escriben dentro de las transacciones de la cola);
  ``conflictos`` (conflictos y auditoría, por los métodos de la cola) y ``propietarios``
  (quién tiene operaciones en vuelo).
- ``cache.sqlite`` (desechable: se rehace desde la central): ``cache``.
- Común: ``sqlite`` (conexiones y PRAGMAs), ``migraciones`` (esquema de cada fichero),
  ``recuperacion`` (integridad al arrancar: apartar la caché, rescatar la cola) con
  ``paginas_sqlite`` (leer en bruto las páginas de un fichero dañado).

Puede importar ``protocolo`` y ``agente.reglas`` (reglas puras) y ``agente.soporte``; nunca la
red (``agente.sincronizacion``), ``ui`` ni ``central``. Cada clase con conexión documenta en qué
hilo se usa.
"""

__all__ = [
    "actividad",
    "ajustes",
    "cache",
    "cola",
    "conexion",
    "conflictos",
    "cuarentena",
    "diario",
    "en_vuelo",
    "encolado",
    "envio",
    "migraciones",
    "paginas_sqlite",
    "pagos",
    "propietarios",
    "recuento",
    "recuperacion",
    "sqlite",
    "ventas",
]
