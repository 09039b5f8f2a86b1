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
``CharField`` o una ``ForeignKey`` a ``central.Tienda`` con ``to_field="codigo"``). La central lo
rellena desde el token en ``crear``.

Los tipos y los nulos se deducen de los campos Django. Todo nombre se valida como identificador
antes de usarse. La configuración se construye una vez por proceso (tras ``apps.ready``) y es
inmutable: se puede leer desde cualquier hilo.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models

VERSION_PROTOCOLO = 1
ESTRATEGIAS = ("ultima_modificacion", "campo_a_campo", "manual")
REGLAS = ("mayor_valor", "menor_valor", "concatenar", "prioridad_central", "ultima_modificacion")
TIPOS_OPERACION = ("crear", "actualizar", "borrar", "ajustar")
IDENTIFICADOR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
NOMBRE_MODELO = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}\.[A-Za-z_][A-Za-z0-9_]{0,62}$")

OPCIONES = {
    "clave", "campos_esenciales", "campos_excluidos", "campos_solo_lectura", "campos_busqueda",
    "campos_indice", "critico", "estrategia_conflicto", "reglas_por_campo", "prioridad",
    "operaciones_permitidas", "dependencias", "referencias", "privado_por_tienda", "campo_tienda",
}


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


@dataclass(frozen=True)
class ConfigModelo:
    """Configuración validada de un modelo sincronizado (inmutable)."""

    nombre: str
    modelo: type[models.Model]
    clave: str
    campos_esenciales: tuple[str, ...]
    campos_excluidos: tuple[str, ...]
    tipos: dict[str, str]
    nulos: frozenset[str]
    campos_solo_lectura: frozenset[str]
    campos_busqueda: tuple[str, ...]
    campos_indice: tuple[str, ...]
    critico: bool
    estrategia_conflicto: str
    reglas_por_campo: dict[str, str]
    prioridad: int
    operaciones_permitidas: frozenset[str]
    dependencias: tuple[str, ...]
    privado_por_tienda: bool
    campo_tienda: str | None
    campos: dict[str, models.Field] = field(repr=False)
    huella: str = ""
    #: ``{campo esencial: "app.Modelo"}`` hacia modelos de ``dependencias`` (ver
    #: ``referencias_de``): la terminal ordena el envío por objeto referido, no por modelo.
    referencias: dict[str, str] = field(default_factory=dict)

    def a_dict(self) -> dict[str, Any]:
        """Forma JSON de ``/v1/esquema`` (ver docs/protocolo.md)."""
        return {
            "clave": self.clave,
            "campos_esenciales": list(self.campos_esenciales),
            "campos_excluidos": list(self.campos_excluidos),
            "tipos": dict(self.tipos),
            "nulos": sorted(self.nulos),
            "campos_solo_lectura": sorted(self.campos_solo_lectura),
            "campos_busqueda": list(self.campos_busqueda),
            "campos_indice": list(self.campos_indice),
            "critico": self.critico,
            "estrategia_conflicto": self.estrategia_conflicto,
            "reglas_por_campo": dict(self.reglas_por_campo),
            "prioridad": self.prioridad,
            "operaciones_permitidas": sorted(self.operaciones_permitidas),
            "dependencias": list(self.dependencias),
            "referencias": dict(self.referencias),
            "privado_por_tienda": self.privado_por_tienda,
            "huella": self.huella,
        }

    @property
    def campos_escribibles(self) -> frozenset[str]:
        """Campos que una terminal puede enviar en ``actualizar``."""
        return frozenset(self.campos_esenciales) - {self.clave} - self.campos_solo_lectura

    @property
    def clave_generada_en_terminal(self) -> bool:
        return self.tipos[self.clave] == "uuid"


def huella_de(config: dict[str, Any]) -> str:
    """Huella estable (sha256) de la configuración de un modelo, igual que ``agente.esquema``."""
    sin_huella = {k: v for k, v in config.items() if k != "huella"}
    texto = json.dumps(sin_huella, sort_keys=True, ensure_ascii=True, default=list)
    return hashlib.sha256(texto.encode()).hexdigest()


def _identificadores(valor: Any, que: str) -> tuple[str, ...]:
    if not isinstance(valor, list | tuple):
        raise ImproperlyConfigured(f"{que}: debe ser una lista de nombres de campo.")
    for v in valor:
        if not isinstance(v, str) or not IDENTIFICADOR.match(v):
            raise ImproperlyConfigured(f"{que}: {v!r} no es un identificador válido.")
    if len(set(valor)) != len(valor):
        raise ImproperlyConfigured(f"{que}: nombres repetidos.")
    return tuple(valor)


def construir_config(nombre: str, opciones: Any) -> ConfigModelo:
    """Valida la configuración de un modelo contra su clase Django. Lanza ImproperlyConfigured."""
    if not isinstance(nombre, str) or not NOMBRE_MODELO.match(nombre):
        raise ImproperlyConfigured(f"MODELOS_SINCRONIZABLES: {nombre!r} no es «app.Modelo».")
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
    if set(excluidos) & set(esenciales):
        raise ImproperlyConfigured(f"{nombre}: campos a la vez esenciales y excluidos.")

    def subconjunto(op: str) -> tuple[str, ...]:
        valores = _identificadores(opciones.get(op, ()), f"{nombre}.{op}")
        fuera = [v for v in valores if v not in esenciales]
        if fuera:
            raise ImproperlyConfigured(f"{nombre}.{op}: campos no esenciales {fuera}.")
        return valores

    solo_lectura = frozenset(subconjunto("campos_solo_lectura"))
    busqueda = subconjunto("campos_busqueda")
    indice = subconjunto("campos_indice")
    tipos = {n: tipo_de_campo(c) for n, c in campos.items()}
    if tipos[clave] not in ("entero", "texto", "uuid"):
        raise ImproperlyConfigured(f"{nombre}: la clave debe ser entero, texto o uuid.")
    nulos = frozenset(n for n, c in campos.items() if c.null)

    estrategia = opciones.get("estrategia_conflicto", "manual")
    if estrategia not in ESTRATEGIAS:
        raise ImproperlyConfigured(f"{nombre}: estrategia {estrategia!r} desconocida.")
    reglas = opciones.get("reglas_por_campo", {})
    if not isinstance(reglas, dict):
        raise ImproperlyConfigured(f"{nombre}.reglas_por_campo: debe ser un dict.")
    for campo, regla in reglas.items():
        if campo not in esenciales or regla not in REGLAS:
            raise ImproperlyConfigured(f"{nombre}.reglas_por_campo: {campo!r}: {regla!r} no vale.")
        if regla in ("mayor_valor", "menor_valor") and tipos[campo] not in ("entero", "decimal"):
            raise ImproperlyConfigured(f"{nombre}.{campo}: {regla} sólo para campos numéricos.")
    prioridad = opciones.get("prioridad", 0)
    if not isinstance(prioridad, int) or isinstance(prioridad, bool):
        raise ImproperlyConfigured(f"{nombre}.prioridad: debe ser un entero.")
    ops = opciones.get("operaciones_permitidas", list(TIPOS_OPERACION))
    if not isinstance(ops, list | tuple) or not set(ops) <= set(TIPOS_OPERACION):
        raise ImproperlyConfigured(f"{nombre}.operaciones_permitidas: {ops!r} no vale.")
    dependencias = opciones.get("dependencias", [])
    if not isinstance(dependencias, list | tuple) or not all(
        isinstance(d, str) and NOMBRE_MODELO.match(d) for d in dependencias
    ):
        raise ImproperlyConfigured(f"{nombre}.dependencias: lista de «app.Modelo».")
    referencias = referencias_de(nombre, campos, clave, tuple(dependencias),
                                 opciones.get("referencias"))
    privado = bool(opciones.get("privado_por_tienda", False))
    campo_tienda = None
    if privado:
        campo_tienda = opciones.get("campo_tienda", "tienda")
        if not isinstance(campo_tienda, str) or not IDENTIFICADOR.match(campo_tienda):
            raise ImproperlyConfigured(f"{nombre}.campo_tienda: identificador no válido.")
        campo_django(campo_tienda, "campo_tienda")
    for booleana in ("critico", "privado_por_tienda"):
        if not isinstance(opciones.get(booleana, False), bool):
            raise ImproperlyConfigured(f"{nombre}.{booleana}: debe ser booleano.")

    config = ConfigModelo(
        nombre=nombre, modelo=modelo, clave=clave, campos_esenciales=esenciales,
        campos_excluidos=excluidos, tipos=tipos, nulos=nulos, campos_solo_lectura=solo_lectura,
        campos_busqueda=busqueda, campos_indice=indice, critico=bool(opciones.get("critico")),
        estrategia_conflicto=estrategia, reglas_por_campo=dict(reglas), prioridad=prioridad,
        operaciones_permitidas=frozenset(ops), dependencias=tuple(dependencias),
        privado_por_tienda=privado, campo_tienda=campo_tienda, campos=campos,
        referencias=referencias,
    )
    return _con_huella(config)


def referencias_de(
    nombre: str, campos: dict[str, models.Field], clave: str, dependencias: tuple[str, ...],
    explicitas: Any,
) -> dict[str, str]:
    """Referencias de un modelo: las ``ForeignKey`` esenciales hacia modelos de sus
    ``dependencias`` (automáticas), más las declaradas en ``"referencias"`` (p. ej. un
    ``UUIDField`` que guarda la clave de otro modelo). Lanza ImproperlyConfigured."""
    referencias: dict[str, str] = {}
    for n, c in campos.items():
        if n != clave and c.is_relation and c.many_to_one:
            destino = c.related_model._meta.label
            if destino in dependencias:
                referencias[n] = destino
    if explicitas is None:
        return referencias
    if not isinstance(explicitas, dict):
        raise ImproperlyConfigured(f"{nombre}.referencias: dict {{campo: «app.Modelo»}}.")
    for n, destino in explicitas.items():
        if n not in campos or n == clave:
            raise ImproperlyConfigured(
                f"{nombre}.referencias: «{n}» debe ser un campo esencial que no sea la clave."
            )
        if destino not in dependencias:
            raise ImproperlyConfigured(
                f"{nombre}.referencias.{n}: {destino!r} no está en «dependencias»."
            )
        referencias[n] = destino
    return referencias


def _con_huella(config: ConfigModelo) -> ConfigModelo:
    from dataclasses import replace

    return replace(config, huella=huella_de(config.a_dict()))


class Configuracion:
    """Todos los modelos sincronizados, en orden de descarga (críticos primero, luego prioridad
    ascendente: menor número = antes)."""

    def __init__(self, modelos: dict[str, ConfigModelo]):
        self.modelos = modelos
        self.por_clase = {c.modelo: c for c in modelos.values()}
        self.en_orden = sorted(
            modelos.values(), key=lambda c: (not c.critico, c.prioridad, c.nombre)
        )
        for c in modelos.values():
            for d in c.dependencias:
                if d not in modelos:
                    raise ImproperlyConfigured(f"{c.nombre}: depende de {d}, que no se sincroniza.")
        _comprobar_aciclicas(modelos)


def _comprobar_aciclicas(modelos: dict[str, ConfigModelo]) -> None:
    estado: dict[str, int] = {}

    def visitar(n: str) -> None:
        if estado.get(n) == 1:
            raise ImproperlyConfigured(f"Dependencias circulares en {n}.")
        if estado.get(n) == 2:
            return
        estado[n] = 1
        for d in modelos[n].dependencias:
            visitar(d)
        estado[n] = 2

    for n in modelos:
        visitar(n)


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
