"""Bench de la descarga de Sincro, de extremo a extremo contra la central real.

Mide, con ``sincro-central iniciar --demo N`` en bucle local (gunicorn, SQLite):

1. Primera sincronización de N productos (por defecto 100 000): ``Agente.sincronizar_una_vez``
   en un directorio de datos vacío (esquema, páginas HTTP, validación, caché en sombra, índices,
   FTS e intercambio atómico). Cifra: filas/s de todos los modelos descargados.
   Línea base en la misma ejecución: el refresco completo registro a registro (una escritura y
   un commit duradero por instancia), es decir, los mismos datos ya descargados escritos con una
   escritura y un commit duradero por registro. Se mide sobre las
   primeras ``--muestra-base`` filas y se compara la velocidad (filas/s).
2. Descarga incremental de 100 cambios con el catálogo en ``--pequeno`` y ``--grande`` filas
   (10 000 y 1 000 000 por defecto): mediana de ``--repeticiones`` descargas, cada una tras 100
   ajustes hechos en la central por otra terminal.
3. Memoria: subida del pico de RSS (``VmHWM`` menos el ``VmRSS`` previo; no ``ru_maxrss``,
   que Linux arrastra del padre a través de ``exec``) de un proceso hijo que hace la primera
   sincronización del catálogo grande.

Uso: ``.venv/bin/python bench/sincro_descarga.py [--filas 100000] [--grande 1000000]``
(``--grande 0`` omite las partes con el catálogo grande).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="bench-llavero-"))

import tests.plugins.central as plugin_central  # noqa: E402
from agente.fachada import Agente  # noqa: E402
from agente.sincronizacion.cliente import Cliente  # noqa: E402
from tests.plugins.central import CentralEnMarcha  # noqa: E402

plugin_central.ARRANQUE_MAX_S = 1800.0  # sembrar 1 000 000 de productos tarda minutos

PRODUCTO = "productos.Producto"
EXISTENCIA = "productos.Existencia"


def arrancar(n: int) -> CentralEnMarcha:
    t = time.perf_counter()
    central = CentralEnMarcha(Path(tempfile.mkdtemp(prefix="bench-sincro-")), demo=n).arrancar()
    print(f"  (central con {n:,} productos lista en {time.perf_counter() - t:.0f} s)", flush=True)
    return central


def terminal(central: CentralEnMarcha, **opciones) -> Agente:
    agente = Agente.abrir(Path(tempfile.mkdtemp(prefix="bench-terminal-")))
    agente.configurar(central.url, central.tienda, central.terminal, central.token, **opciones)
    return agente


def primera_sincronizacion(central: CentralEnMarcha) -> tuple[float, int]:
    agente = terminal(central)
    try:
        t, cpu = time.perf_counter(), time.process_time()
        resumen = agente.sincronizar_una_vez()
        segundos = time.perf_counter() - t
        cpu = time.process_time() - cpu
        assert resumen.descarga.lista_para_vender_offline
        print(
            f"  (CPU de la terminal: {cpu:.2f} s = {resumen.descarga.filas / cpu:,.0f} filas "
            f"por segundo de CPU; carga media {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        return segundos, resumen.descarga.filas
    finally:
        agente.cerrar()


def base_registro_a_registro(central: CentralEnMarcha, muestra: int) -> float:
    """Registro a registro: descargar todo y escribir cada uno con su propio commit duradero."""
    cliente = Cliente(central.url, central.token)
    t = time.perf_counter()
    cambios, cursor = [], None
    while len(cambios) < muestra:
        pagina = cliente.cambios(PRODUCTO, cursor, 5000)
        cambios.extend(pagina.cambios)
        cursor = pagina.cursor
        if not pagina.hay_mas:
            break
    cambios = cambios[:muestra]
    descarga = time.perf_counter() - t
    ruta = Path(tempfile.mkdtemp(prefix="bench-registro-")) / "cache.sqlite"
    conexion = sqlite3.connect(ruta, isolation_level=None)
    conexion.execute("PRAGMA journal_mode = WAL")
    conexion.execute("PRAGMA synchronous = FULL")  # persist_to_disk de los modelos críticos
    conexion.execute("CREATE TABLE cache (clave TEXT PRIMARY KEY, datos TEXT NOT NULL)")
    t = time.perf_counter()
    for cambio in cambios:
        conexion.execute("BEGIN")
        conexion.execute(
            "INSERT OR REPLACE INTO cache VALUES (?, ?)",
            (f"{PRODUCTO}:{cambio['id']}", json.dumps(cambio["datos"])),
        )
        conexion.execute("COMMIT")
    escritura = time.perf_counter() - t
    conexion.close()
    return len(cambios) / (descarga + escritura)


def incremental(central: CentralEnMarcha, repeticiones: int) -> float:
    """Mediana (s) de descargar 100 cambios de stock hechos por otra terminal de la tienda."""
    agente = terminal(central)
    otra = Cliente(central.url, central.crear_terminal(central.tienda, "bench-otra"))
    try:
        agente.sincronizar_una_vez()
        servicio = agente.sincronizacion
        sincronizador = servicio._obtener_sincronizador()
        from agente.sincronizacion.descarga import Descarga

        descarga = Descarga(
            agente.cache, agente.operaciones, servicio.conflictos_, sincronizador.cliente
        )
        esquema = agente.esquema()
        total = agente.cache.estado_modelo(PRODUCTO)["filas"]
        tiempos = []
        for _ in range(repeticiones):
            ids = [str(1 + (i * 7919) % total) for i in range(100)]
            otra.operaciones(
                [
                    {
                        "uuid": str(uuid.uuid4()),
                        "modelo": EXISTENCIA,
                        "tipo": "ajustar",
                        "objeto_id": f"{central.tienda}:{i}",
                        "datos": {"cantidad": 1},
                        "version_base": None,
                        "valores_base": {},
                        "hora_terminal": "2026-11-28T04:00:00+00:00",
                        "desfase_ms": 0,
                    }
                    for i in ids
                ]
            )
            t = time.perf_counter()
            resumen = descarga.descargar(esquema, [EXISTENCIA])
            tiempos.append(time.perf_counter() - t)
            assert resumen.filas == 100, resumen
        return statistics.median(tiempos)
    finally:
        agente.cerrar()


def _status_kb(campo: str) -> int:
    """``campo`` de /proc/self/status en KiB. ``VmHWM`` es el pico de ESTE programa; el
    ``ru_maxrss`` de un hijo recién lanzado ya vale el RSS del padre al hacer ``fork``."""
    for linea in Path("/proc/self/status").read_text().splitlines():
        if linea.startswith(campo + ":"):
            return int(linea.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def hijo_memoria(url: str, tienda: str, terminal_: str) -> None:
    """Proceso hijo: imprime el pico de RSS antes y después de la primera sincronización."""
    agente = Agente.abrir(Path(tempfile.mkdtemp(prefix="bench-rss-")))
    agente.configurar(url, tienda, terminal_, os.environ.pop("SINCRO_BENCH_TOKEN"))
    antes = _status_kb("VmRSS")
    resumen = agente.sincronizar_una_vez()
    despues = _status_kb("VmHWM")
    agente.cerrar()
    print(json.dumps({"antes_kb": antes, "despues_kb": despues, "filas": resumen.descarga.filas}))


def memoria(central: CentralEnMarcha) -> tuple[float, int]:
    salida = subprocess.run(
        [sys.executable, __file__, "--hijo-memoria", central.url, central.tienda, central.terminal],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "SINCRO_BENCH_TOKEN": central.token},
    )
    datos = json.loads(salida.stdout.strip().splitlines()[-1])
    return (datos["despues_kb"] - datos["antes_kb"]) / 1024, datos["filas"]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--filas", type=int, default=100_000)
    p.add_argument("--pequeno", type=int, default=10_000)
    p.add_argument("--grande", type=int, default=1_000_000)
    p.add_argument("--repeticiones", type=int, default=7)
    p.add_argument("--muestra-base", type=int, default=10_000)
    p.add_argument("--hijo-memoria", nargs=3, default=None, help=argparse.SUPPRESS)
    p.add_argument(
        "--solo-memoria",
        action="store_true",
        help="sólo la parte 3 (memoria con el catálogo grande)",
    )
    args = p.parse_args()
    if args.hijo_memoria:
        hijo_memoria(*args.hijo_memoria)
        return 0
    if args.solo_memoria:
        central = arrancar(args.grande)
        try:
            subida_mb, filas = memoria(central)
            print(f"3. Memoria: {filas:,} filas: el pico de RSS sube {subida_mb:.0f} MB")
        finally:
            central.detener()
        return 0

    print(f"1. Primera sincronización de {args.filas:,} productos", flush=True)
    central = arrancar(args.filas)
    try:
        segundos, filas = primera_sincronizacion(central)
        base = base_registro_a_registro(central, args.muestra_base)
        inc_mediano = (
            incremental(central, args.repeticiones) if args.filas == args.pequeno else None
        )
    finally:
        central.detener()
    velocidad = filas / segundos
    print(f"  Sincro: {filas:,} filas en {segundos:.2f} s = {velocidad:,.0f} filas/s")
    print(f"  Línea base (registro a registro, {args.muestra_base:,} filas): {base:,.0f} filas/s")
    print(f"  Ratio: {velocidad / base:.1f}x  (PowerSync publica hasta 27 600 filas/s)")

    print("2. Incremental de 100 cambios", flush=True)
    if inc_mediano is None:
        central = arrancar(args.pequeno)
        try:
            inc_mediano = incremental(central, args.repeticiones)
        finally:
            central.detener()
    print(f"  {args.pequeno:,} filas: {inc_mediano * 1000:.1f} ms (mediana de {args.repeticiones})")
    if args.grande:
        central = arrancar(args.grande)
        try:
            inc_grande = incremental(central, args.repeticiones)
            print(
                f"  {args.grande:,} filas: {inc_grande * 1000:.1f} ms (mediana de "
                f"{args.repeticiones}); ratio grande/pequeño {inc_grande / inc_mediano:.2f}"
            )
            print("3. Memoria de la primera sincronización del catálogo grande", flush=True)
            subida_mb, filas = memoria(central)
            print(f"  {filas:,} filas: el pico de RSS sube {subida_mb:.0f} MB")
        finally:
            central.detener()
    return 0


if __name__ == "__main__":
    sys.exit(main())
