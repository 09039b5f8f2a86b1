"""Ventas sin confirmar (cuántas, cuánto dinero, desde cuándo) leídas de la cola real: lo que la
bandeja y la ventana enseñan a la tienda en vez de «operaciones»."""

from __future__ import annotations

import datetime as dt

import pytest

from agente.fachada import Agente
from tests.agente.conftest import PRODUCTO


def test_cuenta_ventas_e_importe_exacto_no_operaciones(agente):
    assert agente.ventas_pendientes() == {"n": 0, "importe": "0", "antiguedad_s": None}
    agente.vender(
        [
            {"producto": 1, "cantidad": 2, "precio_unitario": "1.95"},
            {"producto": 2, "cantidad": 1, "precio_unitario": "0.50"},
        ]
    )
    for _ in range(3):
        agente.vender([{"producto": 3, "cantidad": 1, "precio_unitario": "0.10"}])
    agente.ajustar(PRODUCTO, "1", "stock", -1)  # no es una venta
    resumen = agente.ventas_pendientes()
    assert resumen["n"] == 4  # 4 ventas, aunque la cola tenga 12 operaciones
    assert resumen["importe"] == "4.70"  # 4.40 + 3 × 0.10, sin error de coma flotante
    assert 0 <= resumen["antiguedad_s"] < 60
    assert sum(agente.operaciones.contar_por_estado().values()) == 12


def test_confirmadas_y_descartadas_no_cuentan_las_de_error_y_conflicto_si(agente):
    ventas = [
        agente.vender([{"producto": 1, "cantidad": 1, "precio_unitario": p}])[0]
        for p in ("1.00", "2.00", "4.00", "8.00")
    ]
    cola = agente.operaciones
    enviadas = {op.uuid for op in cola.preparar_envio()}
    assert {v.uuid for v in ventas} <= enviadas
    cola.registrar_resultados(
        [(ventas[0].uuid, 1)], [(ventas[1].uuid, "rechazada"), (ventas[2].uuid, "rechazada")]
    )
    cola.descartar(ventas[1].uuid, "prueba")
    resumen = agente.ventas_pendientes()
    assert (resumen["n"], resumen["importe"]) == (2, "12.00")  # la de error y la en vuelo


def test_antiguedad_desde_la_venta_mas_antigua(agente):
    venta = agente.vender([{"producto": 1, "cantidad": 1, "precio_unitario": "1"}])[0]
    momento = dt.datetime.fromisoformat(venta.hora_terminal)
    if momento.tzinfo is None:
        momento = momento.replace(tzinfo=dt.UTC)
    despues = momento + dt.timedelta(minutes=25)
    resumen = agente.operaciones.resumen_sin_confirmar("ventas.Venta", "total", ahora=despues)
    assert resumen["antiguedad_s"] == pytest.approx(1500, abs=1)


def test_sin_modelo_de_ventas_no_hay_ventas(datos_dir, esquema_dict):
    esquema_dict["modelos"] = {
        k: v for k, v in esquema_dict["modelos"].items() if not k.startswith("ventas.")
    }
    with Agente.abrir(datos_dir) as a:
        a.guardar_esquema(esquema_dict)
        assert a.ventas_pendientes()["n"] == 0
