"""Sincro: motor de sincronización offline-first (sin Qt)."""

__version__ = "0.1.0"
