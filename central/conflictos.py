"""Detección de conflictos de ``actualizar``/``borrar`` y versiones de los objetos.

Sólo los campos que la operación cambia: hay conflicto si su valor actual en la central difiere
de ``valores_base``. Un campo sin valor base entra en conflicto sólo si la fila cambió desde
``version_base``; un ``borrar`` sin valores base, si la fila cambió desde ``version_base``. Sin
``version_base`` no se aplica ninguno de los dos (``reglas.comprobar``). El ``modificado_en`` de
un conflicto es la hora de la edición que produjo los valores en disputa (``ediciones``). La
versión de un objeto es el id de su entrada vigente en el registro de cambios (la escriben los
disparadores en la misma transacción, así que ya está al día).

Sin estado: lee en la transacción del hilo.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model

from . import captura, ediciones, valores
from .configuracion import ConfigModelo
from .envoltura import Operacion
from .models import OperacionRecibida, RegistroCambio
from .valores import Rechazo


def _iguales(config: ConfigModelo, campo: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if config.tipos[campo] == "fecha_hora":
        return dt.datetime.fromisoformat(a) == dt.datetime.fromisoformat(b)
    return a == b


def conflicto(op: Operacion, objeto: Model, campos: list[str]) -> dict[str, Any] | None:
    """El resultado «conflicto» de ``op`` sobre ``objeto`` en ``campos``, o None."""
    config = op.config
    actuales = captura.instantanea(config, objeto)
    base = op.valores_base or {}
    cambiados, ver = [], None
    for campo in campos:
        if campo in base:
            try:
                b = valores.normalizar(config, campo, base[campo])
            except Rechazo:
                raise Rechazo(f"«valores_base.{campo}» no es válido.") from None
            if not _iguales(config, campo, actuales[campo], b):
                cambiados.append(campo)
        elif op.version_base is not None:
            ver = ver or version(config, op.objeto_id or "")
            if ver[0] > op.version_base:
                cambiados.append(campo)
    if not cambiados:
        return None
    ver = ver or version(config, op.objeto_id or "")
    # La hora de la edición que produjo los valores en disputa, no la de su llegada.
    editado = ediciones.hora_de_edicion(config, op.objeto_id, cambiados, actuales, ver[1], _iguales)
    return {
        "resultado": "conflicto",
        "version": ver[0],
        "modificado_en": editado,
        "valores": actuales,
        "campos_cambiados": cambiados,
        "modificado_por": autor(config, op.objeto_id or ""),
    }


def autor(config: ConfigModelo, objeto_id: str) -> dict[str, str] | None:
    """Tienda y terminal de la última operación aplicada a ese objeto (``None`` si lo cambió
    otra vía, p. ej. el admin): el encargado ve quién cambió el valor central."""
    fila = (
        OperacionRecibida.objects.filter(modelo=config.nombre, objeto_id=objeto_id)
        .order_by("-recibida_en")
        .values_list("tienda", "terminal")
        .first()
    )
    return None if fila is None else {"tienda": fila[0], "terminal": fila[1]}


def version(config: ConfigModelo, objeto_id: str) -> tuple[int, str]:
    """(versión, modificado_en ISO) de un objeto; (0, "") si nunca se registró."""
    fila = (
        RegistroCambio.objects.filter(modelo=config.nombre, objeto_id=objeto_id, vigente=True)
        .values_list("id", "modificado_en")
        .first()
    )
    if fila is None:
        return 0, ""
    return fila[0], fila[1].isoformat()


def versiones(ops: list[Operacion]) -> dict[tuple[str, str], int]:
    """Versión vigente de los objetos de ``ops``: una consulta por modelo y trozo."""
    por_modelo: dict[str, set[str]] = {}
    for op in ops:
        por_modelo.setdefault(op.config.nombre, set()).add(op.objeto_id or "")
    salida: dict[tuple[str, str], int] = {}
    for modelo, ids in por_modelo.items():
        ids_ = list(ids)
        for i in range(0, len(ids_), 500):
            for objeto_id, id_ in RegistroCambio.objects.filter(
                modelo=modelo, objeto_id__in=ids_[i : i + 500], vigente=True
            ).values_list("objeto_id", "id"):
                salida[(modelo, objeto_id)] = id_
    return salida
