"""Salud en el admin (resumen por tienda, filtros) y webhook de avisos, contra la central real y
un servidor HTTP real en bucle local que hace de receptor del webhook."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .admin_util import Admin, orm
from .conftest import Api


class Receptor:
    """Receptor de webhook: anota cada POST (y cómo lo respondió); los ``fallar`` primeros
    reciben un 500."""

    def __init__(self, fallar: int = 0) -> None:
        self.recibidos: list[tuple[int, dict]] = []
        self.fallar = fallar
        cerrojo = threading.Lock()
        receptor = self

        class Manejador(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                cuerpo = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with cerrojo:
                    estado = 500 if receptor.fallar > 0 else 200
                    receptor.fallar -= 1
                    receptor.recibidos.append((estado, cuerpo))
                self.send_response(estado)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.servidor = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Manejador)
        self.url = f"http://127.0.0.1:{self.servidor.server_address[1]}/avisos"
        threading.Thread(target=self.servidor.serve_forever, daemon=True).start()

    def entregados(self, terminal: str = "caja-1") -> list[dict]:
        return [c for e, c in list(self.recibidos) if e == 200 and c["terminal"] == terminal]

    def esperar(self, condicion, plazo: float = 20.0) -> list[dict]:
        limite = time.monotonic() + plazo
        while time.monotonic() < limite:
            entregados = self.entregados()
            if any(condicion(a) for a in entregados):
                return entregados
            time.sleep(0.05)
        raise AssertionError(f"sin el aviso esperado; recibidos: {self.recibidos}")

    def cerrar(self) -> None:
        self.servidor.shutdown()
        self.servidor.server_close()


@pytest.fixture
def receptor():
    r = Receptor(fallar=1)
    yield r
    r.cerrar()


def test_webhook_avisa_al_entrar_y_al_salir_de_alerta_y_reintenta(central_factory, receptor):
    ajustes = {"webhook": receptor.url, "webhook_intervalo_s": 0.2, "webhook_espera_base_s": 0.1}
    c = central_factory(demo=3, entorno={"SINCRO_SALUD_JSON": json.dumps(ajustes)})
    api = Api(c.url, c.token)
    inicio = time.monotonic()
    api.post("/v1/estado", {"desfase_ms": 400_000})
    assert time.monotonic() - inicio < 2

    def rojo(a):
        return a["nivel"] == "rojo" and "Reloj desfasado 6 min" in a["motivos"]

    receptor.esperar(rojo)
    # El primer aviso recibió un 500 y se reintentó con el mismo cuerpo.
    assert receptor.recibidos[0][0] == 500
    assert receptor.recibidos[1] == (200, receptor.recibidos[0][1])
    assert "El webhook de salud falló (intento 1 de 5)" in c.log.read_text()

    api.post("/v1/estado", {"desfase_ms": 10})
    entregados = receptor.esperar(lambda a: a["evento"] == "recuperada")
    ultimo = entregados[-1]
    assert ultimo == {
        **ultimo,
        "evento": "recuperada",
        "tienda": "T001",
        "nivel": "verde",
        "nivel_anterior": "rojo",
        "motivos": [],
        "texto": "T001/caja-1: Al día",
    }
    # Cada cambio de nivel se avisa una vez: sin cambios, no llega nada más.
    time.sleep(1.0)
    assert receptor.entregados() == entregados
    assert sum(1 for a in entregados if rojo(a)) == 1


def test_resumen_por_tienda_y_filtros_en_el_admin(central_factory):
    c = central_factory(demo=3)
    otra = c.crear_terminal("T002", "caja-1")
    Api(c.url, c.token).post(
        "/v1/estado", {"desfase_ms": -300_000, "pendientes": 2, "antiguedad_pendiente_s": 7200}
    )
    Api(c.url, otra).post("/v1/estado", {"desfase_ms": 100})
    orm(
        c,
        "from central.models import IncidenciaDiario as I, Terminal as T; "
        "t = T.objects.get(tienda__codigo='T001'); "
        "I.objects.create(terminal=t, tienda='T001', serie='s', numero=3, tipo='hueco', "
        "detalle='falta el 2'); I.objects.create(terminal=t, tienda='T001', serie='s', "
        "numero=4, tipo='hueco', detalle='x', revisada=True)",
    )
    admin = Admin(c)

    pagina = admin.pagina("central/saludterminal/resumen/")
    assert "Tienda T001" in pagina and "Tienda T002" in pagina
    assert "Venta pendiente más antigua: 2 h" in pagina
    assert "Reloj desfasado 5 min" in pagina
    assert "Diario de ventas con 1 incidencias sin revisar" in pagina
    assert pagina.count("salud-rojo") == 1 and pagina.count("salud-verde") == 1
    assert "Rojo: 1" in pagina and "Verde: 1" in pagina

    rojas = admin.pagina("central/saludterminal/resumen/", nivel="rojo")
    assert "Tienda T001" in rojas and "Tienda T002" not in rojas
    solo_t002 = admin.pagina("central/saludterminal/resumen/", tienda="T002")
    assert "Tienda T002" in solo_t002 and "Tienda T001" not in solo_t002

    assert "Salud por tienda" in admin.pagina("central/saludterminal/")
    lista = admin.pagina("central/saludterminal/", nivel="rojo")
    assert "Reloj desfasado 5 min" in lista and "1 salud de terminal" in lista
    verdes = admin.pagina("central/saludterminal/", nivel="verde")
    assert "Al día" in verdes and "Reloj desfasado" not in verdes


def test_dos_procesos_que_ven_el_mismo_cambio_lo_avisan_una_vez(central_factory):
    c = central_factory(demo=3)
    Api(c.url, c.token).post("/v1/estado", {"desfase_ms": 400_000})
    # Dos vigías (como los de dos procesos de gunicorn) con la misma evaluación, ya vieja para
    # el segundo: sólo el primero gana el cambio y lo encola.
    salida = orm(
        c,
        "from central import avisos, salud; e = salud.evaluar_todas(); "
        "a = avisos.Vigia(avisos.Mensajero('http://127.0.0.1:9/')); "
        "b = avisos.Vigia(avisos.Mensajero('http://127.0.0.1:9/')); "
        "print(a.revisar(e), b.revisar(e), a.mensajero.cola.get_nowait()['nivel'])",
    )
    assert salida == "1 0 rojo"


def test_umbrales_mal_puestos_se_dicen_al_arrancar(tmp_path):
    r = subprocess.run(
        [str(Path(sys.executable).parent / "sincro-central"), "manage", "check"],
        env={
            **os.environ,
            "SINCRO_CENTRAL_DATOS": str(tmp_path),
            "SINCRO_SALUD_JSON": json.dumps({"desfase_rojo_s": 0}),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0
    assert "SINCRO_SALUD: SINCRO_SALUD['desfase_rojo_s'] debe ser un número positivo." in r.stderr
