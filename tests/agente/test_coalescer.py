"""Detección temprana al encolar (``agente.reglas.coalescer``): lo que no se combina avisa."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agente.operacion import CONFLICTO, ERROR, PENDIENTE, PROCESANDO
from agente.reglas import coalescer

TIPOS = ["crear", "actualizar", "ajustar", "borrar"]
FUSIONABLES = {
    ("actualizar", "actualizar"),
    ("crear", "actualizar"),
    ("crear", "borrar"),
    ("actualizar", "borrar"),
    ("ajustar", "ajustar"),
}
DATOS = {
    "crear": {"nombre": "a"},
    "actualizar": {"nombre": "b"},
    "ajustar": {"stock": -1},
    "borrar": {},
}

anterior_st = st.builds(
    coalescer.Anterior,
    tipo=st.sampled_from(TIPOS),
    datos=st.just({}),
    valores_base=st.just({}),
    estado=st.sampled_from([PENDIENTE, PENDIENTE, PROCESANDO, ERROR, CONFLICTO]),
    intentos=st.integers(0, 2),
    referida=st.booleans(),
)


@given(st.one_of(st.none(), anterior_st), st.sampled_from(TIPOS))
@settings(max_examples=400, deadline=None)
def test_lo_que_no_se_fusiona_ni_se_anula_lleva_aviso(anterior, tipo):
    """Con una operación anterior sin confirmar del mismo objeto, la nueva se fusiona, anula a
    la anterior o se encola con un aviso; sin anterior, se encola sin aviso."""
    if anterior is not None:
        anterior = coalescer.Anterior(
            anterior.tipo,
            DATOS[anterior.tipo],
            {},
            anterior.estado,
            anterior.intentos,
            anterior.referida,
        )
    decision = coalescer.decidir(anterior, tipo, DATOS[tipo], {})
    if anterior is None:
        assert (decision.accion, decision.aviso) == (coalescer.ENCOLAR, None)
    elif decision.accion == coalescer.ENCOLAR:
        assert decision.aviso and decision.aviso.strip()
        assert (decision.tipo, decision.datos) == (tipo, DATOS[tipo])
    else:
        # Sólo se combina con una PENDIENTE nunca enviada y en uno de los cinco pares.
        assert (anterior.tipo, tipo) in FUSIONABLES
        assert (anterior.estado, anterior.intentos) == (PENDIENTE, 0)
        assert decision.aviso is None


@pytest.mark.parametrize(
    ("anterior", "nueva"),
    [
        ("actualizar", "ajustar"),
        ("ajustar", "actualizar"),
        ("ajustar", "borrar"),
        ("crear", "ajustar"),
    ],
)
def test_par_no_fusionable_con_pendiente_avisa_en_castellano(anterior, nueva):
    decision = coalescer.decidir(
        coalescer.Anterior(anterior, DATOS[anterior], {}), nueva, DATOS[nueva], {}
    )
    assert decision.accion == coalescer.ENCOLAR
    assert f"«{anterior}»" in decision.aviso and "pendiente" in decision.aviso
    assert "después" in decision.aviso and "en orden" in decision.aviso


@pytest.mark.parametrize("anterior", ["crear", "actualizar"])
def test_borrar_de_un_objeto_referido_no_anula_ni_fusiona(anterior):
    libre = coalescer.decidir(coalescer.Anterior(anterior, DATOS[anterior], {}), "borrar", {}, {})
    assert libre.accion in (coalescer.ANULAR, coalescer.FUSIONAR)
    referido = coalescer.decidir(
        coalescer.Anterior(anterior, DATOS[anterior], {}, referida=True), "borrar", {}, {}
    )
    assert (referido.accion, referido.tipo) == (coalescer.ENCOLAR, "borrar")
    assert "referencia" in referido.aviso and f"«{anterior}»" in referido.aviso
