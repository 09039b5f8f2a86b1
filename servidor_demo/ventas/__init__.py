"""App de la demo: ventas y sus líneas, privadas de cada tienda (``models``)."""
