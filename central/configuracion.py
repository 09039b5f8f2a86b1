"""Lectura y validación del ajuste ``MODELOS_SINCRONIZABLES``.

El proyecto Django declara sus modelos sincronizados así (claves en español, las mismas que la
configuración de modelos del motor y que ``/v1/esquema``)::

    MODELOS_SINCRONIZABLES = {
        "productos.Producto": {
            "clave": "id",
            "campos_esenciales": ["id", "nombre", "codigo", "precio", "stock", "categoria"],
            "campos_excluidos": ["descripcion", "imagen"],
            "critico": True,
            "estrategia_conflicto": "campo_a_campo",
            "reglas_por_campo": {"precio": "prioridad_central", "stock": "menor_valor"},
            "prioridad": 10,
            "operaciones_permitidas": ["actualizar", "ajustar"],
            "campos_busqueda": ["nombre"],
            "campos_indice": ["codigo"],
        },
    }

Opciones además de las del esquema: ``campo_tienda`` (por defecto ``"tienda"``): en los modelos
``privado_por_tienda`` el campo cuyo valor es el código de la tienda dueña de la fila (un
``CharField`` o una ``ForeignKey`` a ``central.Tienda`` con ``to_field="codigo"``), y
``campo_terminal`` (opcional): el campo que guarda el código de la terminal que creó la fila. La
central rellena los dos desde el token en ``crear``, nunca desde los datos: si la terminal los
envía con otro valor, la operación queda ``rechazada``.

``restricciones`` (reglas de negocio por campo, ``protocolo.restricciones``): las que se declaran
se suman a las que se deducen del campo Django (``longitud_maxima`` de ``max_length``,
``decimales``/``digitos`` y los límites de un ``DecimalField``, el rango de la columna de un
entero, ``requerido`` si no admite nulo ni tiene valor por defecto); las declaradas sólo pueden
estrechar las deducidas. Se sirven completas en ``/v1/esquema``.

Los tipos y los nulos se deducen de los campos Django. Todo nombre se valida como identificador
antes de usarse. La configuración se construye una vez por proceso (tras ``apps.ready``) y es
inmutable: se puede leer desde cualquier hilo.

Una sola definición del esquema: aquí sólo se hace lo que necesita Django (que el modelo y sus
campos existan, la clave primaria, ``tipo_de_campo``, las ``referencias_de`` sus ``ForeignKey``,
``campo_tienda``); la forma servida (``a_dict``), las estrategias, reglas, tipos de operación,
identificadores, dependencias y ciclos los valida ``protocolo.esquema``, el mismo código con el que
la terminal valida ``/v1/esquema``. Así la central no puede servir un esquema que la terminal
rechace. La central añade sólo reglas más estrictas (sin nombres repetidos en las listas;
``mayor_valor``/``menor_valor`` sólo en campos numéricos).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.text import capfirst

from protocolo import esquema
from protocolo.esquema import (  # noqa: F401 (se reexportan: los usan vistas, envoltura y cli)
    ESTRATEGIAS,
    IDENTIFICADOR,
    NOMBRE_MODELO,
    REGLAS,
    TIPOS_OPERACION,
    VERSION_PROTOCOLO,
    ErrorEsquema,
    huella_de,
)

#: Opciones de un modelo en ``MODELOS_SINCRONIZABLES``: las del esquema salvo las que se deducen
#: del modelo Django (tipos, nulos, huella), más ``campo_tienda``.
OPCIONES = (esquema.OPCIONES_MODELO - {"tipos", "nulos", "huella"}) | {
    "campo_tienda",
    "campo_terminal",
}
#: Campos que, si son esenciales, titulan un objeto cuando el ajuste no dice ``campo_titulo``.
CAMPOS_TITULO = esquema.CAMPOS_TITULO


def tipo_de_campo(campo: models.Field) -> str:
    """Tipo del protocolo de un campo Django (las FK toman el tipo de su destino)."""
    if campo.is_relation:
        return tipo_de_campo(campo.target_field)
    if isinstance(campo, models.BooleanField):
        return "booleano"
    if isinstance(campo, models.DecimalField):
        return "decimal"
    if isinstance(campo, models.IntegerField | models.AutoField):
        return "entero"
    if isinstance(campo, models.DateTimeField):
        return "fecha_hora"
    if isinstance(campo, models.DateField):
        return "fecha"
    if isinstance(campo, models.UUIDField):
        return "uuid"
    if isinstance(campo, models.JSONField):
        return "json"
    if isinstance(campo, models.CharField | models.TextField):
        return "texto"
    raise ImproperlyConfigured(f"Campo {campo} de tipo {type(campo).__name__} no sincronizable.")


@dataclass(frozen=True, kw_only=True)
class ConfigModelo(esquema.ConfigModelo):
    """Configuración validada de un modelo sincronizado (inmutable): la del motor
    (``a_dict``, ``campos_escribibles``… son los suyos) más lo que sólo conoce la central."""

    modelo: type[models.Model]
    campos: dict[str, models.Field] = field(repr=False)
    campo_tienda: str | None = None
    campo_terminal: str | None = None


def _identificadores(valor: Any, que: str) -> tuple[str, ...]:
    if not isinstance(valor, list | tuple):
        raise ImproperlyConfigured(f"{que}: debe ser una lista de nombres de campo.")
    for v in valor:
        try:
            esquema.validar_identificador(v)
        except ErrorEsquema as exc:
            raise ImproperlyConfigured(f"{que}: {v!r} no es un identificador válido.") from exc
    if len(set(valor)) != len(valor):
        raise ImproperlyConfigured(f"{que}: nombres repetidos.")
    return tuple(valor)


def _del_motor(nombre: str, validar: Any, *args: Any) -> Any:
    """Llama a una validación de ``protocolo.esquema`` y traduce su error al de Django, con el
    modelo delante si el mensaje no lo nombra."""
    try:
        return validar(*args)
    except ErrorEsquema as exc:
        mensaje = str(exc)
        if nombre not in mensaje:
            mensaje = f"{nombre}: {mensaje}"
        raise ImproperlyConfigured(mensaje) from exc


def construir_config(nombre: str, opciones: Any) -> ConfigModelo:
    """Valida la configuración de un modelo contra su clase Django y contra las reglas del motor.
    Lanza ImproperlyConfigured."""
    _del_motor("MODELOS_SINCRONIZABLES", esquema.validar_nombre_modelo, nombre)
    if not isinstance(opciones, dict):
        raise ImproperlyConfigured(f"{nombre}: la configuración debe ser un dict.")
    desconocidas = set(opciones) - OPCIONES
    if desconocidas:
        raise ImproperlyConfigured(f"{nombre}: opciones desconocidas {sorted(desconocidas)}.")
    try:
        modelo = apps.get_model(nombre)
    except (LookupError, ValueError) as exc:
        raise ImproperlyConfigured(f"{nombre}: modelo no instalado ({exc}).") from exc
    meta = modelo._meta

    def campo_django(n: str, que: str) -> models.Field:
        try:
            c = meta.get_field(n)
        except FieldDoesNotExist as exc:
            raise ImproperlyConfigured(
                f"{nombre}.{n} ({que}): el modelo no tiene ese campo."
            ) from exc
        if not c.concrete or c.many_to_many:
            raise ImproperlyConfigured(f"{nombre}.{n} ({que}): debe ser un campo concreto.")
        return c

    esenciales = _identificadores(
        opciones.get("campos_esenciales", ()), f"{nombre}.campos_esenciales"
    )
    if not esenciales:
        raise ImproperlyConfigured(f"{nombre}: «campos_esenciales» no puede estar vacío.")
    campos = {n: campo_django(n, "esencial") for n in esenciales}
    clave = opciones.get("clave", meta.pk.name)
    if clave != meta.pk.name or clave not in esenciales:
        raise ImproperlyConfigured(
            f"{nombre}: la clave debe ser la clave primaria ({meta.pk.name}) y ser esencial."
        )
    excluidos = _identificadores(opciones.get("campos_excluidos", ()), f"{nombre}.campos_excluidos")
    for n in excluidos:
        campo_django(n, "excluido")
    # Sólo la regla propia de la central (listas sin nombres repetidos, con el ajuste en el
    # mensaje); que sean campos esenciales lo comprueba el motor al validar la forma servida.
    for op in ("campos_solo_lectura", "campos_busqueda", "campos_indice"):
        _identificadores(opciones.get(op, ()), f"{nombre}.{op}")

    # La forma servida, deducida del modelo Django, y validada por el motor como la terminal.
    forma = {k: v for k, v in opciones.items() if k not in ("campo_tienda", "campo_terminal")}
    tipos = {n: tipo_de_campo(c) for n, c in campos.items()}
    # Cómo nombrar un objeto ante personas: el verbose_name y el primer campo que suele
    # titular, salvo que el ajuste diga otra cosa.
    forma.setdefault("nombre_visible", str(meta.verbose_name))
    forma.setdefault("etiquetas", {n: capfirst(str(c.verbose_name)) for n, c in campos.items()})
    if "campo_titulo" not in forma:
        forma["campo_titulo"] = next(
            (n for n in CAMPOS_TITULO if n in esenciales and n != clave), None
        )
    forma.update(
        clave=clave,
        campos_esenciales=list(esenciales),
        campos_excluidos=list(excluidos),
        tipos=tipos,
        nulos=sorted(n for n, c in campos.items() if c.null),
        referencias=referencias_de(
            nombre, campos, clave, opciones.get("dependencias", []), opciones.get("referencias")
        ),
        restricciones=restricciones_de(
            nombre, campos, tipos, clave, opciones.get("restricciones", {})
        ),
    )
    motor = _del_motor(nombre, esquema.config_modelo_desde_dict, nombre, forma)

    for campo, regla in motor.reglas_por_campo.items():
        numerico = motor.tipos[campo] in esquema.TIPOS_NUMERICOS
        if regla in ("mayor_valor", "menor_valor") and not numerico:
            raise ImproperlyConfigured(f"{nombre}.{campo}: {regla} sólo para campos numéricos.")
    campo_tienda = None
    if motor.privado_por_tienda:
        campo_tienda = opciones.get("campo_tienda", "tienda")
        if not isinstance(campo_tienda, str) or not IDENTIFICADOR.match(campo_tienda):
            raise ImproperlyConfigured(f"{nombre}.campo_tienda: identificador no válido.")
        campo_django(campo_tienda, "campo_tienda")
    campo_terminal = opciones.get("campo_terminal")
    if campo_terminal is not None:
        if not isinstance(campo_terminal, str) or campo_terminal not in esenciales:
            raise ImproperlyConfigured(f"{nombre}.campo_terminal: debe ser un campo esencial.")
        if (
            campo_terminal not in motor.campos_solo_lectura
            or motor.tipos[campo_terminal] != "texto"
        ):
            raise ImproperlyConfigured(
                f"{nombre}.campo_terminal: «{campo_terminal}» debe ser de texto y estar en "
                "«campos_solo_lectura» (lo pone la central desde el token)."
            )

    config = ConfigModelo(
        **{f.name: getattr(motor, f.name) for f in fields(esquema.ConfigModelo)},
        modelo=modelo,
        campos=campos,
        campo_tienda=campo_tienda,
        campo_terminal=campo_terminal,
    )
    return replace(config, huella=huella_de(config.a_dict()))


def _rango_entero(campo: models.Field) -> tuple[int | None, int | None]:
    """Rango de la columna de un entero (el mismo en SQLite y PostgreSQL: SQLite no lo impone,
    la central sí, para que los dos motores acepten lo mismo)."""
    tipo = campo.get_internal_type()
    tipo = {
        "AutoField": "IntegerField",
        "BigAutoField": "BigIntegerField",
        "SmallAutoField": "SmallIntegerField",
    }.get(tipo, tipo)
    return BaseDatabaseOperations.integer_field_ranges.get(tipo, (-(2**63), 2**63 - 1))


def _deducidas(campo: models.Field, tipo: str, clave: str, nombre: str) -> dict[str, Any]:
    """Reglas que impone el propio campo Django (forma JSON)."""
    destino = campo.target_field if campo.is_relation else campo
    reglas: dict[str, Any] = {}
    if nombre != clave and not campo.null and not campo.has_default():
        reglas["requerido"] = True
    if tipo == "texto" and destino.max_length is not None:
        reglas["longitud_maxima"] = destino.max_length
    if tipo == "entero":
        reglas["minimo"], reglas["maximo"] = _rango_entero(destino)
    if tipo == "decimal":
        reglas["decimales"] = destino.decimal_places or 0
        if destino.max_digits is not None:
            reglas["digitos"] = destino.max_digits
            tope = Decimal(10) ** (destino.max_digits - reglas["decimales"]) - Decimal(1).scaleb(
                -reglas["decimales"]
            )
            reglas["minimo"], reglas["maximo"] = format(-tope, "f"), format(tope, "f")
    return reglas


def restricciones_de(
    nombre: str, campos: dict[str, models.Field], tipos: dict[str, str], clave: str, declaradas: Any
) -> Any:
    """Restricciones servidas: las deducidas de cada campo Django con las declaradas encima.
    Una declarada no puede ensanchar una deducida (más longitud, más decimales, un rango mayor
    que la columna). Si ``declaradas`` no tiene la forma esperada se devuelve tal cual para que
    el motor diga qué corregir."""
    if not isinstance(declaradas, Mapping):
        return declaradas
    for campo in declaradas:
        if campo not in campos:
            raise ImproperlyConfigured(
                f"{nombre}: restricciones para «{campo}», que no es un campo esencial."
            )
    resultado = {}
    for campo, f in campos.items():
        deducidas = _deducidas(f, tipos[campo], clave, campo)
        propias = declaradas.get(campo, {})
        if not isinstance(propias, Mapping):
            resultado[campo] = propias
            continue
        for regla, tope in deducidas.items():
            valor = propias.get(regla)
            if valor is None or regla == "requerido" or isinstance(valor, bool):
                continue
            try:
                ancho = (
                    Decimal(str(valor)) < Decimal(str(tope))
                    if regla == "minimo"
                    else Decimal(str(valor)) > Decimal(str(tope))
                )
            except ArithmeticError:
                continue  # el motor dirá que no es un número
            if ancho:
                raise ImproperlyConfigured(
                    f"{nombre}.{campo}: «{regla}» {valor} va más allá de lo que admite la "
                    f"columna ({tope})."
                )
        resultado[campo] = {**deducidas, **propias}
    return resultado


def referencias_de(
    nombre: str,
    campos: dict[str, models.Field],
    clave: str,
    dependencias: Any,
    explicitas: Any,
) -> Any:
    """Referencias de un modelo: las ``ForeignKey`` esenciales hacia modelos de sus
    ``dependencias`` (automáticas), más las declaradas en ``"referencias"`` (p. ej. un
    ``UUIDField`` que guarda la clave de otro modelo). Las declaradas las valida el motor
    (campo esencial, no la clave, destino en ``dependencias``); si no son un dict se devuelven
    tal cual para que el motor diga qué corregir."""
    referencias: dict[str, str] = {}
    for n, c in campos.items():
        if n != clave and c.is_relation and c.many_to_one:
            destino = c.related_model._meta.label
            if isinstance(dependencias, list | tuple) and destino in dependencias:
                referencias[n] = destino
    if explicitas is None:
        return referencias
    if not isinstance(explicitas, Mapping):
        return explicitas
    return {**referencias, **explicitas}


class Configuracion:
    """Todos los modelos sincronizados, en orden de descarga (críticos primero, luego prioridad
    ascendente: menor número = antes)."""

    def __init__(self, modelos: dict[str, ConfigModelo]):
        self.modelos = modelos
        self.por_clase = {c.modelo: c for c in modelos.values()}
        self.en_orden = sorted(
            modelos.values(), key=lambda c: (not c.critico, c.prioridad, c.nombre)
        )
        _del_motor("MODELOS_SINCRONIZABLES", esquema.comprobar_modelos, modelos)


_cerrojo = threading.Lock()
_cache: Configuracion | None = None


def construir(ajuste: Any) -> Configuracion:
    if not isinstance(ajuste, dict):
        raise ImproperlyConfigured(
            "MODELOS_SINCRONIZABLES debe ser un dict «app.Modelo» -> opciones."
        )
    return Configuracion({n: construir_config(n, o) for n, o in ajuste.items()})


def obtener() -> Configuracion:
    """Configuración del proceso (se construye la primera vez; segura entre hilos)."""
    global _cache
    if _cache is None:
        with _cerrojo:
            if _cache is None:
                _cache = construir(getattr(settings, "MODELOS_SINCRONIZABLES", {}))
    return _cache
