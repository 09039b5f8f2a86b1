"""Lógica pura de la revisión de conflictos (sin widgets)."""

import pytest

from agente.esquema import ErrorValor
from ui.resolucion import CENTRAL, TERMINAL, VALOR, Resolucion, filas, firma, parecidos

TIPOS = {"id": "entero", "nombre": "texto", "precio": "decimal", "stock": "entero",
         "categoria": "texto"}


def conflicto(id_=1, objeto="7", precio_local="2.50", precio_central="3.10", **extra):
    return {
        "id": id_, "modelo": "productos.Producto", "objeto_id": objeto,
        "campos": ["precio", "nombre"],
        "base": {"nombre": "Pan", "precio": "2.00", "stock": 5},
        "local": {"nombre": "Pan de leña", "precio": precio_local},
        "central": {"nombre": "Pan", "precio": precio_central, "stock": 4},
        **extra,
    }


def test_filas_tienen_las_tres_versiones_y_marcan_las_diferencias():
    por_campo = {f.campo: f for f in filas(conflicto())}
    assert list(por_campo)[:2] == ["precio", "nombre"]
    precio = por_campo["precio"]
    assert (precio.base, precio.terminal, precio.central) == ("2.00", "2.50", "3.10")
    assert precio.difiere and precio.cambiado_en_terminal and precio.cambiado_en_central
    stock = por_campo["stock"]
    assert (stock.base, stock.terminal, stock.central) == (5, 5, 4)
    assert stock.difiere and not stock.cambiado_en_terminal


def test_por_defecto_gana_lo_capturado_en_la_terminal():
    r = Resolucion(conflicto(), TIPOS)
    assert r.valores_finales()["precio"] == "2.50"
    assert r.para_motor("Ana", "revisado")["campos"]["precio"] == "local"


def test_eleccion_por_campo_y_valor_escrito_se_normaliza_por_tipo():
    r = Resolucion(conflicto(), TIPOS)
    r.elegir("precio", CENTRAL)
    r.elegir("stock", VALOR, " 12 ")
    r.elegir("nombre", TERMINAL)
    resultado = r.para_motor(" Ana ", " etiqueta nueva ")
    assert resultado == {
        "id": 1, "quien": "Ana", "motivo": "etiqueta nueva",
        "campos": {"precio": "central", "nombre": "local", "stock": {"valor": 12}},
    }
    assert r.valores_finales() == {"precio": "3.10", "nombre": "Pan de leña", "stock": 12}


def test_valor_escrito_invalido_da_error_de_una_linea():
    r = Resolucion(conflicto(), TIPOS)
    with pytest.raises(ErrorValor, match="entero"):
        r.elegir("stock", VALOR, "doce")
    with pytest.raises(ErrorValor, match="decimal"):
        r.elegir("precio", VALOR, "tres euros")


def test_usar_todo_de_un_lado():
    r = Resolucion(conflicto(), TIPOS)
    r.usar_todo(CENTRAL)
    assert set(r.para_motor("Ana", "x")["campos"].values()) == {"central"}
    r.usar_todo(TERMINAL)
    assert set(r.para_motor("Ana", "x")["campos"].values()) == {"local"}


@pytest.mark.parametrize(("quien", "motivo", "mensaje"),
                         [("", "x", "nombre"), ("Ana", "  ", "motivo")])
def test_nombre_y_motivo_obligatorios(quien, motivo, mensaje):
    with pytest.raises(ValueError, match=mensaje):
        Resolucion(conflicto(), TIPOS).para_motor(quien, motivo)


def test_parecidos_son_mismo_modelo_y_mismos_campos_distintos():
    a = conflicto(1, "7")
    b = conflicto(2, "8", precio_local="1.00", precio_central="1.20")
    c = conflicto(3, "9", precio_local="5.00", precio_central="5.00")  # precio no difiere
    d = {**conflicto(4, "10"), "modelo": "clientes.Cliente"}
    assert firma(a) == firma(b) != firma(c)
    assert parecidos(a, [a, b, c, d]) == [b]


def test_copiar_elecciones_a_un_parecido():
    a, b = Resolucion(conflicto(1), TIPOS), Resolucion(conflicto(2, "8"), TIPOS)
    a.elegir("precio", CENTRAL)
    a.elegir("stock", VALOR, "3")
    a.copiar_a(b)
    assert b.para_motor("Ana", "x")["campos"] == {
        "precio": "central", "nombre": "local", "stock": {"valor": 3}}
