"""Integridad de los ficheros SQLite al arrancar: apartar la caché, rescatar la cola.

- ``cache.sqlite`` es desechable: si no pasa ``PRAGMA quick_check`` se renombra aparte
  (``cache.corrupta-<fecha>.sqlite``) y la ``Cache`` arranca vacía y se reconstruye desde la
  central. Se guardan como mucho ``CACHES_APARTADAS`` copias apartadas.
- ``cola.sqlite`` es preciosa y **nunca se borra**: se copia aparte tal cual
  (``cola.corrupta-<fecha>.sqlite`` + su ``-wal``), se rescata lo legible a una base nueva (con
  ``sqlite3 .recover`` si el programa ``sqlite3`` está instalado; si no, tabla a tabla y fila a
  fila, saltando las páginas ilegibles; todas sus tablas, también el diario de ventas, que
  nunca se deja atrás) y la base rescatada ocupa su lugar. Cada rescate queda
  anotado en ``recuperaciones.json`` para avisar a la persona (``avisos_pendientes``) hasta que
  lo confirme.

Orden a prueba de cortes: la copia aparte se escribe y sincroniza antes de tocar nada; el
original sigue en su sitio hasta el ``os.replace`` final, así que un corte a mitad sólo obliga a
repetir el rescate en el siguiente arranque.

Hilos: funciones sin estado; se llaman al arrancar, antes de que ``Cola``/``Cache`` abran sus
conexiones y sin ningún otro proceso usando esos ficheros (un fichero ocupado se trata como
sano, nunca como corrupto).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid as uuidlib
from dataclasses import dataclass, field
from pathlib import Path

from agente.almacen import paginas_sqlite
from agente.almacen.cache import Cache, ruta_marca_danada
from agente.soporte import rutas
from protocolo.esquema import ErrorEsquema

log = logging.getLogger(__name__)

CACHES_APARTADAS = 3
FICHERO_AVISOS = "recuperaciones.json"
TABLA_OPERACIONES = "operaciones"
TABLA_DIARIO = "diario"
SONDEOS_LINEALES = 100_000
_CODIGOS_CORRUPCION = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


class ErrorIntegridad(RuntimeError):
    """No se pudo comprobar o rescatar un fichero (permisos, disco lleno…)."""


@dataclass(frozen=True)
class Integridad:
    ok: bool
    detalle: str


@dataclass
class ResultadoRescate:
    """Lo que dejó un rescate de la cola."""

    copia: Path
    metodo: str
    filas_por_tabla: dict[str, int] = field(default_factory=dict)
    operaciones: int = 0
    problemas: list[str] = field(default_factory=list)
    danadas: int = 0
    """Operaciones leídas pero con datos que no cumplen las reglas de la cola (siguen en la
    copia apartada, para soporte)."""


def _es_corrupcion(error: sqlite3.Error) -> bool:
    codigo = getattr(error, "sqlite_errorcode", None)
    if codigo is not None and (codigo & 0xFF) in _CODIGOS_CORRUPCION:
        return True
    texto = str(error).lower()
    return "malformed" in texto or "not a database" in texto or "corrupt" in texto


def _sufijos(ruta: Path) -> tuple[Path, Path]:
    return ruta.with_name(ruta.name + "-wal"), ruta.with_name(ruta.name + "-shm")


def diagnosticar(ruta: str | os.PathLike[str], *, espera: float = 5.0) -> Integridad:
    """``PRAGMA quick_check`` en sólo lectura. Un fichero que no existe está sano (se creará);
    uno ocupado por otro proceso también (no se puede afirmar que esté corrupto)."""
    ruta = Path(ruta)
    if not ruta.exists():
        return Integridad(True, "no existe todavía")
    if ruta.stat().st_size == 0:
        return Integridad(True, "vacía")
    try:
        conexion = sqlite3.connect(f"{ruta.resolve().as_uri()}?mode=ro", uri=True, timeout=espera)
    except sqlite3.Error as error:
        if _es_corrupcion(error):
            return Integridad(False, str(error))
        raise ErrorIntegridad(f"No se pudo abrir {ruta}: {error}") from error
    # Los mensajes de quick_check (y los de error de SQLite) citan texto del fichero: un byte
    # que no es UTF-8 ahí es un síntoma más de corrupción, no un fallo del arranque.
    conexion.text_factory = bytes
    try:
        filas = conexion.execute("PRAGMA quick_check").fetchall()
    except UnicodeDecodeError as error:
        return Integridad(False, f"texto que no es UTF-8 ({error.reason})")
    except sqlite3.Error as error:
        if _es_corrupcion(error):
            return Integridad(False, str(error))
        if "locked" in str(error).lower() or "busy" in str(error).lower():
            return Integridad(True, "ocupada por otro proceso; no comprobada")
        raise ErrorIntegridad(f"No se pudo comprobar {ruta}: {error}") from error
    finally:
        conexion.close()
    mensajes = [
        fila[0].decode("utf-8", "replace") if isinstance(fila[0], bytes) else str(fila[0])
        for fila in filas
    ]
    if mensajes == ["ok"]:
        return Integridad(True, "ok")
    return Integridad(False, "; ".join(mensajes[:5]))


def comprobar_integridad(ruta: str | os.PathLike[str]) -> bool:
    """``True`` si ``ruta`` pasa ``PRAGMA quick_check`` (o aún no existe)."""
    return diagnosticar(ruta).ok


def _marca() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _nombre_apartado(ruta: Path, marca: str) -> Path:
    return ruta.with_name(f"{ruta.stem}.corrupta-{marca}{ruta.suffix}")


def _fsync(ruta: Path) -> None:
    with open(ruta, "rb+") as fichero:
        os.fsync(fichero.fileno())


def _fsync_directorio(directorio: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(directorio, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def apartar_cache_corrupta(ruta: str | os.PathLike[str]) -> Path:
    """Renombra la caché (y su ``-wal``/``-shm``) aparte con fecha y devuelve la nueva ruta.
    Poda las copias apartadas más antiguas (la caché es desechable)."""
    ruta = Path(ruta)
    destino = _nombre_apartado(ruta, _marca())
    os.replace(ruta, destino)
    for original, apartado in zip(_sufijos(ruta), _sufijos(destino), strict=True):
        if original.exists():
            os.replace(original, apartado)
    _fsync_directorio(ruta.parent)
    anteriores = sorted(ruta.parent.glob(f"{ruta.stem}.corrupta-*{ruta.suffix}"))
    for viejo in anteriores[:-CACHES_APARTADAS]:
        for parte in (viejo, *_sufijos(viejo)):
            with contextlib.suppress(FileNotFoundError):
                parte.unlink()
    log.warning("Caché corrupta apartada en %s; se reconstruirá desde la central.", destino.name)
    return destino


def _sqlite3_cli() -> str | None:
    return shutil.which("sqlite3")


def _recuperar_con_cli(origen: Path, destino: Path, cli: str) -> None:
    """``sqlite3 origen .recover`` y el SQL resultante ejecutado en ``destino``."""
    proceso = subprocess.run(
        [cli, str(origen), ".recover --ignore-freelist"],
        capture_output=True,
        timeout=600,
        check=False,
    )
    sql = proceso.stdout.decode("utf-8", "surrogateescape")
    errores = proceso.stderr.decode("utf-8", "replace").strip()
    # Algunas compilaciones (p. ej. Debian 3.40) imprimen medio guion y «sql error» con
    # código 0: sólo vale un guion completo que termina en COMMIT y sin errores.
    completo = sql.rstrip().endswith("COMMIT;")
    if proceso.returncode != 0 or "error" in errores.lower() or not completo:
        raise ErrorIntegridad(errores[:300] or f"código {proceso.returncode}")
    conexion = sqlite3.connect(destino, isolation_level=None)
    try:
        conexion.executescript(sql)
    finally:
        conexion.close()


def _tablas_legibles(conexion: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    return conexion.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, rowid"
    ).fetchall()


def _copiar_filas(
    origen: sqlite3.Connection,
    destino: sqlite3.Connection,
    tabla: str,
    problemas: list[str],
    danadas: dict[str, int],
) -> int:
    """Copia las filas legibles de ``tabla`` (nombre leído de ``sqlite_master`` del propio
    fichero y siempre entre comillas dobles escapadas). Recorre por rowid; si una página falla,
    prueba rowid a rowid hasta volver a leer y sigue (las hojas sanas siguen accesibles)."""
    nombre = '"' + tabla.replace('"', '""') + '"'
    columnas = [fila[1] for fila in origen.execute(f"PRAGMA table_info({nombre})")]
    marcas = ",".join("?" * len(columnas))
    insertar = f"INSERT OR IGNORE INTO {nombre} VALUES ({marcas})"  # noqa: S608
    copiadas = 0
    rechazadas = 0

    def copiar(fila: tuple) -> None:
        # Una fila leída con datos dañados que no cumple las restricciones de la tabla (un
        # estado o tipo desconocido, un uuid repetido) no entra: se cuenta y sigue en la copia.
        nonlocal copiadas, rechazadas
        if destino.execute(insertar, fila).rowcount:
            copiadas += 1
        else:
            rechazadas += 1

    try:
        maximo = origen.execute(f"SELECT max(rowid) FROM {nombre}").fetchone()[0]  # noqa: S608
    except sqlite3.Error:
        maximo = None
    if maximo is None:
        # Sin rowid (WITHOUT ROWID) o raíz ilegible: un recorrido simple hasta donde llegue.
        try:
            for fila in origen.execute(f"SELECT * FROM {nombre}"):  # noqa: S608
                copiar(fila)
        except sqlite3.Error as error:
            problemas.append(f"{tabla}: {error}")
        if rechazadas:
            problemas.append(f"{tabla}: {rechazadas} filas con datos dañados")
            danadas[tabla] = danadas.get(tabla, 0) + rechazadas
        return copiadas
    ultimo = None
    saltadas = 0
    while True:
        try:
            consulta = f"SELECT rowid, * FROM {nombre}" + (  # noqa: S608
                " WHERE rowid > ? ORDER BY rowid" if ultimo is not None else " ORDER BY rowid"
            )
            for fila in origen.execute(consulta, () if ultimo is None else (ultimo,)):
                copiar(fila[1:])
                ultimo = fila[0]
            break
        except sqlite3.Error:
            # Buscar la siguiente fila legible: rowid a rowid (cada uno es una búsqueda en el
            # B-árbol que sólo falla si cae en una hoja rota); tras SONDEOS_LINEALES fallos
            # seguidos, a saltos crecientes con «rowid >= ?» para no recorrer huecos enormes.
            siguiente = (ultimo + 1) if ultimo is not None else 1
            encontrada = False
            fallos = 0
            salto = 1
            while siguiente <= maximo:
                lineal = fallos < SONDEOS_LINEALES
                consulta_fila = f"SELECT rowid, * FROM {nombre} WHERE rowid " + (  # noqa: S608
                    "= ?" if lineal else ">= ? ORDER BY rowid LIMIT 1"
                )
                try:
                    fila = origen.execute(consulta_fila, (siguiente,)).fetchone()
                except sqlite3.Error:
                    fila = None
                    saltadas += 1
                    fallos += 1
                if fila is not None:
                    copiar(fila[1:])
                    ultimo = fila[0]
                    encontrada = True
                    break
                if lineal:
                    siguiente += 1
                else:
                    salto *= 2
                    siguiente += salto
            if not encontrada:
                break
    if saltadas:
        problemas.append(f"{tabla}: {saltadas} filas ilegibles")
    if rechazadas:
        problemas.append(f"{tabla}: {rechazadas} filas con datos dañados")
        danadas[tabla] = danadas.get(tabla, 0) + rechazadas
    return copiadas


def _recuperar_fila_a_fila(
    origen_ruta: Path, destino_ruta: Path, problemas: list[str], danadas: dict[str, int]
) -> None:
    """Rescate por SQL (tabla a tabla, fila a fila) y después por páginas: las operaciones de
    hojas que el B-árbol ya no alcanza (raíz o páginas interiores rotas, catálogo ilegible) se
    leen del fichero en bruto. Si el catálogo no se puede leer, la base nueva se crea con las
    migraciones de la cola."""
    origen = sqlite3.connect(f"{origen_ruta.resolve().as_uri()}?mode=ro", uri=True)
    # Tolera un número de páginas en la cabecera mayor que el fichero (cola cortada).
    origen.execute("PRAGMA writable_schema = ON")
    # Un texto que no es UTF-8 no hace ilegible su fila: se copia en bruto (BLOB) y la cola lo
    # trata como fila dañada al leerla, en vez de perder la operación entera aquí.
    origen.text_factory = _texto_o_bytes
    destino = sqlite3.connect(destino_ruta, isolation_level=None)
    try:
        try:
            objetos = _tablas_legibles(origen)
        except (sqlite3.Error, UnicodeDecodeError) as error:
            problemas.append(f"catálogo ilegible: {error}; se usa el esquema de la cola")
            objetos = None
        if objetos is not None:
            # Una definición con bytes dañados (no UTF-8) no se puede ejecutar: se deja fuera;
            # la cola repone sus índices y disparadores al abrirse.
            legibles = [o for o in objetos if all(isinstance(v, str) for v in o)]
            if len(legibles) < len(objetos):
                problemas.append(
                    f"{len(objetos) - len(legibles)} definiciones ilegibles en el catálogo"
                )
            objetos = legibles
        if objetos is None or not any(o[1] == TABLA_OPERACIONES for o in objetos):
            _crear_desde_migraciones(destino)
            objetos = []
        try:
            version = int(origen.execute("PRAGMA user_version").fetchone()[0])
        except (sqlite3.Error, UnicodeDecodeError):
            version = 0
        destino.execute("BEGIN")
        for tipo, nombre, _tabla, sql in objetos:
            if tipo != "table":
                continue
            try:
                destino.execute(sql)
            except sqlite3.Error as error:
                problemas.append(f"{nombre}: {error}")
                continue
            _copiar_filas(origen, destino, nombre, problemas, danadas)
        for tipo, nombre, _tabla, sql in objetos:
            if tipo == "table":
                continue
            try:
                destino.execute(sql)
            except sqlite3.Error as error:
                problemas.append(f"{tipo} {nombre}: {error}")
        de_paginas = _operaciones_de_paginas(origen_ruta, destino, problemas)
        if de_paginas:
            problemas.append(f"{de_paginas} operaciones leídas página a página")
        del_diario = _diario_de_paginas(origen_ruta, destino, problemas)
        if del_diario:
            problemas.append(f"{del_diario} registros del diario leídos página a página")
        if version:
            destino.execute(f"PRAGMA user_version = {version}")
        destino.execute("COMMIT")
    finally:
        origen.close()
        destino.close()


def _texto_o_bytes(crudo: bytes) -> str | bytes:
    try:
        return crudo.decode("utf-8")
    except UnicodeDecodeError:
        return crudo


def _crear_desde_migraciones(destino: sqlite3.Connection) -> None:
    from agente.almacen.migraciones import MIGRACIONES_COLA
    from agente.almacen.sqlite import migrar

    migrar(destino, MIGRACIONES_COLA)


def _operaciones_de_paginas(
    origen_ruta: Path, destino: sqlite3.Connection, problemas: list[str]
) -> int:
    """Añade a ``operaciones`` las filas de las hojas del fichero en bruto que aún no tiene
    (por rowid y por uuid: ``INSERT OR IGNORE``). Sólo se aceptan registros con la forma de una
    operación (número de columnas, uuid válido, restricciones NOT NULL/CHECK de la tabla)."""
    columnas = [
        (fila[1], fila[5]) for fila in destino.execute(f"PRAGMA table_info({TABLA_OPERACIONES})")
    ]
    if not columnas:
        return 0
    nombres = [c[0] for c in columnas]
    clave = next((i for i, (_n, pk) in enumerate(columnas) if pk), None)
    indice_uuid = nombres.index("uuid") if "uuid" in nombres else None
    anadidas = 0
    try:
        for rowid, valores in paginas_sqlite.filas_de_hojas(origen_ruta):
            if rowid < 1 or len(valores) > len(nombres) or len(valores) < len(nombres) // 2:
                continue
            if indice_uuid is not None and not _parece_uuid(
                valores[indice_uuid] if indice_uuid < len(valores) else None
            ):
                continue
            valores = list(valores)
            if clave is not None and clave < len(valores):
                if valores[clave] is not None:
                    continue
                valores[clave] = rowid
            cols = ", ".join(f'"{n}"' for n in nombres[: len(valores)])
            marcas = ", ".join("?" * len(valores))
            cursor = destino.execute(
                f"INSERT OR IGNORE INTO {TABLA_OPERACIONES} ({cols}) VALUES ({marcas})",  # noqa: S608
                valores,
            )
            anadidas += cursor.rowcount
    except OSError as error:
        problemas.append(f"lectura página a página: {error}")
    return anadidas


def _diario_de_paginas(origen_ruta: Path, destino: sqlite3.Connection, problemas: list[str]) -> int:
    """Añade a ``diario`` los registros de las hojas del fichero en bruto que aún no tiene
    (por ``pos`` = rowid). Sólo se aceptan celdas con la forma de un registro: 10 columnas,
    huellas de 64 cifras hexadecimales y un contenido cuya huella es la suya (un registro del
    diario se puede comprobar solo)."""
    from protocolo.diario import huella_de

    columnas = [f[1] for f in destino.execute(f"PRAGMA table_info({TABLA_DIARIO})")]
    if len(columnas) != 10:
        return 0
    anadidas = 0
    try:
        for rowid, valores in paginas_sqlite.filas_de_hojas(origen_ruta):
            if rowid < 1 or len(valores) != 10 or valores[0] is not None:
                continue
            contenido = valores[8]
            if isinstance(contenido, str):
                contenido = contenido.encode()
            if not isinstance(contenido, bytes | bytearray) or huella_de(contenido) != valores[7]:
                continue
            cursor = destino.execute(
                f"INSERT OR IGNORE INTO {TABLA_DIARIO} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                [rowid, *valores[1:8], bytes(contenido), valores[9]],
            )
            anadidas += cursor.rowcount
    except (OSError, sqlite3.Error) as error:
        problemas.append(f"diario página a página: {error}")
    return anadidas


def _parece_uuid(valor: object) -> bool:
    if not isinstance(valor, str) or len(valor) != 36:
        return False
    try:
        return str(uuidlib.UUID(valor)) == valor.lower()
    except ValueError:
        return False


def _contar_filas(ruta: Path) -> dict[str, int]:
    conexion = sqlite3.connect(ruta)
    try:
        tablas = [
            fila[0]
            for fila in conexion.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            tabla: conexion.execute(
                'SELECT count(*) FROM "' + tabla.replace('"', '""') + '"'  # noqa: S608
            ).fetchone()[0]
            for tabla in tablas
        }
    finally:
        conexion.close()


def rescatar_cola(
    ruta: str | os.PathLike[str], *, tabla_operaciones: str = TABLA_OPERACIONES
) -> ResultadoRescate:
    """Copia la cola corrupta aparte (nunca se borra), rescata lo legible a una base nueva y la
    pone en su lugar. Devuelve dónde quedó la copia y cuántas filas/operaciones se salvaron."""
    ruta = Path(ruta)
    with _en_exclusiva(ruta):
        copia, nueva, metodo, problemas, danadas = _copiar_y_rescatar(ruta)
    # Cerrada la conexión exclusiva (que, como cualquier último cierre, vuelca el -wal en el
    # original ya copiado). El -wal que quede ya está copiado junto a la copia apartada: se
    # mueve allí para que nunca se aplique sobre la base rescatada. El -shm es sólo un índice.
    wal, shm = _sufijos(ruta)
    copia_wal, _ = _sufijos(copia)
    if wal.exists():
        os.replace(wal, copia_wal)
    with contextlib.suppress(FileNotFoundError):
        shm.unlink()
    os.replace(nueva, ruta)
    _fsync_directorio(ruta.parent)
    filas = _contar_filas(ruta)
    resultado = ResultadoRescate(
        copia=copia,
        metodo=metodo,
        filas_por_tabla=filas,
        operaciones=filas.get(tabla_operaciones, 0),
        problemas=problemas,
        danadas=danadas,
    )
    log.error(
        "Cola rescatada (%s): %d operaciones salvadas; copia original en %s.",
        metodo,
        resultado.operaciones,
        copia.name,
    )
    return resultado


class ColaEnUso(ErrorIntegridad):
    """Otro proceso tiene la cola abierta: no se rescata ahora (se perderían sus escrituras)."""


@contextlib.contextmanager
def _en_exclusiva(ruta: Path, espera: float = 2.0):
    """Acceso exclusivo a la base mientras se copia y se rescata: ``locking_mode=EXCLUSIVE`` +
    ``BEGIN EXCLUSIVE`` falla si cualquier otra conexión (de cualquier proceso) la tiene
    abierta, aunque esté ociosa. Si la cabecera está tan dañada que SQLite no puede ni
    bloquearla, nadie más puede estar usándola y se sigue."""
    conexion = sqlite3.connect(ruta, isolation_level=None, timeout=espera)
    try:
        try:
            conexion.execute("PRAGMA locking_mode=EXCLUSIVE")
            conexion.execute("BEGIN EXCLUSIVE")
        except sqlite3.Error as error:
            if not _es_corrupcion(error):
                raise ColaEnUso(
                    f"{ruta.name} está abierta por otro proceso ({error}); cierre las demás "
                    "instancias de Sincro y de la caja y vuelva a abrir."
                ) from error
        yield
    finally:
        with contextlib.suppress(sqlite3.Error):
            conexion.execute("ROLLBACK")
        with contextlib.suppress(sqlite3.Error):
            conexion.close()


def _copiar_y_rescatar(ruta: Path) -> tuple[Path, Path, str, list[str], int]:
    wal, _ = _sufijos(ruta)
    marca = _marca()
    copia = _nombre_apartado(ruta, marca)
    copia_wal, _ = _sufijos(copia)
    shutil.copy2(ruta, copia)
    _fsync(copia)
    if wal.exists():
        shutil.copy2(wal, copia_wal)
        _fsync(copia_wal)
    _fsync_directorio(ruta.parent)
    log.error("Cola corrupta: copia intacta en %s; rescatando lo legible.", copia.name)

    problemas: list[str] = []
    nueva = ruta.with_name(f"{ruta.name}.rescate-{marca}.tmp")
    with tempfile.TemporaryDirectory(prefix="sincro-rescate-") as trabajo:
        # Se trabaja sobre copias: la apartada queda tal cual para soporte.
        origen = Path(trabajo) / "origen.sqlite"
        shutil.copy2(copia, origen)
        if copia_wal.exists():
            shutil.copy2(copia_wal, Path(trabajo) / "origen.sqlite-wal")
        reparado = paginas_sqlite.reparar_cabecera(origen, con_wal=copia_wal.exists())
        if reparado:
            problemas.append("cabecera reparada: " + ", ".join(reparado))
        candidatos: list[tuple[tuple[int, int], str, Path]] = []
        cli = _sqlite3_cli()
        if cli:
            por_cli = Path(trabajo) / "recover.sqlite"
            try:
                _recuperar_con_cli(origen, por_cli, cli)
                candidatos.append((_salvado(por_cli), "sqlite3 .recover", por_cli))
            except (ErrorIntegridad, sqlite3.Error, OSError, subprocess.SubprocessError) as error:
                problemas.append(f".recover falló ({error}); se intenta fila a fila")
        por_filas = Path(trabajo) / "filas.sqlite"
        danadas: dict[str, int] = {}
        _recuperar_fila_a_fila(origen, por_filas, problemas, danadas)
        candidatos.append((_salvado(por_filas), "fila a fila", por_filas))
        # El que más operaciones y registros del diario salvó (a igualdad, .recover, que
        # también salva el resto).
        _, metodo, elegido = max(candidatos, key=lambda c: c[0])
        shutil.copy2(elegido, nueva)
    _fsync(nueva)
    return copia, nueva, metodo, problemas, danadas.get(TABLA_OPERACIONES, 0)


def _salvado(ruta: Path) -> tuple[int, int]:
    """(operaciones, registros del diario) de una base rescatada."""
    if not ruta.exists():
        return 0, 0
    filas = _contar_filas(ruta)
    return filas.get(TABLA_OPERACIONES, 0), filas.get(TABLA_DIARIO, 0)


def _contar_operaciones(ruta: Path) -> int:
    if not ruta.exists():
        return 0
    return _contar_filas(ruta).get(TABLA_OPERACIONES, 0)


def _leer_marca(marca: Path) -> str:
    try:
        return marca.read_text(encoding="utf-8", errors="replace").strip() or "marcada dañada"
    except OSError:
        return "marcada dañada"


def _apartar_y_avisar(datos: Path, cache: Path, detalle: str) -> str:
    """Aparta la caché dañada, quita su marca y anota el aviso; devuelve el mensaje."""
    try:
        apartada = apartar_cache_corrupta(cache) if cache.exists() else None
    except OSError as error:  # Windows: otro proceso la tiene abierta
        raise ErrorIntegridad(
            f"La caché está dañada ({detalle}) y no se pudo apartar ({error}): "
            "cierre las demás instancias de Sincro y vuelva a abrir."
        ) from error
    with contextlib.suppress(FileNotFoundError):
        ruta_marca_danada(cache).unlink()
    donde = f"se apartó en {apartada.name} y " if apartada else ""
    mensaje = (
        f"La caché estaba dañada ({detalle}); {donde}el catálogo se reconstruye desde la "
        "central en la próxima sincronización. Se puede seguir vendiendo."
    )
    anotar_aviso(datos, "cache", mensaje, copia=apartada.name if apartada else None)
    return mensaje


def abrir_cache(datos: str | os.PathLike[str]) -> Cache:
    """Abre la ``Cache`` de ``datos``; si al abrirla aparece corrupción que la comprobación
    de arranque no vio (texto o esquema ilegible), la aparta, avisa y abre una nueva (con la
    copia del esquema: la caja sigue vendiendo)."""
    datos = Path(datos)
    ruta = rutas.ruta_cache(datos)
    try:
        return Cache(ruta)
    except (sqlite3.DatabaseError, UnicodeError, ValueError, ErrorEsquema) as error:
        if (
            isinstance(error, sqlite3.OperationalError)
            and not _es_corrupcion(error)
            and "decode" not in str(error).lower()
        ):
            raise  # bloqueada, sin permiso, disco lleno: no es daño de la caché
        _apartar_y_avisar(datos, ruta, f"{type(error).__name__}: {str(error)[:200]}")
    return Cache(ruta)


# --- avisos para la persona -------------------------------------------------------------------


def _ruta_avisos(datos: Path) -> Path:
    return Path(datos) / FICHERO_AVISOS


def _leer_avisos(datos: Path) -> list[dict]:
    try:
        contenido = json.loads(_ruta_avisos(datos).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return []
    return contenido if isinstance(contenido, list) else []


def _escribir_avisos(datos: Path, avisos: list[dict]) -> None:
    ruta = _ruta_avisos(datos)
    temporal = ruta.with_name(ruta.name + ".tmp")
    temporal.write_text(json.dumps(avisos, ensure_ascii=False, indent=1), encoding="utf-8")
    _fsync(temporal)
    os.replace(temporal, ruta)


def anotar_aviso(datos: str | os.PathLike[str], fichero: str, mensaje: str, **extra) -> None:
    """Guarda un aviso que se mostrará hasta que la persona lo confirme."""
    avisos = _leer_avisos(Path(datos))
    avisos.append(
        {
            "fecha": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "fichero": fichero,
            "mensaje": mensaje,
            "confirmado": False,
            **extra,
        }
    )
    _escribir_avisos(Path(datos), avisos[-50:])


def avisos_pendientes(datos: str | os.PathLike[str]) -> list[str]:
    """Mensajes de recuperación aún no confirmados (para ``estado()["avisos"]`` y la UI)."""
    return [a["mensaje"] for a in _leer_avisos(Path(datos)) if not a.get("confirmado")]


def confirmar_avisos(datos: str | os.PathLike[str]) -> int:
    """Marca como vistos todos los avisos; devuelve cuántos había pendientes."""
    avisos = _leer_avisos(Path(datos))
    pendientes = [a for a in avisos if not a.get("confirmado")]
    for aviso in pendientes:
        aviso["confirmado"] = True
    if pendientes:
        _escribir_avisos(Path(datos), avisos)
    return len(pendientes)


def preparar_ficheros(datos: str | os.PathLike[str]) -> list[str]:
    """Gancho de arranque (lo llama ``Agente.abrir`` antes de abrir ``Cola`` y ``Cache``):
    comprueba ambos ficheros, aparta la caché corrupta y rescata la cola corrupta. Devuelve los
    avisos nuevos (además quedan anotados en ``recuperaciones.json``)."""
    datos = Path(datos)
    nuevos: list[str] = []
    cache = rutas.ruta_cache(datos)
    marca = ruta_marca_danada(cache)
    estado = diagnosticar(cache)
    if estado.ok and marca.exists():
        estado = Integridad(False, _leer_marca(marca))
    if not estado.ok:
        nuevos.append(_apartar_y_avisar(datos, cache, estado.detalle))
    cola = rutas.ruta_cola(datos)
    estado = diagnosticar(cola)
    if not estado.ok:
        try:
            resultado = rescatar_cola(cola)
        except ErrorIntegridad as error:  # en uso por otro proceso, o rescate peor que el original
            mensaje = f"La cola de operaciones está dañada ({estado.detalle}). {error}"
            log.error("%s", mensaje)
            nuevos.append(mensaje)
            return nuevos
        danadas = (
            f" {resultado.danadas} operaciones más se leyeron con datos dañados y no se pudieron"
            " rescatar."
            if resultado.danadas
            else ""
        )
        diario = resultado.filas_por_tabla.get(TABLA_DIARIO, 0)
        mensaje = (
            f"La cola de operaciones estaba dañada ({estado.detalle}). Se rescataron "
            f"{resultado.operaciones} operaciones y {diario} registros del diario de ventas"
            f" ({resultado.metodo}).{danadas} El fichero "
            f"original está intacto en {resultado.copia.name}. Avise a soporte con "
            "«sincro diagnostico»."
        )
        anotar_aviso(
            datos,
            "cola",
            mensaje,
            copia=resultado.copia.name,
            operaciones=resultado.operaciones,
            danadas=resultado.danadas,
            problemas=resultado.problemas[:20],
        )
        nuevos.append(mensaje)
    return nuevos
