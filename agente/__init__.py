"""Sincro: motor de sincronización offline-first (sin Qt).

La versión tiene una sola fuente, ``pyproject.toml``: se lee de los metadatos del paquete
instalado (también en el bundle, que copia esos metadatos). Sin instalar (código suelto en el
``PYTHONPATH``) se informa como ``0+sin-instalar``.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version_paquete

try:
    __version__ = _version_paquete("sincro")
except PackageNotFoundError:  # pragma: no cover - sólo sin instalar
    __version__ = "0+sin-instalar"
