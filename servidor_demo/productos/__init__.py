"""App de la demo: productos de la cadena y sus existencias por tienda (``models``)."""
