"""429 con ``Retry-After`` cuando la central ya atiende su máximo de peticiones caras, con la
central real (límite 1 por proceso) y una caja real que lo recibe y después lo consigue."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import threading
import time

import requests

from agente.sincronizacion.sincronizador import espera_de_arranque
from tests.central.admin_util import orm
from tests.central.conftest import Api
from tests.sincronizacion.terminales import (
    SINCRO,
    configurar,
    parar,
    productos_cache,
    productos_central,
)


class LoteLento:
    """Un ``POST /v1/operaciones`` cuyo cuerpo llega a medias: ocupa su plaza de petición cara
    en la central hasta ``terminar``."""

    def __init__(self, central) -> None:
        self.cuerpo = json.dumps({"operaciones": []}).encode()
        ruta = central.url.split(str(central.puerto), 1)[1] + "/v1/operaciones"
        self.conexion = socket.create_connection(("127.0.0.1", central.puerto), timeout=30)
        cabeceras = (
            f"POST {ruta} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token {central.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(self.cuerpo)}\r\n"
            "Connection: close\r\n\r\n"
        )
        self.conexion.sendall(cabeceras.encode() + self.cuerpo[:1])

    def terminar(self) -> str:
        self.conexion.sendall(self.cuerpo[1:])
        respuesta = b""
        while fragmento := self.conexion.recv(65536):
            respuesta += fragmento
        self.conexion.close()
        return respuesta.decode().split("\r\n", 1)[0]


def _saturaciones(central) -> int:
    log = central.log.read_text()  # la primera descarga de la caja empieza por la instantánea
    return sum(log.count(f"429 en /sincro/v1/{r} para T001/caja-1") for r in RUTAS_PESADAS)


RUTAS_PESADAS = ("cambios", "instantanea")


def test_la_caja_recibe_429_con_retry_after_y_despues_sincroniza(central_factory, tmp_path):
    c = central_factory(demo=40, hilos=4, entorno={"SINCRO_PETICIONES_PESADAS": "1"})
    datos = tmp_path / "caja"
    configurar(datos, c, c.tienda, c.terminal, c.token)
    api = Api(c.url, c.token)

    lento = LoteLento(c)
    vistos = []
    limite = time.monotonic() + 60
    while time.monotonic() < limite:  # hasta que el lote lento ocupa la única plaza
        r = api.sesion.get(c.url + "/v1/cambios", params={"modelos": "productos.Producto"})
        vistos.append(r.status_code)
        if r.status_code == 429:
            break
        if select.select([lento.conexion], [], [], 0)[0]:
            # La central ya contestó al lote lento: llegó cuando esta descarga tenía la plaza
            # y recibió su 429. Otro lote lento.
            lento.conexion.close()
            lento = LoteLento(c)
        time.sleep(0.05)
    assert vistos[-1] == 429, (vistos, c.log.read_text()[-3000:])
    error = api.get("/v1/cambios", estado=429, modelos="productos.Producto")
    assert error["error"] == "central_saturada"
    r = api.sesion.post(c.url + "/v1/operaciones", json={"operaciones": []})
    assert (r.status_code, r.headers["Retry-After"]) == (429, "1")
    # Lo barato no se limita: una central saturada sigue respondiendo a quien pregunta.
    api.get("/v1/salud")
    api.get("/v1/esquema")
    api.post("/v1/estado", {})

    # Las 429 de esta prueba ya están en el registro antes de que arranque la caja.
    propias = vistos.count(429) + 1
    esperar(lambda: _saturaciones(c) == propias, 30)
    informado = (  # la caja informa de su versión al final de cada pase (esta prueba, no)
        "from central.models import SaludTerminal as S; "
        "print(S.objects.get(terminal__codigo='caja-1').version_agente != '')"
    )
    caja = subprocess.Popen(  # el bucle, como en una tienda: reintenta lo que haga falta
        [*SINCRO, "--datos", str(datos), "sincronizar", "--sin-api-local"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        esperar(lambda: _saturaciones(c) > propias, 60)  # la caja pidió la instantánea: 429
        assert orm(c, informado) == "False"  # y no terminó su pase
        assert lento.terminar() == "HTTP/1.1 200 OK"
        esperar(lambda: orm(c, informado) == "True", 120)
        assert caja.poll() is None
        assert productos_cache(datos) == productos_central(c)
    finally:
        parar(caja)


def _una_plaza_ocupada(central_factory) -> tuple:
    """Central de 4 hilos con 1 plaza cara (20 s de espera), ocupada por un lote lento cuyo
    cuerpo no ha llegado entero: (central, Api, LoteLento)."""
    c = central_factory(
        demo=5,
        hilos=4,
        entorno={"SINCRO_PETICIONES_PESADAS": "1", "SINCRO_ESPERA_PESADA_S": "20"},
    )
    lento = LoteLento(c)
    time.sleep(0.5)  # el lote lento ya tiene la plaza
    return c, Api(c.url, c.token), lento


def test_una_punta_pasajera_espera_su_plaza_en_vez_de_recibir_429(central_factory):
    """Con la única plaza ocupada por un lote que termina enseguida, la descarga que llega
    mientras tanto espera (``SINCRO_ESPERA_PESADA_S``) y sale bien: sin 429."""
    c, api, lento = _una_plaza_ocupada(central_factory)
    respuesta: list[int] = []
    hilo = threading.Thread(
        target=lambda: respuesta.append(
            api.sesion.get(
                c.url + "/v1/cambios", params={"modelos": "productos.Producto"}, timeout=60
            ).status_code
        )
    )
    t = time.monotonic()
    hilo.start()
    hilo.join(1.5)
    assert hilo.is_alive(), respuesta  # espera su plaza: ni 200 ni 429 todavía
    assert lento.terminar() == "HTTP/1.1 200 OK"
    hilo.join(30)
    assert respuesta == [200]
    assert time.monotonic() - t < 20
    assert "429 en" not in c.log.read_text()


def test_la_cola_de_caras_es_corta_y_lo_barato_nunca_espera(central_factory):
    """4 hilos, 1 plaza cara ocupada por un lote lento: caben 2 esperando (4 − 1 − 1); la
    siguiente cara recibe 429 al momento, y lo barato responde enseguida porque un hilo queda
    libre. Al terminar el lote lento, las que esperaban salen bien."""
    c, api, lento = _una_plaza_ocupada(central_factory)
    respuestas: list[int] = []

    def descargar() -> None:
        sesion = requests.Session()
        sesion.headers["Authorization"] = f"Token {c.token}"
        r = sesion.get(c.url + "/v1/cambios", params={"modelos": "productos.Producto"}, timeout=60)
        respuestas.append(r.status_code)

    esperando = [threading.Thread(target=descargar) for _ in range(2)]
    for h in esperando:
        h.start()
    time.sleep(1.0)
    assert respuestas == []  # las dos esperan su plaza
    t = time.monotonic()
    r = api.sesion.get(c.url + "/v1/cambios", params={"modelos": "productos.Producto"})
    assert r.status_code == 429 and time.monotonic() - t < 3  # la cola está llena: al momento
    t = time.monotonic()
    api.get("/v1/salud")
    api.get("/v1/esquema")
    assert time.monotonic() - t < 3
    assert lento.terminar() == "HTTP/1.1 200 OK"
    for h in esperando:
        h.join(30)
    assert respuestas == [200, 200]


def esperar(condicion, plazo: float) -> None:
    limite = time.monotonic() + plazo
    while not condicion():
        assert time.monotonic() < limite, "la condición no se cumplió a tiempo"
        time.sleep(0.05)


def test_arranque_escalonado():
    assert espera_de_arranque(0) == 0
    assert espera_de_arranque(30, "0") == 0
    esperas = [espera_de_arranque(30) for _ in range(200)]
    assert all(0 <= e <= 30 for e in esperas)
    assert max(esperas) > 15 and min(esperas) < 15
    assert all(0 <= espera_de_arranque(0, "2") <= 2 for _ in range(50))
    assert espera_de_arranque(5, "no-numero") <= 5


def test_el_bucle_espera_su_arranque_escalonado_antes_del_primer_pase(central_factory, tmp_path):
    c = central_factory(demo=3)
    datos = tmp_path / "caja"
    configurar(datos, c, c.tienda, c.terminal, c.token)
    contacto = (
        "from central.models import SaludTerminal as S; "
        "print(S.objects.get(terminal__codigo='caja-1').informado_en)"
    )
    assert orm(c, contacto) == "None"
    bucle = subprocess.Popen(
        [*SINCRO, "--datos", str(datos), "sincronizar", "--sin-api-local"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SINCRO_ARRANQUE_ESCALONADO": "3600"},
    )
    try:
        time.sleep(3)  # espera al azar de 0 a 3600 s: casi seguro más de 3
        assert bucle.poll() is None
        assert orm(c, contacto) == "None"
        bucle.send_signal(signal.SIGINT)  # la espera se interrumpe al parar
        bucle.communicate(timeout=20)
    finally:
        if bucle.poll() is None:
            bucle.kill()
    assert bucle.returncode in (0, 130)
