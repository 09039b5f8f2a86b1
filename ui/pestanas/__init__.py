"""Pestañas de la ventana principal: un módulo por pestaña, más ``grafico`` (el gráfico de
actividad) y ``tabla`` (la tabla de datos que comparten). Sólo hilo de la GUI; hablan con el
motor únicamente a través de ``ui.puente.Puente`` y ``ui.trabajos``."""

__all__ = [
    "actividad",
    "catalogo",
    "cola",
    "configuracion",
    "conflictos",
    "estado",
    "grafico",
    "registro",
    "tabla",
]
