"""Órdenes de ``manage.py`` de la central: compactar el registro, crear terminales, conciliar
y exportar el diario… Cada una es una capa fina sobre un módulo de ``central``."""
