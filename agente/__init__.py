"""Sincro: el motor de sincronización offline-first de una terminal (sin Qt).

La operación encolada y sus estados (``agente.operacion``) es el tipo que comparten todas
las capas. La puerta es la fachada ``agente.Agente``: la CLI (``agente.cli``), la interfaz
(``ui``), la API local y el software de caja la usan igual, y delega en sus vecinos:
``agente.apertura`` (abrir el directorio de datos y recuperar lo dañado),
``agente.preparacion`` (validar una operación antes de encolarla), ``agente.lectura`` (la vista
optimista del catálogo), ``agente.estado`` (el estado que se enseña) y ``agente.caja`` (el
diario: anular, devolver, cerrar la caja). Detrás, paquetes por oficio:

- ``agente.almacen``: la cola (preciosa) y la caché (desechable) en SQLite;
- ``agente.reglas``: reglas puras (combinar, ordenar, priorizar, fusionar, vista optimista);
- ``agente.sincronizacion``: la red (cliente del protocolo, empuje, descarga, bucle);
- ``agente.soporte``: rutas, configuración, registro, diagnóstico, arranque automático.

Reglas de importación (las comprueba ``tests/test_arquitectura.py``): ``agente`` nunca importa
``ui`` ni ``central``; lo compartido con la central vive en ``protocolo``.

La versión tiene una sola fuente, ``pyproject.toml``: se lee de los metadatos del paquete
instalado (también en el bundle, que copia esos metadatos). Sin instalar (código suelto en el
``PYTHONPATH``) se informa como ``0+sin-instalar``.

Fuera del motor (la interfaz, la caja) sólo se importa ``agente`` y lo que exporta aquí;
nunca sus subpaquetes (``tests/test_arquitectura.py`` lo comprueba para ``ui``).

Los nombres de ``__all__`` se cargan al usarlos (PEP 562): ``import agente.soporte.registro``
no arrastra SQLite ni la red.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version_paquete

try:
    __version__ = _version_paquete("sincro")
except PackageNotFoundError:  # pragma: no cover - sólo sin instalar
    __version__ = "0+sin-instalar"

_EXPORTADOS = {
    "Agente": "agente.fachada",
    "NuevaOperacion": "agente.almacen.cola",
    "Operacion": "agente.operacion",
    "ErrorCola": "agente.almacen.cola",
    "ErrorCache": "agente.almacen.cache",
    "ErrorConflicto": "agente.almacen.conflictos",
    "ErrorEsquema": "protocolo.esquema",
    "ErrorValor": "protocolo.esquema",
    "ErrorSincro": "agente.sincronizacion.errores",
    "TokenRechazado": "agente.sincronizacion.comprobacion",
    "CierreBloqueado": "agente.caja",
    "ESTADOS": "agente.operacion",
    "ERROR": "agente.operacion",
    "SIN_CONFIRMAR": "agente.operacion",
    "preparar_directorio": "agente.fachada",
    "configurar_registro": "agente.fachada",
    "permitir_http_en_este_proceso": "agente.soporte.configuracion",
    "http_permitido_en_este_proceso": "agente.soporte.configuracion",
}

__all__ = ["__version__", *_EXPORTADOS]


def __getattr__(nombre: str):
    if nombre in _EXPORTADOS:
        valor = getattr(import_module(_EXPORTADOS[nombre]), nombre)
        globals()[nombre] = valor
        return valor
    raise AttributeError(f"module 'agente' has no attribute {nombre!r}")
