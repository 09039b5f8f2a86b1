"""Bench de la cadena entera: N cajas simuladas contra una central real en PostgreSQL.

Arranca una base PostgreSQL nueva (la de ``SINCRO_PG_URL``, como en CI) y la central con su
servidor de producción (gunicorn, ``--trabajadores`` × ``--hilos``), da de alta N terminales en
N/2 tiendas y las simula a nivel de protocolo (sesiones HTTP vivas): cada caja hace primero su
descarga completa del catálogo (la apertura: todas a la vez) y luego ciclos de
«empujar un lote de 1–3 ventas (venta + líneas + ``ajustar`` de la existencia de su tienda,
≈ 14 operaciones) y descargar lo nuevo», con ``--pensar`` segundos entre ciclos; un lote que
falla (red, 5xx, 429) se repite con los MISMOS UUID. Mientras, un proceso aparte cambia precios
con el ORM (la oficina central).

Al final comprueba, para cada N: cada venta está una sola vez en la central; el stock de cada
producto en cada tienda (``productos.Existencia``) es el inicial más la suma de los deltas
enviados; la corriente de cambios que ha reproducido cada caja da el mismo catálogo y las mismas
existencias de su tienda que las tablas de la central (versión y valores; ninguna de otra);
ninguna caja recibió un cambio fuera de orden (versión no creciente de un objeto). Imprime
ops/s, p50/p95/p99 de empuje y de descarga, errores por estado HTTP, CPU del servidor por ciclo
de caja y la apertura (descarga completa de todas a la vez frente a una sola).

El diseño anterior (cerrojo consultivo global por lote, ``SINCRO_ORDEN_COMMIT=cerrojo``) se
mide en la misma ejecución como línea base (``--modos cerrojo,marca``).

Uso::

    .venv/bin/python bench/cadena.py                       # rápido: N = 10, 50; 6 s
    .venv/bin/python bench/cadena.py --cajas 10,50,100,200 --segundos 30 --productos 20000

Los clientes corren en ``--procesos`` procesos (hilos dentro) para que el cliente no sea el
cuello de botella; en una máquina de 2 núcleos comparten CPU con la central: la CPU del
servidor por ciclo es la cifra que no depende de eso.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from bench.central_comun import (  # noqa: E402
    carga,
    central_pg,
    cpu_maquina,
    cpu_pg,
    cpu_procesos,
    cpu_servidor,
    usar_pg,
)
from tests.plugins.central import CentralEnMarcha  # noqa: E402

PRODUCTO = "productos.Producto"
EXISTENCIA = "productos.Existencia"
MODELOS = f"{PRODUCTO},{EXISTENCIA}"
STOCK_INICIAL = 1000
VENTA = "ventas.Venta"
LINEA = "ventas.LineaVenta"


# -- lado Django (subprocesos con el entorno de la central) ---------------------------------


def _django(datos: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
    os.environ["SINCRO_CENTRAL_DATOS"] = datos
    import django

    django.setup()


def interno_terminales(datos: str, n: int) -> None:
    """Crea n terminales en n/2 tiendas, cada tienda con STOCK_INICIAL de cada producto (sus
    existencias en una sentencia); imprime [[tienda, terminal, token], …]."""
    _django(datos)
    from central.autenticacion import crear_terminal
    from central.models import Tienda
    from servidor_demo.productos import existencias

    codigos = sorted({f"S{i // 2 + 1:03d}" for i in range(n)})
    Tienda.objects.bulk_create([Tienda(codigo=c, nombre=c) for c in codigos])
    existencias.crear_que_faltan(tiendas=codigos, cantidad=STOCK_INICIAL)
    salida = []
    for i in range(n):
        tienda, terminal = f"S{i // 2 + 1:03d}", f"caja-{i % 2 + 1}"
        _, token = crear_terminal(tienda, terminal)
        salida.append([tienda, terminal, token])
    print(json.dumps(salida))


def interno_precios(datos: str, por_segundo: float) -> None:
    """La oficina central cambia precios con el ORM hasta que se cierra su entrada estándar."""
    _django(datos)
    from servidor_demo.productos.models import Producto

    ids = list(Producto.objects.values_list("pk", flat=True))
    azar = random.Random(5)
    parar = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), parar.set()), daemon=True).start()
    hechos = 0
    while not parar.is_set():
        p = Producto.objects.get(pk=azar.choice(ids))
        p.precio = Decimal(azar.randrange(50, 5000)) / 100
        p.save(update_fields=["precio"])
        hechos += 1
        parar.wait(1 / por_segundo)
    print(json.dumps({"precios": hechos}))


def interno_estado(datos: str) -> None:
    """Estado final: {id: [version, precio]} de los productos, {id: [version, cantidad,
    tienda]} de las existencias y los ids de las ventas."""
    _django(datos)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT p.id, r.id, p.precio::text FROM productos_producto p "
            "JOIN central_registrocambio r ON r.modelo = %s AND r.vigente "
            "AND r.objeto_id = p.id::text",
            [PRODUCTO],
        )
        productos = {str(f[0]): [f[1], f[2]] for f in cur.fetchall()}
        cur.execute(
            "SELECT e.id, r.id, e.cantidad, e.tienda_id FROM productos_existencia e "
            "JOIN central_registrocambio r ON r.modelo = %s AND r.vigente "
            "AND r.objeto_id = e.id",
            [EXISTENCIA],
        )
        existencias = {f[0]: [f[1], f[2], f[3]] for f in cur.fetchall()}
        cur.execute("SELECT id::text FROM ventas_venta")
        ventas = sorted(f[0] for f in cur.fetchall())
    print(json.dumps({"productos": productos, "existencias": existencias, "ventas": ventas}))


def _interno(orden: list[str], central: CentralEnMarcha, entrada: bool = False) -> Any:
    return subprocess.Popen(
        [sys.executable, __file__, "--interno", *orden, "--datos", str(central.datos)],
        env=central.entorno,
        stdin=subprocess.PIPE if entrada else None,
        stdout=subprocess.PIPE,
        text=True,
        cwd=RAIZ,
    )


def _json_interno(orden: list[str], central: CentralEnMarcha) -> Any:
    proceso = _interno(orden, central)
    salida, _ = proceso.communicate(timeout=600)
    if proceso.returncode:
        raise RuntimeError(f"--interno {orden[0]} falló ({proceso.returncode})")
    return json.loads(salida)


# -- una caja simulada ------------------------------------------------------------------------


def operacion(
    azar: random.Random, modelo: str, tipo: str, objeto_id: str | None, datos: dict
) -> dict:
    """Una operación del protocolo como la envía una caja, con un UUID sacado de ``azar``."""
    return {
        "uuid": str(uuid.UUID(int=azar.getrandbits(128), version=4)),
        "modelo": modelo,
        "tipo": tipo,
        "objeto_id": objeto_id,
        "datos": datos,
        "hora_terminal": "2026-12-03T10:00:00+00:00",
        "desfase_ms": 0,
    }


class Caja:
    """Una terminal a nivel de protocolo: su sesión viva, su cursor y lo que ha reproducido
    (``versiones``: id -> versión, ``valores``: id -> precio de un producto o cantidad de una
    existencia, de la última versión; las claves de los dos modelos no se confunden: «12» y
    «S001:12»)."""

    def __init__(self, url: str, tienda: str, terminal: str, token: str, semilla: int):
        self.url, self.tienda, self.terminal = url, tienda, terminal
        self.sesion = requests.Session()
        self.sesion.headers["Authorization"] = f"Token {token}"
        self.sesion.headers["Content-Type"] = "application/json"
        self.azar = random.Random(semilla)
        self.cursor = ""
        self.versiones: dict[str, int] = {}
        self.valores: dict[str, str | int] = {}
        self.fuera_de_orden = 0
        self.empujes: list[float] = []
        self.descargas: list[float] = []
        self.errores: Counter[str] = Counter()
        self.ventas: list[str] = []
        self.deltas: Counter[str] = Counter()
        self.ciclos = 0
        self.operaciones = 0

    def _pedir(self, metodo: str, ruta: str, **kw) -> requests.Response:
        """Repite (mismo cuerpo) hasta 2xx; anota cada fallo por estado."""
        espera = 0.05
        while True:
            try:
                r = self.sesion.request(metodo, self.url + ruta, timeout=120, **kw)
            except requests.RequestException as exc:
                self.errores[type(exc).__name__] += 1
            else:
                if r.status_code < 300:
                    return r
                self.errores[str(r.status_code)] += 1
                if r.status_code not in (429, 500, 502, 503, 504):
                    raise RuntimeError(f"{ruta}: {r.status_code} {r.text[:300]}")
                espera = max(espera, float(r.headers.get("Retry-After", 0) or 0))
            time.sleep(espera * (1 + self.azar.random()))
            espera = min(espera * 2, 5)

    def descargar(self) -> None:
        t = time.perf_counter()
        while True:
            r = self._pedir(
                "GET", "/v1/cambios", params={"modelos": MODELOS, "cursor": self.cursor}
            )
            p = r.json()
            for c in p["cambios"]:
                previa = self.versiones.get(c["id"], 0)
                if c["version"] < previa:  # la misma versión otra vez es una repetición inocua
                    self.fuera_de_orden += 1
                self.versiones[c["id"]] = c["version"]
                d = c["datos"]
                self.valores[c["id"]] = d["precio"] if c["modelo"] == PRODUCTO else d["cantidad"]
            self.cursor = p["cursor"]
            if not p["hay_mas"]:
                break
        self.descargas.append(time.perf_counter() - t)

    def _op(self, modelo: str, tipo: str, objeto_id: str | None, datos: dict) -> dict:
        return operacion(self.azar, modelo, tipo, objeto_id, datos)

    def empujar(self, productos: int) -> None:
        ops = []
        for _ in range(self.azar.randint(1, 3)):
            venta = str(uuid.UUID(int=self.azar.getrandbits(128), version=4))
            lineas = [
                (str(self.azar.randrange(1, productos + 1)), self.azar.randint(1, 3))
                for _ in range(self.azar.randint(1, 4))
            ]
            datos = {"id": venta, "terminal": self.terminal, "cliente": None}
            datos.update(fecha="2026-12-03T10:00:00+00:00", total="1.00")
            ops.append(self._op(VENTA, "crear", venta, datos))
            for producto, cantidad in lineas:
                linea = {"id": str(uuid.UUID(int=self.azar.getrandbits(128), version=4))}
                linea.update(venta=venta, producto=int(producto), cantidad=cantidad)
                ops.append(self._op(LINEA, "crear", None, {**linea, "precio_unitario": "1.00"}))
                existencia = f"{self.tienda}:{producto}"
                ops.append(self._op(EXISTENCIA, "ajustar", existencia, {"cantidad": -cantidad}))
            self.ventas.append(venta)
            for producto, cantidad in lineas:
                self.deltas[f"{self.tienda}:{producto}"] -= cantidad
        cuerpo = json.dumps({"operaciones": ops})
        t = time.perf_counter()
        r = self._pedir("POST", "/v1/operaciones", data=cuerpo)
        self.empujes.append(time.perf_counter() - t)
        resultados = [x["resultado"] for x in r.json()["resultados"]]
        malos = [x for x in resultados if x not in ("aplicada", "duplicada")]
        if malos:
            raise RuntimeError(f"{self.terminal}@{self.tienda}: {Counter(malos)}")
        self.operaciones += len(ops)

    def huella(self) -> str:
        return hashlib.sha256(json.dumps(sorted(self.versiones.items())).encode()).hexdigest()


def interno_clientes() -> None:
    """Un proceso cliente (sus cajas en hilos). Lee la configuración en JSON por la entrada
    estándar; al acabar la carga imprime lo medido (una línea JSON), espera una línea (la
    oficina ya paró), descarga lo que quede e imprime lo que ha reproducido cada caja."""
    conf = json.loads(sys.stdin.readline())
    simuladas = [Caja(conf["url"], *c[:3], semilla=c[3]) for c in conf["cajas"]]
    barrera = threading.Barrier(len(simuladas))
    apertura: list[float] = []
    fallos: list[str] = []
    ventana: list[float] = []  # inicio y fin de la carga de cada caja (tiempo de pared)

    def vida(caja: Caja) -> None:
        try:
            barrera.wait()
            t = time.perf_counter()
            caja.descargar()  # la apertura: todas a la vez
            apertura.append(time.perf_counter() - t)
            caja.descargas.clear()
            time.sleep(caja.azar.uniform(0, conf["pensar"]))  # arranque escalonado
            fin_carga = time.time() + conf["segundos"]
            ventana.append(time.time())
            while time.time() < fin_carga:
                caja.empujar(conf["productos"])
                caja.descargar()
                caja.ciclos += 1
                time.sleep(caja.azar.uniform(0.5, 1.5) * conf["pensar"])
            ventana.append(time.time())
        except Exception as exc:  # se cuenta como fallo de la comprobación
            fallos.append(f"{caja.tienda}/{caja.terminal}: {type(exc).__name__}: {exc}"[:300])

    hilos = [threading.Thread(target=vida, args=(c,)) for c in simuladas]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()
    errores: Counter[str] = Counter()
    deltas: Counter[str] = Counter()
    for c in simuladas:
        errores.update(c.errores)
        deltas.update(c.deltas)
    medido = {
        "empujes": [x for c in simuladas for x in c.empujes],
        "descargas": [x for c in simuladas for x in c.descargas],
        "apertura": apertura,
        "errores": errores,
        "ventas": [v for c in simuladas for v in c.ventas],
        "deltas": deltas,
        "ciclos": sum(c.ciclos for c in simuladas),
        "operaciones": sum(c.operaciones for c in simuladas),
        "fuera_de_orden": sum(c.fuera_de_orden for c in simuladas),
        "fallos": fallos,
        "ventana": [min(ventana), max(ventana)] if ventana else [0, 0],
    }
    print(json.dumps(medido), flush=True)
    sys.stdin.readline()
    for c in simuladas:
        c.descargar()
    estados = [[c.terminal, c.tienda, c.versiones, c.valores] for c in simuladas]
    print(json.dumps(estados), flush=True)


def _cpu_entre(muestras: list[tuple[float, ...]], desde: float, hasta: float) -> list[float]:
    """Lo consumido entre ``desde`` y ``hasta`` de cada contador de las muestras (cada 0,2 s):
    (servidor, PostgreSQL, clientes, ticks de la máquina, ticks ociosos)."""

    def en(t: float) -> tuple[float, ...]:
        anterior = muestras[0]
        for m in muestras:
            if m[0] >= t:
                return m
            anterior = m
        return anterior

    return [b - a for a, b in zip(en(desde)[1:], en(hasta)[1:], strict=True)]


def _esperar_marca_de_agua(url_pg: str, plazo: float = 60.0) -> None:
    """Hasta que la marca de agua de PostgreSQL pase la última transacción del registro, para
    que la descarga final de cada caja pueda traerlo todo. La marca es de todo el servidor: una
    transacción larga de OTRA base (otras pruebas en la misma máquina) la retiene, y entonces la
    comparación final fallaría por la máquina, no por la central."""
    import psycopg

    limite = time.monotonic() + plazo
    with psycopg.connect(url_pg, autocommit=True) as pg:
        while time.monotonic() < limite:
            fila = pg.execute(
                "SELECT COALESCE(MAX(transaccion), 0) < "
                "pg_snapshot_xmin(pg_current_snapshot())::text::bigint "
                "FROM central_registrocambio"
            ).fetchone()
            if fila[0]:
                return
            time.sleep(0.1)
    print(f"Aviso: la marca de agua no pasó la última entrada en {plazo:.0f} s", flush=True)


def _percentil(valores: list[float], q: float) -> float:
    if not valores:
        return float("nan")
    valores = sorted(valores)
    return valores[min(len(valores) - 1, int(len(valores) * q))]


def medir(modo: str, n: int, args: argparse.Namespace) -> dict:
    prefijo = f"bench-cadena-{n}"
    with central_pg(prefijo, args.productos, modo, args.hilos, args.trabajadores) as (
        central,
        url_pg,
    ):
        return _medir(central, url_pg, modo, n, args)


def _medir(
    central: CentralEnMarcha, url_pg: str, modo: str, n: int, args: argparse.Namespace
) -> dict:
    terminales = _json_interno(["terminales", str(n)], central)
    inicial = _json_interno(["estado"], central)
    # Una caja sola descarga el catálogo: la referencia de la apertura.
    sola = Caja(central.url, *terminales[0], semilla=0)
    t = time.perf_counter()
    sola.descargar()
    una_sola = time.perf_counter() - t
    procesos = max(1, min(args.procesos, n))
    # (hora, CPU acumulada del servidor, de PostgreSQL y de los clientes; ticks de la máquina)
    muestras: list[tuple[float, ...]] = []
    parar = threading.Event()
    clientes: list[subprocess.Popen] = []

    def vigilar() -> None:
        import psycopg

        with psycopg.connect(url_pg, autocommit=True) as pg:
            while not parar.is_set():
                muestras.append(
                    (
                        time.time(),
                        cpu_servidor(central.proceso.pid),
                        cpu_pg(pg),
                        cpu_procesos([c.pid for c in list(clientes)]),
                        *cpu_maquina(),
                    )
                )
                parar.wait(0.2)

    vigia = threading.Thread(target=vigilar)
    vigia.start()
    oficina = _interno(["precios", str(args.precios_s)], central, entrada=True)
    for k in range(procesos):
        cliente = _interno(["clientes"], central, entrada=True)
        conf = {
            "url": central.url,
            "cajas": [[*terminales[i], 1000 * i + 7] for i in range(k, n, procesos)],
            "segundos": args.segundos,
            "pensar": args.pensar,
            "productos": args.productos,
        }
        cliente.stdin.write(json.dumps(conf) + "\n")
        cliente.stdin.flush()
        clientes.append(cliente)
    partes = [json.loads(c.stdout.readline()) for c in clientes]
    parar.set()
    vigia.join()
    desde = min(p["ventana"][0] for p in partes)
    hasta = max(p["ventana"][1] for p in partes)
    duracion = max(hasta - desde, 1e-3)
    cpu = _cpu_entre(muestras, desde, hasta)
    oficina.stdin.close()
    precios = json.loads(oficina.stdout.read())["precios"]
    oficina.wait(60)
    _esperar_marca_de_agua(url_pg)
    for c in clientes:
        c.stdin.write("fin\n")
        c.stdin.flush()
    estados = [e for c in clientes for e in json.loads(c.stdout.readline())]
    for c in clientes:
        c.wait(60)
    final = _json_interno(["estado"], central)
    return _comprobar(modo, n, partes, estados, inicial, final, cpu, duracion, una_sola, precios)


def _comprobar(modo, n, partes, estados, inicial, final, cpu, duracion, una_sola, precios):
    ventas = [v for p in partes for v in p["ventas"]]
    deltas: Counter[str] = Counter()
    for p in partes:
        deltas.update(p["deltas"])
    fallos: list[str] = []
    if len(set(ventas)) != len(ventas):
        fallos.append("una venta se generó dos veces en el cliente")
    en_central = set(final["ventas"])
    faltan = [v for v in ventas if v not in en_central]
    sobran = len(final["ventas"]) - len(set(ventas))
    if faltan or sobran:
        fallos.append(f"ventas: faltan {len(faltan)}, sobran {sobran}")
    malos_stock = [
        eid
        for eid, (_, cantidad, _) in final["existencias"].items()
        if cantidad != inicial["existencias"][eid][1] + deltas.get(eid, 0)
    ]
    if malos_stock or set(deltas) - set(final["existencias"]):
        fallos.append(f"stock distinto de inicial + deltas en {len(malos_stock)} existencias")
    distintas = 0
    for _terminal, tienda, versiones, valores in estados:
        # Su catálogo y las existencias de su tienda, ni una más.
        suyas = {e: f for e, f in final["existencias"].items() if f[2] == tienda}
        esperado_v = {pid: f[0] for pid, f in final["productos"].items()}
        esperado_v.update({e: f[0] for e, f in suyas.items()})
        esperado_valores = {pid: f[1] for pid, f in final["productos"].items()}
        esperado_valores.update({e: f[1] for e, f in suyas.items()})
        if versiones != esperado_v or valores != esperado_valores:
            distintas += 1
    if distintas:
        fallos.append(f"{distintas} cajas con un catálogo distinto del de la central")
    for p in partes:
        fallos += p["fallos"]
    fuera = sum(p["fuera_de_orden"] for p in partes)
    if fuera:
        fallos.append(f"{fuera} cambios servidos fuera de orden")
    empujes = [x for p in partes for x in p["empujes"]]
    descargas = [x for p in partes for x in p["descargas"]]
    apertura = [x for p in partes for x in p["apertura"]]
    ciclos = sum(p["ciclos"] for p in partes)
    return {
        "modo": modo,
        "n": n,
        "ops_s": sum(p["operaciones"] for p in partes) / duracion,
        "ciclos": ciclos,
        "empuje": [_percentil(empujes, q) for q in (0.5, 0.95, 0.99)],
        "descarga": [_percentil(descargas, q) for q in (0.5, 0.95, 0.99)],
        "errores": dict(sum((Counter(p["errores"]) for p in partes), Counter())),
        "cpu_ciclo_ms": 1000 * cpu[0] / max(1, ciclos),
        # PostgreSQL, clientes y la máquina entera (todo: también la oficina y el resto).
        "pg_ciclo_ms": 1000 * cpu[1] / max(1, ciclos),
        "clientes_ciclo_ms": 1000 * cpu[2] / max(1, ciclos),
        "maquina_ciclo_ms": 1000 * (cpu[3] - cpu[4]) / os.sysconf("SC_CLK_TCK") / max(1, ciclos),
        "ociosa": cpu[4] / max(1.0, cpu[3]),
        "apertura_max": max(apertura) if apertura else float("nan"),
        "una_sola": una_sola,
        "precios": precios,
        "ventas": len(ventas),
        "fallos": fallos,
    }


def _ms(x: float) -> str:
    return f"{x * 1000:,.0f}"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--interno", nargs="+", help=argparse.SUPPRESS)
    p.add_argument("--datos", help=argparse.SUPPRESS)
    p.add_argument("--pg", default=os.environ.get("SINCRO_PG_URL"))
    p.add_argument("--cajas", default="10,50", help="N separados por comas")
    p.add_argument("--modos", default="cerrojo,marca")
    p.add_argument("--segundos", type=float, default=6.0, help="de carga, tras la apertura")
    p.add_argument("--pensar", type=float, default=1.0)
    p.add_argument("--productos", type=int, default=2000)
    p.add_argument("--precios-s", type=float, default=5.0, help="cambios de precio por segundo")
    p.add_argument("--trabajadores", type=int, default=4)
    p.add_argument("--hilos", type=int, default=8)
    p.add_argument("--procesos", type=int, default=4, help="procesos cliente")
    args = p.parse_args()
    if args.interno:
        orden, *resto = args.interno
        {
            "terminales": lambda: interno_terminales(args.datos, int(resto[0])),
            "precios": lambda: interno_precios(args.datos, float(resto[0])),
            "estado": lambda: interno_estado(args.datos),
            "clientes": interno_clientes,
        }[orden]()
        return 0
    if not usar_pg(args.pg):
        return 2
    print(
        f"PostgreSQL, {args.productos} productos, gunicorn {args.trabajadores} trabajadores x "
        f"{args.hilos} hilos, {args.segundos:.0f} s de carga tras la apertura, "
        f"pensar {args.pensar} s, oficina {args.precios_s} precios/s; {carga()}"
    )
    print(
        "| modo | cajas | ops/s | empuje p50/p95/p99 ms | descarga p50/p95/p99 ms | "
        "CPU servidor/ciclo ms | CPU PostgreSQL / clientes / máquina por ciclo ms | "
        "máquina ociosa | apertura (todas / una sola) s | errores | comprobaciones |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    resultados = {}
    fallido = False
    for n in [int(x) for x in args.cajas.split(",")]:
        for modo in args.modos.split(","):
            r = medir(modo, n, args)
            resultados[(modo, n)] = r
            fallido |= bool(r["fallos"])
            print(
                f"| {modo} | {n} | {r['ops_s']:,.0f} | "
                f"{' / '.join(_ms(x) for x in r['empuje'])} | "
                f"{' / '.join(_ms(x) for x in r['descarga'])} | {r['cpu_ciclo_ms']:.1f} | "
                f"{r['pg_ciclo_ms']:.1f} / {r['clientes_ciclo_ms']:.1f} / "
                f"{r['maquina_ciclo_ms']:.1f} | {r['ociosa']:.0%} | "
                f"{r['apertura_max']:.2f} / {r['una_sola']:.2f} | "
                f"{r['errores'] or 0} | "
                f"{'; '.join(r['fallos']) or 'todas bien'} ({r['ventas']} ventas, "
                f"{r['precios']} precios) |",
                flush=True,
            )
        if ("cerrojo", n) in resultados and ("marca", n) in resultados:
            base, nuevo = resultados[("cerrojo", n)], resultados[("marca", n)]
            print(
                f"|  | {n} | relación marca/cerrojo: {nuevo['ops_s'] / base['ops_s']:.2f}x ops/s, "
                f"CPU por ciclo {nuevo['cpu_ciclo_ms'] / base['cpu_ciclo_ms']:.2f}x" + " |" * 9
            )
    print(f"{carga()}")
    return 1 if fallido else 0


if __name__ == "__main__":
    sys.exit(main())
