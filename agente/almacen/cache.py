"""``Cache``: copia local (desechable) de los campos esenciales del catálogo de la central.

Estructura de ``cache.sqlite``
    - una tabla por modelo (``protocolo.esquema.tabla_de_modelo``): sus campos esenciales más
      ``_version`` (versión de la fila en la central); índice en cada ``campos_indice``;
    - ``<tabla>__fts``: FTS5 sobre ``campos_busqueda`` (búsqueda por prefijo mientras se
      escribe), de contenido externo (el texto se lee de la tabla del modelo). Se mantiene en
      la transacción de la página: unos disparadores TEMP, que sólo existen mientras se aplica,
      apuntan las filas nuevas, borradas o de texto cambiado, y al final dos
      ``INSERT ... SELECT`` quitan los textos viejos e indexan los nuevos (ver
      ``_Tabla.crear_disparadores_fts``). Una página que sólo cambia precios o stock no toca
      el índice. Una página de al menos la mitad de las filas de la tabla (la primera carga,
      por ejemplo) reindexa la FTS entera al final con ``rebuild``;
    - ``_modelos``: cursor, huella, «completo», hora de la última página y estado de la
      reconstrucción de cada modelo; ``_esquema``: la copia local del esquema (arranque sin red).

Atomicidad
    ``aplicar_pagina`` escribe la página (``executemany`` de altas y de bajas) y el cursor del
    modelo en UNA transacción: un corte nunca deja media página ni un cursor por delante de los
    datos. ``synchronous=NORMAL``: tras un corte de luz pueden faltar las últimas páginas, pero
    el cursor retrocede con ellas y la descarga las repite.

Reconstrucción
    ``iniciar_reconstruccion`` -> páginas a la tabla sombra -> ``terminar_reconstruccion``, que
    crea índices y FTS y sustituye la tabla viva en UNA transacción: los lectores ven el
    catálogo anterior entero o el nuevo entero. Una reconstrucción interrumpida se reanuda
    desde su cursor (si la huella no cambió) o empieza de cero, sin tocar la tabla viva.

Corrupción
    La caché es desechable: un fichero que no pasa la comprobación de arranque se aparta
    (``agente.almacen.recuperacion``) y se rehace desde la central. Para que la caja siga
    vendiendo mientras tanto, el esquema se guarda también en ``<caché>.esquema.json`` (junto
    al fichero, escrito con reemplazo atómico) y una caché nueva sin esquema lo toma de ahí:
    ``encolar`` valida igual y las consultas ven el catálogo incompleto (reconstruyéndose). Un
    texto que no es UTF-8 se lee con el carácter de sustitución (una consulta nunca falla por
    eso) y deja la caché marcada (``<caché>.danada``) para apartarla en el próximo arranque.

Hilos
    Una conexión de escritura protegida por un cerrojo; cada hilo lector usa su propia conexión
    (WAL: leer no espera a una página que se está aplicando). Sin E/S de red.

Todos los nombres de tabla y columna salen de un ``Esquema`` validado (identificadores
comprobados por ``protocolo.esquema``) y además van entre comillas dobles.
"""

# ruff: noqa: S608  (nombres de tabla/columna: identificadores validados por protocolo.esquema y entre comillas)
from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import functools
import json
import logging
import operator
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from agente.almacen.migraciones import MIGRACIONES_CACHE
from agente.almacen.sqlite import abrir_cache, migrar, transaccion
from protocolo import verificacion
from protocolo.esquema import ConfigModelo, ErrorEsquema, ErrorValor, Esquema, esquema_desde_dict

log = logging.getLogger(__name__)

_TIPOS_SQL = {
    "entero": "INTEGER",
    "decimal": "TEXT",
    "texto": "TEXT",
    "booleano": "INTEGER",
    "fecha_hora": "TEXT",
    "fecha": "TEXT",
    "uuid": "TEXT",
    "json": "TEXT",
}
_SOMBRA = "__sombra"
# FTS5 de contenido externo (el texto se lee de la tabla del modelo: no se guarda dos veces),
# sin tamaños de columna (sólo sirven para ordenar por bm25, y aquí no se ordena por
# relevancia) y con índice de prefijos de 2 letras (búsqueda mientras se escribe). Medido con
# 100 000 nombres (bench/cache_pagina.py, bench/buscar.py): rellenar la FTS cuesta ~1/3 que
# con la FTS por defecto. Un índice de prefijos de 1 letra bajaría la búsqueda p99 de ~5 ms a
# ~1,3 ms (la primera letra tecleada recorre todos sus términos), pero encarece unos 300 ms
# indexar 100 000 filas; el objetivo de búsqueda (p99 ≤ 10 ms) ya se cumple sin él.
# La migración 0002 de la caché lleva estas mismas opciones (una prueba lo comprueba).
_OPCIONES_FTS = "columnsize = 0, tokenize = 'unicode61 remove_diacritics 2', prefix = '2'"
_TROZO = 500
AUSENCIAS_PARA_QUITAR = 3
"""Esquemas seguidos de la central sin un modelo para darlo por quitado y borrar su tabla."""
_PALABRA = re.compile(r"\w+", re.UNICODE)


class ErrorCache(Exception):
    """El modelo no se puede leer o escribir así (sin esquema, huella cambiada...)."""


# Texto que no es UTF-8 en la caché: la decodificación sigue en C (``str``) y sólo en un error
# se llama a este manejador, que cuenta el fallo y pone el carácter de sustitución.
_TEXTO_DANADO = [0]
_MANEJADOR = "sincro-cache-danada"


def _sustituir_y_contar(error: UnicodeError) -> tuple[str, int]:
    _TEXTO_DANADO[0] += 1
    return "\ufffd", error.end  # type: ignore[attr-defined]


codecs.register_error(_MANEJADOR, _sustituir_y_contar)
_TEXTO_TOLERANTE = functools.partial(str, encoding="utf-8", errors=_MANEJADOR)


def ruta_esquema(ruta_cache: str | os.PathLike[str]) -> Path:
    """La copia del esquema junto a la caché (sobrevive a que se aparte la caché)."""
    ruta = Path(ruta_cache)
    return ruta.with_name(ruta.stem + ".esquema.json")


def ruta_marca_danada(ruta_cache: str | os.PathLike[str]) -> Path:
    """Si existe, la caché tiene datos dañados: se aparta en el próximo arranque."""
    ruta = Path(ruta_cache)
    return ruta.with_name(ruta.name + ".danada")


def _escribir_copia_esquema(ruta: Path, texto: str) -> None:
    temporal = ruta.with_name(ruta.name + ".tmp")
    try:
        temporal.write_text(texto, encoding="utf-8")
        os.replace(temporal, ruta)
    except OSError as error:  # la copia es una ayuda: sin ella sólo se pierde vender sin caché
        log.warning("No se pudo guardar la copia del esquema en %s: %s", ruta, error)
        with contextlib.suppress(OSError):
            temporal.unlink()


def _leer_copia_esquema(ruta: Path) -> dict[str, Any] | None:
    try:
        datos = json.loads(ruta.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        log.warning("La copia del esquema %s no se puede leer: %s", ruta, error)
        return None
    return datos if isinstance(datos, dict) else None


def _q(nombre: str) -> str:
    """Identificador entre comillas (ya validado por ``protocolo.esquema``)."""
    return '"' + nombre.replace('"', '""') + '"'


def _ahora() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class _Tabla:
    """SQL de la tabla de un modelo (viva o sombra). Sólo construye texto: sin E/S."""

    def __init__(self, config: ConfigModelo, nombre: str) -> None:
        self.config = config
        self.nombre = nombre
        self.fts = f"{nombre}__fts"
        self.campos = config.campos_esenciales
        self.clave = config.clave
        self.clave_entera = config.tipos[config.clave] == "entero"

    def crear(self) -> list[str]:
        columnas = []
        for campo in self.campos:
            tipo = _TIPOS_SQL[self.config.tipos[campo]]
            if campo == self.clave:
                restriccion = "PRIMARY KEY" if self.clave_entera else "NOT NULL UNIQUE"
                columnas.append(f"{_q(campo)} {tipo} {restriccion}")
            else:
                columnas.append(f"{_q(campo)} {tipo}")
        columnas.append('"_version" INTEGER NOT NULL')
        return [f"CREATE TABLE {_q(self.nombre)} ({', '.join(columnas)})"]

    def indices_y_busqueda(self, llenar_fts: bool) -> list[str]:
        """Índices y FTS (rellenada desde la tabla si ``llenar_fts``)."""
        sentencias = [
            f"CREATE INDEX {_q(f'{self.nombre}__{campo}')} ON {_q(self.nombre)} ({_q(campo)})"
            for campo in self.config.campos_indice
            if campo != self.clave
        ]
        if not self.config.campos_busqueda:
            return sentencias
        cols = ", ".join(_q(c) for c in self.config.campos_busqueda)
        contenido = "'" + self.nombre.replace("'", "''") + "'"
        sentencias.append(
            f"CREATE VIRTUAL TABLE {_q(self.fts)} USING fts5({cols}, content = {contenido}, "
            f"{_OPCIONES_FTS})"
        )
        if llenar_fts:
            sentencias.append(self.reindexar_fts)
        return sentencias

    @property
    def reindexar_fts(self) -> str:
        """Vacía la FTS y la vuelve a llenar con todas las filas de la tabla (orden
        ``rebuild`` de una FTS5 de contenido externo)."""
        return f"INSERT INTO {_q(self.fts)} ({_q(self.fts)}) VALUES ('rebuild')"

    # -- mantenimiento de la FTS por página ---------------------------------------------------
    # Disparadores TEMP que sólo existen durante la transacción de la página: el upsert ya
    # sabe qué filas cambian. Los disparadores NO tocan la FTS (cada sentencia sobre una tabla
    # virtual dentro de un disparador vuelca los términos pendientes de FTS5 a un segmento
    # nuevo: medido, renombrar 100 000 filas tardaba 2,7 s así); sólo apuntan cada rowid
    # tocado en una lista temporal, con una sentencia y sin consultas. Al final, dos
    # INSERT ... SELECT en orden de rowid: quitar del índice el texto viejo ('delete' de una
    # FTS de contenido externo, que necesita ese texto) y volver a indexar lo que exista.
    # Una página que sólo cambia precios o stock no paga más que evaluar la condición WHEN.
    #
    # Lo que decide es el PRIMER suceso de cada rowid en la página (los siguientes no cambian
    # la lista: ON CONFLICT DO NOTHING): si es una modificación o una baja, la fila estaba
    # indexada con el texto que se apunta y hay que quitarlo; si es un alta, no lo estaba
    # (nueva, o un rowid cuya fila anterior ya se apuntó al borrarla; hoy las bajas de una
    # página se aplican después de las altas, pero esto no depende de ese orden). Quitar una
    # entrada que no está indexada corrompería el índice; así no puede ocurrir.

    @property
    def _tocadas(self) -> str:
        return _q(f"_fts_tocadas_{self.nombre}")

    def _disparador(self, que: str) -> str:
        return _q(f"_fts_{que}_{self.nombre}")

    def crear_disparadores_fts(self) -> list[str]:
        tabla, tocadas = f"main.{_q(self.nombre)}", self._tocadas
        busqueda = self.config.campos_busqueda
        cols = ", ".join(_q(c) for c in busqueda)
        viejos = ", ".join(f"old.{_q(c)}" for c in busqueda)
        distinto = " OR ".join(f"old.{_q(c)} IS NOT new.{_q(c)}" for c in busqueda)
        apuntar_vieja = (
            f"INSERT INTO {tocadas} (r, quitar, {cols}) VALUES (old.rowid, 1, {viejos}) "
            "ON CONFLICT (r) DO NOTHING;"
        )
        return [
            f"CREATE TEMP TABLE {tocadas} (r INTEGER PRIMARY KEY, quitar INTEGER NOT NULL, {cols})",
            f"CREATE TEMP TRIGGER {self._disparador('alta')} AFTER INSERT ON {tabla} BEGIN "
            f"INSERT INTO {tocadas} (r, quitar) VALUES (new.rowid, 0) "
            "ON CONFLICT (r) DO NOTHING; END",
            f"CREATE TEMP TRIGGER {self._disparador('cambio')} AFTER UPDATE ON {tabla} "
            f"WHEN {distinto} BEGIN {apuntar_vieja} END",
            f"CREATE TEMP TRIGGER {self._disparador('baja')} AFTER DELETE ON {tabla} BEGIN "
            f"{apuntar_vieja} END",
        ]

    def indexar_tocadas_y_quitar_disparadores(self) -> list[str]:
        fts, tocadas = _q(self.fts), f"temp.{self._tocadas}"
        cols = ", ".join(_q(c) for c in self.config.campos_busqueda)
        origen = ", ".join(f"t.{_q(c)}" for c in self.config.campos_busqueda)
        return [
            f"INSERT INTO {fts} ({fts}, rowid, {cols}) SELECT 'delete', r, {cols} "
            f"FROM {tocadas} WHERE quitar ORDER BY r",
            f"INSERT INTO {fts} (rowid, {cols}) SELECT t.rowid, {origen} FROM "
            f"{tocadas} AS n JOIN {_q(self.nombre)} AS t ON t.rowid = n.r ORDER BY n.r",
            # Se borra (no se vacía): la página siguiente puede traer otros campos_busqueda.
            f"DROP TABLE {tocadas}",
            *(
                f"DROP TRIGGER IF EXISTS temp.{self._disparador(q)}"
                for q in ("alta", "cambio", "baja")
            ),
        ]

    def borrar(self) -> list[str]:
        return [f"DROP TABLE IF EXISTS {_q(self.fts)}", f"DROP TABLE IF EXISTS {_q(self.nombre)}"]

    @property
    def upsert(self) -> str:
        cols = [*self.campos, "_version"]
        marcas = ", ".join("?" * len(cols))
        sets = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in cols if c != self.clave)
        tabla = _q(self.nombre)
        return (
            f"INSERT INTO {tabla} ({', '.join(_q(c) for c in cols)}) VALUES ({marcas}) "
            f"ON CONFLICT ({_q(self.clave)}) DO UPDATE SET {sets} "
            f'WHERE excluded."_version" >= {tabla}."_version"'
        )

    @property
    def baja(self) -> str:
        return f'DELETE FROM {_q(self.nombre)} WHERE {_q(self.clave)} = ? AND "_version" <= ?'


class Cache:
    """La caché de una terminal (ver el docstring del módulo)."""

    def __init__(self, ruta: str | os.PathLike[str]) -> None:
        self.ruta = os.fspath(ruta)
        self._escritura = abrir_cache(self.ruta)
        self._escritura.text_factory = _TEXTO_TOLERANTE
        self._cerrojo = threading.RLock()
        self._locales = threading.local()
        self._lectoras: list[sqlite3.Connection] = []
        self._cerrojo_lectoras = threading.Lock()
        self._danos_al_abrir = _TEXTO_DANADO[0]
        try:
            migrar(self._escritura, MIGRACIONES_CACHE)
            self._version_vista: int | None = None
            self._json_esquema: str | None = None
            self._esquema = self._leer_esquema()
            if self._esquema is None:
                self._restaurar_esquema()
        except BaseException:
            self._escritura.close()
            raise

    def _restaurar_esquema(self) -> None:
        """Caché nueva (o apartada) sin esquema: se toma la copia de ``<caché>.esquema.json``
        para que la caja siga validando y vendiendo mientras el catálogo se reconstruye."""
        datos = _leer_copia_esquema(ruta_esquema(self.ruta))
        if datos is None:
            return
        try:
            self.guardar_esquema(datos)
        except (ErrorEsquema, ErrorValor) as error:
            log.warning("La copia del esquema no es válida (%s): se espera a la central.", error)
            return
        log.warning("Caché sin esquema: se usa la copia guardada; el catálogo se reconstruye.")

    @property
    def texto_danado(self) -> bool:
        """Alguna lectura de este proceso encontró texto que no es UTF-8."""
        return _TEXTO_DANADO[0] > self._danos_al_abrir

    def marcar_danada(self, motivo: str) -> None:
        """Deja la marca para apartar la caché en el próximo arranque (no se aparta en marcha:
        otros hilos y procesos la tienen abierta)."""
        marca = ruta_marca_danada(self.ruta)
        try:
            marca.write_text(motivo[:500], encoding="utf-8")
        except OSError as error:
            log.warning("No se pudo marcar la caché como dañada: %s", error)

    # -- ciclo de vida -----------------------------------------------------------------------

    def cerrar(self) -> None:
        if self.texto_danado:
            self.marcar_danada("texto que no es UTF-8 en la caché")
        with self._cerrojo_lectoras:
            for conexion in self._lectoras:
                conexion.close()
            self._lectoras.clear()
        with self._cerrojo:
            self._escritura.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *excepcion: object) -> None:
        self.cerrar()

    def _lectora(self) -> sqlite3.Connection:
        conexion = getattr(self._locales, "conexion", None)
        if conexion is None:
            conexion = abrir_cache(self.ruta)
            conexion.text_factory = _TEXTO_TOLERANTE
            conexion.execute("PRAGMA query_only = ON")
            self._locales.conexion = conexion
            with self._cerrojo_lectoras:
                self._lectoras.append(conexion)
        return conexion

    # -- esquema local -----------------------------------------------------------------------

    def _leer_esquema(self) -> Esquema | None:
        with self._cerrojo:
            self._version_vista = self._escritura.execute("PRAGMA data_version").fetchone()[0]
            fila = self._escritura.execute("SELECT json FROM _esquema WHERE id = 1").fetchone()
            if fila is None:
                return None
            if fila[0] == self._json_esquema and self._esquema is not None:
                return self._esquema
            self._json_esquema = fila[0]
            return esquema_desde_dict(json.loads(fila[0]))

    def _al_dia_con_otros_procesos(self) -> None:
        """Relee el esquema si OTRA conexión (otro proceso: la sincronización de la bandeja
        corre aparte de la interfaz) confirmó cambios. ``PRAGMA data_version`` sólo cambia con
        commits ajenos y cuesta una consulta; el JSON sólo se vuelve a validar si cambió.
        (La usa la pestaña Catálogo de la interfaz.)"""
        with self._cerrojo:
            version = self._escritura.execute("PRAGMA data_version").fetchone()[0]
            if version != self._version_vista:
                self._esquema = self._leer_esquema()

    def esquema(self) -> Esquema | None:
        """El último esquema guardado (``None`` si nunca se sincronizó), también si lo guardó
        otro proceso después de abrir esta caché."""
        self._al_dia_con_otros_procesos()
        return self._esquema

    def guardar_esquema(self, datos: Mapping[str, Any] | Esquema) -> Esquema:
        """Valida y guarda el esquema; crea las tablas de los modelos nuevos (vacías). Un
        modelo que falta en el esquema recibido se conserva con su tabla (obsoleto: se sigue
        vendiendo con él, no se pide a la central) hasta que ``AUSENCIAS_PARA_QUITAR`` esquemas
        seguidos lo omiten; entonces se borra. Un modelo cuya huella cambió conserva su tabla
        (la sirve) hasta que se reconstruya: ``necesita_reconstruccion`` lo dice. Devuelve el
        esquema guardado (el recibido más los obsoletos)."""
        esquema = datos if isinstance(datos, Esquema) else esquema_desde_dict(datos)
        anterior = self._esquema
        with self._cerrojo, transaccion(self._escritura) as c:
            conocidos = {
                f[0]: (f[1], f[2])
                for f in c.execute("SELECT modelo, tabla, ausencias FROM _modelos").fetchall()
            }
            conservados = {}
            for nombre, (tabla, ausencias) in conocidos.items():
                if nombre in esquema.modelos:
                    if ausencias:
                        c.execute("UPDATE _modelos SET ausencias = 0 WHERE modelo = ?", (nombre,))
                    continue
                if (
                    ausencias + 1 < AUSENCIAS_PARA_QUITAR
                    and anterior is not None
                    and nombre in anterior.modelos
                ):
                    c.execute(
                        "UPDATE _modelos SET ausencias = ? WHERE modelo = ?",
                        (ausencias + 1, nombre),
                    )
                    conservados[nombre] = anterior.modelos[nombre]
                    continue
                self._borrar_tablas(c, tabla)
                c.execute("DELETE FROM _modelos WHERE modelo = ?", (nombre,))
            if conservados:
                esquema = _con_obsoletos(esquema, conservados)
                log.warning(
                    "La central no envió %s en su esquema: se conservan en la caché "
                    "hasta que se confirme que se quitaron.",
                    ", ".join(conservados),
                )
            for config in esquema.modelos.values():
                if config.nombre in conocidos:
                    continue
                viva = _Tabla(config, config.tabla)
                for sentencia in viva.crear() + viva.indices_y_busqueda(llenar_fts=False):
                    c.execute(sentencia)
                c.execute(
                    "INSERT INTO _modelos (modelo, tabla, huella) VALUES (?, ?, ?)",
                    (config.nombre, config.tabla, config.huella),
                )
            texto = json.dumps(esquema.a_dict(), ensure_ascii=False)
            c.execute(
                "INSERT INTO _esquema (id, json, guardado_en) VALUES (1, ?, ?) ON CONFLICT (id) "
                "DO UPDATE SET json = excluded.json, guardado_en = excluded.guardado_en",
                (texto, _ahora()),
            )
            self._esquema = esquema
        _escribir_copia_esquema(ruta_esquema(self.ruta), texto)
        return esquema

    def modelos_obsoletos(self) -> set[str]:
        """Modelos que la central omitió en su último esquema y la caché aún conserva."""
        return {
            f[0]
            for f in self._lectora()
            .execute("SELECT modelo FROM _modelos WHERE ausencias > 0")
            .fetchall()
        }

    def _borrar_tablas(self, c: sqlite3.Connection, tabla: str) -> None:
        for nombre in (tabla, tabla + _SOMBRA):
            c.execute(f"DROP TABLE IF EXISTS {_q(nombre + '__fts')}")
            c.execute(f"DROP TABLE IF EXISTS {_q(nombre)}")

    def _config(self, modelo: str) -> ConfigModelo:
        self._al_dia_con_otros_procesos()
        if self._esquema is None:
            raise ErrorCache(
                "Esta terminal aún no tiene el esquema de la central: ejecute «sincro configurar»"
                " o «sincro sincronizar» con conexión."
            )
        return self._esquema.modelo(modelo)

    # -- metadatos por modelo ----------------------------------------------------------------

    def lista_para_vender_offline(self, esquema: Esquema | None = None) -> bool:
        """La única definición de «lista para vender sin conexión»: hay esquema y cada modelo
        que una venta necesita está completo en la caché. Los que necesita son los críticos; si
        el esquema no declara ninguno, todos (sin un crítico declarado, nada puede faltar)."""
        esquema = self.esquema() if esquema is None else esquema
        if esquema is None or not esquema.modelos:
            return False
        necesarios = esquema.criticos() or list(esquema.modelos.values())
        return all(self.estado_modelo(m.nombre, contar=False)["completo"] for m in necesarios)

    def estado_modelo(self, modelo: str, contar: bool = True) -> dict[str, Any]:
        """Cursor, «completo», última página, filas y si hace falta reconstruir.

        ``contar=False`` omite ``filas`` (``None``): contar es lineal en el tamaño de la tabla
        (~10 ms con un millón de filas) y la descarga incremental no lo necesita."""
        config = self._config(modelo)
        c = self._lectora()
        fila = c.execute(
            "SELECT huella, cursor, completo, ultima_pagina, reconstruyendo, cursor_sombra "
            "FROM _modelos WHERE modelo = ?",
            (modelo,),
        ).fetchone()
        if fila is None:
            raise ErrorCache(f"El modelo {modelo} no tiene tabla en la caché.")
        huella, cursor, completo, ultima, reconstruyendo, cursor_sombra = fila
        filas = (
            c.execute(f"SELECT COUNT(*) FROM {_q(config.tabla)}").fetchone()[0] if contar else None
        )
        return {
            "modelo": modelo,
            "obsoleto": modelo in self.modelos_obsoletos(),
            "filas": filas,
            "cursor": cursor,
            "completo": bool(completo) and huella == config.huella,
            "ultima_pagina": ultima,
            "reconstruyendo": bool(reconstruyendo),
            "cursor_reconstruccion": cursor_sombra,
            "huella_al_dia": huella == config.huella,
        }

    def cursor(self, modelo: str) -> str | None:
        """Cursor de la descarga incremental (el de la tabla viva)."""
        self._config(modelo)
        fila = (
            self._lectora()
            .execute("SELECT cursor FROM _modelos WHERE modelo = ?", (modelo,))
            .fetchone()
        )
        return fila[0] if fila else None

    def necesita_reconstruccion(self, modelo: str) -> bool:
        """Sí si nunca se descargó entero o su configuración (huella) cambió."""
        estado = self.estado_modelo(modelo, contar=False)
        return not (estado["completo"] and estado["huella_al_dia"])

    # -- escritura de páginas ----------------------------------------------------------------

    def aplicar_pagina(
        self,
        modelo: str,
        cambios: Sequence[Mapping[str, Any]],
        cursor: str | None,
        completo: bool | None = None,
    ) -> int:
        """Aplica una página de ``cambios`` (``{"id", "version", "datos"}`` o
        ``{"id", "version", "borrado": true}``) y guarda ``cursor`` en la misma transacción.

        Durante una reconstrucción la página va a la tabla sombra (y el cursor al de la
        reconstrucción). ``completo`` marca el modelo como completo (``None`` lo deja igual).
        Devuelve el número de cambios aplicados.
        """
        config = self._config(modelo)
        altas, bajas = _separar(config, cambios)
        with self._cerrojo, transaccion(self._escritura) as c:
            huella, reconstruyendo = c.execute(
                "SELECT huella, reconstruyendo FROM _modelos WHERE modelo = ?", (modelo,)
            ).fetchone()
            if reconstruyendo:
                tabla = _Tabla(config, config.tabla + _SOMBRA)
                c.execute(
                    "UPDATE _modelos SET cursor_sombra = ? WHERE modelo = ?", (cursor, modelo)
                )
            else:
                if huella != config.huella:
                    raise ErrorCache(
                        f"La configuración de {modelo} cambió: hay que reconstruir su caché "
                        "(iniciar_reconstruccion) antes de aplicar páginas."
                    )
                tabla = _Tabla(config, config.tabla)
                c.execute(
                    "UPDATE _modelos SET cursor = ?, completo = COALESCE(?, completo),"
                    " ultima_pagina = ? WHERE modelo = ?",
                    (cursor, None if completo is None else int(completo), _ahora(), modelo),
                )
            # Sin cambios (la página vacía de una descarga incremental al día) no hay nada
            # que indexar; en la sombra la FTS se crea al terminar la reconstrucción.
            con_fts = bool(config.campos_busqueda) and bool(cambios) and not reconstruyendo
            # Página grande frente a la tabla (la primera carga sin sombra, o un cambio de todo
            # el catálogo): reindexar la FTS entera desde la tabla al final cuesta menos que
            # seguir fila a fila qué quitar y qué añadir, y está acotado por el tamaño de la
            # página (la tabla tiene como mucho el doble de filas). Si no, disparadores.
            limite = 2 * len(cambios)
            reindexar = (
                con_fts
                and c.execute(
                    f"SELECT COUNT(*) <= ? FROM (SELECT 1 FROM {_q(tabla.nombre)} LIMIT ?)",
                    (limite, limite + 1),
                ).fetchone()[0]
            )
            if con_fts and not reindexar:
                for sentencia in tabla.crear_disparadores_fts():
                    c.execute(sentencia)
            if altas:
                c.executemany(tabla.upsert, altas)
            if bajas:
                c.executemany(tabla.baja, bajas)
            if reindexar:
                c.execute(tabla.reindexar_fts)
            elif con_fts:
                for sentencia in tabla.indexar_tocadas_y_quitar_disparadores():
                    c.execute(sentencia)
        return len(altas) + len(bajas)

    # -- verificación contra la central -------------------------------------------------------

    def sumas(
        self, modelo: str, cubos: int
    ) -> tuple[dict[int, tuple[int, int]], dict[int, list[str]]]:
        """Sumas de verificación de la tabla viva (``protocolo.verificacion``): {cubo: (filas,
        suma)} y las claves de cada cubo. La instantánea JSON de cada fila la arma SQLite
        (``json_object``) con los mismos bytes que sirve la central."""
        config = self._config(modelo)
        sql = f"SELECT {_instantanea_sql(config)} FROM {_q(config.tabla)}"
        por_cubo: dict[int, list[str]] = {}
        sumas = verificacion.sumar(self._lectora().execute(sql), cubos, por_cubo)
        return sumas, por_cubo

    def filas_canonicas(self, modelo: str, claves: Sequence[str]) -> dict[str, str]:
        """{clave: instantánea JSON compacta} de esas filas de la tabla viva (las que existen)."""
        config = self._config(modelo)
        salida: dict[str, str] = {}
        lista = [clave_sql(config, c) for c in claves]
        for i in range(0, len(lista), _TROZO):
            trozo = lista[i : i + _TROZO]
            salida.update(
                self._lectora().execute(
                    f"SELECT {_instantanea_sql(config)} FROM {_q(config.tabla)} "
                    f"WHERE {_q(config.clave)} IN ({', '.join('?' * len(trozo))})",
                    trozo,
                )
            )
        return salida

    def reparar(
        self, modelo: str, cambios: Sequence[Mapping[str, Any]], quitar: Iterable[str]
    ) -> int:
        """Sustituye filas de la tabla viva por las de la central, sin mirar versiones (la copia
        local puede estar dañada): borra ``quitar`` (claves que la central ya no tiene) y las de
        ``cambios``, e inserta ``cambios``; si escribió algo, rehace la FTS. No toca el cursor.
        Durante una reconstrucción no hace nada (la tabla sombra sustituirá a la viva).
        Devuelve las filas escritas o borradas."""
        config = self._config(modelo)
        altas, _ = _separar(config, cambios)
        claves = {clave_sql(config, c["id"]) for c in cambios}
        claves.update(clave_sql(config, q) for q in quitar)
        tabla = _Tabla(config, config.tabla)
        with self._cerrojo, transaccion(self._escritura) as c:
            reconstruyendo = c.execute(
                "SELECT reconstruyendo FROM _modelos WHERE modelo = ?", (modelo,)
            ).fetchone()
            if reconstruyendo is None or reconstruyendo[0]:
                return 0
            lista = list(claves)
            for i in range(0, len(lista), _TROZO):
                trozo = lista[i : i + _TROZO]
                c.execute(
                    f"DELETE FROM {_q(tabla.nombre)} WHERE {_q(config.clave)} IN "
                    f"({', '.join('?' * len(trozo))})",
                    trozo,
                )
            if altas:
                c.executemany(tabla.upsert, altas)
            # Una caché dañada puede tener la FTS desalineada con la tabla (filas escritas sin
            # indexar): se rehace entera en vez de quitar textos que quizá no estén indexados.
            if config.campos_busqueda and claves:
                c.execute(tabla.reindexar_fts)
        return len(claves)

    def iniciar_reconstruccion(self, modelo: str) -> str | None:
        """Empieza (o reanuda) la reconstrucción completa de ``modelo`` en su tabla sombra.

        Devuelve el cursor desde el que seguir descargando: ``None`` = desde el principio; una
        cadena = reanudar una reconstrucción interrumpida con la misma huella.
        """
        config = self._config(modelo)
        sombra = _Tabla(config, config.tabla + _SOMBRA)
        with self._cerrojo, transaccion(self._escritura) as c:
            reconstruyendo, huella_sombra, cursor_sombra = c.execute(
                "SELECT reconstruyendo, huella_sombra, cursor_sombra FROM _modelos "
                "WHERE modelo = ?",
                (modelo,),
            ).fetchone()
            if reconstruyendo and huella_sombra == config.huella:
                return cursor_sombra
            for sentencia in sombra.borrar() + sombra.crear():
                c.execute(sentencia)
            c.execute(
                "UPDATE _modelos SET reconstruyendo = 1, huella_sombra = ?, cursor_sombra = NULL"
                " WHERE modelo = ?",
                (config.huella, modelo),
            )
        return None

    def terminar_reconstruccion(self, modelo: str, cursor: str | None) -> None:
        """Sustituye la tabla viva por la sombra (con índices y FTS) en UNA transacción y deja
        el modelo completo con ``cursor``."""
        config = self._config(modelo)
        viva = _Tabla(config, config.tabla)
        sombra = _Tabla(config, config.tabla + _SOMBRA)
        with self._cerrojo, transaccion(self._escritura) as c:
            reconstruyendo, huella_sombra = c.execute(
                "SELECT reconstruyendo, huella_sombra FROM _modelos WHERE modelo = ?", (modelo,)
            ).fetchone()
            if not reconstruyendo:
                raise ErrorCache(f"{modelo} no se está reconstruyendo.")
            if huella_sombra != config.huella:
                raise ErrorCache(
                    f"La configuración de {modelo} cambió durante la reconstrucción: empiece otra."
                )
            for sentencia in viva.borrar() + sombra.borrar()[:1]:
                c.execute(sentencia)
            c.execute(f"ALTER TABLE {_q(sombra.nombre)} RENAME TO {_q(viva.nombre)}")
            for sentencia in viva.indices_y_busqueda(llenar_fts=True):
                c.execute(sentencia)
            c.execute(
                "UPDATE _modelos SET huella = ?, cursor = ?, completo = 1, ultima_pagina = ?,"
                " reconstruyendo = 0, huella_sombra = NULL, cursor_sombra = NULL"
                " WHERE modelo = ?",
                (config.huella, cursor, _ahora(), modelo),
            )

    def cancelar_reconstruccion(self, modelo: str) -> None:
        """Abandona la reconstrucción (borra la sombra); la tabla viva no cambia."""
        config = self._config(modelo)
        with self._cerrojo, transaccion(self._escritura) as c:
            for sentencia in _Tabla(config, config.tabla + _SOMBRA).borrar():
                c.execute(sentencia)
            c.execute(
                "UPDATE _modelos SET reconstruyendo = 0, huella_sombra = NULL,"
                " cursor_sombra = NULL WHERE modelo = ?",
                (modelo,),
            )

    # -- lectura -----------------------------------------------------------------------------

    def fila(self, modelo: str, objeto_id: str) -> tuple[dict[str, Any], int] | None:
        """``(datos, version)`` de la central para ese objeto, o ``None``."""
        config = self._config(modelo)
        try:
            clave = clave_sql(config, objeto_id)
        except ErrorValor:
            return None
        cursor = self._lectora().execute(
            f"SELECT * FROM {_q(config.tabla)} WHERE {_q(config.clave)} = ?", (clave,)
        )
        return _leer(config, cursor).get(str(clave))

    def filas(
        self, modelo: str, objeto_ids: Iterable[str]
    ) -> dict[str, tuple[dict[str, Any], int]]:
        """``{objeto_id: (datos, version)}`` de los que estén en la caché."""
        config = self._config(modelo)
        claves = []
        for objeto_id in objeto_ids:
            try:
                claves.append(clave_sql(config, objeto_id))
            except ErrorValor:
                continue
        c = self._lectora()
        resultado = {}
        for inicio in range(0, len(claves), _TROZO):
            trozo = claves[inicio : inicio + _TROZO]
            marcas = ", ".join("?" * len(trozo))
            cursor = c.execute(
                f"SELECT * FROM {_q(config.tabla)} WHERE {_q(config.clave)} IN ({marcas})",
                trozo,
            )
            resultado.update(_leer(config, cursor))
        return resultado

    def buscar(
        self, modelo: str, texto: str, limite: int = 50
    ) -> list[tuple[str, dict[str, Any], int]]:
        """Filas cuyo ``campos_indice`` (o clave) es exactamente ``texto`` primero; después las
        que casan por prefijo en ``campos_busqueda`` (FTS5), hasta ``limite``."""
        config = self._config(modelo)
        c = self._lectora()
        texto = _buscable(texto)
        if not texto or limite <= 0:
            return []
        encontrados: dict[str, tuple[dict[str, Any], int]] = {}
        tabla = _q(config.tabla)
        exactos = [config.clave, *[f for f in config.campos_indice if f != config.clave]]
        for campo in exactos:
            try:
                valores: list[Any] = (
                    [clave_sql(config, texto)]
                    if campo == config.clave
                    else list(dict.fromkeys([texto, texto.upper(), texto.lower()]))
                )
            except ErrorValor:
                continue
            marcas = ", ".join("?" * len(valores))
            cursor = c.execute(
                f"SELECT * FROM {tabla} WHERE {_q(campo)} IN ({marcas}) LIMIT ?",
                (*valores, limite),
            )
            for objeto_id, fila in _leer(config, cursor).items():
                encontrados.setdefault(objeto_id, fila)
        consulta = consulta_fts(texto)
        if config.campos_busqueda and consulta and len(encontrados) < limite:
            fts = _q(config.tabla + "__fts")
            cursor = c.execute(
                f"SELECT {tabla}.* FROM {fts} JOIN {tabla} ON {tabla}.rowid = {fts}.rowid "
                f"WHERE {fts} MATCH ? LIMIT ?",
                (consulta, limite),
            )
            for objeto_id, fila in _leer(config, cursor).items():
                encontrados.setdefault(objeto_id, fila)
        return [(k, datos, version) for k, (datos, version) in encontrados.items()][:limite]

    # -- catálogo paginado (pestaña Catálogo de la interfaz) ---------------------------------

    def _exactos(self, config: ConfigModelo, texto: str) -> list[tuple[str, Any]]:
        """``(campo, valor)`` para la coincidencia exacta por clave y ``campos_indice``."""
        pares = []
        for campo in [config.clave, *[f for f in config.campos_indice if f != config.clave]]:
            try:
                pares.append((campo, clave_sql(config, texto) if campo == config.clave else texto))
            except ErrorValor:
                continue
        return pares

    def _donde_busqueda(self, config: ConfigModelo, texto: str) -> tuple[str, list[Any]] | None:
        """Condición «casa por prefijo (FTS5) y no es coincidencia exacta», o ``None``."""
        consulta = consulta_fts(texto)
        if not config.campos_busqueda or not consulta:
            return None
        tabla, fts = _q(config.tabla), _q(config.tabla + "__fts")
        condicion = f"{tabla}.rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)"
        parametros: list[Any] = [consulta]
        for campo, valor in self._exactos(config, texto):
            condicion += f" AND {tabla}.{_q(campo)} IS NOT ?"
            parametros.append(valor)
        return condicion, parametros

    def _filas_exactas(self, config: ConfigModelo, texto: str) -> dict[str, tuple[dict, int]]:
        c = self._lectora()
        encontrados: dict[str, tuple[dict[str, Any], int]] = {}
        for campo, valor in self._exactos(config, texto):
            cursor = c.execute(f"SELECT * FROM {_q(config.tabla)} WHERE {_q(campo)} = ?", (valor,))
            for objeto_id, fila in _leer(config, cursor).items():
                encontrados.setdefault(objeto_id, fila)
        return encontrados

    def contar(self, modelo: str, texto: str | None = None) -> int:
        """Filas del modelo; con ``texto``, las que devolvería ``listar`` con ese texto."""
        config = self._config(modelo)
        c = self._lectora()
        texto = _buscable(texto or "")
        if not texto:
            return c.execute(f"SELECT COUNT(*) FROM {_q(config.tabla)}").fetchone()[0]
        total = len(self._filas_exactas(config, texto))
        donde = self._donde_busqueda(config, texto)
        if donde is not None:
            condicion, parametros = donde
            total += c.execute(
                f"SELECT COUNT(*) FROM {_q(config.tabla)} WHERE {condicion}", parametros
            ).fetchone()[0]
        return total

    def listar(
        self, modelo: str, desde: int = 0, limite: int = 200, texto: str | None = None
    ) -> list[tuple[str, dict[str, Any], int]]:
        """Una página ``[(objeto_id, datos, version)]`` del modelo en orden estable (rowid).

        Con ``texto``: primero las coincidencias exactas por clave o ``campos_indice`` (código
        de barras), después las que casan por prefijo en ``campos_busqueda`` (FTS5). ``desde``
        cuenta sobre esa lista entera, así que las páginas se pueden pedir una tras otra.
        Sólo lee (conexión lectora del hilo): seguro desde cualquier hilo."""
        config = self._config(modelo)
        c = self._lectora()
        desde, limite = max(0, int(desde)), max(0, int(limite))
        texto = _buscable(texto or "")
        tabla = _q(config.tabla)
        if not texto:
            cursor = c.execute(
                f"SELECT * FROM {tabla} ORDER BY rowid LIMIT ? OFFSET ?", (limite, desde)
            )
            return [(k, d, v) for k, (d, v) in _leer(config, cursor).items()]
        exactos = list(self._filas_exactas(config, texto).items())
        pagina = [(k, d, v) for k, (d, v) in exactos[desde : desde + limite]]
        donde = self._donde_busqueda(config, texto)
        if donde is not None and len(pagina) < limite:
            condicion, parametros = donde
            cursor = c.execute(
                f"SELECT * FROM {tabla} WHERE {condicion} ORDER BY rowid LIMIT ? OFFSET ?",
                (*parametros, limite - len(pagina), max(0, desde - len(exactos))),
            )
            pagina += [(k, d, v) for k, (d, v) in _leer(config, cursor).items()]
        return pagina


# -- auxiliares puros ------------------------------------------------------------------------


def _con_obsoletos(esquema: Esquema, conservados: Mapping[str, ConfigModelo]) -> Esquema:
    """El esquema recibido más los modelos conservados; si juntos no validan (referencias
    cruzadas que ya no cuadran), sólo el recibido."""
    datos = esquema.a_dict()
    for nombre, config in conservados.items():
        datos["modelos"][nombre] = config.a_dict()
    try:
        return esquema_desde_dict(datos)
    except (ErrorEsquema, ErrorValor):
        return esquema


def _buscable(texto: str) -> str:
    """El texto de búsqueda sin espacios alrededor y sin sustitutos UTF-16 sueltos (no se
    pueden pasar a SQLite; vienen de texto mal decodificado, no de un teclado)."""
    return texto.encode("utf-8", "replace").decode("utf-8").strip()


def consulta_fts(texto: str) -> str:
    """Consulta FTS5 segura: cada palabra como prefijo entre comillas, todas obligatorias."""
    palabras = _PALABRA.findall(texto)
    return " AND ".join(f'"{p}"*' for p in palabras)


def _instantanea_sql(config: ConfigModelo) -> str:
    """Columnas (clave como texto, instantánea JSON compacta de los campos esenciales): los
    mismos bytes que la instantánea de ``/v1/cambios`` (``json_object`` escapa como la central;
    los booleanos, guardados como 0/1, vuelven a ser true/false)."""
    partes = []
    for campo in config.campos_esenciales:
        col, tipo = _q(campo), config.tipos[campo]
        if tipo == "booleano":
            valor = (
                f"CASE WHEN {col} IS NULL THEN NULL WHEN {col} THEN json('true') "
                f"ELSE json('false') END"
            )
        elif tipo == "json":
            valor = f"json({col})"
        else:
            valor = col
        partes.append(f"'{campo}', {valor}")
    return f"CAST({_q(config.clave)} AS TEXT), json_object({', '.join(partes)})"


def clave_sql(config: ConfigModelo, objeto_id: Any) -> Any:
    """El identificador de objeto (cadena en el protocolo) como valor de su columna clave."""
    tipo = config.tipos[config.clave]
    if tipo == "entero":
        if isinstance(objeto_id, int) and not isinstance(objeto_id, bool):
            return objeto_id
        texto = str(objeto_id).strip()
        if not re.fullmatch(r"-?\d{1,18}", texto):
            raise ErrorValor(f"El identificador de {config.nombre} es un entero, no {objeto_id!r}.")
        return int(texto)
    # uuid: forma canónica; texto: UTF-8 guardable (sin sustitutos sueltos).
    return config.normalizar_valor(config.clave, str(objeto_id))


def _separar(
    config: ConfigModelo, cambios: Sequence[Mapping[str, Any]]
) -> tuple[list[tuple], list[tuple]]:
    """Altas/cambios (tuplas para el upsert) y bajas (clave, versión).

    No hace falta deduplicar: si un objeto aparece varias veces en la página, las guardas de
    versión del upsert y de la baja dejan el cambio de mayor versión, en cualquier orden.
    """
    campos = config.campos_esenciales
    indice_clave = campos.index(config.clave)
    json_campos = [i for i, c in enumerate(campos) if config.tipos[c] == "json"]
    extraer = operator.itemgetter(*campos)
    uno = len(campos) == 1
    altas: list[tuple] = []
    bajas: list[tuple] = []
    for cambio in cambios:
        if cambio.get("borrado"):
            bajas.append((clave_sql(config, cambio["id"]), cambio["version"]))
            continue
        datos = cambio["datos"]
        try:
            valores = extraer(datos)
            fila = ((valores,) if uno else valores) + (cambio["version"],)
        except KeyError:  # faltan campos: los ausentes quedan en NULL
            fila = (*map(datos.get, campos), cambio["version"])
        if fila[indice_clave] is None or json_campos:
            lista = list(fila)
            if lista[indice_clave] is None:
                lista[indice_clave] = clave_sql(config, cambio["id"])
            for i in json_campos:
                if lista[i] is not None:
                    lista[i] = json.dumps(lista[i], ensure_ascii=False)
            fila = tuple(lista)
        altas.append(fila)
    return altas, bajas


def _leer(config: ConfigModelo, cursor: sqlite3.Cursor) -> dict[str, tuple[dict[str, Any], int]]:
    columnas = [d[0] for d in cursor.description]
    conversiones = {
        c: config.tipos[c] for c in columnas if config.tipos.get(c) in ("booleano", "json")
    }
    resultado = {}
    for fila in cursor.fetchall():
        datos = dict(zip(columnas, fila, strict=True))
        version = datos.pop("_version")
        for campo, tipo in conversiones.items():
            valor = datos.get(campo)
            if valor is not None:
                datos[campo] = bool(valor) if tipo == "booleano" else json.loads(valor)
        resultado[str(datos[config.clave])] = (datos, version)
    return resultado
