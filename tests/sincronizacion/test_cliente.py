"""El cliente real del protocolo contra la central real y contra un proxy que falla."""

import pytest

from agente.sincronizacion.cliente import (
    Cliente,
    ErrorAutenticacion,
    ErrorServidor,
    RespuestaInvalida,
    SinConexion,
)
from tests.sincronizacion.terminales import ajuste


def stock(cliente, producto="1"):
    pagina = cliente.cambios("productos.Existencia", None, 100000)
    return next(c["datos"]["cantidad"] for c in pagina.cambios if c["id"] == f"T001:{producto}")


def test_salud_esquema_cambios_y_operaciones(central):
    cliente = Cliente(central.url, central.token)
    salud = cliente.salud()
    assert abs(salud.desfase_ms) < 5000 and salud.ida_y_vuelta_ms >= 0
    esquema, _ = cliente.esquema()
    assert esquema.modelo("productos.Producto").critico
    pagina = cliente.cambios("productos.Producto", None, 10)
    assert pagina.completo and pagina.hay_mas and len(pagina.cambios) == 10
    op = ajuste()
    (r,) = cliente.operaciones([op])
    assert r.resultado == "aplicada"
    (otra,) = cliente.operaciones([op])
    assert otra.resultado == "duplicada" and otra.version == r.version


def test_token_malo_es_error_de_autenticacion(central):
    with pytest.raises(ErrorAutenticacion, match="token"):
        Cliente(central.url, "no-vale").esquema()
    assert "no-vale" not in str(ErrorAutenticacion("x"))


def test_central_caida_es_sin_conexion():
    cliente = Cliente("http://127.0.0.1:9", "t", reintentos=1, espera_base=0.01)
    with pytest.raises(SinConexion, match="No se pudo hablar"):
        cliente.salud()


def test_pagina_html_es_error_del_servidor_tras_reintentos(central, proxy):
    proxy.fallar("html", "/v1/esquema", fallos=10)
    cliente = Cliente(proxy.url, central.token, reintentos=2, espera_base=0.01)
    with pytest.raises(ErrorServidor, match="no es del protocolo"):
        cliente.esquema()
    assert proxy.vistas.count("/sincro/v1/esquema") == 3  # 1 + 2 reintentos


def test_429_se_reintenta_y_luego_funciona(central, proxy):
    proxy.fallar("429", "/v1/operaciones", fallos=2)
    cliente = Cliente(proxy.url, central.token, reintentos=3, espera_base=0.01)
    (r,) = cliente.operaciones([ajuste()])
    assert r.resultado == "aplicada"


def test_json_roto_y_tipos_erroneos_son_respuesta_invalida(central, proxy):
    cliente = Cliente(proxy.url, central.token, reintentos=0)
    proxy.fallar("json_roto", "/v1/operaciones")
    with pytest.raises(RespuestaInvalida, match="JSON mal formado"):
        cliente.operaciones([ajuste()])
    proxy.fallar("tipos", "/v1/cambios")
    with pytest.raises(RespuestaInvalida, match=r"hay_mas|version"):
        cliente.cambios("productos.Producto", None, 5)


def test_respuesta_cortada_es_sin_conexion_y_reenviar_no_duplica(central, proxy):
    base = Cliente(central.url, central.token)
    antes = stock(base, "2")
    cliente = Cliente(proxy.url, central.token, reintentos=0)
    op = ajuste("2", -3)
    proxy.fallar("cortar", "/v1/operaciones")
    with pytest.raises(SinConexion):
        cliente.operaciones([op])
    (r,) = cliente.operaciones([op])  # la central la aplicó: el reenvío es «duplicada»
    assert r.resultado == "duplicada"
    assert stock(base, "2") == antes - 3


def test_respuesta_cortada_con_reintento_automatico_no_duplica(central, proxy):
    base = Cliente(central.url, central.token)
    antes = stock(base, "3")
    cliente = Cliente(proxy.url, central.token, reintentos=2, espera_base=0.01)
    proxy.fallar("cortar", "/v1/operaciones")
    (r,) = cliente.operaciones([ajuste("3", -4)])
    assert r.resultado in ("aplicada", "duplicada")
    assert stock(base, "3") == antes - 4


def test_401_del_proxy(central, proxy):
    proxy.fallar("401", "/v1/cambios")
    with pytest.raises(ErrorAutenticacion):
        Cliente(proxy.url, central.token).cambios("productos.Producto", None, 5)
