"""SQL de los disparadores de captura, por motor de base de datos (PostgreSQL y SQLite).

Cada modelo de ``MODELOS_SINCRONIZABLES`` lleva disparadores que, en la misma sentencia que
escribe la fila, escriben su entrada en ``central_registrocambio``: el cuerpo ya serializado
(``"id":"…","modificado_en":"…","datos":{…}}`` o ``…,"borrado":true}``), la tienda dueña si el
modelo es privado, y borran la entrada anterior del mismo objeto (nunca se sirve: sólo la última
de cada objeto cuenta; borrarla cuesta menos que marcarla, que reescribiría sus índices).
La forma de cada valor es la del protocolo, byte a byte la misma que ``captura.instantanea``:
decimales como cadena con los decimales del campo, UUID canónicos, fechas ISO 8601 (las horas
en UTC con ``+00:00``, microsegundos sólo si no son cero), JSON compacto.

- PostgreSQL: disparadores de sentencia (``AFTER … FOR EACH STATEMENT``) con tablas de
  transición: un ``INSERT … SELECT`` por sentencia escrita, sea de una fila o de un millón.
  Cada entrada guarda ``pg_current_xact_id()`` en ``transaccion`` (ver ``descarga``). Un
  cuarto disparador, ``AFTER TRUNCATE``, deja una lápida por cada objeto vivo del modelo
  (``TRUNCATE`` no dice qué filas quitó, pero el registro sí sabe cuáles había).
- SQLite: disparadores de fila (SQLite no tiene de sentencia).

Un ``UPDATE`` que no cambia ningún campo esencial (ni el de la tienda) no escribe entrada. Si
cambia la clave primaria se registran una lápida de la clave vieja y la fila nueva.

Este módulo sólo genera texto SQL (puro, sin E/S); ``captura`` lo ejecuta y lo comprueba. Los
nombres vienen de la configuración validada (identificadores) y van citados.
"""

# Todo el SQL de este módulo se arma con nombres de la configuración validada (identificadores)
# citados, y literales escapados; no entra ningún valor de una petición.
# ruff: noqa: S608

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from .configuracion import ConfigModelo

PREFIJO = "sincro_captura"
TABLA_REGISTRO = "central_registrocambio"
COLUMNAS_REGISTRO = (
    "modelo",
    "objeto_id",
    "tienda",
    "borrado",
    "vigente",
    "cuerpo",
    "modificado_en",
    "transaccion",
)

#: Funciones auxiliares de PostgreSQL (se crean una vez, antes que los disparadores).
FUNCIONES_PG = r"""
CREATE OR REPLACE FUNCTION sincro_iso(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
         || CASE WHEN extract(microseconds FROM t)::bigint % 1000000 = 0 THEN ''
                 ELSE to_char(t AT TIME ZONE 'UTC', '.US') END
         || '+00:00'
$$;
CREATE OR REPLACE FUNCTION sincro_json(j jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  partes text[];
  k text;
  v jsonb;
BEGIN
  IF j IS NULL THEN
    RETURN 'null';
  END IF;
  CASE jsonb_typeof(j)
    WHEN 'object' THEN
      partes := ARRAY[]::text[];
      FOR k, v IN SELECT e.key, e.value FROM jsonb_each(j) e LOOP
        partes := partes || (to_json(k)::text || ':' || sincro_json(v));
      END LOOP;
      RETURN '{' || array_to_string(partes, ',') || '}';
    WHEN 'array' THEN
      partes := ARRAY[]::text[];
      FOR v IN SELECT e FROM jsonb_array_elements(j) e LOOP
        partes := partes || sincro_json(v);
      END LOOP;
      RETURN '[' || array_to_string(partes, ',') || ']';
    ELSE
      RETURN j::text;
  END CASE;
END
$$;
"""


def _q(nombre: str) -> str:
    return '"' + nombre.replace('"', '""') + '"'


def _literal(texto: str) -> str:
    return "'" + texto.replace("'", "''") + "'"


_REGISTRO = _q(TABLA_REGISTRO)
_INSERTAR = f"INSERT INTO {_REGISTRO} ({', '.join(COLUMNAS_REGISTRO)})"


def _sin_vigente(config: ConfigModelo, cols: Columnas, clave: str) -> str:
    """Cola de ``sembrar_*``: las filas ``n`` de la tabla que aún no tienen entrada vigente."""
    return (
        f"FROM {_q(cols.tabla)} n WHERE NOT EXISTS ("
        f"SELECT 1 FROM {_REGISTRO} r WHERE r.modelo = {_literal(config.nombre)} "
        f"AND r.vigente AND r.objeto_id = {clave}) ORDER BY n.{_q(cols.clave)}"
    )


@dataclass(frozen=True)
class Columnas:
    """Columnas de la tabla de un modelo que entran en la captura."""

    tabla: str
    clave: str
    tienda: str | None
    #: (nombre en el protocolo, columna, tipo del protocolo, decimales)
    esenciales: tuple[tuple[str, str, str, int], ...]

    @property
    def vigiladas(self) -> list[str]:
        """Columnas cuyo cambio produce una entrada (esenciales y la de la tienda)."""
        cols = [c for _, c, _, _ in self.esenciales]
        if self.tienda and self.tienda not in cols:
            cols.append(self.tienda)
        return cols

    @property
    def tipos(self) -> dict[str, str]:
        """Tipo del protocolo de cada columna esencial."""
        return {c: t for _, c, t, _ in self.esenciales}


def columnas(config: ConfigModelo) -> Columnas:
    meta = config.modelo._meta
    esenciales = []
    for nombre in config.campos_esenciales:
        campo = config.campos[nombre]
        destino = campo.target_field if campo.is_relation else campo
        esenciales.append(
            (
                nombre,
                campo.column,
                config.tipos[nombre],
                getattr(destino, "decimal_places", None) or 0,
            )
        )
    tienda = meta.get_field(config.campo_tienda).column if config.privado_por_tienda else None
    return Columnas(meta.db_table, meta.pk.column, tienda, tuple(esenciales))


#: Sufijos de los disparadores de cada modelo, por motor (inserción, cambio, borrado y, en
#: PostgreSQL, ``TRUNCATE``).
SUFIJOS = {"postgresql": ("i", "u", "d", "t"), "sqlite": ("i", "u", "d")}


def nombres(config: ConfigModelo, vendor: str) -> set[str]:
    """Nombres de los disparadores de captura de un modelo en ese motor."""
    base = nombre_base(config)
    return {f"{base}_{s}" for s in SUFIJOS.get(vendor, SUFIJOS["sqlite"])}


def nombre_base(config: ConfigModelo) -> str:
    """Nombre de los disparadores de un modelo: prefijo, tabla y una huella del SQL que generan
    (si cambian los campos esenciales cambia el nombre y ``captura`` sabe que debe rehacerlos)."""
    cols = columnas(config)
    huella = hashlib.sha256(
        json.dumps(
            [config.nombre, cols.tabla, cols.clave, cols.tienda, cols.esenciales, VERSION_SQL]
        ).encode()
    ).hexdigest()[:10]
    return f"{PREFIJO}_{cols.tabla}"[:40] + f"_{huella}"


#: Súbelo si cambia la forma del SQL generado: los disparadores instalados se rehacen.
VERSION_SQL = 3


# -- PostgreSQL --------------------------------------------------------------------------------


#: Cada tipo de valor como texto JSON, por motor (``{c}``: la columna; ``{d}``: decimales).
_VALOR_PG = {
    "texto": "to_json({c}::text)::text",
    "entero": "{c}::bigint::text",
    "decimal": "'\"' || round({c}::numeric, {d})::text || '\"'",
    "booleano": "CASE WHEN {c} THEN 'true' ELSE 'false' END",
    "uuid": "'\"' || lower({c}::text) || '\"'",
    "fecha_hora": "'\"' || sincro_iso({c}) || '\"'",
    "fecha": "'\"' || to_char({c}, 'YYYY-MM-DD') || '\"'",
    "json": "sincro_json({c}::jsonb)",
}
_VALOR_SQLITE = {
    "texto": "json_quote(CAST({c} AS TEXT))",
    "entero": "CAST({c} AS INTEGER)",
    "decimal": "printf('\"%.{d}f\"', {c})",
    "booleano": "CASE WHEN {c} THEN 'true' ELSE 'false' END",
    "uuid": "'\"' || {u} || '\"'",
    "fecha_hora": "'\"' || replace(substr({c}, 1, 26), ' ', 'T') || '+00:00\"'",
    "fecha": "'\"' || substr({c}, 1, 10) || '\"'",
    "json": "json({c})",
}


def _valor_pg(col: str, tipo: str, decimales: int, alias: str) -> str:
    c = f"{alias}.{_q(col)}"
    e = _VALOR_PG.get(tipo, _VALOR_PG["json"]).format(c=c, d=decimales)
    return f"COALESCE({e}, 'null')"


def _clave_pg(cols: Columnas, alias: str) -> str:
    return (
        f"{alias}.{_q(cols.clave)}::text"
        if cols.tipos.get(cols.clave) != "uuid"
        else f"lower({alias}.{_q(cols.clave)}::text)"
    )


def _tienda_pg(cols: Columnas, alias: str) -> str:
    return "NULL" if cols.tienda is None else f"{alias}.{_q(cols.tienda)}::text"


_AHORA_PG = "sincro_iso(statement_timestamp())"


def _entrada_json(clave_json: str, ahora: str, datos: str | None) -> str:
    """Expresión SQL del cuerpo JSON de una entrada (la misma en los dos motores):
    ``{"id":…,"modificado_en":"…","datos":{…}}``, o la lápida ``…,"borrado":true}`` si
    ``datos`` es None."""
    cabeza = f'\'"id":\' || {clave_json} || \',"modificado_en":"\' || {ahora} || '
    if datos is None:
        return cabeza + '\'","borrado":true}\''
    return cabeza + '\'","datos":{\' || ' + datos + " || '}}'"


def _datos_json(cols: Columnas, alias: str, valor: Callable[[str, str, int, str], str]) -> str:
    return " || ',' || ".join(
        f"'\"{json.dumps(n)[1:-1]}\":' || {valor(c, t, d, alias)}" for n, c, t, d in cols.esenciales
    )


def _cuerpo_pg(cols: Columnas, alias: str, clave: str, ahora: str = _AHORA_PG) -> str:
    return _entrada_json(f"to_json({clave})::text", ahora, _datos_json(cols, alias, _valor_pg))


def _lapida_pg(clave: str, ahora: str = _AHORA_PG) -> str:
    return _entrada_json(f"to_json({clave})::text", ahora, None)


def sql_pg(config: ConfigModelo) -> list[str]:
    """Sentencias que (re)crean la función y los tres disparadores de un modelo."""
    cols = columnas(config)
    nombre = nombre_base(config)
    modelo = _literal(config.nombre)
    tabla = _q(cols.tabla)
    xid = "pg_current_xact_id()::text::bigint"

    def filas(alias: str, origen: str) -> str:
        clave = _clave_pg(cols, alias)
        return (
            f"SELECT {modelo}, {clave}, {_tienda_pg(cols, alias)}, false, true, "
            f"{_cuerpo_pg(cols, alias, clave, 'ahora_iso')}, statement_timestamp(), {xid} "
            f"FROM {origen} {alias}"
        )

    def lapidas(alias: str, origen: str) -> str:
        clave = _clave_pg(cols, alias)
        return (
            f"SELECT {modelo}, {clave}, {_tienda_pg(cols, alias)}, true, true, "
            f"{_lapida_pg(clave, 'ahora_iso')}, "
            f"statement_timestamp(), {xid} FROM {origen} {alias}"
        )

    def superar(origen: str) -> str:
        return (
            f"DELETE FROM {_REGISTRO} r WHERE r.modelo = {modelo} AND r.vigente "
            f"AND r.objeto_id IN (SELECT {_clave_pg(cols, 's')} FROM {origen} s)"
        )

    k = _q(cols.clave)
    vigiladas = ", ".join(f"{{a}}.{_q(c)}" for c in cols.vigiladas)
    iguales = f"({vigiladas.format(a='v')}) IS NOT DISTINCT FROM ({vigiladas.format(a='n')})"
    # Las CTE guardan sólo las columnas que se usan, no la fila entera.
    usadas = ", ".join(f"{{a}}.{_q(c)}" for c in dict.fromkeys([cols.clave, *cols.vigiladas]))
    # La hora se formatea una vez por sentencia, no por fila.
    cuerpo_funcion = f"""
DECLARE
  ahora_iso text := sincro_iso(statement_timestamp());
BEGIN
  IF TG_OP = 'INSERT' THEN
    {superar("nuevas")};
    {_INSERTAR} {filas("n", "nuevas")} ORDER BY n.{k};
  ELSIF TG_OP = 'DELETE' THEN
    {superar("viejas")};
    {_INSERTAR} {lapidas("v", "viejas")} ORDER BY v.{k};
  ELSIF TG_OP = 'TRUNCATE' THEN
    {_lapidas_de_vivas_pg(modelo, "TRUE")};
  ELSE
    WITH cambiadas AS (
      SELECT {usadas.format(a="n")} FROM nuevas n WHERE NOT EXISTS (
        SELECT 1 FROM viejas v WHERE v.{k} = n.{k} AND {iguales})
    ), quitadas AS (
      SELECT {usadas.format(a="v")} FROM viejas v
      WHERE NOT EXISTS (SELECT 1 FROM nuevas n WHERE n.{k} = v.{k})
    ), superadas AS (
      DELETE FROM {_REGISTRO} r WHERE r.modelo = {modelo} AND r.vigente
        AND r.objeto_id IN (SELECT {_clave_pg(cols, "c")} FROM cambiadas c
                            UNION ALL SELECT {_clave_pg(cols, "q")} FROM quitadas q)
    )
    {_INSERTAR}
    SELECT * FROM ({lapidas("q", "quitadas")} ORDER BY q.{k}) l
    UNION ALL SELECT * FROM ({filas("c", "cambiadas")} ORDER BY c.{k}) f;
  END IF;
  RETURN NULL;
END
"""
    funcion = _q(nombre)
    sentencias = [
        f"CREATE OR REPLACE FUNCTION {funcion}() RETURNS trigger LANGUAGE plpgsql AS $sincro$"
        f"{cuerpo_funcion}$sincro$",
    ]
    for sufijo, evento, transicion in (
        ("i", "INSERT", "REFERENCING NEW TABLE AS nuevas "),
        ("u", "UPDATE", "REFERENCING OLD TABLE AS viejas NEW TABLE AS nuevas "),
        ("d", "DELETE", "REFERENCING OLD TABLE AS viejas "),
        ("t", "TRUNCATE", ""),  # sin tablas de transición: no dice qué filas quitó
    ):
        sentencias.append(
            f"CREATE TRIGGER {_q(nombre + '_' + sufijo)} AFTER {evento} ON {tabla} "
            f"{transicion}FOR EACH STATEMENT EXECUTE FUNCTION {funcion}()"
        )
        # También cuando una sesión escribe con ``session_replication_role = replica``.
        sentencias.append(f"ALTER TABLE {tabla} ENABLE ALWAYS TRIGGER {_q(nombre + '_' + sufijo)}")
    return sentencias


def _lapidas_de_vivas_pg(modelo: str, condicion: str) -> str:
    """Sentencia que cambia por una lápida cada entrada viva del modelo que cumple
    ``condicion`` (sobre ``r``), con la misma forma que las del borrado."""
    return (
        f"WITH quitadas AS (DELETE FROM {_REGISTRO} r WHERE r.modelo = {modelo} AND r.vigente "
        f"AND NOT r.borrado AND ({condicion}) RETURNING r.objeto_id, r.tienda) "
        f"{_INSERTAR} SELECT {modelo}, q.objeto_id, q.tienda, true, true, "
        f"{_lapida_pg('q.objeto_id', 'sincro_iso(statement_timestamp())')}, "
        f"statement_timestamp(), pg_current_xact_id()::text::bigint "
        f"FROM quitadas q ORDER BY q.objeto_id"
    )


def sembrar_pg(config: ConfigModelo) -> str:
    """Entradas para las filas que aún no tienen una vigente (modelo recién añadido a la
    configuración, o datos anteriores a la captura)."""
    cols = columnas(config)
    clave = _clave_pg(cols, "n")
    return (
        f"{_INSERTAR} "
        f"SELECT {_literal(config.nombre)}, {clave}, {_tienda_pg(cols, 'n')}, false, true, "
        f"{_cuerpo_pg(cols, 'n', clave)}, statement_timestamp(), "
        f"pg_current_xact_id()::text::bigint "
        f"{_sin_vigente(config, cols, clave)}"
    )


# -- SQLite ------------------------------------------------------------------------------------

_AHORA_SQLITE = "strftime('%Y-%m-%dT%H:%M:%f', 'now')"
#: ISO del protocolo (microsegundos sólo si no son cero) a partir de la hora con milisegundos.
_ISO_AHORA_SQLITE = (
    f"CASE WHEN substr({_AHORA_SQLITE}, 21) = '000' "
    f"THEN substr({_AHORA_SQLITE}, 1, 19) ELSE {_AHORA_SQLITE} || '000' END "
    f"|| '+00:00'"
)
#: La misma hora como la guarda Django en un DateTimeField de SQLite.
_COLUMNA_AHORA_SQLITE = f"replace({_AHORA_SQLITE}, 'T', ' ') || '000'"


def _uuid_sqlite(c: str) -> str:
    """Django guarda los UUID en SQLite como 32 hex sin guiones; SQL ajeno puede usar guiones."""
    return (
        f"CASE WHEN length({c}) = 32 THEN lower(substr({c}, 1, 8) || '-' || "
        f"substr({c}, 9, 4) || '-' || substr({c}, 13, 4) || '-' || substr({c}, 17, 4) || '-' "
        f"|| substr({c}, 21)) ELSE lower({c}) END"
    )


def _valor_sqlite(col: str, tipo: str, decimales: int, alias: str) -> str:
    c = f"{alias}.{_q(col)}"
    if tipo == "texto":  # json_quote ya da 'null' para NULL
        return _VALOR_SQLITE["texto"].format(c=c)
    plantilla = _VALOR_SQLITE.get(tipo, _VALOR_SQLITE["json"])
    e = plantilla.format(c=c, d=decimales, u=_uuid_sqlite(c) if tipo == "uuid" else "")
    return f"CASE WHEN {c} IS NULL THEN 'null' ELSE {e} END"


def _clave_sqlite(cols: Columnas, alias: str) -> str:
    c = f"{alias}.{_q(cols.clave)}"
    return _uuid_sqlite(c) if cols.tipos.get(cols.clave) == "uuid" else f"CAST({c} AS TEXT)"


def _tienda_sqlite(cols: Columnas, alias: str) -> str:
    return "NULL" if cols.tienda is None else f"CAST({alias}.{_q(cols.tienda)} AS TEXT)"


def _fila_sqlite(config: ConfigModelo, cols: Columnas, alias: str) -> str:
    clave = _clave_sqlite(cols, alias)
    tienda = _tienda_sqlite(cols, alias)
    cuerpo = _entrada_json(
        f"json_quote({clave})", _ISO_AHORA_SQLITE, _datos_json(cols, alias, _valor_sqlite)
    )
    return (
        f"SELECT {_literal(config.nombre)}, {clave}, {tienda}, 0, 1, {cuerpo}, "
        f"{_COLUMNA_AHORA_SQLITE}, 0"
    )


def sql_sqlite(config: ConfigModelo) -> list[str]:
    """Sentencias que crean los tres disparadores de fila de un modelo."""
    cols = columnas(config)
    nombre = nombre_base(config)
    modelo = _literal(config.nombre)
    tabla = _q(cols.tabla)

    def fila(alias: str) -> str:
        return _fila_sqlite(config, cols, alias)

    def lapida(alias: str) -> str:
        clave = _clave_sqlite(cols, alias)
        cuerpo = _entrada_json(f"json_quote({clave})", _ISO_AHORA_SQLITE, None)
        return (
            f"SELECT {modelo}, {clave}, {_tienda_sqlite(cols, alias)}, 1, 1, {cuerpo}, "
            f"{_COLUMNA_AHORA_SQLITE}, 0"
        )

    def superar(alias: str) -> str:
        return (
            f"DELETE FROM {_REGISTRO} WHERE modelo = {modelo} AND vigente "
            f"AND objeto_id = {_clave_sqlite(cols, alias)};"
        )

    k = _q(cols.clave)
    distintas = " OR ".join(f"OLD.{_q(c)} IS NOT NEW.{_q(c)}" for c in cols.vigiladas)
    return [
        f"CREATE TRIGGER {_q(nombre + '_i')} AFTER INSERT ON {tabla} FOR EACH ROW BEGIN "
        f"{superar('NEW')} {_INSERTAR} {fila('NEW')}; END",
        f"CREATE TRIGGER {_q(nombre + '_u')} AFTER UPDATE ON {tabla} FOR EACH ROW "
        f"WHEN {distintas} BEGIN "
        f"{superar('OLD')} {_INSERTAR} {lapida('OLD')} WHERE OLD.{k} IS NOT NEW.{k}; "
        f"{superar('NEW')} {_INSERTAR} {fila('NEW')}; END",
        f"CREATE TRIGGER {_q(nombre + '_d')} AFTER DELETE ON {tabla} FOR EACH ROW BEGIN "
        f"{superar('OLD')} {_INSERTAR} {lapida('OLD')}; END",
    ]


def sembrar_sqlite(config: ConfigModelo) -> str:
    """Como ``sembrar_pg``, en SQLite."""
    cols = columnas(config)
    clave = _clave_sqlite(cols, "n")
    return f"{_INSERTAR} {_fila_sqlite(config, cols, 'n')} {_sin_vigente(config, cols, clave)}"


_DATOS = ',"datos":{'


def retirar_desfasadas(config: ConfigModelo, vendor: str) -> str:
    """Borra las entradas vigentes cuyo cuerpo o tienda no son los que los disparadores de
    ahora escribirían para su fila: las de antes de un cambio de los campos esenciales (un
    campo quitado seguiría en ellas, uno añadido faltaría) y las de filas escritas mientras no
    había captura. ``sembrar`` las vuelve a escribir después, con id nuevo, así que también
    las terminales que descargan por cursor las reciben. Se compara desde ``,"datos":{`` (la
    hora de la entrada no cuenta)."""
    cols = columnas(config)
    modelo = _literal(config.nombre)
    if vendor == "postgresql":
        clave, tienda = _clave_pg(cols, "n"), _tienda_pg(cols, "n")
        datos = _datos_json(cols, "n", _valor_pg)
        return (
            f"DELETE FROM {_REGISTRO} r USING {_q(cols.tabla)} n "
            f"WHERE r.modelo = {modelo} AND r.vigente AND r.objeto_id = {clave} "
            f"AND (r.borrado OR r.tienda IS DISTINCT FROM {tienda} "
            f"OR substr(r.cuerpo, strpos(r.cuerpo, {_literal(_DATOS)})) "
            f"IS DISTINCT FROM {_literal(_DATOS)} || {datos} || '}}}}')"
        )
    clave, tienda = _clave_sqlite(cols, "n"), _tienda_sqlite(cols, "n")
    datos = _datos_json(cols, "n", _valor_sqlite)
    # CROSS JOIN fija el orden en SQLite: la tabla por fuera y la entrada de cada fila por
    # ``central_rc_objeto``. Con JOIN elige el registro por fuera y recorre la tabla entera por
    # cada entrada (la clave es una expresión de la fila): cuadrático, horas con 100 000 filas.
    return (
        f"DELETE FROM {_REGISTRO} WHERE modelo = {modelo} AND vigente AND objeto_id IN ("
        f"SELECT r.objeto_id FROM {_q(cols.tabla)} n CROSS JOIN {_REGISTRO} r "
        f"ON r.modelo = {modelo} AND r.vigente AND r.objeto_id = {clave} "
        f"WHERE r.borrado OR r.tienda IS NOT {tienda} "
        f"OR substr(r.cuerpo, instr(r.cuerpo, {_literal(_DATOS)})) "
        f"IS NOT ({_literal(_DATOS)} || {datos} || '}}}}'))"
    )


def lapidas_sin_fila(config: ConfigModelo, vendor: str) -> list[str]:
    """Sentencias que dejan una lápida por cada entrada viva cuyo objeto ya no está en la tabla
    (filas borradas mientras no había captura), como las escribe el disparador de borrado. La
    clave de cada fila se calcula como en los disparadores (forma canónica), así que una fila
    que sigue ahí nunca recibe lápida."""
    cols = columnas(config)
    modelo = _literal(config.nombre)
    if vendor == "postgresql":
        existe = (
            f"EXISTS (SELECT 1 FROM {_q(cols.tabla)} n WHERE {_clave_pg(cols, 'n')} = r.objeto_id)"
        )
        return [_lapidas_de_vivas_pg(modelo, f"NOT {existe}")]
    # SQLite materializa una vez el NOT IN (subconsulta) en un índice temporal.
    sin_fila = (
        f"r.modelo = {modelo} AND r.vigente AND NOT r.borrado AND r.objeto_id NOT IN "
        f"(SELECT {_clave_sqlite(cols, 'n')} FROM {_q(cols.tabla)} n)"
    )
    lapida = _entrada_json("json_quote(r.objeto_id)", _ISO_AHORA_SQLITE, None)
    return [
        f"{_INSERTAR} SELECT {modelo}, r.objeto_id, r.tienda, 1, 1, {lapida}, "
        f"{_COLUMNA_AHORA_SQLITE}, 0 FROM {_REGISTRO} r WHERE {sin_fila} ORDER BY r.objeto_id",
        f"DELETE FROM {_REGISTRO} AS r WHERE {sin_fila}",
    ]


def sin_tienda(config: ConfigModelo) -> str | None:
    """Para un modelo público: deja NULL la ``tienda`` de sus entradas (las de cuando era
    privado), porque se sirven y verifican con ``tienda IS NULL``. None si es privado."""
    if config.privado_por_tienda:
        return None
    return (
        f"UPDATE {_REGISTRO} SET tienda = NULL WHERE modelo = {_literal(config.nombre)} "
        f"AND vigente AND tienda IS NOT NULL"
    )


def sembrar(config: ConfigModelo, vendor: str) -> str:
    return sembrar_pg(config) if vendor == "postgresql" else sembrar_sqlite(config)


def sql(config: ConfigModelo, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return sql_pg(config)
    if vendor == "sqlite":
        return sql_sqlite(config)
    raise ValueError(f"La captura no admite la base de datos «{vendor}».")
