"""Bench de la apertura: N cajas hacen a la vez su primera descarga completa del catálogo.

Arranca una base PostgreSQL nueva (``SINCRO_PG_URL``, como en CI) y la central de demo con su
servidor de producción (gunicorn, ``--trabajadores`` × ``--hilos``) y ``--productos`` productos,
da de alta N terminales en N/2 tiendas y mide, para cada forma de descargar:

- ``paginas``: ``GET /v1/cambios`` sin cursor en páginas de 5000 (lo que hace una terminal sin
  instantánea, y la línea base);
- ``instantanea``: ``GET /v1/instantanea`` (gzip), en frío: antes de cada ronda se borran las
  instantáneas guardadas, así que la ronda incluye construirla una vez.

Para cada una: una caja sola (mejor de 3) y N cajas a la vez (hilos repartidos en
``--procesos`` procesos que empiezan en el mismo instante). Cada caja decodifica el JSON y
comprueba las filas, como una terminal. Imprime el tiempo de reloj, la CPU del servidor (por fila
servida) y la relación con el objetivo «N a la vez en menos de 2 × (una sola) × N / núcleos».

Uso::

    .venv/bin/python bench/apertura.py --cajas 50,200 --productos 20000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from bench.central_comun import carga, central_pg, cpu_servidor, usar_pg  # noqa: E402

PRODUCTO = "productos.Producto"
PAGINA = 5000
FORMAS = ("paginas", "instantanea")


def _get(sesion: requests.Session, url: str, saturada: list[int], **params: str) -> dict:
    """GET que, como la terminal, espera ``Retry-After`` (con un 0–20 % de azar) ante 429/503."""
    while True:
        r = sesion.get(url, params=params, timeout=600)
        if r.status_code in (429, 503):
            saturada.append(r.status_code)
            time.sleep(float(r.headers.get("Retry-After") or 1) * random.uniform(1.0, 1.2))
            continue
        r.raise_for_status()
        return r.json()


def descargar(sesion: requests.Session, url: str, forma: str, saturada: list[int]) -> int:
    """Una descarga completa de productos; devuelve las filas recibidas."""
    if forma == "instantanea":
        p = _get(sesion, url + "/v1/instantanea", saturada, modelo=PRODUCTO)
        assert p["completo"] and not p["hay_mas"]
        return len(p["cambios"])
    cursor, filas = "", 0
    while True:
        p = _get(
            sesion,
            url + "/v1/cambios",
            saturada,
            modelos=PRODUCTO,
            cursor=cursor,
            limite=str(PAGINA),
        )
        filas += len(p["cambios"])
        cursor = p["cursor"]
        if not p["hay_mas"]:
            return filas


def interno_clientes() -> None:
    """Un proceso cliente: sus cajas en hilos empiezan a la hora dada; imprime sus tiempos."""
    conf = json.loads(sys.stdin.readline())
    tiempos: list[float] = []
    filas: list[int] = []
    fallos: list[str] = []
    saturada: list[int] = []

    def caja(token: str) -> None:
        sesion = requests.Session()
        # Como la terminal (agente.sincronizacion.cliente): un GET cuya conexión viva cerró el
        # servidor (keep-alive vencido mientras esperaba la salida) se repite.
        reintentos = Retry(
            total=3,
            connect=3,
            read=3,
            status=0,
            other=0,
            backoff_factor=0.1,
            respect_retry_after_header=False,  # los 429 los espera _get, como la terminal
        )
        sesion.mount("http://", HTTPAdapter(max_retries=reintentos))
        sesion.headers["Authorization"] = f"Token {token}"
        sesion.headers["Accept-Encoding"] = "gzip"
        sesion.get(conf["url"] + "/v1/salud", timeout=60)  # conexión viva antes de la salida
        time.sleep(max(0.0, conf["inicio"] - time.time()))
        t = time.perf_counter()
        try:
            filas.append(descargar(sesion, conf["url"], conf["forma"], saturada))
        except Exception as exc:
            fallos.append(f"{type(exc).__name__}: {exc}"[:200])
        tiempos.append(time.perf_counter() - t)

    hilos = [threading.Thread(target=caja, args=(t,)) for t in conf["tokens"]]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()
    salida = {"tiempos": tiempos, "filas": filas, "fallos": fallos, "saturada": len(saturada)}
    print(json.dumps(salida), flush=True)


def _borrar_instantaneas(central) -> None:
    shutil.rmtree(central.datos / "instantaneas", ignore_errors=True)


def una_sola(central, token: str, forma: str, frio: bool = True) -> tuple[float, float, int]:
    """Mejor de 3 (reloj, CPU del servidor) de una caja sola; la instantánea en frío (se
    construye en cada una) salvo ``frio=False`` (ya construida: sólo servirla)."""
    sesion = requests.Session()
    sesion.headers["Authorization"] = f"Token {token}"
    sesion.get(central.url + "/v1/salud", timeout=60)
    mejores = []
    for _ in range(3):
        if frio:
            _borrar_instantaneas(central)
        c, t = cpu_servidor(central.proceso.pid), time.perf_counter()
        filas = descargar(sesion, central.url, forma, [])
        mejores.append((time.perf_counter() - t, cpu_servidor(central.proceso.pid) - c))
    return min(m[0] for m in mejores), min(m[1] for m in mejores), filas


def a_la_vez(central, tokens: list[str], forma: str, procesos: int) -> dict:
    _borrar_instantaneas(central)
    inicio = time.time() + 2.0 + len(tokens) * 0.01
    clientes = []
    for k in range(procesos):
        proceso = subprocess.Popen(
            [sys.executable, __file__, "--interno"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=RAIZ,
        )
        conf = {"url": central.url, "tokens": tokens[k::procesos], "forma": forma}
        proceso.stdin.write(json.dumps({**conf, "inicio": inicio}) + "\n")
        proceso.stdin.flush()
        clientes.append(proceso)
    time.sleep(max(0.0, inicio - time.time() - 0.2))
    cpu = cpu_servidor(central.proceso.pid)
    partes = [json.loads(c.communicate(timeout=1800)[0]) for c in clientes]
    cpu = cpu_servidor(central.proceso.pid) - cpu
    tiempos = [t for p in partes for t in p["tiempos"]]
    return {
        "todas": max(tiempos),
        "cpu": cpu,
        "filas": sum(f for p in partes for f in p["filas"]),
        "fallos": [f for p in partes for f in p["fallos"]],
        "saturada": sum(p["saturada"] for p in partes),
    }


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--interno", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--pg", default=os.environ.get("SINCRO_PG_URL"))
    p.add_argument("--cajas", default="50,200", help="N separados por comas")
    p.add_argument("--productos", type=int, default=20_000)
    p.add_argument("--trabajadores", type=int, default=4)
    p.add_argument("--hilos", type=int, default=8)
    p.add_argument("--procesos", type=int, default=4, help="procesos cliente")
    args = p.parse_args()
    if args.interno:
        interno_clientes()
        return 0
    if not usar_pg(args.pg):
        return 2
    from bench.cadena import _json_interno

    cajas = [int(x) for x in args.cajas.split(",")]
    nucleos = os.cpu_count() or 1
    print(
        f"PostgreSQL, {args.productos} productos, gunicorn {args.trabajadores} trabajadores x "
        f"{args.hilos} hilos, {nucleos} núcleos; {carga()}"
    )
    fallido = False
    with central_pg("bench-apertura", args.productos, "marca", args.hilos, args.trabajadores) as (
        central,
        _,
    ):
        terminales = _json_interno(["terminales", str(max(cajas))], central)
        tokens = [t[2] for t in terminales]
        solas = {forma: una_sola(central, tokens[0], forma) for forma in FORMAS}
        caliente = una_sola(central, tokens[0], "instantanea", frio=False)
        print("\nUna caja sola (mejor de 3; la instantánea en frío incluye construirla):")
        for forma, (reloj, cpu, filas) in [*solas.items(), ("ya hecha", caliente)]:
            print(
                f"  {forma:11}: {reloj:6.2f} s, CPU servidor {cpu * 1000:7.0f} ms = "
                f"{cpu * 1e6 / filas:6.1f} µs por fila ({filas} filas)"
            )
        print(
            "\n| forma | cajas | todas a la vez s | objetivo 2 × una sola × N / núcleos s | "
            "relación | CPU servidor s | µs CPU por fila | 429/503 | fallos |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for n in cajas:
            for forma in FORMAS:
                r = a_la_vez(central, tokens[:n], forma, min(args.procesos, n))
                objetivo = 2 * solas[forma][0] * n / nucleos
                fallos = r["fallos"] or (
                    [] if r["filas"] == n * args.productos else [f"{r['filas']} filas"]
                )
                fallido |= bool(fallos)
                print(
                    f"| {forma} | {n} | {r['todas']:.2f} | {objetivo:.2f} | "
                    f"{r['todas'] / objetivo:.2f} | {r['cpu']:.2f} | "
                    f"{r['cpu'] * 1e6 / max(1, r['filas']):.2f} | {r['saturada']} | "
                    f"{'; '.join(fallos[:3]) or 'ninguno'} |",
                    flush=True,
                )
    print(carga())
    return 1 if fallido else 0


if __name__ == "__main__":
    sys.exit(main())
