"""«Bucle local» es una dirección, no un nombre; http sin cifrar hacia otra máquina exige
--permitir-http en la línea de órdenes (config.json no basta); el texto de la central nunca
llega crudo a la terminal (escapes ANSI, C1, marcas de dirección)."""

from __future__ import annotations

import json
import socket

import pytest

from agente.cli.salida import visible
from agente.soporte import configuracion
from agente.soporte.configuracion import ErrorConfiguracion, es_bucle_local, validar_servidor
from tests.sincronizacion.proxy import ProxyFallos
from tests.sincronizacion.terminales import EXISTENCIA, orden_ajustar, orden_configurar, sincro


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("evil.localhost", False),
        ("localhost.evil.com", False),
        ("localhost.", False),
        ("0.0.0.0", False),  # noqa: S104 - un nombre de prueba, no se escucha en él
        ("192.0.2.2", False),
        ("::ffff:8.8.8.8", False),
        ("", False),
    ],
)
def test_bucle_local_es_una_direccion(host, local):
    assert es_bucle_local(host) is local


def test_http_a_evil_localhost_se_rechaza():
    with pytest.raises(ErrorConfiguracion, match="http sin cifrar"):
        validar_servidor("http://evil.localhost/sincro")
    assert validar_servidor("http://localhost:8000/sincro")
    assert validar_servidor("http://127.0.0.1:8000/sincro")


def _direccion_no_local() -> str:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # UDP: no envía nada, sólo elige la interfaz
        direccion = s.getsockname()[0]
    except OSError:
        direccion = ""
    finally:
        s.close()
    if not direccion or es_bucle_local(direccion):
        pytest.skip("esta máquina no tiene una dirección que no sea de bucle local")
    return direccion


@pytest.fixture
def central_por_red(central):
    """La central real detrás de un proxy que escucha en una dirección de red de la máquina
    (no de bucle local): http sin cifrar de verdad hacia «otra» máquina."""
    proxy = ProxyFallos(central.url, escuchar=_direccion_no_local())
    yield proxy
    proxy.cerrar()


def test_permitir_http_hace_falta_en_la_linea_de_ordenes(central, central_por_red, tmp_path):
    datos = tmp_path / "terminal"
    base = orden_configurar(central_por_red.url, central.tienda, central.terminal)
    r = sincro(datos, *base, entrada=central.token)
    assert r.returncode == 2 and "http sin cifrar" in r.stderr
    r = sincro(datos, *base, "--permitir-http", entrada=central.token)
    assert r.returncode == 0, r.stderr
    assert json.loads((datos / "config.json").read_text())["permitir_http"] is True

    r = sincro(datos, "sincronizar", "--una-vez")  # config.json solo no basta
    assert r.returncode != 0 and "--permitir-http" in r.stderr
    r = sincro(datos, "sincronizar", "--una-vez", "--permitir-http")
    assert r.returncode == 0, r.stderr
    r = sincro(datos, "--permitir-http", "sincronizar", "--una-vez")
    assert r.returncode == 0, r.stderr


def test_cargar_sin_permiso_del_proceso_lo_dice(tmp_path, monkeypatch):
    monkeypatch.setattr(configuracion, "_http_permitido", False)
    (tmp_path / "config.json").write_text(
        json.dumps(
            {
                "servidor": "http://192.0.2.50/sincro",
                "tienda": "T001",
                "terminal": "caja-1",
                "permitir_http": True,
            }
        )
    )
    with pytest.raises(ErrorConfiguracion, match="--permitir-http en la línea de órdenes"):
        configuracion.cargar(tmp_path)
    monkeypatch.setattr(configuracion, "_http_permitido", True)
    assert configuracion.cargar(tmp_path).permitir_http is True


def test_visible_escapa_control_y_formato():
    texto = "a\x1b[2J\x1b]0;titulo\x07b\x9bc\u202ed\u200be\tf\ng ñ €"
    resultado = visible(texto)
    for crudo in ("\x1b", "\x07", "\x9b", "\u202e", "\u200b"):
        assert crudo not in resultado
    assert "\\u001b[2J" in resultado and "\\u202e" in resultado
    assert "\t" in resultado and "\n" in resultado and "ñ €" in resultado


def test_texto_de_la_central_no_llega_crudo_a_la_terminal(central, proxy, tmp_path):
    datos = tmp_path / "terminal"
    r = sincro(
        datos, *orden_configurar(proxy.url, central.tienda, central.terminal), entrada=central.token
    )
    assert r.returncode == 0, r.stderr
    assert sincro(datos, "sincronizar", "--una-vez").returncode == 0
    r = sincro(datos, *orden_ajustar("T001:1", -1, EXISTENCIA, "cantidad"))
    assert r.returncode == 0, r.stderr
    malicioso = "rechazada\x1b[2J\x1b[31mBORRADO\u202egnp.exe\x9b0m"
    proxy.texto = malicioso
    proxy.fallar("texto", "/v1/operaciones", fallos=5)
    sincro(datos, "sincronizar", "--una-vez")
    for orden in (["cola"], ["cola", "--estado", "ERROR"], ["estado"]):
        r = sincro(datos, *orden)
        assert r.returncode == 0, r.stderr
        for crudo in ("\x1b", "\u202e", "\x9b"):
            assert crudo not in r.stdout and crudo not in r.stderr, orden
    r = sincro(datos, "cola")
    assert "\\u001b[2J" in r.stdout
    r = sincro(datos, "cola", "--json")  # sigue siendo JSON válido y conserva el texto
    assert json.loads(r.stdout)[0]["ultimo_error"] == malicioso
    assert "\x9b" not in r.stdout
