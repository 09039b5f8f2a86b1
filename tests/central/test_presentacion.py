"""Cómo se nombra un objeto ante personas: la central sirve ``nombre_visible`` (del
``verbose_name`` salvo ajuste) y ``campo_titulo`` por modelo; el motor los valida y no entran en
la huella (no cambian qué se sincroniza)."""

from __future__ import annotations

import pytest

from protocolo.esquema import ErrorEsquema, config_modelo_desde_dict, huella_de
from tests.central.test_configuracion_motor import _ajuste_de, central, terminal


@pytest.fixture(scope="module")
def servidos():
    demo, resto = central(_ajuste_de_con_titulo())
    return demo, resto[0]


def _ajuste_de_con_titulo():
    demo, _ = central()
    ajuste = _ajuste_de(demo[1])
    ajuste["clientes.Cliente"].update(nombre_visible="socio", campo_titulo="email")
    ajuste["productos.Producto"].pop("nombre_visible")
    ajuste["productos.Producto"].pop("campo_titulo")
    return ajuste


def test_la_central_sirve_nombre_y_titulo_del_verbose_name_o_del_ajuste(servidos):
    (estado, demo), (estado_ajuste, ajustado) = servidos
    assert estado == estado_ajuste == "ok"
    producto = demo["productos.Producto"]
    assert (producto["nombre_visible"], producto["campo_titulo"]) == ("producto", "nombre")
    # Cada campo con su verbose_name (con mayúscula inicial), para cabeceras y diálogos.
    assert producto["etiquetas"]["codigo"] == "Código EAN-13"
    assert producto["etiquetas"]["nombre"] == "Nombre"
    assert set(producto["etiquetas"]) == set(producto["campos_esenciales"])
    assert terminal(demo) == demo  # el motor lo acepta tal cual
    assert (
        ajustado["clientes.Cliente"]["nombre_visible"],
        ajustado["clientes.Cliente"]["campo_titulo"],
    ) == ("socio", "email")
    assert ajustado["productos.Producto"]["campo_titulo"] == "nombre"  # deducido otra vez
    # La presentación no cambia la huella: una terminal no vuelve a descargar nada por ella.
    assert ajustado["clientes.Cliente"]["huella"] == demo["clientes.Cliente"]["huella"]


def _base():
    return {
        "clave": "id",
        "campos_esenciales": ["id", "nombre", "codigo"],
        "tipos": {"id": "entero", "nombre": "texto", "codigo": "texto"},
    }


def test_el_motor_valida_las_opciones_de_presentacion():
    config = config_modelo_desde_dict(
        "productos.Producto", {**_base(), "nombre_visible": "producto", "campo_titulo": "nombre"}
    )
    assert (config.nombre_visible, config.campo_titulo) == ("producto", "nombre")
    assert config.a_dict()["campo_titulo"] == "nombre"
    assert "campo_titulo" not in config_modelo_desde_dict("a.B", _base()).a_dict()
    assert huella_de({**_base(), "nombre_visible": "x"}) == huella_de(_base())
    with pytest.raises(ErrorEsquema, match="campo_titulo"):
        config_modelo_desde_dict("a.B", {**_base(), "campo_titulo": "precio"})
    with pytest.raises(ErrorEsquema, match="nombre_visible"):
        config_modelo_desde_dict("a.B", {**_base(), "nombre_visible": "dos\nlíneas"})
    with pytest.raises(ErrorEsquema, match="nombre_visible"):
        config_modelo_desde_dict("a.B", {**_base(), "nombre_visible": 7})
