"""Validación de la envoltura de ``POST /v1/operaciones`` (forma de la petición entera).

Puro, sin E/S. Si la envoltura es inválida se rechaza la petición entera (400/413) y no se aplica
nada; la validación de cada operación (valores, permisos) es de ``operaciones``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from protocolo.formas import ENVOLTURA_OPERACION as _TIPOS_ENVOLTURA
from protocolo.formas import LIMITE_BYTES_PETICION as LIMITE_BYTES  # noqa: F401 (la usa vistas)
from protocolo.formas import LIMITE_OPERACIONES, OBLIGATORIAS_OPERACION

from . import valores
from .configuracion import TIPOS_OPERACION, ConfigModelo, Configuracion


class ErrorPeticion(Exception):
    """La petición entera es inválida: respuesta 4xx y nada aplicado."""

    def __init__(self, estado: int, codigo: str, mensaje: str):
        super().__init__(mensaje)
        self.estado, self.codigo, self.mensaje = estado, codigo, mensaje


@dataclass
class Operacion:
    uuid: str
    config: ConfigModelo
    tipo: str
    objeto_id: str | None
    datos: dict[str, Any]
    version_base: int | None
    valores_base: dict[str, Any] | None
    hora_terminal: str
    desfase_ms: int | None
    resultado: dict[str, Any] = field(default_factory=dict)


def validar_envoltura(cuerpo: Any, conf: Configuracion) -> list[Operacion]:
    """Valida la forma de la petición entera. Lanza ``ErrorPeticion`` (400/413)."""
    if not isinstance(cuerpo, dict) or not isinstance(cuerpo.get("operaciones"), list):
        raise ErrorPeticion(400, "peticion_invalida", 'Se espera {"operaciones": [...]}.')
    crudas = cuerpo["operaciones"]
    if len(crudas) > LIMITE_OPERACIONES:
        raise ErrorPeticion(
            413, "lote_demasiado_grande", f"Como mucho {LIMITE_OPERACIONES} operaciones por lote."
        )
    ops = []
    for i, op in enumerate(crudas):
        if not isinstance(op, dict):
            raise ErrorPeticion(400, "peticion_invalida", f"La operación {i} no es un objeto.")
        for clave in OBLIGATORIAS_OPERACION:
            if clave not in op:
                raise ErrorPeticion(400, "peticion_invalida", f"Operación {i}: falta «{clave}».")
        for clave, tipos in _TIPOS_ENVOLTURA.items():
            v = op.get(clave)
            if clave in op and (not isinstance(v, tipos) or isinstance(v, bool)):
                raise ErrorPeticion(
                    400, "peticion_invalida", f"Operación {i}: «{clave}» tiene un tipo erróneo."
                )
        try:
            uid = op["uuid"]
            if not valores.UUID_CANONICO.match(uid):
                uid = str(uuid.UUID(uid))
        except ValueError:
            raise ErrorPeticion(
                400, "peticion_invalida", f"Operación {i}: «uuid» no es un UUID."
            ) from None
        config = conf.modelos.get(op["modelo"])
        if config is None:
            raise ErrorPeticion(
                400,
                "modelo_desconocido",
                f"Operación {i}: modelo desconocido «{op['modelo'][:100]}».",
            )
        if op["tipo"] not in TIPOS_OPERACION:
            raise ErrorPeticion(
                400, "peticion_invalida", f"Operación {i}: tipo desconocido «{op['tipo'][:40]}»."
            )
        objeto_id = op.get("objeto_id")
        if objeto_id is not None and len(objeto_id) > 100:
            raise ErrorPeticion(400, "peticion_invalida", f"Operación {i}: «objeto_id» muy largo.")
        ops.append(
            Operacion(
                uuid=uid,
                config=config,
                tipo=op["tipo"],
                objeto_id=objeto_id,
                datos=op.get("datos") or {},
                version_base=op.get("version_base"),
                valores_base=op.get("valores_base"),
                hora_terminal=(op.get("hora_terminal") or "")[:40],
                desfase_ms=op.get("desfase_ms") if abs(op.get("desfase_ms") or 0) < 2**31 else None,
            )
        )
    return ops
