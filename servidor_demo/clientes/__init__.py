"""App de la demo: clientes de la cadena (``models``)."""
