"""Interfaz Qt (PySide6) de Sincro: bandeja, ventanas y puente con el motor."""
