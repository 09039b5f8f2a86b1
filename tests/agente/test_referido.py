"""``Agente.referido``: el objeto que nombra ante personas a uno sin título propio (una línea de
venta por su producto), con la caché y el esquema reales de una terminal."""

from __future__ import annotations

import copy

from agente.fachada import Agente

from .conftest import PRODUCTO

LINEA = "ventas.LineaVenta"


def _linea(producto) -> dict:
    return {"venta": "5a9d3b61-0000-4000-8000-000000000001", "producto": producto, "cantidad": 1}


def test_una_linea_se_nombra_por_su_producto(agente):
    esperado = {
        "modelo": PRODUCTO,
        "objeto_id": "2",
        "valores": agente.obtener(PRODUCTO, "2"),
        "nombre_visible": "Producto",
        "campo_titulo": "nombre",
    }
    assert esperado["valores"]["nombre"] == "Producto 2"
    assert agente.referido(LINEA, "cualquiera", _linea(2)) == esperado
    # Un producto que la caja no tiene no nombra nada; un modelo con título no lo necesita.
    assert agente.referido(LINEA, "cualquiera", _linea(99)) is None
    assert agente.referido(PRODUCTO, "2") is None


def test_un_campo_que_se_llama_como_un_modelo_pero_no_guarda_su_clave_no_nombra(
    datos_dir, esquema_dict
):
    """Sin ``referencias`` declaradas, «producto» de tipo texto no es la clave (entera) de un
    producto: nombrar la línea por el producto 2 sería nombrarla por otro."""
    esquema = copy.deepcopy(esquema_dict)
    linea = esquema["modelos"][LINEA]
    linea["tipos"]["producto"] = "texto"
    linea.get("restricciones", {}).pop("producto", None)
    linea["referencias"] = {
        k: v for k, v in linea.get("referencias", {}).items() if k != "producto"
    }
    linea["dependencias"] = [d for d in linea.get("dependencias", []) if d != PRODUCTO]
    linea.pop("huella", None)
    with Agente.abrir(datos_dir) as agente:
        agente.guardar_esquema(esquema)
        agente.cache.aplicar_pagina(PRODUCTO, [_producto(2)], "2", completo=True)
        assert agente.referido(LINEA, "cualquiera", _linea("2")) is None


def _producto(i: int) -> dict:
    from .conftest import producto

    return producto(i)
