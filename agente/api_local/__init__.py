"""API local: HTTP/JSON en 127.0.0.1 y ::1 para el software de caja de cualquier lenguaje.

Contrato en ``docs/api-local.yaml``; ejemplos en ``docs/api-local.md``. La sirven ``sincro
servir-local`` y el bucle ``sincro sincronizar`` (y con él la bandeja, que lo lanza como
proceso hijo). Todo pasa por la fachada ``Agente``: mismas validaciones y durabilidad.

- ``servidor``: ``ServidorApiLocal`` (hilos de escucha, rutas, límites, token, sin CORS);
- ``token``: el token por usuario en ``api-local.token`` (0600);
- ``idempotencia``: ``Idempotency-Key`` de ``POST /v1/vender``, duradera en ``api-local.sqlite``;
- ``ventas``: vender y el estado para la caja (común con ``sincro vender``);
- ``eventos``: el vigía de estado detrás de ``GET /v1/eventos`` (Server-Sent Events).

Sin Qt. Hilos: ver el docstring de cada módulo (un hilo por conexión HTTP).
"""

from agente.api_local.servidor import (
    DIRECCIONES,
    PUERTO_POR_DEFECTO,
    ErrorDireccion,
    ServidorApiLocal,
)

__all__ = ["DIRECCIONES", "PUERTO_POR_DEFECTO", "ErrorDireccion", "ServidorApiLocal"]
