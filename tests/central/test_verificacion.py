"""``/v1/verificacion`` y ``/v1/verificacion/filas`` (validadas contra docs/openapi.yaml): las
sumas de la central (SQL en PostgreSQL, Python en SQLite) son las que calcula
``protocolo.verificacion`` sobre lo que sirve ``/v1/cambios``, también para claves UUID y
modelos privados de la tienda; las filas de unos cubos son exactamente las de esos cubos."""

from __future__ import annotations

import json
import uuid

from protocolo import verificacion

from .conftest import Api, op

MODELOS = ["productos.Producto", "clientes.Cliente", "ventas.Venta"]


def _venta(api: Api) -> None:
    vid = str(uuid.uuid4())
    api.operaciones(
        op(
            "ventas.Venta",
            "crear",
            vid,
            {
                "id": vid,
                "terminal": "caja-1",
                "cliente": None,
                "fecha": "2026-11-28T10:00:00.5+01:00",
                "total": "7.80",
            },
        )
    )


def test_sumas_iguales_a_las_de_lo_servido_y_filas_por_cubo(central, api: Api):
    for _ in range(3):
        _venta(api)
    for modelo in MODELOS:
        estado, _ = api.descargar(modelo)
        filas = [
            (k[1], json.dumps(d, ensure_ascii=False, separators=(",", ":")))
            for k, (_v, d) in estado.items()
        ]
        for cubos in (1, 7, 64):
            r = api.get("/v1/verificacion", modelo=modelo, cubos=cubos)
            esperado = verificacion.sumar(filas, cubos)
            assert {c: (n, int(s)) for c, n, s in r["sumas"]} == esperado, (modelo, cubos)
            assert r["filas"] == len(filas)
        elegidos = sorted({verificacion.cubo_de(k, 7) for k, _ in filas})[:2]
        servidas = api.get(
            "/v1/verificacion/filas", modelo=modelo, cubos=7, cubo=",".join(map(str, elegidos))
        )["cambios"]
        assert sorted(c["id"] for c in servidas) == sorted(
            k for k, _ in filas if verificacion.cubo_de(k, 7) in elegidos
        )
        assert all(c["datos"] == estado[(modelo, c["id"])][1] for c in servidas)


def test_verificacion_mal_pedida(api: Api):
    api.get("/v1/verificacion", estado=400, modelo="nada.Inventado", cubos=4)
    api.get("/v1/verificacion", estado=400, modelo="productos.Producto", cubos=0)
    api.get("/v1/verificacion/filas", estado=400, modelo="productos.Producto", cubos=4, cubo="4")
    api.get("/v1/verificacion/filas", estado=400, modelo="productos.Producto", cubos=4, cubo="")
