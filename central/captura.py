"""Captura de cambios en la base de datos: instala y comprueba los disparadores del registro.

Qué se captura
--------------
Toda escritura en la tabla de un modelo de ``MODELOS_SINCRONIZABLES``, la haga quien la haga:
``save()``, ``delete()`` (también en cascada), ``QuerySet.update()``/``delete()``,
``bulk_create``/``bulk_update``, SQL a mano, ``loaddata``, una migración de datos u otro programa
conectado a la misma base. Los disparadores (``central.disparadores``) escriben la entrada en la
misma sentencia, y por tanto en la misma transacción: si la escritura se deshace, su entrada
también; si se confirma, su entrada también.

Cuándo se instalan
------------------
Tras cada ``migrate`` (señal ``post_migrate``, ``al_migrar``): se crean los que falten, se
rehacen los de un modelo cuyos campos esenciales cambiaron (el nombre lleva una huella del SQL)
y se registran las filas que aún no tienen entrada (un modelo recién añadido al ajuste); las
entradas de un modelo público quedan sin tienda (las de cuando era privado). Un
modelo cuya tabla o columnas no existen, o cuyos disparadores no se pudieron instalar, queda
fuera de servicio con un motivo de una línea: ``problemas()`` lo dice, ``migrate`` y
``sincro-central iniciar`` lo imprimen y las vistas se niegan a servirlo.

``instantanea`` es la serialización de referencia en Python (la usa la detección de conflictos
con el objeto ya cargado); produce los mismos bytes que los disparadores.

Hilos: ``problemas()`` guarda su resultado unos segundos en una caché protegida por un cerrojo;
nada más es compartido.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connections, router, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from . import configuracion, disparadores
from .configuracion import ConfigModelo
from .valores import UUID_CANONICO

# -- serialización de referencia (Python) ------------------------------------------------------


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
            return v.astimezone(dt.UTC).isoformat()

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


# -- instalación de los disparadores -----------------------------------------------------------


def _disparadores_instalados(conexion, tabla: str) -> dict[str, bool]:
    """{nombre: activo} de los disparadores de captura de ``tabla``. En PostgreSQL sólo está
    activo el que dispara siempre (``ENABLE ALWAYS``, también con ``session_replication_role =
    replica``); uno desactivado (``DISABLE TRIGGER``, ``pg_restore --disable-triggers``) no."""
    with conexion.cursor() as cur:
        if conexion.vendor == "postgresql":
            cur.execute(
                "SELECT tgname, tgenabled = 'A' FROM pg_trigger WHERE NOT tgisinternal "
                "AND tgrelid = to_regclass(%s)",
                [f'"{tabla}"'],
            )
        else:
            cur.execute(
                "SELECT name, 1 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [tabla],
            )
        return {f[0]: bool(f[1]) for f in cur.fetchall() if f[0].startswith(disparadores.PREFIJO)}


def _motivo_de_tabla(cols: disparadores.Columnas, existentes: set[str] | None) -> str | None:
    """Motivo si la tabla o alguna columna capturada no existe en la base de datos."""
    if existentes is None:
        return f"falta la tabla «{cols.tabla}» (¿falta migrar?)"
    for nombre, columna, _, _ in cols.esenciales:
        if columna not in existentes:
            return f"la tabla «{cols.tabla}» no tiene la columna «{columna}» (campo «{nombre}»)"
    if cols.tienda and cols.tienda not in existentes:
        return f"la tabla «{cols.tabla}» no tiene la columna «{cols.tienda}» (campo_tienda)"
    return None


def _problema_de_tabla(conexion, config: ConfigModelo) -> str | None:
    cols = disparadores.columnas(config)
    existentes, _ = _columnas_y_disparadores(conexion, [cols.tabla])
    return _motivo_de_tabla(cols, existentes.get(cols.tabla))


def _quitar(conexion, tabla: str, nombres: Iterable[str]) -> None:
    """Quita los disparadores ``nombres`` de ``tabla`` y, en PostgreSQL, después sus funciones
    (una función no se puede borrar mientras la use alguno de sus disparadores)."""
    q = conexion.ops.quote_name
    nombres = sorted(nombres)
    with conexion.cursor() as cur:
        for n in nombres:
            if conexion.vendor == "postgresql":
                cur.execute(f"DROP TRIGGER IF EXISTS {q(n)} ON {q(tabla)}")
            else:
                cur.execute(f"DROP TRIGGER IF EXISTS {q(n)}")
        if conexion.vendor == "postgresql":  # la función, cuando ya no la usa ningún disparador
            for funcion in sorted({n[:-2] for n in nombres}):
                cur.execute(f"DROP FUNCTION IF EXISTS {q(funcion)}()")


def quitar_de_tabla(tabla: str, using: str = "default") -> None:
    """Quita los disparadores de captura de ``tabla``. Para una migración que borra o renombra
    una columna capturada (SQLite no deja borrar una columna que un disparador nombra): el
    ``post_migrate`` del mismo ``migrate`` los vuelve a instalar con los campos nuevos."""
    conexion = connections[using]
    _quitar(conexion, tabla, _disparadores_instalados(conexion, tabla))


def instalar(using: str = "default") -> dict[str, str]:
    """Instala (o rehace) los disparadores de todos los modelos sincronizados; si los rehace,
    repara lo escrito sin ellos (``retirar_desfasadas`` reescribe las entradas que no son las
    que escribirían ahora, ``lapidas_sin_fila`` da su lápida a lo que ya no está) y registra
    las filas sin entrada. Devuelve {modelo: motivo} de los que no se pudieron
    instalar."""
    conexion = connections[using]
    conf = configuracion.obtener()
    fallos: dict[str, str] = {}
    if conexion.vendor == "postgresql":
        with transaction.atomic(using=using), conexion.cursor() as cur:
            cur.execute(disparadores.FUNCIONES_PG)
    for config in conf.modelos.values():
        motivo = _problema_de_tabla(conexion, config)
        tabla = disparadores.columnas(config).tabla
        if motivo is not None:
            fallos[config.nombre] = motivo
            continue
        try:
            with transaction.atomic(using=using):
                instalados = _disparadores_instalados(conexion, tabla)
                activos = {n for n, activo in instalados.items() if activo}
                if activos != disparadores.nombres(config, conexion.vendor):
                    # Disparadores que faltan o estaban desactivados, otros campos esenciales u
                    # otra forma del SQL: lo escrito sin ellos o con los de antes se repara.
                    _quitar(conexion, tabla, instalados)
                    with conexion.cursor() as cur:
                        for sentencia in disparadores.sql(config, conexion.vendor):
                            cur.execute(sentencia)
                        cur.execute(disparadores.retirar_desfasadas(config, conexion.vendor))
                        for sentencia in disparadores.lapidas_sin_fila(config, conexion.vendor):
                            cur.execute(sentencia)
                with conexion.cursor() as cur:
                    cur.execute(disparadores.sembrar(config, conexion.vendor))
                    publico = disparadores.sin_tienda(config)
                    if publico is not None:
                        cur.execute(publico)
        except DatabaseError as exc:
            fallos[config.nombre] = (
                f"no se pudieron instalar sus disparadores: {str(exc).splitlines()[0][:200]}"
            )
    _olvidar()
    return fallos


def al_migrar(sender, using: str = "default", verbosity: int = 1, **kwargs: Any) -> None:
    """``post_migrate``: instala la captura e imprime una línea por modelo fuera de servicio
    (``sincro-central iniciar`` migra en silencio y las imprime él)."""
    for nombre, motivo in instalar(using).items():
        if verbosity:
            print(f"Sincro: el modelo {nombre} no se servirá: {motivo}.", file=sys.stderr)


# -- comprobación (la usan las vistas) ---------------------------------------------------------

_VIDA_S = 5.0
_cerrojo = threading.Lock()
_cache: dict[str, tuple[float, dict[str, str]]] = {}


def _olvidar() -> None:
    with _cerrojo:
        _cache.clear()


def _columnas_y_disparadores(conexion, tablas: list[str]) -> tuple[dict[str, set[str]], set[str]]:
    """Columnas de cada tabla que existe y nombres de los disparadores de captura, con dos o
    tres consultas al catálogo (se llama a menudo: sin la introspección de Django)."""
    columnas: dict[str, set[str]] = {}
    with conexion.cursor() as cur:
        if conexion.vendor == "postgresql":
            cur.execute(
                "SELECT c.relname, a.attname FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid "
                "WHERE c.relname = ANY(%s) AND c.relkind IN ('r', 'p') "
                "AND c.relnamespace = ANY(current_schemas(false)::regnamespace[]) "
                "AND a.attnum > 0 AND NOT a.attisdropped",
                [tablas],
            )
            for tabla, columna in cur.fetchall():
                columnas.setdefault(tabla, set()).add(columna)
            cur.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'A' "
                "AND starts_with(tgname, %s)",
                [disparadores.PREFIJO],
            )
        else:
            for tabla in tablas:
                cur.execute("SELECT name FROM pragma_table_info(%s)", [tabla])
                nombres = {f[0] for f in cur.fetchall()}
                if nombres:
                    columnas[tabla] = nombres
            cur.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND substr(name, 1, %s) = %s",
                [len(disparadores.PREFIJO), disparadores.PREFIJO],
            )
        return columnas, {f[0] for f in cur.fetchall()}


def comprobar(using: str = "default") -> dict[str, str]:
    """{modelo: motivo} de los modelos cuya captura no está completa en la base de datos
    (tabla o columnas ausentes, disparadores que faltan o de otra versión de sus campos)."""
    conexion = connections[using]
    modelos = list(configuracion.obtener().modelos.values())
    cols = {c.nombre: disparadores.columnas(c) for c in modelos}
    existentes, instalados = _columnas_y_disparadores(
        conexion, sorted({c.tabla for c in cols.values()})
    )
    fallos: dict[str, str] = {}
    for config in modelos:
        motivo = _motivo_de_tabla(cols[config.nombre], existentes.get(cols[config.nombre].tabla))
        if motivo is None and not disparadores.nombres(config, conexion.vendor) <= instalados:
            motivo = (
                "faltan sus disparadores de captura, están desactivados o son de otros campos "
                "esenciales (ejecuta migrate)"
            )
        if motivo is not None:
            fallos[config.nombre] = motivo
    return fallos


def problemas(using: str = "default") -> dict[str, str]:
    """``comprobar`` con una caché de unos segundos (se llama en cada petición)."""
    ahora = time.monotonic()
    with _cerrojo:
        guardado = _cache.get(using)
        if guardado is not None and ahora - guardado[0] < _VIDA_S:
            return guardado[1]
    resultado = comprobar(using)
    with _cerrojo:
        _cache[using] = (ahora, resultado)
    return resultado


# -- compatibilidad: ayudantes que ya no hacen falta --------------------------------------------


def actualizar_en_bloque(queryset: QuerySet, **valores: Any) -> int:
    """Igual que ``queryset.update(**valores)``: la base de datos ya captura ``update()``.
    Se conserva para el código que lo usaba."""
    return queryset.update(**valores)


def crear_en_bloque(
    modelo: type[Model], objetos: list[Model], batch_size: int = 2000, using: str | None = None
) -> list[Model]:
    """Igual que ``bulk_create``: la base de datos ya captura las inserciones en bloque."""
    using = using or router.db_for_write(modelo)
    return modelo._default_manager.using(using).bulk_create(objetos, batch_size=batch_size)


def registrar_instancias(instancias: Iterable[Model], using: str | None = None) -> int:
    """No hace nada (la base de datos ya capturó la escritura). Devuelve 0."""
    return 0


def registrar_pks(modelo: type[Model], pks: Iterable[Any], using: str | None = None) -> int:
    """No hace nada (la base de datos ya capturó la escritura). Devuelve 0."""
    return 0
