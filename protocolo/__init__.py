"""Protocolo de sincronización v1: lo que la terminal y la central comparten.

- ``esquema``: la configuración de cada modelo sincronizable (``ConfigModelo``, ``Esquema``),
  sus reglas de validación, los tipos de valor y su normalización, y los errores
  (``ErrorEsquema``, ``ErrorValor``).

Puro: sólo la biblioteca estándar. Nunca importa ``agente``, ``central``, ``ui``, Django ni Qt; lo
importan los dos lados para que una regla tenga una sola definición.
"""

__all__ = ["esquema"]
