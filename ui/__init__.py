"""Interfaz Qt (PySide6) de Sincro: bandeja, ventana de encargados, diálogos y el puente que
ejecuta el motor (``agente``) fuera del hilo de la GUI. Nunca importa ``central`` ni Django."""
