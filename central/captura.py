"""Captura de cambios de los modelos sincronizados en el registro de cambios.

Cómo se captura
---------------
- Señales ``post_save``/``post_delete`` de cada modelo de ``MODELOS_SINCRONIZABLES``: cada
  guardado o borrado (también los borrados en cascada y ``QuerySet.delete()``, que con señales
  conectadas borra objeto a objeto) escribe una entrada con la instantánea de los campos
  esenciales, o una lápida.
- ``QuerySet.update()``, ``bulk_create()`` y ``bulk_update()`` no emiten señales: usa
  ``actualizar_en_bloque``, ``crear_en_bloque`` o ``registrar_instancias``/``registrar_pks``
  (documentados en docs/central.md).

Orden de commit (el cursor nunca se salta un cambio)
----------------------------------------------------
El ``id`` de ``RegistroCambio`` es el cursor. Para que un lector que ya vio el id N no pueda ver
después un id < N confirmado tarde, los ids se asignan en orden de commit:

- SQLite: un único escritor a la vez; el cerrojo de escritura se toma en la primera escritura y
  se mantiene hasta el commit, así que los ids ya salen en orden de commit.
- PostgreSQL: ``pg_advisory_xact_lock(CLAVE_CERROJO)`` antes de tocar filas sincronizadas
  (``pre_save``/``pre_delete``) y antes de insertar en el registro; se mantiene hasta el commit.
  Las transacciones que escriben modelos sincronizados se serializan desde su primera escritura
  sincronizada hasta su commit (como la fila de versión única de Replicache). Tomarlo en
  ``pre_save`` fija el orden de cerrojos (primero el consultivo, luego las filas) y evita
  interbloqueos entre escritores sincronizados.

Transacciones
-------------
La entrada del registro se escribe en la transacción en curso del guardado. Un guardado en modo
autocommit (fuera de ``transaction.atomic``) queda confirmado antes que su entrada, que se escribe
en su propia transacción justo después: para atomicidad total guarda dentro de ``atomic``.

Hilos: el estado de ``diferida()`` es por hilo; nada más es compartido.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from . import configuracion, insercion
from .configuracion import ConfigModelo
from .valores import UUID_CANONICO

CLAVE_CERROJO = 0x53494E43  # "SINC": cerrojo consultivo de PostgreSQL del registro de cambios
_TROZO = 500


def bloquear(using: str = "default") -> None:
    """Toma el cerrojo de orden de commit (PostgreSQL) si hay una transacción abierta.

    Idempotente dentro de una transacción. En SQLite no hace nada (un solo escritor)."""
    conexion = connections[using]
    if conexion.vendor == "postgresql" and conexion.in_atomic_block:
        with conexion.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [CLAVE_CERROJO])


# -- serialización de valores ---------------------------------------------------------------


def _conversor(config: ConfigModelo, nombre: str) -> Callable[[Any], Any]:
    tipo = config.tipos[nombre]
    campo = config.campos[nombre]
    destino = campo.target_field if campo.is_relation else campo
    if tipo == "decimal":
        exponente = Decimal(1).scaleb(-(destino.decimal_places or 0))

        def decimal(v: Any) -> Any:
            if v is None:
                return None
            if not isinstance(v, Decimal):
                v = Decimal(str(v))
            return format(v.quantize(exponente), "f")

        return decimal
    if tipo == "entero":
        return lambda v: None if v is None else int(v)
    if tipo == "texto":
        return lambda v: None if v is None else str(v)
    if tipo == "booleano":
        return lambda v: None if v is None else bool(v)
    if tipo == "uuid":

        def uuid_canonico(v: Any) -> Any:
            if v is None or (isinstance(v, str) and UUID_CANONICO.match(v)):
                return v
            return str(v if isinstance(v, uuid.UUID) else uuid.UUID(str(v)))

        return uuid_canonico
    if tipo == "fecha_hora":

        def fecha_hora(v: Any) -> Any:
            if v is None:
                return None
            if isinstance(v, str):
                v = dt.datetime.fromisoformat(v)
            if timezone.is_naive(v):
                v = timezone.make_aware(v)
            return v.isoformat()

        return fecha_hora
    if tipo == "fecha":
        return lambda v: None if v is None else (v if isinstance(v, str) else v.isoformat())
    return lambda v: v  # json


_serializadores: dict[str, list[tuple[str, str, Callable[[Any], Any]]]] = {}


def _serializador(config: ConfigModelo) -> list[tuple[str, str, Callable[[Any], Any]]]:
    s = _serializadores.get(config.nombre)
    if s is None:
        s = [(n, config.campos[n].attname, _conversor(config, n)) for n in config.campos_esenciales]
        _serializadores[config.nombre] = s
    return s


def instantanea(config: ConfigModelo, instancia: Model) -> dict[str, Any]:
    """Campos esenciales de una instancia, ya en forma JSON del protocolo."""
    return {n: conv(getattr(instancia, attname)) for n, attname, conv in _serializador(config)}


def tienda_de(config: ConfigModelo, instancia: Model) -> str | None:
    if not config.privado_por_tienda:
        return None
    valor = getattr(instancia, config.modelo._meta.get_field(config.campo_tienda).attname)
    return None if valor is None else str(valor)


# -- entradas ---------------------------------------------------------------------------------


@dataclass
class Entrada:
    """Un cambio pendiente de escribir en el registro. ``id`` se rellena al escribirlo."""

    modelo: str
    objeto_id: str
    tienda: str | None
    borrado: bool
    datos: dict[str, Any] | None
    modificado_en: dt.datetime
    id: int | None = None

    def cuerpo(self) -> str:
        fecha = self.modificado_en.isoformat()
        inicio = f'"id":{json.dumps(self.objeto_id)},"modificado_en":"{fecha}"'
        if self.borrado:
            return inicio + ',"borrado":true}'
        datos = json.dumps(self.datos, ensure_ascii=False, separators=(",", ":"))
        return f'{inicio},"datos":{datos}}}'


def entrada_de(config: ConfigModelo, instancia: Model, borrado: bool = False,
               ahora: dt.datetime | None = None) -> Entrada:
    return Entrada(
        modelo=config.nombre,
        objeto_id=str(instancia.pk),
        tienda=tienda_de(config, instancia),
        borrado=borrado,
        datos=None if borrado else instantanea(config, instancia),
        modificado_en=ahora or timezone.now(),
    )


def escribir(entradas: list[Entrada], using: str = "default") -> None:
    """Escribe entradas en el registro (en la transacción en curso, o en una propia) y rellena
    sus ``id``. La última entrada de cada objeto queda vigente; las anteriores, no."""
    from .models import RegistroCambio

    if not entradas:
        return
    ultimas: dict[tuple[str, str], int] = {}
    for i, e in enumerate(entradas):
        ultimas[(e.modelo, e.objeto_id)] = i
    por_modelo: dict[str, list[str]] = {}
    for modelo, objeto_id in ultimas:
        por_modelo.setdefault(modelo, []).append(objeto_id)
    fecha_bd = insercion.preparar(using)[0]
    filas = [
        (e.modelo, e.objeto_id, e.tienda, e.borrado, ultimas[(e.modelo, e.objeto_id)] == i,
         e.cuerpo(), fecha_bd(e.modificado_en))
        for i, e in enumerate(entradas)
    ]
    with transaction.atomic(using=using, savepoint=False):
        bloquear(using)
        gestor = RegistroCambio.objects.using(using)
        for modelo, ids in por_modelo.items():
            for i in range(0, len(ids), _TROZO):
                gestor.filter(modelo=modelo, objeto_id__in=ids[i:i + _TROZO], vigente=True).update(
                    vigente=False
                )
        nuevos = insercion.insertar(
            RegistroCambio,
            ["modelo", "objeto_id", "tienda", "borrado", "vigente", "cuerpo", "modificado_en"],
            filas, using, devolver_ids=True,
        )
    for e, id_ in zip(entradas, nuevos, strict=True):
        e.id = id_


# -- captura diferida (lotes) ------------------------------------------------------------------


class Diferido:
    """Acumula las entradas de un hilo para escribirlas juntas (``volcar``)."""

    def __init__(self, using: str):
        self.using = using
        self.entradas: list[Entrada] = []

    def marca(self) -> int:
        return len(self.entradas)

    def deshacer(self, marca: int) -> None:
        del self.entradas[marca:]

    def volcar(self) -> None:
        pendientes = [e for e in self.entradas if e.id is None]
        escribir(pendientes, self.using)


_hilo = threading.local()


@contextmanager
def diferida(using: str = "default") -> Iterator[Diferido]:
    """Dentro del bloque, las señales de este hilo acumulan entradas en vez de escribirlas; se
    escriben todas al salir sin excepción (o antes, con ``volcar()``). Úsalo dentro de una
    transacción para que entradas y efectos se confirmen juntos."""
    anterior = getattr(_hilo, "diferido", None)
    d = Diferido(using)
    _hilo.diferido = d
    try:
        yield d
        d.volcar()
    finally:
        _hilo.diferido = anterior


def _anotar(entrada: Entrada, using: str) -> None:
    d = getattr(_hilo, "diferido", None)
    if d is not None and d.using == using:
        d.entradas.append(entrada)
    else:
        escribir([entrada], using)


# -- señales ---------------------------------------------------------------------------------


def _al_preparar(sender, using="default", **kwargs) -> None:
    bloquear(using)


def _al_guardar(sender, instance, using="default", update_fields=None, **kwargs) -> None:
    config = configuracion.obtener().por_clase.get(sender)
    if config is None:
        return
    if update_fields is not None and not (set(update_fields) & set(config.campos_esenciales)):
        return  # no cambió ningún campo sincronizado
    _anotar(entrada_de(config, instance), using)


def _al_borrar(sender, instance, using="default", **kwargs) -> None:
    config = configuracion.obtener().por_clase.get(sender)
    if config is not None:
        _anotar(entrada_de(config, instance, borrado=True), using)


def conectar(conf: configuracion.Configuracion) -> None:
    """Conecta las señales de captura a cada modelo sincronizado (desde ``AppConfig.ready``)."""
    for config in conf.modelos.values():
        uid = f"central-captura-{config.nombre}"
        pre_save.connect(_al_preparar, sender=config.modelo, dispatch_uid=uid + "-pre")
        pre_delete.connect(_al_preparar, sender=config.modelo, dispatch_uid=uid + "-pred")
        post_save.connect(_al_guardar, sender=config.modelo, dispatch_uid=uid)
        post_delete.connect(_al_borrar, sender=config.modelo, dispatch_uid=uid + "-del")


# -- ayudantes en bloque (documentados en docs/central.md) -----------------------------------


def _config_de(modelo: type[Model]) -> ConfigModelo:
    config = configuracion.obtener().por_clase.get(modelo)
    if config is None:
        raise ValueError(f"{modelo._meta.label} no está en MODELOS_SINCRONIZABLES.")
    return config


def registrar_instancias(instancias: Iterable[Model], using: str | None = None) -> int:
    """Registra el estado actual (en memoria) de estas instancias, p. ej. tras ``bulk_update``.
    Todas deben ser del mismo modelo sincronizado. Devuelve cuántas entradas escribió."""
    instancias = list(instancias)
    if not instancias:
        return 0
    config = _config_de(type(instancias[0]))
    using = using or router.db_for_write(config.modelo)
    ahora = timezone.now()
    entradas = [entrada_de(config, o, ahora=ahora) for o in instancias]
    d = getattr(_hilo, "diferido", None)
    if d is not None and d.using == using:
        d.entradas.extend(entradas)
    else:
        escribir(entradas, using)
    return len(entradas)


def registrar_pks(modelo: type[Model], pks: Iterable[Any], using: str | None = None) -> int:
    """Relee de la base de datos las filas con estas claves y registra su estado; las que ya no
    existen se registran como lápidas."""
    config = _config_de(modelo)
    using = using or router.db_for_write(modelo)
    pks = list(pks)
    total = 0
    with transaction.atomic(using=using):
        bloquear(using)
        for i in range(0, len(pks), _TROZO):
            trozo = pks[i:i + _TROZO]
            vivas = list(modelo._default_manager.using(using).filter(pk__in=trozo))
            total += registrar_instancias(vivas, using)
            vistos = {str(o.pk) for o in vivas}
            ahora = timezone.now()
            lapidas = [
                Entrada(config.nombre, str(pk), None, True, None, ahora)
                for pk in trozo if str(pk) not in vistos
            ]
            escribir(lapidas, using)
            total += len(lapidas)
    return total


def actualizar_en_bloque(queryset: QuerySet, **valores: Any) -> int:
    """``queryset.update(**valores)`` que además registra los cambios, en una transacción.
    Acepta expresiones ``F()``. Devuelve el número de filas actualizadas."""
    modelo = queryset.model
    using = queryset.db
    with transaction.atomic(using=using):
        bloquear(using)
        pks = list(queryset.values_list("pk", flat=True))
        n = modelo._default_manager.using(using).filter(pk__in=pks).update(**valores) if pks else 0
        registrar_pks(modelo, pks, using)
    return n


def crear_en_bloque(modelo: type[Model], objetos: list[Model], batch_size: int = 2000,
                    using: str | None = None) -> list[Model]:
    """``bulk_create`` que además registra las filas creadas, en una transacción."""
    using = using or router.db_for_write(modelo)
    with transaction.atomic(using=using):
        bloquear(using)
        creados = modelo._default_manager.using(using).bulk_create(objetos, batch_size=batch_size)
        registrar_instancias(creados, using)
    return creados
