"""La fachada para la pestaña Configuración y la bandeja, contra la central REAL: probar y
comprobar un token antes de guardarlo, y el estado de conexión visto por un proceso que no
sincroniza (el bucle corre en otro proceso y persiste su estado en la cola)."""

from __future__ import annotations

import socket

import pytest

from agente import Agente, TokenRechazado
from agente.sincronizacion.credenciales import leer_token


@pytest.fixture
def configurada(tmp_path, central):
    directorio = tmp_path / "datos"
    with Agente.abrir(directorio) as agente:
        agente.configurar(central.url, central.tienda, central.terminal, central.token)
    return directorio


def _puerto_cerrado() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_resumen_de_configuracion_sin_revelar_el_token(configurada, central):
    with Agente.abrir(configurada) as agente:
        datos = agente.resumen_configuracion()
    assert datos["servidor"] == central.url.rstrip("/") or datos["servidor"] == central.url
    assert (datos["tienda"], datos["terminal"], datos["hay_token"]) == (
        central.tienda,
        central.terminal,
        True,
    )
    assert central.token not in repr(datos)


def test_un_token_que_la_central_rechaza_no_se_acepta(configurada, central):
    with Agente.abrir(configurada) as agente:
        url = agente.resumen_configuracion()["servidor"]
        assert agente.comprobar_token(url, None, terminal=central.terminal) is True
        assert agente.probar_conexion(url, central.token)["autenticado"] is True
        with pytest.raises(TokenRechazado) as error:
            agente.comprobar_token(url, "token-falso-" + "x" * 30, terminal=central.terminal)
    assert str(error.value) == TokenRechazado.RECHAZADO
    assert leer_token(configurada, central.terminal) == central.token


def test_sin_respuesta_no_se_arriesga_el_token_guardado(configurada, central):
    with Agente.abrir(configurada) as agente:
        cerrado = _puerto_cerrado()
        with pytest.raises(TokenRechazado) as error:
            agente.comprobar_token(cerrado, "otro-token", terminal=central.terminal)
        assert str(error.value) == TokenRechazado.SIN_COMPROBAR
        # Primera configuración (sin token guardado que perder): se puede guardar sin red.
        assert agente.comprobar_token(cerrado, "otro-token", terminal="terminal-nueva") is False


def test_estado_terminal_primer_arranque_tras_configurar(configurada):
    """Configurada y sin nada persistido por la sincronización: «sincronizando», nunca
    «sin configurar» (la bandeja se quedaba en rojo hasta reiniciar)."""
    with Agente.abrir(configurada) as agente:
        assert agente.estado()["conexion"]["estado"] == "sin configurar"
        conexion = agente.estado_terminal()["conexion"]
    assert conexion["estado"] == "sincronizando"
    assert conexion["sincronizando"] is True


def test_estado_terminal_lee_lo_que_persistio_otro_proceso(configurada):
    with Agente.abrir(configurada) as sincroniza, Agente.abrir(configurada) as bandeja:
        bandeja.estado()  # la bandeja ya estaba abierta: su memoria queda atrás
        sincroniza.sincronizar_una_vez()
        assert sincroniza.estado()["conexion"]["estado"] == "al día"
        assert bandeja.estado()["conexion"]["estado"] != "al día"
        estado = bandeja.estado_terminal()
    assert estado["conexion"]["estado"] == "al día"
    assert estado["conexion"]["ultima_descarga_ok"]
    assert estado["ventas_pendientes"]["n"] == 0


def test_sin_configuracion_dice_sin_configurar(tmp_path):
    with Agente.abrir(tmp_path / "datos") as agente:
        assert agente.estado_terminal()["conexion"]["estado"] == "sin configurar"
