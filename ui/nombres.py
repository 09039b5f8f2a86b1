"""Cómo se nombra un objeto ante la tienda: «Producto «Mermelada de fresa 340 g» (8412345678905)».

Nunca «productos.Producto 21». El nombre humano del modelo y su campo título vienen del esquema
(``nombre`` y ``campo_titulo`` de cada modelo, si la central los sirve); si faltan, se deducen:
la última parte del nombre técnico con mayúscula y el primer campo conocido que suele titular
(``nombre``, ``titulo``…). El código va entre paréntesis si el objeto lo tiene (``codigo``,
``sku``…); si no tiene título, se usa el código; si tampoco, el objeto que lo nombra
(``Agente.referido``: «Existencia de Producto «Leche entera 1 l»»); en último término, el número.

Puro (sin Qt, sin E/S): seguro desde cualquier hilo.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from protocolo.esquema import CAMPOS_TITULO

CAMPOS_CODIGO = ("codigo", "sku", "ean", "referencia", "nif")


@dataclass(frozen=True)
class Presentacion:
    """Cómo nombrar los objetos de un modelo."""

    nombre: str
    campo_titulo: str | None = None
    campo_codigo: str | None = None
    etiquetas: Mapping[str, str] = field(default_factory=dict)
    """``{campo: "Precio de venta"}`` que sirve la central (``verbose_name``)."""

    def etiqueta(self, campo: str) -> str:
        """Cómo llamar a ``campo`` («Código EAN-13»); sin etiqueta, el nombre legible."""
        return self.etiquetas.get(campo) or humanizar(campo)


def humanizar(campo: str) -> str:
    """«precio_unitario» → «Precio unitario» (como ``protocolo.esquema.humanizar``)."""
    texto = str(campo).replace("_", " ").strip()
    return texto[:1].upper() + texto[1:]


def presentacion_por_defecto(modelo: str) -> Presentacion:
    corto = str(modelo).rsplit(".", 1)[-1] or str(modelo)
    return Presentacion(nombre=corto[:1].upper() + corto[1:])


def presentaciones(esquema: Mapping[str, Any] | None) -> dict[str, Presentacion]:
    """``{modelo: Presentacion}`` desde el dict del esquema (``{"modelos": {nombre: {...}}}``,
    con ``nombre_visible``, ``campo_titulo`` y ``etiquetas``) o desde ``{modelo: {...}}``.
    Tolera claves ausentes."""
    modelos = (esquema or {}).get("modelos", esquema or {})
    resultado = {}
    for modelo, datos in dict(modelos).items():
        datos = dict(datos or {}) if isinstance(datos, Mapping) else {}
        defecto = presentacion_por_defecto(modelo)
        nombre = str(datos.get("nombre_visible") or defecto.nombre)
        resultado[str(modelo)] = Presentacion(
            nombre=nombre[:1].upper() + nombre[1:],
            campo_titulo=datos.get("campo_titulo") or None,
            campo_codigo=datos.get("campo_codigo") or None,
            etiquetas=dict(datos.get("etiquetas") or {}),
        )
    return resultado


def _primero(valores: Mapping[str, Any], preferido: str | None, candidatos: Iterable[str]) -> Any:
    for campo in ([preferido] if preferido else []) + list(candidatos):
        valor = valores.get(campo)
        if valor not in (None, ""):
            return valor
    return None


#: Cómo se nombra un objeto sin título por el que lo nombra; la interfaz pasa su traducción.
PLANTILLA_REFERIDO = "{modelo} de {referido}"


def nombrar(
    modelo: str,
    objeto_id: Any,
    *valores: Mapping[str, Any] | None,
    presentacion: Presentacion | None = None,
    referido: Any = None,
    plantilla: str = PLANTILLA_REFERIDO,
) -> str:
    """«Producto «Pan» (8412345678905)». ``valores``: dicts del objeto, el primero manda
    (p. ej. central, base, local de un conflicto). ``referido``: lo que da
    ``Agente.referido`` (el objeto que lo nombra, con el nombre y el campo título de su
    modelo), que nombra al objeto con ``plantilla`` si no tiene ni título ni código."""
    p = presentacion or presentacion_por_defecto(modelo)
    juntos: dict[str, Any] = {}
    for v in reversed([v for v in valores if v]):
        juntos.update(v)
    titulo = _primero(juntos, p.campo_titulo, CAMPOS_TITULO)
    codigo = _primero(juntos, p.campo_codigo, CAMPOS_CODIGO)
    if titulo is not None and codigo is not None and str(codigo) != str(titulo):
        return f"{p.nombre} «{titulo}» ({codigo})"
    if titulo is not None:
        return f"{p.nombre} «{titulo}»"
    if codigo is not None:
        return f"{p.nombre} {codigo}"
    if isinstance(referido, Mapping) and isinstance(referido.get("valores"), Mapping):
        nombre = nombrar(
            str(referido.get("modelo") or ""),
            referido.get("objeto_id"),
            referido["valores"],
            presentacion=(
                Presentacion(
                    nombre=str(referido["nombre_visible"]),
                    campo_titulo=referido.get("campo_titulo") or None,
                )
                if referido.get("nombre_visible")
                else None
            ),
        )
        return plantilla.format(modelo=p.nombre, referido=nombre)
    return f"{p.nombre} {objeto_id}"


def nombrar_conflicto(
    conflicto: Mapping[str, Any],
    presentaciones_: Mapping[str, Presentacion] | None = None,
    plantilla: str = PLANTILLA_REFERIDO,
) -> str:
    """Nombre del objeto de un conflicto: lo que ve la central manda sobre lo de la caja (y su
    ``referido``, si lo trae, nombra a uno sin título)."""
    modelo = str(conflicto.get("modelo", ""))
    p = (presentaciones_ or {}).get(modelo)
    return nombrar(
        modelo,
        conflicto.get("objeto_id"),
        conflicto.get("central"),
        conflicto.get("base"),
        conflicto.get("local"),
        presentacion=p,
        referido=conflicto.get("referido"),
        plantilla=plantilla,
    )
