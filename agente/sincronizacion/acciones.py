"""Acciones remotas que la central pide a esta terminal (docs/protocolo.md, «Acciones remotas»).

La central las entrega en la respuesta de ``POST /v1/estado`` (al final de cada pase) hasta que
la terminal confirma cada una con ``POST /v1/acciones/<id>/hecha``. Hoy hay un tipo:

- ``resincronizar``: tirar la caché de un modelo (o de todos si ``modelo`` está vacío) y
  descargarlo entero, por el mismo camino que tras un 410 (tabla sombra y cambio atómico: la
  caja sigue vendiendo con la caché anterior mientras tanto). La cola no se toca nunca.

Una acción de un tipo que este Sincro no conoce se confirma como ``fallida`` con el motivo, para
que el admin lo vea. Ejecutar dos veces la misma acción es inofensivo (la central la repite si
la confirmación se pierde). Se ejecuta dentro del pase, en su hilo y con su cerrojo.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from agente.soporte import registro

_log = logging.getLogger(__name__)

RESINCRONIZAR = "resincronizar"


@dataclass(frozen=True)
class AccionRemota:
    id: int
    tipo: str
    modelo: str = ""


def leer_acciones(cuerpo: Any) -> list[AccionRemota]:
    """Las acciones de una respuesta de ``/v1/estado``; ``ValueError`` si no tienen la forma."""
    if not isinstance(cuerpo, dict):
        raise ValueError("la respuesta de /v1/estado no es un objeto")
    lista = cuerpo.get("acciones", [])
    if not isinstance(lista, list):
        raise ValueError("«acciones» no es una lista")
    acciones = []
    for a in lista:
        if (
            not isinstance(a, dict)
            or type(a.get("id")) is not int
            or not isinstance(a.get("tipo"), str)
            or not isinstance(a.get("modelo", ""), str)
        ):
            raise ValueError("una acción no es {id, tipo, modelo}")
        acciones.append(AccionRemota(a["id"], a["tipo"][:40], a.get("modelo", "")[:130]))
    return acciones


def ejecutar(
    acciones: list[AccionRemota],
    descarga: Any,
    esquema: Any,
    cliente: Any,
    detener: threading.Event | None = None,
) -> list[str]:
    """Ejecuta y confirma cada acción. Devuelve los modelos resincronizados. Un fallo de red al
    confirmar se deja pasar (la central la volverá a entregar); un fallo al ejecutar se
    confirma como ``fallida``."""
    resincronizados: list[str] = []
    for accion in acciones:
        resultado, detalle = "hecha", ""
        try:
            if accion.tipo != RESINCRONIZAR:
                resultado, detalle = "fallida", f"Tipo de acción desconocido: «{accion.tipo}»."
            else:
                nombres = [accion.modelo] if accion.modelo else list(esquema.modelos)
                desconocidos = [n for n in nombres if n not in esquema.modelos]
                if desconocidos:
                    resultado = "fallida"
                    detalle = f"Esta terminal no sincroniza «{desconocidos[0]}»."
                else:
                    for config in esquema.en_orden_de_descarga():
                        if config.nombre in nombres:
                            descarga.resincronizar(config, detener)
                            resincronizados.append(config.nombre)
                    detalle = f"Resincronizados: {', '.join(nombres)}."
        except Exception as exc:
            from agente.sincronizacion.errores import ErrorAutenticacion

            if isinstance(exc, ErrorAutenticacion):
                raise
            resultado, detalle = "fallida", str(exc)[:300] or type(exc).__name__
            _log.warning("La acción remota %s falló: %s", accion.id, detalle)
        registro.registrar_evento(
            "accion_remota",
            id=accion.id,
            accion=accion.tipo,
            modelo=accion.modelo,
            resultado=resultado,
        )
        try:
            cliente.confirmar_accion(accion.id, resultado, detalle)
        except Exception as exc:
            _log.info("No se pudo confirmar la acción %s; se repetirá: %s", accion.id, exc)
    return resincronizados
