"""Fusión a tres bandas: casos concretos de cada regla y propiedades con hypothesis."""

import datetime as dt
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from agente.reglas import fusion
from protocolo.esquema import esquema_desde_dict

ESQUEMA = esquema_desde_dict(
    json.loads((Path(__file__).parents[1] / "datos" / "esquema_demo.json").read_text())
)
# campo_a_campo; precio prioridad_central, stock menor_valor
PRODUCTO = ESQUEMA.modelo("productos.Producto")
CLIENTE = ESQUEMA.modelo("clientes.Cliente")  # ultima_modificacion; puntos mayor_valor
T0 = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)


def test_campos_distintos_se_fusionan_en_silencio():
    r = fusion.fusionar(
        PRODUCTO, {"nombre": "A", "codigo": "1"}, {"nombre": "B"}, {"nombre": "A", "codigo": "2"}
    )
    assert r.resuelto
    assert r.datos({"nombre": "A", "codigo": "2"}) == {"nombre": "B"}
    assert not r.hubo_regla()


def test_prioridad_central_y_menor_valor():
    base = {"precio": "1.00", "stock": 10}
    central = {"precio": "2.00", "stock": 7}
    r = fusion.fusionar(PRODUCTO, base, {"precio": "1.50", "stock": 5}, central)
    assert r.resuelto and r.hubo_regla()
    assert r.datos(central) == {"stock": 5}
    reglas = {d.campo: d.regla for d in r.decisiones}
    assert reglas == {"precio": "prioridad_central", "stock": "menor_valor"}


def test_campo_a_campo_sin_regla_queda_en_disputa():
    r = fusion.fusionar(PRODUCTO, {"nombre": "A"}, {"nombre": "B"}, {"nombre": "C"})
    assert not r.resuelto
    assert r.en_disputa == ("nombre",)
    assert r.datos({"nombre": "C"}) == {}


def test_mismo_valor_no_envia_nada():
    r = fusion.fusionar(PRODUCTO, {"nombre": "A"}, {"nombre": "B"}, {"nombre": "B"})
    assert r.resuelto and r.datos({"nombre": "B"}) == {}


def test_ultima_modificacion_con_desfase():
    base, local, central = {"email": "a@x"}, {"email": "b@x"}, {"email": "c@x"}
    # La terminal escribió a las 12:00:10 con su reloj, que va 20 s adelantado (desfase -20 s):
    hora_local = fusion.hora_corregida((T0 + dt.timedelta(seconds=10)).isoformat(), -20_000)
    r = fusion.fusionar(CLIENTE, base, local, central, hora_local=hora_local, hora_central=T0)
    assert r.datos(central) == {}  # corregida es 11:59:50 < 12:00: gana la central
    hora_local = fusion.hora_corregida((T0 + dt.timedelta(seconds=10)).isoformat(), 0)
    r = fusion.fusionar(CLIENTE, base, local, central, hora_local=hora_local, hora_central=T0)
    assert r.datos(central) == {"email": "b@x"}


def test_mayor_valor_y_concatenar_y_nulos():
    assert fusion._aplicar_regla("mayor_valor", "decimal", "10.5", "9.75", None, None) == "10.5"
    assert fusion._aplicar_regla("menor_valor", "decimal", "10.5", "9.75", None, None) == "9.75"
    assert fusion._aplicar_regla("mayor_valor", "entero", None, 3, None, None) == 3
    assert fusion._aplicar_regla("concatenar", "texto", "b", "a", None, None) == "a | b"
    assert fusion._aplicar_regla("concatenar", "texto", "", "a", None, None) == "a"


def test_borrado_central_y_borrado_local():
    r = fusion.fusionar(PRODUCTO, {"nombre": "A"}, {"nombre": "B"}, None)
    assert not r.resuelto
    r = fusion.fusionar(PRODUCTO, {"nombre": "A"}, {}, {"nombre": "C"}, tipo_operacion="borrar")
    assert r.en_disputa == ("nombre",)


valores = st.one_of(st.none(), st.integers(-5, 5))


@given(base=valores, local=valores, central=valores)
def test_propiedades_de_una_regla_numerica(base, local, central):
    r = fusion.fusionar(PRODUCTO, {"stock": base}, {"stock": local}, {"stock": central})
    assert r.resuelto  # stock tiene regla: nunca queda en disputa
    (decision,) = r.decisiones
    if local == base:
        assert decision.resultado == central  # la terminal no lo cambió: gana la central
    elif central == base:
        assert decision.resultado == local  # sólo cambió la terminal: gana el local
    elif local == central:
        assert decision.resultado == central
    else:
        candidatos = [v for v in (local, central) if v is not None]
        assert decision.resultado == min(candidatos)
    # Lo que se envía nunca repite el valor central.
    assert r.datos({"stock": central}) in ({}, {"stock": decision.resultado})


TEXTOS = st.dictionaries(st.sampled_from(["nombre", "codigo", "categoria"]), st.text(max_size=3))


@given(base=TEXTOS, local=TEXTOS, central=TEXTOS)
def test_disputa_solo_si_los_dos_lados_cambiaron_distinto(base, local, central):
    base = {c: base.get(c, "") for c in local}
    central = {**{c: "" for c in local}, **central}
    r = fusion.fusionar(PRODUCTO, base, local, central)
    for campo in local:
        ambos = local[campo] != base[campo] and central[campo] != base[campo]
        assert (campo in r.en_disputa) == (ambos and local[campo] != central[campo])
