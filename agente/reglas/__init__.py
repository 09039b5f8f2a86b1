"""Reglas de negocio de la terminal, puras (sin E/S, sin estado, seguras entre hilos).

- ``coalescer``: qué hacer con una operación nueva sobre un objeto que ya tiene otra pendiente.
- ``orden``: qué operaciones pendientes pueden salir ya y en qué orden (dependencias).
- ``prioridades``: prioridad dinámica por modelo según su actividad reciente.
- ``fusion``: fusión a tres bandas por campo y reglas de conflicto declaradas.
- ``optimista``: la vista optimista (fila de la central + operaciones pendientes).
- ``pagos``: los pagos de una venta (forma, importes y que sumen el total).
- ``diario``: el diario de ventas en la caja (cuadre, qué se puede devolver, resumen de cierre).

Sólo importa ``protocolo`` y la biblioteca estándar: ni SQLite, ni red, ni ``ui``, ni ``central``.
"""

__all__ = ["coalescer", "diario", "fusion", "optimista", "orden", "pagos", "prioridades"]
