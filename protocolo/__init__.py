"""Protocolo de sincronización v1: lo que la terminal y la central comparten.

- ``esquema``: la configuración de cada modelo sincronizable (``ConfigModelo``, ``Esquema``) y
  la validación de los datos de una operación (``ConfigModelo.validar_datos``).
- ``valores``: los tipos de valor y su único normalizador.
- ``restricciones``: las reglas de negocio declaradas por campo (``ReglasCampo``).
- ``errores``: ``ErrorEsquema`` y ``ErrorValor``.
- ``formas``: límites y formas JSON de la petición y la respuesta de operaciones.
- ``verificacion``: sumas de verificación del catálogo.
- ``existencias``: el convenio del stock por tienda (``productos.Existencia`` y su clave).
- ``diario``: el diario de ventas encadenado (registro, serialización canónica, huella SHA-256 y
  verificación de la cadena).

Puro: sólo la biblioteca estándar. Nunca importa ``agente``, ``central``, ``ui``, Django ni Qt; lo
importan los dos lados para que una regla tenga una sola definición.
"""

__all__ = [
    "diario",
    "errores",
    "esquema",
    "existencias",
    "formas",
    "restricciones",
    "valores",
    "verificacion",
]
