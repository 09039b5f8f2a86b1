"""Lógica pura de la revisión de conflictos (sin widgets). Conflictos con la forma de
``agente.almacen.conflictos.Conflicto.a_dict()``."""

import pytest

from protocolo.esquema import ErrorValor
from ui.resolucion import (
    BASE,
    CENTRAL,
    REGLA,
    TERMINAL,
    VALOR,
    Resolucion,
    filas,
    firma,
    parecidos,
)

TIPOS = {
    "id": "entero",
    "nombre": "texto",
    "precio": "decimal",
    "stock": "entero",
    "categoria": "texto",
}


def conflicto(id_=1, objeto="7", precio_local="2.50", precio_central="3.10", **extra):
    return {
        "id": id_,
        "modelo": "productos.Producto",
        "objeto_id": objeto,
        "tipo": "actualizar",
        "campos_en_disputa": ["precio"],
        "propuesta": {},
        "base": {"nombre": "Pan", "precio": "2.00", "stock": 5},
        "local": {"nombre": "Pan de leña", "precio": precio_local},
        "central": {"id": 7, "nombre": "Pan", "precio": precio_central, "stock": 4},
        **extra,
    }


def test_filas_tienen_las_tres_versiones_y_solo_lo_cambiado_es_elegible():
    por_campo = {f.campo: f for f in filas(conflicto())}
    assert list(por_campo)[:2] == ["precio", "nombre"]
    precio = por_campo["precio"]
    assert (precio.base, precio.terminal, precio.central) == ("2.00", "2.50", "3.10")
    assert precio.difiere and precio.elegible and precio.en_disputa
    stock = por_campo["stock"]
    assert (stock.base, stock.terminal, stock.central) == (5, 5, 4)
    assert not stock.elegible and not stock.difiere


def test_por_defecto_gana_lo_capturado_salvo_propuesta_de_las_reglas():
    r = Resolucion(conflicto(), TIPOS)
    assert r.valores_finales() == {"precio": "2.50", "nombre": "Pan de leña"}
    assert r.para_motor("Ana", "revisado")["elecciones"] == {"precio": "local", "nombre": "local"}
    con_regla = Resolucion(conflicto(propuesta={"nombre": "Pan"}), TIPOS)
    assert con_regla.eleccion("nombre") == (CENTRAL, None)
    regla = Resolucion(conflicto(propuesta={"nombre": "Pan rústico"}), TIPOS)
    assert regla.eleccion("nombre") == (REGLA, None)
    assert regla.decidido_por_regla("nombre")
    assert regla.para_motor("Ana", "x")["elecciones"]["nombre"] == "Pan rústico"


def test_eleccion_por_campo_y_valor_escrito_se_normaliza_por_tipo():
    r = Resolucion(conflicto(), TIPOS)
    r.elegir("precio", CENTRAL)
    r.elegir("nombre", VALOR, " Pan gallego ")
    assert r.para_motor(" Ana ", " etiqueta nueva ") == {
        "id": 1,
        "quien": "Ana",
        "motivo": "etiqueta nueva",
        "usar": None,
        "elecciones": {"precio": "central", "nombre": "Pan gallego"},
    }
    r.elegir("precio", VALOR, "3")
    assert r.valores_finales()["precio"] == "3"


def test_no_se_elige_un_campo_que_la_operacion_no_cambia():
    with pytest.raises(ValueError, match="no cambia"):
        Resolucion(conflicto(), TIPOS).elegir("stock", CENTRAL)


def test_valor_escrito_invalido_da_error_de_una_linea():
    r = Resolucion(conflicto(local={"stock": 3}, campos_en_disputa=["stock"]), TIPOS)
    with pytest.raises(ErrorValor, match="entero"):
        r.elegir("stock", VALOR, "doce")
    with pytest.raises(ErrorValor, match="decimal"):
        Resolucion(conflicto(), TIPOS).elegir("precio", VALOR, "tres euros")


def test_usar_todo_de_un_lado():
    r = Resolucion(conflicto(), TIPOS)
    r.usar_todo(CENTRAL)
    assert set(r.para_motor("Ana", "x")["elecciones"].values()) == {"central"}
    r.usar_todo(TERMINAL)
    assert set(r.para_motor("Ana", "x")["elecciones"].values()) == {"local"}


def test_conflicto_de_borrado_se_resuelve_entero():
    borrado_central = conflicto(central=None)
    r = Resolucion(borrado_central, TIPOS)
    assert r.borrado and not r.elegibles
    assert r.para_motor("Ana", "x")["usar"] == "central"
    r.usar_todo(TERMINAL)
    assert r.para_motor("Ana", "x") == {
        "id": 1,
        "elecciones": {},
        "usar": "local",
        "quien": "Ana",
        "motivo": "x",
    }


@pytest.mark.parametrize(
    ("quien", "motivo", "mensaje"), [("", "x", "nombre"), ("Ana", "  ", "motivo")]
)
def test_nombre_y_motivo_obligatorios(quien, motivo, mensaje):
    with pytest.raises(ValueError, match=mensaje):
        Resolucion(conflicto(), TIPOS).para_motor(quien, motivo)


def test_parecidos_son_mismo_modelo_tipo_y_campos_en_disputa():
    a = conflicto(1, "7")
    b = conflicto(2, "8", precio_local="1.00", precio_central="1.20")
    c = conflicto(3, "9", campos_en_disputa=["nombre"])
    d = {**conflicto(4, "10"), "modelo": "clientes.Cliente"}
    assert firma(a) == firma(b) != firma(c)
    assert parecidos(a, [a, b, c, d]) == [b]


def test_copiar_a_un_parecido_copia_lados_con_los_valores_del_otro():
    a = Resolucion(conflicto(1), TIPOS)
    b = Resolucion(
        conflicto(
            2,
            "8",
            precio_local="1.00",
            precio_central="1.20",
            base={"nombre": "Bollo", "precio": "0.90", "stock": 1},
        ),
        TIPOS,
    )
    a.elegir("precio", CENTRAL)
    a.elegir("nombre", BASE)
    a.copiar_a(b)
    assert b.para_motor("Ana", "x")["elecciones"] == {"precio": "central", "nombre": "Bollo"}
    assert b.cambios() == [("nombre", "Pan", "Bollo")]


def test_un_valor_escrito_nunca_se_copia_a_un_parecido():
    a, b = Resolucion(conflicto(1), TIPOS), Resolucion(conflicto(2, "8"), TIPOS)
    a.elegir("nombre", VALOR, "Snack para perros")
    assert not a.admite_copia and a.escritos == ["nombre"]
    with pytest.raises(ValueError, match="sólo vale para este objeto"):
        a.copiar_a(b)
    assert b.valor_final("nombre") == "Pan de leña"


def test_una_regla_se_copia_como_la_regla_del_otro():
    a = Resolucion(conflicto(1, propuesta={"nombre": "Pan A"}), TIPOS)
    b = Resolucion(conflicto(2, "8", propuesta={"nombre": "Pan B"}), TIPOS)
    c = Resolucion(conflicto(3, "9"), TIPOS)
    b.elegir("nombre", CENTRAL)
    a.copiar_a(b)
    a.copiar_a(c)
    assert b.valor_final("nombre") == "Pan B"
    assert c.valor_final("nombre") == "Pan de leña"  # sin regla allí: su elección inicial
