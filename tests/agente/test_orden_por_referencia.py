"""Un cliente rechazado retiene sólo las ventas que lo nombran (sobre una ``Cola`` real).

La venta de otro cliente y la venta sin cliente salen; la que lo nombra (y sus líneas) espera y
``Conflictos.bloqueadas`` dice a qué operación espera y por qué.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from agente.almacen.cola import Cola, NuevaOperacion
from agente.almacen.conflictos import Conflictos
from agente.operacion import ERROR, PENDIENTE
from protocolo.esquema import esquema_desde_dict
from tests.agente.conftest import esquema_demo_dict

CLIENTE, VENTA, LINEA = "clientes.Cliente", "ventas.Venta", "ventas.LineaVenta"
C1 = "11111111-1111-4111-8111-111111111111"
C2 = "22222222-2222-4222-8222-222222222222"


@pytest.fixture
def cola(tmp_path):
    cola = Cola(tmp_path / "cola.sqlite")
    cola.configurar_modelos(esquema_desde_dict(esquema_demo_dict()).modelos.values())
    yield cola
    cola.cerrar()


def _encolar(cola, modelo, objeto, datos, tipo="crear"):
    return cola.encolar(NuevaOperacion(modelo, objeto, tipo, datos))


def _con_c1_rechazado(cola):
    c1 = _encolar(cola, CLIENTE, C1, {"id": C1, "nombre": "Ana"})
    c2 = _encolar(cola, CLIENTE, C2, {"id": C2, "nombre": "Luis"})
    (enviada_c1, enviada_c2) = cola.preparar_envio()
    assert [enviada_c1.uuid, enviada_c2.uuid] == [c1.uuid, c2.uuid]
    cola.registrar_resultados([], [(c1.uuid, "nif: formato no válido")])
    cola.registrar_resultados([(c2.uuid, 1)])
    return c1


def test_cliente_rechazado_solo_retiene_la_venta_que_lo_nombra(cola):
    c1 = _con_c1_rechazado(cola)
    de_c1 = _encolar(cola, VENTA, "v1", {"cliente": C1, "total": "5.00"})
    linea_de_c1 = _encolar(cola, LINEA, "l1", {"venta": "v1", "producto": 1, "cantidad": 1})
    de_c2 = _encolar(cola, VENTA, "v2", {"cliente": C2, "total": "3.00"})
    sin_cliente = _encolar(cola, VENTA, "v3", {"cliente": None, "total": "1.00"})
    linea_sin_cliente = _encolar(cola, LINEA, "l3", {"venta": "v3", "producto": 1, "cantidad": 2})

    salen = {op.uuid for op in cola.preparar_envio()}
    # La línea de v3 espera a v3, que sale en este mismo lote delante de ella.
    assert salen == {de_c2.uuid, sin_cliente.uuid, linea_sin_cliente.uuid}
    assert cola.obtener(de_c1.uuid).estado == PENDIENTE
    assert cola.obtener(linea_de_c1.uuid).estado == PENDIENTE
    assert cola.obtener(c1.uuid).estado == ERROR

    bloqueadas = {b["uuid"]: b for b in Conflictos(cola).bloqueadas()}
    assert set(bloqueadas) == {de_c1.uuid, linea_de_c1.uuid}
    for b in bloqueadas.values():
        assert b["espera_a"] == c1.uuid
        assert f"de {CLIENTE} {C1}, en ERROR: nif: formato no válido" in b["motivo"]


def test_al_reintentar_el_cliente_la_venta_sale_detras(cola):
    c1 = _con_c1_rechazado(cola)
    venta = _encolar(cola, VENTA, "v1", {"cliente": C1, "total": "5.00"})
    assert cola.preparar_envio() == []
    cola.reintentar(c1.uuid, {"id": C1, "nombre": "Ana", "nif": "12345678Z"})
    # En el mismo lote, detrás de su cliente (la central aplica el lote en orden).
    assert [op.uuid for op in cola.preparar_envio()] == [c1.uuid, venta.uuid]


def test_reintentar_la_venta_con_otro_cliente_recalcula_a_quien_espera(cola):
    _con_c1_rechazado(cola)
    venta = _encolar(cola, VENTA, "v1", {"cliente": C1, "total": "5.00"})
    (otra,) = [_encolar(cola, VENTA, "v9", {"cliente": C1, "total": "2.00"})]
    assert cola.preparar_envio() == []
    # La venta v1 se rechaza aparte (p. ej. por el total) y se reintenta nombrando a C2.
    cola.registrar_resultados([], [(venta.uuid, "total no válido")])
    cola.reintentar(venta.uuid, {"cliente": C2, "total": "5.00"})
    assert [op.uuid for op in cola.preparar_envio()] == [venta.uuid]
    assert cola.obtener(otra.uuid).estado == PENDIENTE


def test_actualizar_sin_el_campo_de_referencia_espera_por_modelo(cola):
    _con_c1_rechazado(cola)
    venta = _encolar(cola, VENTA, "v7", {"total": "9.00"}, tipo="actualizar")
    sin_cliente = _encolar(cola, VENTA, "v8", {"cliente": None, "total": "1.00"})
    assert [op.uuid for op in cola.preparar_envio()] == [sin_cliente.uuid]
    assert cola.obtener(venta.uuid).estado == PENDIENTE


def test_datos_reescritos_por_fuera_vuelven_a_la_regla_por_modelo(cola):
    """Quien reescriba ``datos`` sin recalcular ``referidos`` (p. ej. una resolución de
    conflicto) no deja una referencia vieja: el disparador la borra y se espera por modelo."""
    _con_c1_rechazado(cola)
    venta = _encolar(cola, VENTA, "v2", {"cliente": C2, "total": "3.00"})
    with sqlite3.connect(cola.ruta) as c:
        c.execute(
            "UPDATE operaciones SET datos = ? WHERE uuid = ?",
            (json.dumps({"cliente": C2, "total": "3.50"}), venta.uuid),
        )
        assert (
            c.execute("SELECT referidos FROM operaciones WHERE uuid = ?", (venta.uuid,)).fetchone()[
                0
            ]
            is None
        )
    c.close()
    assert cola.preparar_envio() == []
    (b,) = Conflictos(cola).bloqueadas()
    assert b["uuid"] == venta.uuid and b["motivo"].startswith("Espera a la operación")


def test_referidos_se_guardan_al_encolar(cola, tmp_path):
    _encolar(cola, LINEA, "l1", {"venta": "v1", "producto": 7, "cantidad": 1})
    with sqlite3.connect(tmp_path / "cola.sqlite") as conexion:
        (referidos,) = conexion.execute("SELECT referidos FROM operaciones").fetchone()
    assert json.loads(referidos) == {"ventas.Venta": ["v1"], "productos.Producto": ["7"]}
