"""Pestañas de la ventana principal: un módulo por pestaña. Sólo hilo de la GUI; hablan con
el motor únicamente a través de ``ui.puente.Puente`` y ``ui.trabajos``."""
