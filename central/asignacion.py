"""Los ``datos`` de una operación, validados y asignados a una instancia: tipos y forma canónica
(``valores``), campos de sólo lectura (el de la tienda lo pone la central) y FK que apuntan a
objetos existentes de la tienda (``Referencias``). Sin estado propio.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from . import valores
from .configuracion import ConfigModelo
from .envoltura import Operacion
from .referencias import Referencias
from .valores import Rechazo


def datos_escribibles(op: Operacion, tienda: str, permitir_clave: bool) -> dict[str, Any]:
    config = op.config
    normalizados = {}
    for campo, valor in op.datos.items():
        if campo not in config.tipos:
            raise Rechazo(f"{config.nombre} no sincroniza el campo «{str(campo)[:60]}».")
        if campo == config.clave and not permitir_clave:
            raise Rechazo(f"No se puede cambiar la clave «{campo}».")
        normal = valores.normalizar(config, campo, valor)
        if campo in config.campos_solo_lectura:
            if campo in (config.campo_tienda, config.campo_terminal):
                continue  # la propia (``reglas.comprobar``): la pone la central del token
            raise Rechazo(f"El campo «{campo}» es de sólo lectura (lo pone la central).")
        normalizados[campo] = normal
    return normalizados


def asignar(
    config: ConfigModelo, objeto: Model, datos: dict[str, Any], referencias: Referencias
) -> list[str]:
    """Asigna los valores (ya normalizados) y devuelve los nombres de campo asignados."""
    nombres = []
    for campo, normal in datos.items():
        f = config.campos[campo]
        if f.is_relation and normal is not None:
            referencias.comprobar(config, campo, normal)
        setattr(objeto, f.attname, valores.a_python(config, campo, normal))
        nombres.append(f.name)
    return nombres
