"""Los «crear» de un lote y su registro de idempotencia se guardan con sus valores exactos (en
PostgreSQL van en una sentencia con las filas en JSON: ``central.insercion``): decimales sin
pasar por coma flotante, horas con su zona llevadas a UTC y con microsegundos, UUID, FK, la
tienda del token, y el JSON del registro como objeto, no como texto."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

from .conftest import op, sql

VENTA = "ventas.Venta"
LINEA = "ventas.LineaVenta"


def _uuid(valor) -> str:
    return str(uuid.UUID(str(valor)))


def _hora(valor) -> dt.datetime:
    if isinstance(valor, str):  # SQLite: texto en UTC sin zona
        valor = dt.datetime.fromisoformat(valor)
    return valor if valor.tzinfo else valor.replace(tzinfo=dt.UTC)


def test_venta_y_lineas_con_sus_valores_exactos(central, api):
    venta = str(uuid.uuid4())
    lineas = [str(uuid.uuid4()) for _ in range(2)]
    ops = [
        op(
            VENTA,
            "crear",
            venta,
            {
                "id": venta,
                "terminal": central.terminal,
                "cliente": None,
                "fecha": "2026-11-28T23:30:00.123456+01:00",
                "total": "1234.50",
            },
        ),
        *(
            op(
                LINEA,
                "crear",
                None,
                {
                    "id": linea,
                    "venta": venta,
                    "producto": 3 + i,
                    "cantidad": 7 + i,
                    "precio_unitario": "0.99",
                },
            )
            for i, linea in enumerate(lineas)
        ),
    ]
    r = api.operaciones(*ops)["resultados"]
    assert [x["resultado"] for x in r] == ["aplicada"] * 3, r

    [(tienda, terminal, fecha, total, cliente)] = sql(
        central,
        "SELECT tienda_id, terminal, fecha, total, cliente_id FROM ventas_venta WHERE id = ?",
        (venta if "DATABASE_URL" in central.entorno else venta.replace("-", ""),),
    )
    assert (tienda, terminal, cliente) == (central.tienda, central.terminal, None)
    assert _hora(fecha) == dt.datetime(2026, 11, 28, 22, 30, 0, 123456, tzinfo=dt.UTC)
    assert Decimal(str(total)) == Decimal("1234.50")

    filas = sql(
        central,
        "SELECT id, venta_id, tienda_id, producto_id, cantidad, precio_unitario "
        "FROM ventas_lineaventa ORDER BY cantidad",
    )
    propias = [f for f in filas if _uuid(f[1]) == venta]
    assert [(_uuid(f[0]), f[2], f[3], f[4], Decimal(str(f[5]))) for f in propias] == [
        (lineas[0], central.tienda, 3, 7, Decimal("0.99")),
        (lineas[1], central.tienda, 4, 8, Decimal("0.99")),
    ]

    # El registro de idempotencia guarda los datos y el resultado como objetos JSON.
    recibidas = sql(
        central,
        "SELECT datos, resultado, objeto_id, terminal FROM central_operacionrecibida "
        "WHERE modelo = ? ORDER BY objeto_id",
        (VENTA,),
    )
    [(datos, resultado, _objeto_id, quien)] = [f for f in recibidas if f[2] == venta]
    datos = json.loads(datos) if isinstance(datos, str) else datos
    resultado = json.loads(resultado) if isinstance(resultado, str) else resultado
    assert isinstance(datos, dict) and datos["total"] == "1234.50", datos
    assert resultado == {"resultado": "aplicada", "version": r[0]["version"]}
    assert quien == central.terminal
    if "DATABASE_URL" in central.entorno:
        tipos = sql(
            central,
            "SELECT DISTINCT jsonb_typeof(datos), jsonb_typeof(resultado) "
            "FROM central_operacionrecibida",
        )
        assert tipos == [("object", "object")], tipos

    # Repetir el lote: las tres, duplicadas, con la misma versión; nada se inserta dos veces.
    otra = api.operaciones(*ops)["resultados"]
    assert [x["resultado"] for x in otra] == ["duplicada"] * 3
    assert [x["version"] for x in otra] == [x["version"] for x in r]
    assert sql(central, "SELECT COUNT(*) FROM ventas_venta WHERE total = 1234.50") == [(1,)]


def test_una_linea_mala_no_tumba_las_demas(central, api):
    """La inserción en una sentencia falla por la FK de una línea (producto inexistente): las
    demás operaciones del lote se guardan igual y sólo esa se rechaza."""
    venta = str(uuid.uuid4())
    buena, mala = str(uuid.uuid4()), str(uuid.uuid4())
    datos_venta = {"id": venta, "terminal": central.terminal, "cliente": None, "total": "2.00"}
    datos_venta["fecha"] = "2026-11-28T10:00:00+00:00"
    linea = {"venta": venta, "cantidad": 1, "precio_unitario": "2.00"}
    r = api.operaciones(
        op(VENTA, "crear", venta, datos_venta),
        op(LINEA, "crear", None, {**linea, "id": buena, "producto": 5}),
        op(LINEA, "crear", None, {**linea, "id": mala, "producto": 987654}),
    )["resultados"]
    assert [x["resultado"] for x in r] == ["aplicada", "aplicada", "rechazada"], r
    guardadas = {_uuid(f[0]) for f in sql(central, "SELECT id FROM ventas_lineaventa")}
    assert buena in guardadas and mala not in guardadas
