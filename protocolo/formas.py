"""Formas JSON del protocolo v1 que los dos lados comparten (docs/protocolo.md y
docs/openapi.yaml son su descripción completa).

Constantes puras: límites de la petición de operaciones, claves y tipos de la envoltura de cada
operación, resultados posibles y el mayor cursor numérico.
"""

from __future__ import annotations

#: Como mucho tantas operaciones y bytes por ``POST /v1/operaciones`` (si no, 413).
LIMITE_OPERACIONES = 1000
LIMITE_BYTES_PETICION = 5 * 1024 * 1024

#: Tipos JSON de cada clave de la envoltura de una operación (``None`` = puede ser null).
ENVOLTURA_OPERACION: dict[str, tuple[type, ...]] = {
    "uuid": (str,),
    "modelo": (str,),
    "tipo": (str,),
    "objeto_id": (str, type(None)),
    "datos": (dict,),
    "version_base": (int, type(None)),
    "valores_base": (dict, type(None)),
    "hora_terminal": (str, type(None)),
    "desfase_ms": (int, type(None)),
}
OBLIGATORIAS_OPERACION = ("uuid", "modelo", "tipo")

#: Resultado de cada operación en la respuesta de ``POST /v1/operaciones``.
RESULTADOS = ("aplicada", "duplicada", "conflicto", "rechazada")

#: Ningún cursor numérico pasa de aquí (el id BIGINT del registro de cambios): uno mayor es
#: ``400 cursor_invalido``.
CURSOR_MAXIMO = 2**63 - 1
