"""Fixtures de las pruebas de la interfaz (pytest-qt; ``QT_QPA_PLATFORM=offscreen`` lo pone
el conftest raíz)."""
