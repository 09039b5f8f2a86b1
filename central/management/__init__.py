"""Órdenes de ``manage.py`` de la app ``central`` (ver ``central.management.commands``)."""
