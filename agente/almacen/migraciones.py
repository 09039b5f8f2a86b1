"""Registro de migraciones de las tablas propias de Sincro, una lista por base de datos.

Cada base guarda en ``_sqlite_migrations`` (sqlite-utils ``Migrations``) qué migraciones tiene
aplicadas; ``agente.almacen.sqlite.migrar`` aplica las pendientes al abrir, en una transacción.

Cómo añadir una migración (p. ej. la tabla de conflictos en la cola):

1. Escriba al final de la sección de su base una función decorada con el registro y un nombre
   nuevo con el siguiente número::

       @MIGRACIONES_COLA(name="0003_conflictos")
       def _cola_0003_conflictos(db):
           _sql(db, '''CREATE TABLE conflictos (...)''')

2. Nunca edite ni reordene una migración ya publicada: las terminales la tienen aplicada.
3. Sólo SQL dentro de la transacción (nada de ``executescript``, que hace COMMIT).
4. ``tests/agente/test_migraciones.py`` prueba automáticamente cada migración nueva desde
   cada esquema anterior (y que el resultado coincide con una base nueva).

Las tablas de la caché por modelo (``m_app__modelo``) no van aquí: las crea ``Cache`` a partir
del esquema de la central y se reconstruyen cuando cambia su huella.
"""

from __future__ import annotations

import re
import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRACIONES_COLA = Migrations("sincro.cola")
MIGRACIONES_CACHE = Migrations("sincro.cache")


def _sql(db: Database, *sentencias: str) -> None:
    for sentencia in sentencias:
        db.conn.execute(sentencia)


# --- cola.sqlite ---------------------------------------------------------------------------


@MIGRACIONES_COLA(name="0001_operaciones")
def _cola_0001_operaciones(db: Database) -> None:
    _sql(
        db,
        """
        CREATE TABLE operaciones (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            uuid TEXT NOT NULL UNIQUE,
            modelo TEXT NOT NULL,
            objeto_id TEXT NOT NULL,
            tipo TEXT NOT NULL
                CHECK (tipo IN ('crear', 'actualizar', 'borrar', 'ajustar')),
            datos TEXT NOT NULL,
            version_base INTEGER,
            valores_base TEXT NOT NULL DEFAULT '{}',
            hora_terminal TEXT NOT NULL,
            desfase_ms INTEGER NOT NULL DEFAULT 0,
            terminal TEXT NOT NULL DEFAULT '',
            prioridad INTEGER NOT NULL DEFAULT 0,
            estado TEXT NOT NULL DEFAULT 'PENDIENTE'
                CHECK (estado IN ('PENDIENTE', 'PROCESANDO', 'COMPLETADO', 'CONFLICTO',
                                  'ERROR', 'DESCARTADO')),
            intentos INTEGER NOT NULL DEFAULT 0,
            ultimo_error TEXT,
            version_resultado INTEGER,
            actualizada_en TEXT NOT NULL,
            finalizada_en TEXT
        )
        """,
        "CREATE INDEX operaciones_estado ON operaciones (estado, seq)",
        "CREATE INDEX operaciones_objeto ON operaciones (modelo, objeto_id, seq)",
        "CREATE INDEX operaciones_hora ON operaciones (hora_terminal)",
    )


@MIGRACIONES_COLA(name="0002_envio_y_ajustes")
def _cola_0002_envio_y_ajustes(db: Database) -> None:
    _sql(
        db,
        # Quién tiene la operación en vuelo (para no devolver a PENDIENTE lo que otro proceso
        # vivo está enviando) y desde cuándo.
        "ALTER TABLE operaciones ADD COLUMN propietario TEXT",
        "ALTER TABLE operaciones ADD COLUMN en_vuelo_desde TEXT",
        # Detección temprana: por qué no se pudo fusionar con la anterior.
        "ALTER TABLE operaciones ADD COLUMN aviso TEXT",
        # Reintentar/descartar a mano: quién y por qué (la auditoría completa va aparte).
        "ALTER TABLE operaciones ADD COLUMN resuelta_por TEXT",
        "ALTER TABLE operaciones ADD COLUMN motivo_resolucion TEXT",
        # Ajustes de la terminal que viven con la cola: nombre de terminal, desfase de reloj...
        "CREATE TABLE ajustes (clave TEXT PRIMARY KEY, valor TEXT NOT NULL)",
    )


@MIGRACIONES_COLA(name="0003_conflictos_y_auditoria")
def _cola_0003_conflictos_y_auditoria(db: Database) -> None:
    """Conflictos para el encargado y auditoría de resoluciones (``agente.almacen.conflictos``)."""
    _sql(
        db,
        """
        CREATE TABLE conflictos (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uuid_operacion TEXT NOT NULL,
            seq_operacion INTEGER NOT NULL,
            modelo TEXT NOT NULL,
            objeto_id TEXT NOT NULL,
            tipo TEXT NOT NULL,
            estado TEXT NOT NULL DEFAULT 'ABIERTO'
                CHECK (estado IN ('ABIERTO', 'RESUELTO', 'DESCARTADO')),
            base TEXT NOT NULL,
            local TEXT NOT NULL,
            central TEXT,
            version_central INTEGER,
            modificado_en_central TEXT,
            campos_en_disputa TEXT NOT NULL,
            propuesta TEXT NOT NULL DEFAULT '{}',
            operacion TEXT NOT NULL,
            creado_en TEXT NOT NULL,
            resuelto_en TEXT,
            resuelto_por TEXT,
            resolucion TEXT
        )
        """,
        "CREATE UNIQUE INDEX conflictos_abierto_por_operacion ON conflictos (seq_operacion)"
        " WHERE estado = 'ABIERTO'",
        "CREATE INDEX conflictos_estado ON conflictos (estado, id)",
        """
        CREATE TABLE auditoria (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            momento TEXT NOT NULL,
            quien TEXT NOT NULL,
            accion TEXT NOT NULL,
            uuid_operacion TEXT,
            modelo TEXT,
            objeto_id TEXT,
            regla_o_motivo TEXT NOT NULL,
            antes TEXT NOT NULL DEFAULT '{}',
            despues TEXT NOT NULL DEFAULT '{}'
        )
        """,
        "CREATE INDEX auditoria_momento ON auditoria (momento)",
    )


@MIGRACIONES_COLA(name="0004_referidos")
def _cola_0004_referidos(db: Database) -> None:
    """Objetos que referencia cada operación (``agente.reglas.orden``): JSON
    ``{"app.Modelo": [claves]}`` calculado al encolar; NULL = sin resolver (espera por modelo).

    Si algo reescribe ``datos`` sin recalcularlo (reintentos con datos editados, conflictos),
    el disparador lo deja en NULL: vuelve a la regla por modelo, nunca a una referencia vieja.
    Las filas anteriores a esta migración quedan en NULL por lo mismo.
    """
    _sql(
        db,
        "ALTER TABLE operaciones ADD COLUMN referidos TEXT",
        """
        CREATE TRIGGER operaciones_referidos_obsoletos AFTER UPDATE OF datos ON operaciones
        WHEN NEW.datos IS NOT OLD.datos AND NEW.referidos IS NOT NULL
        BEGIN
            UPDATE operaciones SET referidos = NULL WHERE seq = NEW.seq;
        END
        """,
    )


@MIGRACIONES_COLA(name="0005_pagos_de_venta")
def _cola_0005_pagos_de_venta(db: Database) -> None:
    """Pagos de cada venta registrada en esta terminal (``agente.almacen.pagos``): el esquema
    de demo no tiene dónde llevarlos a la central; el diario de ventas los tomará de aquí."""
    _sql(
        db,
        """
        CREATE TABLE pagos_venta (
            venta TEXT PRIMARY KEY,
            total TEXT NOT NULL,
            pagos TEXT NOT NULL,
            creada_en TEXT NOT NULL
        )
        """,
    )


@MIGRACIONES_COLA(name="0006_cuarentena")
def _cola_0006_cuarentena(db: Database) -> None:
    """Filas ilegibles de ``operaciones`` (texto no UTF-8, JSON roto) apartadas por
    ``agente.almacen.cuarentena``: el contenido original de cada columna (texto, o sus bytes en
    hexadecimal si no era UTF-8), cuándo y por qué. Nunca se borran."""
    _sql(
        db,
        """
        CREATE TABLE cuarentena (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            seq_operacion INTEGER NOT NULL,
            detectada_en TEXT NOT NULL,
            motivo TEXT NOT NULL,
            original TEXT NOT NULL
        )
        """,
        "CREATE INDEX cuarentena_operacion ON cuarentena (seq_operacion)",
    )


@MIGRACIONES_COLA(name="0007_envio_incremental")
def _cola_0007_envio_incremental(db: Database) -> None:
    """Elegir el siguiente lote sin leer toda la cola (``agente.almacen.envio``).

    - ``operaciones_listas``: las ``PENDIENTE`` de cada modelo en orden de envío;
    - ``operaciones_sin_confirmar_objeto`` / ``_modelo``: la anterior sin confirmar de un
      objeto o de un modelo, sin recorrer las ya confirmadas. Filtran por
      ``finalizada_en IS NULL`` (se fija sólo al pasar a ``COMPLETADO``/``DESCARTADO``) y no por
      el estado: pasar a ``PROCESANDO`` o a ``ERROR`` no reescribe estos índices, con claves al
      azar (``objeto_id``), en cada lote;
    - ``libre``: al encolar, si ninguna anterior puede retenerla nunca (ninguna sin confirmar del
      mismo objeto, sin objetos referidos que comprobar, sin esperas por modelo, no es un
      «borrar»), la huella de las reglas de orden con que se decidió (si cambian, deja de
      valer); un disparador la borra si cambian sus datos, su tipo o su objeto;
    - ``recuentos``: operaciones encoladas por modelo y hora (UTC, ``AAAA-MM-DDTHH``), llevadas
      por disparadores al insertar, borrar o cambiar la hora o el modelo: la prioridad dinámica
      suma unas pocas filas en vez de contar siete días de operaciones.
    """
    _sql(
        db,
        "ALTER TABLE operaciones ADD COLUMN libre TEXT",
        # Una sin confirmar nunca tiene hora de finalización (por si alguna la traía).
        "UPDATE operaciones SET finalizada_en = NULL WHERE finalizada_en IS NOT NULL"
        " AND estado IN ('PENDIENTE', 'PROCESANDO', 'CONFLICTO', 'ERROR')",
        *(sql for _nombre, sql in _OBJETOS_ENVIO),
    )


_RECUENTOS = """
CREATE TABLE recuentos (
    hora TEXT NOT NULL,
    modelo TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (hora, modelo)
) WITHOUT ROWID"""
_LLENAR_RECUENTOS = """
INSERT INTO recuentos (hora, modelo, n)
SELECT substr(hora_terminal, 1, 13), modelo, COUNT(*) FROM operaciones GROUP BY 1, 2"""

#: Objetos de ``cola.sqlite`` de los que dependen el orden y la prioridad del envío (migración
#: 0007; el disparador de ``referidos`` es de la 0004). ``reponer_objetos_cola`` los vuelve a
#: crear si faltan (un rescate que no pudo leer su definición). Textos publicados: cambiarlos
#: exige una migración nueva.
_OBJETOS_ENVIO = (
    (
        "operaciones_libre_obsoleto",
        """
CREATE TRIGGER operaciones_libre_obsoleto
AFTER UPDATE OF datos, valores_base, tipo, referidos, modelo, objeto_id ON operaciones
WHEN NEW.libre IS NOT NULL
BEGIN
    UPDATE operaciones SET libre = NULL WHERE seq = NEW.seq;
END""",
    ),
    (
        "operaciones_listas",
        "CREATE INDEX operaciones_listas ON operaciones"
        " (modelo, prioridad, seq) WHERE estado = 'PENDIENTE'",
    ),
    (
        "operaciones_sin_confirmar_objeto",
        "CREATE INDEX operaciones_sin_confirmar_objeto ON"
        " operaciones (modelo, objeto_id, seq) WHERE finalizada_en IS NULL",
    ),
    (
        "operaciones_sin_confirmar_modelo",
        "CREATE INDEX operaciones_sin_confirmar_modelo ON"
        " operaciones (modelo, seq) WHERE finalizada_en IS NULL",
    ),
    ("recuentos", _RECUENTOS),
    ("recuentos_lleno", _LLENAR_RECUENTOS),
    (
        "recuentos_al_insertar",
        """
CREATE TRIGGER recuentos_al_insertar AFTER INSERT ON operaciones
BEGIN
    INSERT INTO recuentos (hora, modelo, n)
    VALUES (substr(NEW.hora_terminal, 1, 13), NEW.modelo, 1)
    ON CONFLICT (hora, modelo) DO UPDATE SET n = n + 1;
END""",
    ),
    (
        "recuentos_al_borrar",
        """
CREATE TRIGGER recuentos_al_borrar AFTER DELETE ON operaciones
BEGIN
    UPDATE recuentos SET n = n - 1
    WHERE hora = substr(OLD.hora_terminal, 1, 13) AND modelo = OLD.modelo;
END""",
    ),
    (
        "recuentos_al_cambiar",
        """
CREATE TRIGGER recuentos_al_cambiar AFTER UPDATE OF hora_terminal, modelo ON operaciones
WHEN NEW.hora_terminal IS NOT OLD.hora_terminal OR NEW.modelo IS NOT OLD.modelo
BEGIN
    UPDATE recuentos SET n = n - 1
    WHERE hora = substr(OLD.hora_terminal, 1, 13) AND modelo = OLD.modelo;
    INSERT INTO recuentos (hora, modelo, n)
    VALUES (substr(NEW.hora_terminal, 1, 13), NEW.modelo, 1)
    ON CONFLICT (hora, modelo) DO UPDATE SET n = n + 1;
END""",
    ),
)
_REFERIDOS_OBSOLETOS = """
CREATE TRIGGER operaciones_referidos_obsoletos AFTER UPDATE OF datos ON operaciones
WHEN NEW.datos IS NOT OLD.datos AND NEW.referidos IS NOT NULL
BEGIN
    UPDATE operaciones SET referidos = NULL WHERE seq = NEW.seq;
END"""


def reponer_objetos_cola(conexion: sqlite3.Connection) -> list[str]:
    """Vuelve a crear los índices, disparadores y la tabla ``recuentos`` del envío que falten
    en una cola ya migrada (p. ej. rescatada sin poder leer su definición): sin ellos el orden
    de envío fallaría o se equivocaría. Devuelve los que repuso (lo normal: ninguno, y entonces
    sólo lee ``sqlite_master``). Lo llama ``Cola`` al abrir, con su cerrojo."""
    aplicadas = {n for (n,) in conexion.execute("SELECT name FROM _sqlite_migrations")}
    if "0007_envio_incremental" not in aplicadas:
        return []
    objetos = (*_OBJETOS_ENVIO, ("operaciones_referidos_obsoletos", _REFERIDOS_OBSOLETOS))
    existentes = {n for (n,) in conexion.execute("SELECT name FROM sqlite_master")}
    faltan = [
        nombre
        for nombre, _sql_objeto in objetos
        if nombre != "recuentos_lleno" and nombre not in existentes
    ]
    if not faltan:
        return []
    from agente.almacen.sqlite import transaccion

    with transaccion(conexion):
        existentes = {n for (n,) in conexion.execute("SELECT name FROM sqlite_master")}
        repuestos = []
        for nombre, sql in objetos:
            if nombre == "recuentos_lleno":
                if "recuentos" in repuestos:
                    conexion.execute(sql)
            elif nombre not in existentes:
                conexion.execute(sql)
                repuestos.append(nombre)
    return repuestos


@MIGRACIONES_COLA(name="0008_conflicto_modificado_por")
def _cola_0008_conflicto_modificado_por(db: Database) -> None:
    """Quién (tienda y terminal) cambió el valor central de un conflicto, si la central lo
    dice: el encargado lo ve en el diálogo de conflicto."""
    _sql(db, "ALTER TABLE conflictos ADD COLUMN modificado_por_central TEXT")


@MIGRACIONES_COLA(name="0009_diario")
def _cola_0009_diario(db: Database) -> None:
    """Diario de ventas encadenado de esta terminal (``agente.almacen.diario``): una fila por
    registro, en el orden de la cadena (``pos``), con sus bytes canónicos tal cual se sellaron.
    Sólo se añade: dos disparadores rechazan cualquier UPDATE o DELETE. Lo que la central ya
    confirmó va aparte, en ``diario_confirmado`` (una fila por registro confirmado)."""
    _sql(
        db,
        """
        CREATE TABLE diario (
            pos INTEGER PRIMARY KEY AUTOINCREMENT,
            serie TEXT NOT NULL,
            numero INTEGER NOT NULL,
            tipo TEXT NOT NULL,
            venta TEXT,
            fecha TEXT NOT NULL,
            huella_anterior TEXT NOT NULL,
            huella TEXT NOT NULL,
            contenido BLOB NOT NULL,
            creado_en TEXT NOT NULL,
            UNIQUE (serie, numero)
        )
        """,
        "CREATE INDEX diario_venta ON diario (venta, pos)",
        "CREATE INDEX diario_tipo ON diario (tipo, pos)",
        """
        CREATE TRIGGER diario_sin_cambios BEFORE UPDATE ON diario
        BEGIN
            SELECT RAISE(ABORT, 'El diario de ventas sólo admite registros nuevos.');
        END
        """,
        """
        CREATE TRIGGER diario_sin_borrados BEFORE DELETE ON diario
        BEGIN
            SELECT RAISE(ABORT, 'El diario de ventas sólo admite registros nuevos.');
        END
        """,
        """
        CREATE TABLE diario_confirmado (
            pos INTEGER PRIMARY KEY,
            resultado TEXT NOT NULL,
            incidencias TEXT,
            confirmado_en TEXT NOT NULL
        )
        """,
    )


# --- cache.sqlite --------------------------------------------------------------------------


@MIGRACIONES_CACHE(name="0001_metadatos")
def _cache_0001_metadatos(db: Database) -> None:
    _sql(
        db,
        """
        CREATE TABLE _modelos (
            modelo TEXT PRIMARY KEY,
            tabla TEXT NOT NULL,
            huella TEXT NOT NULL DEFAULT '',
            cursor TEXT,
            completo INTEGER NOT NULL DEFAULT 0,
            ultima_pagina TEXT,
            reconstruyendo INTEGER NOT NULL DEFAULT 0,
            huella_sombra TEXT,
            cursor_sombra TEXT
        )
        """,
        """
        CREATE TABLE _esquema (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            json TEXT NOT NULL,
            guardado_en TEXT NOT NULL
        )
        """,
    )


@MIGRACIONES_CACHE(name="0002_fts_contenido_externo")
def _cache_0002_fts_contenido_externo(db: Database) -> None:
    """Las FTS5 de los modelos pasan a contenido externo y sin tamaños de columna (rellenarlas
    cuesta ~3 veces menos; ver ``agente.almacen.cache._OPCIONES_FTS``). Cada FTS antigua se rehace
    desde su tabla con la orden ``rebuild``, sin volver a descargar el catálogo. Opciones
    copiadas aquí a propósito: una migración publicada no cambia aunque cambie el código."""
    antiguas = db.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_\\_fts' "
        "ESCAPE '\\' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5(%' AND sql NOT LIKE '%content =%'"
    ).fetchall()
    for nombre, sql in antiguas:
        if not re.fullmatch(r"m_\w+__fts", nombre, re.ASCII):
            continue  # no la creó Cache: no se toca
        # Columnas: los identificadores entre comillas dentro de fts5(...) antes de las
        # opciones (nombres validados por protocolo.esquema: sin comillas ni comas).
        argumentos = sql[sql.index("fts5(") + len("fts5(") : sql.index("tokenize")]
        columnas = ", ".join(f'"{c}"' for c in re.findall(r'"([^"]+)"', argumentos))
        tabla = nombre[: -len("__fts")]
        _sql(
            db,
            f'DROP TABLE "{nombre}"',
            f"CREATE VIRTUAL TABLE \"{nombre}\" USING fts5({columnas}, content = '{tabla}', "
            "columnsize = 0, tokenize = 'unicode61 remove_diacritics 2', prefix = '2')",
            f'INSERT INTO "{nombre}" ("{nombre}") VALUES (\'rebuild\')',  # noqa: S608 (nombre comprobado arriba)
        )


@MIGRACIONES_CACHE(name="0003_modelos_ausentes")
def _cache_0003_modelos_ausentes(db: Database) -> None:
    """Cuántos esquemas seguidos de la central han omitido cada modelo: la caché lo conserva
    (obsoleto) hasta que la ausencia se confirma (``agente.almacen.cache``)."""
    _sql(db, "ALTER TABLE _modelos ADD COLUMN ausencias INTEGER NOT NULL DEFAULT 0")
