"""Bench de la API local: lo que cuesta pasar por HTTP frente a llamar al motor en proceso.

Cifras (misma ejecución, alternadas llamada a llamada):

1. ``GET /v1/buscar?texto=<código de barras>`` por la API (conexión keep-alive, como una caja
   que reutiliza su cliente HTTP) frente a ``Agente.buscar`` en proceso. Objetivo: p99 ≤ 5 ms
   y ≤ 3x la llamada en proceso. Con dos clientes: uno mínimo sobre un socket (lo que cuesta
   un cliente compilado) y ``http.client`` de Python (que añade ~0,3 ms propios).
2. ``POST /v1/vender`` con 3 líneas por la API frente a ``Agente.vender`` en proceso (las dos
   duraderas: un COMMIT con ``synchronous=FULL`` cada una). Objetivo: p99 ≤ 10 ms y ≤ 2x.
3. 50 clientes a la vez durante 30 s (cada uno con su conexión: 90 % buscar por código,
   10 % vender con Idempotency-Key): errores (objetivo 0), peticiones por segundo y p99.

La API la sirve un proceso real ``sincro servir-local`` sobre una terminal con ``--filas``
productos en la caché; el motor en proceso abre el mismo directorio (como la caja y la
bandeja). Las cifras de la bandeja (pausas de la GUI) no se miden aquí.

Uso: ``.venv/bin/python bench/api_local.py [--filas 100000] [--llamadas 2000]
[--ventas 500] [--clientes 50] [--segundos 30]``
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))
sys.path.insert(0, str(RAIZ / "bench"))

from cache_pagina import ESQUEMA, PRODUCTO, pagina  # noqa: E402

from agente.fachada import Agente  # noqa: E402

SINCRO = [sys.executable, "-c", "import sys; from agente.cli import main; sys.exit(main())"]


def percentiles(tiempos: list[float]) -> dict[str, float]:
    ordenados = sorted(tiempos)
    return {
        "p50": statistics.median(ordenados) * 1000,
        "p99": ordenados[max(0, int(len(ordenados) * 0.99) - 1)] * 1000,
        "max": ordenados[-1] * 1000,
    }


def preparar(directorio: Path, filas: int) -> list[dict]:
    datos = json.loads(pagina(0, filas))
    with Agente.abrir(directorio) as agente:
        agente.guardar_esquema(ESQUEMA)
        agente.cache.iniciar_reconstruccion(PRODUCTO)
        agente.cache.aplicar_pagina(PRODUCTO, datos["cambios"], datos["cursor"])
        agente.cache.terminar_reconstruccion(PRODUCTO, datos["cursor"])
    return [c["datos"] for c in datos["cambios"]]


class Servidor:
    def __init__(self, directorio: Path) -> None:
        self.proceso = subprocess.Popen(
            [*SINCRO, "--datos", str(directorio), "servir-local", "--puerto", "0",
             "--direccion", "127.0.0.1"],
            stdout=subprocess.PIPE, text=True, env=dict(os.environ))
        linea = self.proceso.stdout.readline()
        if not linea.startswith("URL="):
            raise RuntimeError(f"servir-local no arrancó: {linea!r}")
        self.puerto = int(linea.strip().rsplit(":", 1)[1])
        self.token = (directorio / "api-local.token").read_text().strip()

    def cliente(self) -> Cliente:
        return Cliente(self.puerto, self.token)

    def parar(self) -> None:
        self.proceso.terminate()
        self.proceso.wait(30)


class Cliente:
    """Un cliente HTTP/1.1 con keep-alive (como el de una caja)."""

    def __init__(self, puerto: int, token: str) -> None:
        self.conexion = http.client.HTTPConnection("127.0.0.1", puerto, timeout=30)
        self.cabeceras = {"Authorization": f"Bearer {token}"}

    def pedir(self, metodo: str, ruta: str, cuerpo: object = None,
              extra: dict[str, str] | None = None) -> tuple[int, object]:
        cabeceras = {**self.cabeceras, **(extra or {})}
        datos = None
        if cuerpo is not None:
            datos = json.dumps(cuerpo).encode()
            cabeceras["Content-Type"] = "application/json"
        self.conexion.request(metodo, ruta, body=datos, headers=cabeceras)
        respuesta = self.conexion.getresponse()
        return respuesta.status, json.loads(respuesta.read())


class ClienteMinimo:
    """Un cliente HTTP/1.1 mínimo sobre un socket (keep-alive, TCP_NODELAY): lo que cuesta un
    cliente compilado (C#, Java, curl). ``http.client`` de Python añade unos 0,3 ms por
    petición en el lado del cliente que una caja real no paga."""

    def __init__(self, puerto: int, token: str) -> None:
        self.socket = socket.create_connection(("127.0.0.1", puerto))
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.prefijo = f"Host: 127.0.0.1:{puerto}\r\nAuthorization: Bearer {token}\r\n"

    def get(self, ruta: str) -> tuple[int, bytes]:
        self.socket.sendall(f"GET {ruta} HTTP/1.1\r\n{self.prefijo}\r\n".encode())
        datos = b""
        while b"\r\n\r\n" not in datos:
            trozo = self.socket.recv(65536)
            if not trozo:
                raise ConnectionError("conexión cerrada")
            datos += trozo
        cabeceras, _, cuerpo = datos.partition(b"\r\n\r\n")
        lineas = cabeceras.split(b"\r\n")
        largo = next(int(linea.split(b":", 1)[1]) for linea in lineas
                     if linea.lower().startswith(b"content-length:"))
        while len(cuerpo) < largo:
            cuerpo += self.socket.recv(65536)
        return int(lineas[0].split()[1]), cuerpo


def venta(productos: list[dict], azar: random.Random) -> list[dict]:
    return [{"producto": p["id"], "cantidad": azar.randint(1, 3),
             "precio_unitario": p["precio"]} for p in azar.sample(productos, 3)]


def linea(nombre: str, api: dict[str, float], base: dict[str, float], objetivo: str) -> None:
    print(f"{nombre:34}{base['p50']:8.3f}{base['p99']:8.3f}{api['p50']:8.3f}{api['p99']:8.3f}"
          f"{api['p50'] / base['p50']:7.2f}x{api['p99'] / base['p99']:7.2f}x   {objetivo}")


def concurrencia(servidor: Servidor, productos: list[dict], clientes: int,
                 segundos: float) -> None:
    fin = time.monotonic() + segundos
    errores: queue.Queue[str] = queue.Queue()
    tiempos: list[list[float]] = [[] for _ in range(clientes)]

    def trabajar(i: int) -> None:
        azar = random.Random(i)
        cliente = servidor.cliente()
        while time.monotonic() < fin:
            t = time.perf_counter()
            try:
                if azar.random() < 0.9:
                    codigo = azar.choice(productos)["codigo"]
                    estado, cuerpo = cliente.pedir(
                        "GET", f"/v1/buscar?texto={codigo}&modelo={PRODUCTO}&limite=5")
                    bien = estado == 200 and cuerpo["resultados"][0]["datos"]["codigo"] == codigo
                else:
                    estado, cuerpo = cliente.pedir(
                        "POST", "/v1/vender", {"lineas": venta(productos, azar)},
                        {"Idempotency-Key": str(uuid.uuid4())})
                    bien = estado == 201
                if not bien:
                    errores.put(f"{estado} {cuerpo}")
            except Exception as exc:  # el bench cuenta cualquier fallo como error
                errores.put(repr(exc))
                cliente = servidor.cliente()
            tiempos[i].append(time.perf_counter() - t)

    hilos = [threading.Thread(target=trabajar, args=(i,)) for i in range(clientes)]
    inicio = time.perf_counter()
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    duracion = time.perf_counter() - inicio
    todos = [t for lista in tiempos for t in lista]
    p = percentiles(todos)
    print(f"{clientes} clientes x {duracion:.0f} s: {len(todos)} peticiones "
          f"({len(todos) / duracion:.0f}/s), errores {errores.qsize()} (objetivo 0), "
          f"p50 {p['p50']:.1f} ms, p99 {p['p99']:.1f} ms, máx {p['max']:.1f} ms")
    if not errores.empty():
        print(f"  primer error: {errores.get()}")


def main() -> None:
    analizador = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analizador.add_argument("--filas", type=int, default=100_000)
    analizador.add_argument("--llamadas", type=int, default=2000)
    analizador.add_argument("--ventas", type=int, default=500)
    analizador.add_argument("--clientes", type=int, default=50)
    analizador.add_argument("--segundos", type=float, default=30.0)
    args = analizador.parse_args()
    azar = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="sincro-bench-api-") as tmp:
        directorio = Path(tmp)
        productos = preparar(directorio, args.filas)
        servidor = Servidor(directorio)
        try:
            cliente = servidor.cliente()
            with Agente.abrir(directorio) as agente:
                minimo = ClienteMinimo(servidor.puerto, servidor.token)
                api_b, min_b, base_b = [], [], []
                for _ in range(args.llamadas):
                    codigo = azar.choice(productos)["codigo"]
                    ruta = f"/v1/buscar?texto={codigo}&modelo={PRODUCTO}&limite=5"
                    t = time.perf_counter()
                    estado, _ = cliente.pedir("GET", ruta)
                    api_b.append(time.perf_counter() - t)
                    assert estado == 200
                    t = time.perf_counter()
                    estado, _ = minimo.get(ruta)
                    min_b.append(time.perf_counter() - t)
                    assert estado == 200
                    t = time.perf_counter()
                    agente.buscar(codigo, modelo=PRODUCTO, limite=5)
                    base_b.append(time.perf_counter() - t)
                api_v, base_v = [], []
                for _ in range(args.ventas):
                    lineas = venta(productos, azar)
                    t = time.perf_counter()
                    estado, cuerpo = cliente.pedir("POST", "/v1/vender", {"lineas": lineas},
                                                   {"Idempotency-Key": str(uuid.uuid4())})
                    api_v.append(time.perf_counter() - t)
                    assert estado == 201, cuerpo
                    t = time.perf_counter()
                    agente.vender(lineas)
                    base_v.append(time.perf_counter() - t)
            print(f"API local sobre {args.filas} productos ({os.cpu_count()} núcleos)")
            print(f"{'':34}{'en proceso':>16}{'por la API':>16}")
            print(f"{'':34}{'p50 ms':>8}{'p99 ms':>8}{'p50 ms':>8}{'p99 ms':>8}"
                  f"{'p50 x':>8}{'p99 x':>8}")
            linea(f"buscar por código ({args.llamadas})", percentiles(min_b),
                  percentiles(base_b), "objetivo p99 <= 5 ms y <= 3x")
            linea("  (cliente http.client de Python)", percentiles(api_b),
                  percentiles(base_b), "")
            linea(f"vender 3 líneas ({args.ventas})", percentiles(api_v), percentiles(base_v),
                  "objetivo p99 <= 10 ms y <= 2x")
            concurrencia(servidor, productos, args.clientes, args.segundos)
        finally:
            servidor.parar()


if __name__ == "__main__":
    main()
