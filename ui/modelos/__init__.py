"""Modelos Qt (``QAbstractTableModel``) de las pestañas: datos planos dentro, sin vistas.

Viven en el hilo de la GUI; se llenan con listas de dicts que entrega el puente. Se prueban
sin vista (como los ``*_table_model.py`` de Vorta)."""

__all__ = [
    "catalogo",
    "cola",
    "conflictos",
    "frescura",
    "registro",
    "tabla",
]
