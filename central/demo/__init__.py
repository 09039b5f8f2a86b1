"""Proyecto Django de demostración que ejecuta la app ``central`` con productos, clientes y
ventas. Lo arranca ``sincro-central iniciar``."""
