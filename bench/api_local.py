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
bandeja).

4. Con ``--bandeja``: la bandeja real (``ui.app.Aplicacion``) sirve la API desde su proceso
   hijo ``sincro sincronizar`` a los mismos 50 clientes (en otro proceso) y un vigilante de
   10 ms en el hilo de la GUI mide sus pausas (objetivo: ninguna > 50 ms), frente al mismo
   vigilante con la bandeja en reposo.

Uso: ``.venv/bin/python bench/api_local.py [--filas 100000] [--llamadas 2000]
[--ventas 500] [--clientes 50] [--segundos 30] [--bandeja]``
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
            [
                *SINCRO,
                "--datos",
                str(directorio),
                "servir-local",
                "--puerto",
                "0",
                "--direccion",
                "127.0.0.1",
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
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

    def pedir(
        self, metodo: str, ruta: str, cuerpo: object = None, extra: dict[str, str] | None = None
    ) -> tuple[int, object]:
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
        largo = next(
            int(linea.split(b":", 1)[1])
            for linea in lineas
            if linea.lower().startswith(b"content-length:")
        )
        while len(cuerpo) < largo:
            cuerpo += self.socket.recv(65536)
        return int(lineas[0].split()[1]), cuerpo


def venta(productos: list[dict], azar: random.Random) -> list[dict]:
    return [
        {"producto": p["id"], "cantidad": azar.randint(1, 3), "precio_unitario": p["precio"]}
        for p in azar.sample(productos, 3)
    ]


def linea(nombre: str, api: dict[str, float], base: dict[str, float], objetivo: str) -> None:
    print(
        f"{nombre:34}{base['p50']:8.3f}{base['p99']:8.3f}{api['p50']:8.3f}{api['p99']:8.3f}"
        f"{api['p50'] / base['p50']:7.2f}x{api['p99'] / base['p99']:7.2f}x   {objetivo}"
    )


def concurrencia(
    puerto: int, token: str, productos: list[dict], clientes: int, segundos: float
) -> int:
    """50 clientes (hilos, cada uno con su conexión) contra la API; imprime el resumen y
    devuelve los errores."""
    fin = time.monotonic() + segundos
    errores: queue.Queue[str] = queue.Queue()
    tiempos: list[list[float]] = [[] for _ in range(clientes)]

    def trabajar(i: int) -> None:
        azar = random.Random(i)
        cliente = Cliente(puerto, token)
        while time.monotonic() < fin:
            t = time.perf_counter()
            try:
                if azar.random() < 0.9:
                    codigo = azar.choice(productos)["codigo"]
                    estado, cuerpo = cliente.pedir(
                        "GET", f"/v1/buscar?texto={codigo}&modelo={PRODUCTO}&limite=5"
                    )
                    bien = estado == 200 and cuerpo["resultados"][0]["datos"]["codigo"] == codigo
                else:
                    estado, cuerpo = cliente.pedir(
                        "POST",
                        "/v1/vender",
                        {"lineas": venta(productos, azar)},
                        {"Idempotency-Key": str(uuid.uuid4())},
                    )
                    bien = estado == 201
                if not bien:
                    errores.put(f"{estado} {cuerpo}")
            except Exception as exc:  # el bench cuenta cualquier fallo como error
                errores.put(repr(exc))
                cliente = Cliente(puerto, token)
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
    print(
        f"{clientes} clientes x {duracion:.0f} s: {len(todos)} peticiones "
        f"({len(todos) / duracion:.0f}/s), errores {errores.qsize()} (objetivo 0), "
        f"p50 {p['p50']:.1f} ms, p99 {p['p99']:.1f} ms, máx {p['max']:.1f} ms"
    )
    numero = errores.qsize()
    if not errores.empty():
        print(f"  primer error: {errores.get()}")
    return numero


def solo_clientes(puerto: int, datos: Path, clientes: int, segundos: float) -> int:
    """Modo hijo de ``--bandeja``: los clientes en un proceso aparte (sus hilos no deben
    competir por el GIL con la GUI que se vigila)."""
    with Agente.abrir(datos) as agente:
        productos = agente.listar(PRODUCTO, limite=100_000)
    token = (datos / "api-local.token").read_text().strip()
    return 1 if concurrencia(puerto, token, productos, clientes, segundos) else 0


def _responde(puerto: int) -> bool:
    try:
        conexion = http.client.HTTPConnection("127.0.0.1", puerto, timeout=1)
        conexion.request("GET", "/v1/salud")
        return conexion.getresponse().status == 200
    except OSError:
        return False


def bandeja(clientes: int, segundos: float, filas: int) -> None:
    """La bandeja real (``ui.app.Aplicacion``, con su proceso hijo ``sincro sincronizar`` que
    sirve la API) mientras ``clientes`` clientes le piden durante ``segundos``; vigilante de
    10 ms en el hilo de la GUI (el de ``bench/ui_vigilancia.py``). Línea base: el mismo
    vigilante el mismo tiempo con la bandeja en reposo."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    from PySide6.QtWidgets import QApplication
    from ui_vigilancia import Vigilante, aplicacion_configurada, girar, reposo_y_cerrar, resumen

    from tests.plugins.central import CentralEnMarcha

    app = QApplication(["bench"])

    with tempfile.TemporaryDirectory(prefix="sincro-bench-api-bandeja-") as tmp:
        base = Path(tmp)
        os.environ["XDG_DATA_HOME"] = str(base / "llavero")
        os.environ["SINCRO_REGISTRO"] = str(base / "log")
        with socket.socket() as libre:
            libre.bind(("127.0.0.1", 0))
            puerto = libre.getsockname()[1]
        os.environ["SINCRO_API_PUERTO"] = str(puerto)  # lo hereda el proceso hijo
        central = CentralEnMarcha(base / "central", demo=filas).arrancar()
        try:
            datos, aplicacion = aplicacion_configurada(base, central)
            aplicacion.arrancar()
            fin = time.monotonic() + 120
            while not (aplicacion.puente.ultimo_resumen.lista_para_vender and _responde(puerto)):
                if time.monotonic() > fin:
                    raise TimeoutError(
                        "la bandeja no terminó la primera sincronización: "
                        + " | ".join(aplicacion.sincro.ultimas_lineas[-5:])
                    )
                girar(200)
                aplicacion.puente.refrescar()
            girar(1000)
            vigilante = Vigilante()
            vigilante.empezar()
            inicio = time.perf_counter()
            hijo = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--solo-clientes",
                    str(puerto),
                    "--datos",
                    str(datos),
                    "--clientes",
                    str(clientes),
                    "--segundos",
                    str(segundos),
                ]
            )
            while hijo.poll() is None:
                girar(100)
            duracion = time.perf_counter() - inicio
            carga = vigilante.parar()
            reposo, duracion_reposo = reposo_y_cerrar(
                app, aplicacion, vigilante, int(duracion * 1000)
            )
        finally:
            central.detener()
    print(f"bandeja sirviendo la API (proceso hijo) a {clientes} clientes:")
    print(resumen("con los clientes", carga, duracion))
    print(resumen("línea base, bandeja en reposo", reposo, duracion_reposo))
    print(
        f"  objetivo: ningún retraso de la GUI > 50 ms: "
        f"{'cumple' if not any(r > 50 for r in carga) else 'NO cumple'}; clientes: código "
        f"{hijo.returncode} (0 = sin errores)"
    )


def main() -> None:
    analizador = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analizador.add_argument("--filas", type=int, default=100_000)
    analizador.add_argument("--llamadas", type=int, default=2000)
    analizador.add_argument("--ventas", type=int, default=500)
    analizador.add_argument("--clientes", type=int, default=50)
    analizador.add_argument("--segundos", type=float, default=30.0)
    analizador.add_argument(
        "--bandeja", action="store_true", help="sólo la parte de la bandeja (pausas de la GUI)"
    )
    analizador.add_argument("--solo-clientes", type=int, metavar="PUERTO", help=argparse.SUPPRESS)
    analizador.add_argument("--datos", type=Path, help=argparse.SUPPRESS)
    args = analizador.parse_args()
    if args.solo_clientes:
        sys.exit(solo_clientes(args.solo_clientes, args.datos, args.clientes, args.segundos))
    if args.bandeja:
        bandeja(args.clientes, args.segundos, min(args.filas, 5000))
        return
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
                    estado, cuerpo = cliente.pedir(
                        "POST",
                        "/v1/vender",
                        {"lineas": lineas},
                        {"Idempotency-Key": str(uuid.uuid4())},
                    )
                    api_v.append(time.perf_counter() - t)
                    assert estado == 201, cuerpo
                    t = time.perf_counter()
                    agente.vender(lineas)
                    base_v.append(time.perf_counter() - t)
            print(f"API local sobre {args.filas} productos ({os.cpu_count()} núcleos)")
            print(f"{'':34}{'en proceso':>16}{'por la API':>16}")
            print(
                f"{'':34}{'p50 ms':>8}{'p99 ms':>8}{'p50 ms':>8}{'p99 ms':>8}"
                f"{'p50 x':>8}{'p99 x':>8}"
            )
            linea(
                f"buscar por código ({args.llamadas})",
                percentiles(min_b),
                percentiles(base_b),
                "objetivo p99 <= 5 ms y <= 3x",
            )
            linea("  (cliente http.client de Python)", percentiles(api_b), percentiles(base_b), "")
            linea(
                f"vender 3 líneas ({args.ventas})",
                percentiles(api_v),
                percentiles(base_v),
                "objetivo p99 <= 10 ms y <= 2x",
            )
            concurrencia(servidor.puerto, servidor.token, productos, args.clientes, args.segundos)
        finally:
            servidor.parar()


if __name__ == "__main__":
    main()
