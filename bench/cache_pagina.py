"""Bench: aplicar páginas de productos (JSON ya recibido) a la caché.

Cifras (mejor de 5 rondas alternando las variantes, ficheros nuevos en cada una):
- ``json.loads`` + ``Cache.aplicar_pagina`` de 100 000 filas en la tabla viva (índice en
  ``codigo`` y FTS5 en ``nombre``, mantenida por lotes en la misma transacción): vacía y
  sobrescribiendo;
- reconstrucción completa: ``iniciar_reconstruccion`` + la página a la sombra +
  ``terminar_reconstruccion`` (crea índice y FTS e intercambia);
- memoria al aplicar 1 000 000 de filas página a página (páginas de 10 000, reconstrucción),
  en un proceso aparte: pico de ``tracemalloc`` (memoria de Python) y crecimiento del RSS
  (muestreado tras cada página y tras el intercambio; incluye la de SQLite).

Línea base, misma ejecución: ``json.loads`` de la misma página + ``executemany`` crudo de
INSERT en la misma tabla del motor (mismo DDL, con su índice; la línea base no rellena la FTS,
el motor sí), el mismo estado final crudo (esa línea base + ``INSERT ... SELECT`` en la FTS)
y, como referencia, una tabla desnuda sin índice.

Uso: ``.venv/bin/python bench/cache_pagina.py [--filas 100000] [--dir DIR]``
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from agente.almacen.cache import Cache  # noqa: E402
from agente.almacen.sqlite import abrir_cache  # noqa: E402

PRODUCTO = "productos.Producto"
ESQUEMA = json.loads((RAIZ / "tests" / "datos" / "esquema_demo.json").read_text())
PALABRAS = [
    "Agua",
    "Leche",
    "Café",
    "Galletas",
    "Arroz",
    "Aceite",
    "Zumo",
    "Pan",
    "Queso",
    "Yogur",
    "Tomate",
    "Atún",
    "Cerveza",
    "Vino",
    "Chocolate",
    "Pasta",
]
MARCAS = ["Hacendado", "Pascual", "Nestlé", "Gallo", "Coosur", "Don Simón", "Bimbo", "Calvo"]


def pagina(desde: int, filas: int, version: int = 0) -> str:
    cambios = []
    for i in range(desde, desde + filas):
        cambios.append(
            {
                "modelo": PRODUCTO,
                "id": str(i),
                "version": version + i,
                "modificado_en": "2026-11-28T03:20:53.123456+00:00",
                "datos": {
                    "id": i,
                    "nombre": f"{PALABRAS[i % 16]} {MARCAS[i % 8]} {i % 997} g",
                    "codigo": f"84{i:011d}",
                    "precio": f"{i % 50}.{i % 100:02d}",
                    "stock": i % 200,
                    "categoria": None,
                },
            }
        )
    return json.dumps(
        {
            "cambios": cambios,
            "cursor": str(version + desde + filas),
            "hay_mas": False,
            "completo": True,
        }
    )


def nueva_cache(directorio: Path) -> Cache:
    cache = Cache(directorio / "cache.sqlite")
    cache.guardar_esquema(ESQUEMA)
    return cache


def filas_crudas(cambios: list[dict], version: int | None = None) -> list[tuple]:
    """Tuplas de la tabla de productos para el ``executemany`` crudo de las líneas base."""
    return [
        (
            d["id"],
            d["nombre"],
            d["codigo"],
            d["precio"],
            d["stock"],
            d["categoria"],
            c["version"] if version is None else version,
        )
        for c in cambios
        for d in (c["datos"],)
    ]


def nueva_version(texto: str, renombrar: bool) -> str:
    """La misma página con versiones más altas (y, si ``renombrar``, otro nombre en cada fila:
    el peor caso para la FTS, que tiene que quitar y volver a indexar todas)."""
    texto = texto.replace('"version": ', '"version": 1000000')
    return texto.replace('"nombre": "', '"nombre": "Nuevo ') if renombrar else texto


def medir_motor(
    tmp: Path, texto: str, modo: str, previas: int = 0, renombrar: bool = False
) -> float:
    """``modo``: «vacia», «reconstruir» o «sobrescribir» (la tabla ya tiene las ``previas``
    primeras filas, aplicadas sin contar en el tiempo, y llega su versión nueva)."""
    with tempfile.TemporaryDirectory(dir=tmp) as d:
        cache = nueva_cache(Path(d))
        if modo == "sobrescribir":
            datos = json.loads(pagina(0, previas))
            cache.aplicar_pagina(PRODUCTO, datos["cambios"], "0")
            del datos  # como la línea base: la página previa no se libera dentro del tiempo
            texto = nueva_version(texto, renombrar)
        gc.collect()
        t = time.perf_counter()
        datos = json.loads(texto)
        if modo == "reconstruir":
            cache.iniciar_reconstruccion(PRODUCTO)
            cache.aplicar_pagina(PRODUCTO, datos["cambios"], datos["cursor"])
            cache.terminar_reconstruccion(PRODUCTO, datos["cursor"])
        else:
            cache.aplicar_pagina(PRODUCTO, datos["cambios"], datos["cursor"])
        transcurrido = time.perf_counter() - t
        cache.cerrar()
    return transcurrido


def medir_base(
    tmp: Path,
    texto: str,
    desnuda: bool,
    con_fts: bool = False,
    previas: int = 0,
    renombrar: bool = False,
) -> float:
    """Con ``previas``, la tabla ya tiene esas filas (sin contar en el tiempo) y el
    ``executemany`` crudo es un upsert de la versión nueva de la página (``renombrar``: con
    otro nombre): la línea base justa de los casos «sobrescribiendo»."""
    with tempfile.TemporaryDirectory(dir=tmp) as d:
        if desnuda:
            conexion = abrir_cache(Path(d) / "base.sqlite")
            conexion.execute(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, nombre TEXT, codigo TEXT, precio TEXT,"
                " stock INTEGER, categoria TEXT, _version INTEGER NOT NULL)"
            )
            tabla = "t"
        else:
            nueva_cache(Path(d)).cerrar()  # el mismo DDL que usa el motor
            conexion = abrir_cache(Path(d) / "cache.sqlite")
            tabla = "m_productos__producto"
        if previas:
            cambios_previos = json.loads(pagina(0, previas))["cambios"]
            conexion.execute("BEGIN")
            conexion.executemany(
                f"INSERT INTO {tabla} VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                filas_crudas(cambios_previos, version=0),
            )
            conexion.execute("COMMIT")
            del cambios_previos
            texto = nueva_version(texto, renombrar)
        gc.collect()
        t = time.perf_counter()
        datos = json.loads(texto)
        filas = filas_crudas(datos["cambios"])
        conexion.execute("BEGIN")
        insertar = f"INSERT INTO {tabla} VALUES (?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
        if previas:
            insertar += (
                " ON CONFLICT(id) DO UPDATE SET nombre = excluded.nombre, codigo = excluded.codigo,"
                " precio = excluded.precio, stock = excluded.stock,"
                " categoria = excluded.categoria, _version = excluded._version"
            )
        conexion.executemany(insertar, filas)
        if con_fts:
            conexion.execute(
                "INSERT INTO m_productos__producto__fts (rowid, nombre) "
                "SELECT rowid, nombre FROM m_productos__producto"
            )
        conexion.execute("COMMIT")
        transcurrido = time.perf_counter() - t
        conexion.close()
    return transcurrido


def _status_mb(campo: str) -> float | None:
    try:
        for linea in Path("/proc/self/status").read_text().splitlines():
            if linea.startswith(campo + ":"):
                return int(linea.split()[1]) / 1024
    except OSError:
        pass
    return None


def rss_mb() -> float:
    """RSS actual (Linux: /proc/self/status); si no, el máximo de getrusage."""
    actual = _status_mb("VmRSS")
    if actual is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return actual


def pico_rss_mb() -> float:
    """Pico de RSS de ESTE programa (``VmHWM``). No ``ru_maxrss``: Linux lo conserva a través de
    ``exec``, así que en un proceso hijo recién lanzado ya vale el RSS que tenía el padre al
    hacer ``fork`` (aquí, cientos de MB de la página de 100 000 filas), y el «crecimiento»
    medido era el del padre, igual para el motor y la línea base."""
    pico = _status_mb("VmHWM")
    return pico if pico is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memoria(modo: str, filas: int, por_pagina: int, trazar: bool) -> None:
    """En un proceso nuevo: aplica ``filas`` en páginas y escribe el pico de memoria (JSON)."""
    with tempfile.TemporaryDirectory() as d:
        if modo == "motor":
            cache = nueva_cache(Path(d))
            cache.iniciar_reconstruccion(PRODUCTO)
        else:
            conexion = abrir_cache(Path(d) / "base.sqlite")
            conexion.execute(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, nombre TEXT, codigo TEXT, precio TEXT,"
                " stock INTEGER, categoria TEXT, _version INTEGER NOT NULL)"
            )
        rss_antes = rss_mb()
        rss_max = rss_antes
        if trazar:
            tracemalloc.start()
        base_traza = tracemalloc.get_traced_memory()[0]
        for desde in range(0, filas, por_pagina):
            datos = json.loads(pagina(desde, por_pagina))
            if modo == "motor":
                cache.aplicar_pagina(PRODUCTO, datos["cambios"], datos["cursor"])
            else:
                conexion.execute("BEGIN")
                conexion.executemany(
                    "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", filas_crudas(datos["cambios"])
                )
                conexion.execute("COMMIT")
            del datos
            rss_max = max(rss_max, rss_mb())
        if modo == "motor":
            cache.terminar_reconstruccion(PRODUCTO, str(filas))
            rss_max = max(rss_max, rss_mb())
        pico_traza = tracemalloc.get_traced_memory()[1] - base_traza
        if trazar:
            tracemalloc.stop()
        rss_despues = max(rss_max, pico_rss_mb())
        print(json.dumps({"tracemalloc_mb": pico_traza / 2**20, "rss_mb": rss_despues - rss_antes}))


def memoria_en_proceso(modo: str, filas: int, por_pagina: int) -> dict:
    """Dos procesos: uno con tracemalloc (su pico) y otro sin él (el RSS: tracemalloc guarda
    una traza por bloque y, activo, hace crecer el RSS cientos de MB por su cuenta)."""
    con = _memoria_en_proceso(modo, filas, por_pagina, trazar=True)
    sin = _memoria_en_proceso(modo, filas, por_pagina, trazar=False)
    return {"tracemalloc_mb": con["tracemalloc_mb"], "rss_mb": sin["rss_mb"]}


def _memoria_en_proceso(modo: str, filas: int, por_pagina: int, trazar: bool) -> dict:
    orden = [sys.executable, __file__, "--memoria", modo, "--filas", str(filas)]
    orden += ["--por-pagina", str(por_pagina), *(["--trazar"] if trazar else [])]
    salida = subprocess.run(orden, capture_output=True, text=True, check=True)
    return json.loads(salida.stdout.strip().splitlines()[-1])


def main() -> None:
    analizador = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analizador.add_argument("--filas", type=int, default=100_000)
    analizador.add_argument("--filas-memoria", type=int, default=1_000_000)
    analizador.add_argument("--por-pagina", type=int, default=10_000)
    analizador.add_argument("--dir", type=Path, default=None)
    analizador.add_argument("--memoria", choices=("motor", "base"), help=argparse.SUPPRESS)
    analizador.add_argument("--trazar", action="store_true", help=argparse.SUPPRESS)
    analizador.add_argument("--solo-memoria", action="store_true")
    analizador.add_argument("--sin-memoria", action="store_true")
    analizador.add_argument("--rondas", type=int, default=5)
    args = analizador.parse_args()
    if args.memoria:
        memoria(args.memoria, args.filas, args.por_pagina, args.trazar)
        return
    if args.solo_memoria:
        imprimir_memoria(args)
        return
    texto = pagina(0, args.filas)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        tmp = Path(tmp)
        # Variantes alternadas en cada ronda (el mismo ruido para todas); mejor de N.
        variantes = {
            "base": lambda: medir_base(tmp, texto, desnuda=False),
            "desnuda": lambda: medir_base(tmp, texto, desnuda=True),
            "base_fts": lambda: medir_base(tmp, texto, desnuda=False, con_fts=True),
            "aplicar_pagina, tabla viva vacía": lambda: medir_motor(tmp, texto, "vacia"),
            "reconstrucción (sombra + índice + FTS + intercambio)": lambda: medir_motor(
                tmp, texto, "reconstruir"
            ),
        }
        # Sobrescribir: página grande frente a la tabla (la FTS se reindexa entera) y página de
        # 100 000 en una tabla de 2,5 veces (la FTS se sigue con disparadores); con los mismos
        # nombres (sólo cambian versión, precio...) y con todos los nombres cambiados.
        casos = [
            (
                f"sobrescribiendo {args.filas} de {previas}{', otro nombre' if renombrar else ''}",
                previas,
                renombrar,
            )
            for previas in (args.filas, int(args.filas * 2.5))
            for renombrar in (False, True)
        ]
        for caso, previas, renombrar in casos:
            variantes[f"base {caso}"] = lambda p=previas, r=renombrar: medir_base(
                tmp, texto, desnuda=False, previas=p, renombrar=r
            )
            variantes[f"aplicar_pagina, {caso}"] = lambda p=previas, r=renombrar: medir_motor(
                tmp, texto, "sobrescribir", previas=p, renombrar=r
            )
        tiempos: dict[str, list[float]] = {nombre: [] for nombre in variantes}
        for _ in range(args.rondas):
            for nombre, funcion in variantes.items():
                tiempos[nombre].append(funcion())
        cifras = {nombre: min(t) for nombre, t in tiempos.items()}
    base, desnuda, base_fts = cifras.pop("base"), cifras.pop("desnuda"), cifras.pop("base_fts")
    mb = len(texto) / 2**20
    print(f"página de {args.filas} productos ({mb:.1f} MB de JSON), mejor de {args.rondas}")
    print(f"  línea base json.loads + executemany, misma tabla (con índice): {base * 1000:8.1f} ms")
    print(
        f"  referencia json.loads + executemany, tabla desnuda:            {desnuda * 1000:8.1f} ms"
    )
    print(f"  mismo estado final crudo (+ INSERT ... SELECT en la FTS): {base_fts * 1000:8.1f} ms")
    for nombre in (
        "aplicar_pagina, tabla viva vacía",
        "reconstrucción (sombra + índice + FTS + intercambio)",
    ):
        segundos = cifras[nombre]
        print(
            f"  {nombre:58}{segundos * 1000:8.1f} ms  = {segundos / base:.2f}x la base, "
            f"{segundos / base_fts:.2f}x el estado final crudo"
        )
    print(
        "  sobrescribir filas ya cacheadas; línea base: upsert crudo de la misma página sobre "
        "la misma tabla"
    )
    for caso, _, _ in casos:
        motor, linea_base = cifras[f"aplicar_pagina, {caso}"], cifras[f"base {caso}"]
        print(
            f"  {caso:46} motor {motor * 1000:7.1f} ms, base {linea_base * 1000:7.1f} ms "
            f"= {motor / linea_base:.2f}x"
        )
    print("  objetivo: aplicar_pagina <= 1.5x la línea base")
    if not args.sin_memoria:
        imprimir_memoria(args)


def imprimir_memoria(args: argparse.Namespace) -> None:
    motor = memoria_en_proceso("motor", args.filas_memoria, args.por_pagina)
    cruda = memoria_en_proceso("base", args.filas_memoria, args.por_pagina)
    print(
        f"memoria, {args.filas_memoria} filas en páginas de {args.por_pagina} "
        "(objetivo: crecimiento <= 50 MB)"
    )
    for nombre, m in (("motor (reconstrucción completa)", motor), ("línea base cruda", cruda)):
        print(
            f"  {nombre:34} pico tracemalloc {m['tracemalloc_mb']:6.1f} MB, "
            f"crecimiento de RSS {m['rss_mb']:6.1f} MB"
        )


if __name__ == "__main__":
    main()
