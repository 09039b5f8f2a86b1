"""Errores de la central real (proceso gunicorn en loopback): nada ajeno se revela, todos son
JSON (también los que gunicorn responde por su cuenta) y un cursor fuera de rango es un 400."""

from __future__ import annotations

import json
import socket
import uuid
from urllib.parse import urlsplit

from .conftest import Api, op

VENTA = "ventas.Venta"
LINEA = "ventas.LineaVenta"


def _venta(vid: str) -> dict:
    return op(
        VENTA,
        "crear",
        vid,
        {"id": vid, "cliente": None, "fecha": "2026-11-28T10:00:00+01:00", "total": "1.00"},
    )


def test_objetos_de_otra_tienda_dan_el_mismo_error_que_los_inexistentes(central, api):
    """Una venta de T001 y una que no existe, vistas desde T005: los motivos sólo difieren en
    la clave (ni «existe en otra tienda», ni su contenido)."""
    ajena = str(uuid.uuid4())
    assert api.operaciones(_venta(ajena))["resultados"][0]["resultado"] == "aplicada"
    otra = Api(central.url, central.crear_terminal("T005", "caja-1"))
    inventada = str(uuid.uuid4())

    def motivos(vid: str) -> list[str]:
        linea = {
            "id": str(uuid.uuid4()),
            "venta": vid,
            "producto": 1,
            "cantidad": 1,
            "precio_unitario": "1.00",
        }
        r = otra.operaciones(
            op(LINEA, "crear", None, linea),
            op(VENTA, "actualizar", vid, {"total": "0.00"}, version_base=0),
            op(VENTA, "borrar", vid, {}, version_base=0),
        )["resultados"]
        assert [x["resultado"] for x in r] == ["rechazada"] * 3, r
        return [x["motivo"].replace(vid, "ID") for x in r]

    assert motivos(ajena) == motivos(inventada)
    # Y el propio lote de T005 sigue funcionando igual.
    assert otra.operaciones(_venta(str(uuid.uuid4())))["resultados"][0]["resultado"] == ("aplicada")


def _crudo(central, peticion: bytes) -> tuple[int, dict[str, str], bytes]:
    partes = urlsplit(central.url)
    with socket.create_connection((partes.hostname, partes.port), timeout=30) as s:
        s.sendall(peticion)
        respuesta = b""
        while chunk := s.recv(65536):
            respuesta += chunk
    cabecera, _, cuerpo = respuesta.partition(b"\r\n\r\n")
    lineas = cabecera.decode("latin-1").split("\r\n")
    cabeceras = dict(linea.split(": ", 1) for linea in lineas[1:])
    return int(lineas[0].split()[1]), cabeceras, cuerpo


def test_errores_propios_de_gunicorn_en_json(central):
    ruta = urlsplit(central.url).path
    casos = [
        (b"ESTO NO ES HTTP\r\n\r\n", 400, "peticion_invalida"),
        (
            f"GET {ruta}/v1/cambios?cursor={'9' * 6000} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
            414,
            "uri_demasiado_larga",
        ),
        (
            f"GET {ruta}/v1/salud HTTP/1.1\r\nHost: x\r\n".encode()
            + b"".join(f"X-{i}: 1\r\n".encode() for i in range(150))
            + b"\r\n",
            431,
            "cabeceras_demasiado_grandes",
        ),
    ]
    for peticion, estado, codigo in casos:
        obtenido, cabeceras, cuerpo = _crudo(central, peticion)
        assert obtenido == estado, cuerpo[:200]
        assert cabeceras["Content-Type"] == "application/json"
        datos = json.loads(cuerpo)
        assert datos["error"] == codigo and datos["mensaje"], datos
        assert b"<html" not in cuerpo and b"9999" not in cuerpo


def test_cursor_mayor_que_bigint_es_400(api):
    for cursor in (str(2**63), "9" * 19, f"f0.{2**63}.-", f"f0.0.{2**64}"):
        r = api.get("/v1/cambios", estado=400, modelos="productos.Producto", cursor=cursor)
        assert r["error"] == "cursor_invalido", (cursor, r)
    api.get("/v1/cambios", modelos="productos.Producto", cursor="0")
