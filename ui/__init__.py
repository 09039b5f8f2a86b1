"""Interfaz Qt (PySide6) de Sincro: la bandeja del cajero, la ventana del encargado (Estado, Cola,
Conflictos, Catálogo, Registro, Configuración, Actividad) y el puente que ejecuta el motor fuera
del hilo de la GUI. Sólo presenta: cada regla vive en ``agente`` (la fachada ``agente.Agente``) o en
``protocolo`` y se prueba allí. Nunca importa ``central``, ``servidor_demo`` ni Django. Entrada:
``sincro-bandeja`` o ``python -m ui`` (``ui.app:main``).
"""

__all__ = [
    "actividad",
    "app",
    "bandeja",
    "bibliotecas",
    "cierre",
    "dialogo_conflicto",
    "errores",
    "etiquetas",
    "eventos",
    "formato",
    "historial",
    "iconos",
    "instancia",
    "nombres",
    "notificaciones",
    "plataforma",
    "prioridad",
    "proceso_sincro",
    "puente",
    "recursos",
    "resolucion",
    "resumen",
    "trabajos",
    "traduccion",
    "ventana",
    "vigia_padre",
    "vista_previa",
]
