"""La central dice con cada conflicto qué tienda y terminal cambiaron el valor central, y la
terminal lo guarda con el conflicto (central real, dos cajas de tiendas distintas)."""

from __future__ import annotations

from agente.fachada import Agente
from agente.sincronizacion.cliente import Cliente, _autor
from tests.sincronizacion.terminales import cambio

PRODUCTO = "productos.Producto"


def test_el_conflicto_lleva_quien_cambio_la_central(central, tmp_path):
    otra = Cliente(central.url, central.crear_terminal("T002", "caja-7"))
    with Agente.abrir(tmp_path / "datos") as agente:
        agente.configurar(central.url, central.tienda, central.terminal, central.token)
        agente.sincronizar_una_vez()
        antes = agente.obtener(PRODUCTO, "5")
        version = agente.cache.fila(PRODUCTO, "5")[1]
        agente.encolar(PRODUCTO, "actualizar", {"nombre": "Desde la caja 1"}, "5")
        uuid = "6a1f0f3e-0000-4000-8000-00000000a005"
        otra.operaciones([cambio("5", {"nombre": "Desde T002"}, version, antes, uuid=uuid)])
        agente.sincronizar_una_vez()
        (conflicto,) = agente.conflictos()
    assert conflicto["modificado_por_central"] == {"tienda": "T002", "terminal": "caja-7"}
    assert conflicto["modificado_en_central"]


def test_un_autor_mal_formado_se_ignora():
    assert _autor({"tienda": "T1", "terminal": "c"}) == {"tienda": "T1", "terminal": "c"}
    for malo in (
        None,
        "T1",
        {"tienda": "T1"},
        {"tienda": 3, "terminal": "c"},
        {"tienda": "x" * 101, "terminal": "c"},
        {"tienda": "", "terminal": "c"},
    ):
        assert _autor(malo) is None
