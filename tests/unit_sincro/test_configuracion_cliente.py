"""Piezas puras: política de URL y validación de configuración, validación estricta de las
respuestas del protocolo y transiciones del estado de conexión."""

import json

import pytest

from agente.sincronizacion.cliente import (
    ErrorAutenticacion,
    RespuestaInvalida,
    SinConexion,
    validador_de_datos,
    validar_pagina,
    validar_resultados,
)
from agente.sincronizacion.conectividad import Conectividad
from agente.soporte import configuracion
from protocolo.esquema import config_modelo_desde_dict


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/sincro",
        "http://localhost/sincro",
        "http://[::1]:9/s",
        "https://central.ejemplo/sincro",
        "http://127.8.0.1/s",
    ],
)
def test_urls_admitidas(url):
    assert configuracion.validar_servidor(url + "/") == url


@pytest.mark.parametrize(
    ("url", "texto"),
    [
        ("http://central.ejemplo/sincro", "https"),
        ("http://192.168.1.10/sincro", "https"),
        ("ftp://central/sincro", "no válida"),
        ("https://usuario:clave@central/sincro", "usuario"),
        ("https://central/sincro?token=x", "«?»"),
        ("", "Falta"),
    ],
)
def test_urls_rechazadas(url, texto):
    with pytest.raises(configuracion.ErrorConfiguracion, match=texto):
        configuracion.validar_servidor(url)


def test_permitir_http_explicito():
    assert configuracion.validar_servidor("http://192.168.1.10/s", permitir_http=True)


def test_configuracion_guardada_sin_token_y_claves_desconocidas(tmp_path):
    config = configuracion.Configuracion("https://c/s", "T001", "caja-1", concurrencia=2)
    configuracion.guardar(tmp_path, config)
    assert configuracion.cargar(tmp_path) == config
    datos = json.loads((tmp_path / "config.json").read_text())
    datos["token"] = "secreto"
    (tmp_path / "config.json").write_text(json.dumps(datos))
    with pytest.raises(configuracion.ErrorConfiguracion, match="token"):
        configuracion.cargar(tmp_path)
    with pytest.raises(configuracion.ErrorConfiguracion, match="concurrencia"):
        configuracion.Configuracion("https://c/s", "T001", "caja-1", concurrencia=0)
    with pytest.raises(configuracion.ErrorConfiguracion, match="menor que 1"):
        configuracion.Configuracion("https://c/s", "T001", "caja-1", espera_empuje=1.5)


PRODUCTO = config_modelo_desde_dict(
    "productos.Producto",
    {
        "campos_esenciales": ["id", "nombre", "precio", "stock", "categoria"],
        "tipos": {
            "id": "entero",
            "nombre": "texto",
            "precio": "decimal",
            "stock": "entero",
            "categoria": "texto",
        },
        "nulos": ["categoria"],
    },
)


def pagina(**cambio):
    base = {
        "modelo": "productos.Producto",
        "id": "1",
        "version": 3,
        "modificado_en": "2026-01-01T00:00:00+00:00",
        "datos": {"id": 1, "nombre": "a", "precio": "1.50", "stock": 2, "categoria": None},
    }
    return {
        "cambios": [{**base, **cambio}],
        "cursor": "3",
        "hay_mas": False,
        "completo": False,
        "hora_servidor": "2026-01-01T00:00:00+00:00",
    }


def test_pagina_valida_y_lapida():
    validar = validador_de_datos(PRODUCTO)
    assert validar_pagina(pagina(), "productos.Producto", validar).cursor == "3"
    assert validar_pagina(pagina(borrado=True, datos=None), "productos.Producto", validar)


@pytest.mark.parametrize(
    ("cambio", "texto"),
    [
        ({"version": "3"}, "version"),
        ({"id": 1}, "id"),
        ({"modelo": "otro.Modelo"}, "se pidió"),
        ({"datos": {"id": 1, "stock": True}}, "stock"),
        ({"datos": {"id": 1, "precio": 1.5}}, "precio"),
        ({"datos": {"id": 1, "precio": "1,5"}}, "precio"),
        ({"datos": {"id": 1, "nombre": None}}, "nulo"),
        ({"datos": {"id": 1, "secreto": "x"}}, "secreto"),
        ({"datos": {"nombre": "sin clave"}}, "clave"),
        ({"borrado": "sí"}, "borrado"),
    ],
)
def test_pagina_con_tipos_erroneos(cambio, texto):
    with pytest.raises(RespuestaInvalida, match=texto):
        validar_pagina(pagina(**cambio), "productos.Producto", validador_de_datos(PRODUCTO))


def test_resultados_estrictos():
    ok = {
        "resultados": [
            {"uuid": "a", "resultado": "aplicada", "version": 4},
            {"uuid": "b", "resultado": "rechazada", "motivo": "no"},
        ]
    }
    assert [r.resultado for r in validar_resultados(ok, ["a", "b"])] == ["aplicada", "rechazada"]
    with pytest.raises(RespuestaInvalida, match="orden"):
        validar_resultados(ok, ["b", "a"])
    with pytest.raises(RespuestaInvalida, match="2 resultados"):
        validar_resultados(ok, ["a"])
    raro = {"resultados": [{"uuid": "a", "resultado": "quizas", "version": 1}]}
    with pytest.raises(RespuestaInvalida, match="desconocido"):
        validar_resultados(raro, ["a"])
    sin_version = {"resultados": [{"uuid": "a", "resultado": "duplicada"}]}
    with pytest.raises(RespuestaInvalida, match="version"):
        validar_resultados(sin_version, ["a"])


def test_conectividad_persiste_y_avisa():
    guardado = {}
    vistos = []
    c = Conectividad(guardar=guardado.__setitem__)
    c.oyente(vistos.append)
    c.sincronizando()
    c.fallo(SinConexion("red"))
    assert c.estado == "sin conexión"
    c.fallo(ErrorAutenticacion("token"))
    c.sincronizando()  # empezar otro pase no borra el error de autenticación
    assert c.estado == "error de autenticación"
    c.al_dia()
    assert [v["estado"] for v in vistos] == [
        "sincronizando",
        "sin conexión",
        "error de autenticación",
        "al día",
    ]
    recargada = Conectividad(inicial=Conectividad.desde_json(guardado["conectividad"]))
    assert recargada.estado == "al día" and recargada.instantanea()["ultimo_error"] == "token"


def test_proxies_del_entorno_salvo_bucle_local(monkeypatch):
    from agente.sincronizacion.cliente import Cliente

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.tienda:3128")
    monkeypatch.setenv("NETRC", "/no/existe")
    lejano = Cliente("https://central.ejemplo/sincro", "t")
    assert lejano.sesion.proxies.get("https") == "http://proxy.tienda:3128"
    assert lejano.sesion.trust_env is False and lejano.sesion.verify not in (False, None, "")
    assert Cliente("http://127.0.0.1:8000/sincro", "t").sesion.proxies == {}
