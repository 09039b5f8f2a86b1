"""Reglas de pagos de una venta (``agente.reglas.pagos``): puras, sin ficheros."""

from decimal import Decimal

import pytest

from agente.reglas import pagos
from protocolo.esquema import ErrorValor


def test_sin_pagos_es_efectivo_del_total():
    assert pagos.normalizar(None, Decimal("3.9")) == [{"metodo": "efectivo", "importe": "3.90"}]
    assert pagos.normalizar([], Decimal("1")) == [{"metodo": "efectivo", "importe": "1.00"}]


def test_pagos_repartidos_que_suman_el_total():
    assert pagos.normalizar(
        [{"metodo": "tarjeta", "importe": "2"}, {"metodo": "efectivo", "importe": "1.9"}],
        Decimal("3.90"),
    ) == [{"metodo": "tarjeta", "importe": "2.00"}, {"metodo": "efectivo", "importe": "1.90"}]
    assert pagos.normalizar([{"metodo": "bizum", "importe": 4}], Decimal("4.00"))[0] == {
        "metodo": "bizum",
        "importe": "4.00",
    }


@pytest.mark.parametrize(
    ("lista", "motivo"),
    [
        ([{"metodo": "efectivo", "importe": "1.00"}], "faltan 2.90"),
        ([{"metodo": "efectivo", "importe": "5.00"}], "sobran 1.10"),
        ([{"metodo": "efectivo", "importe": "3.899"}], "dos decimales"),
        ([{"metodo": "efectivo", "importe": 3.9}], "texto decimal"),
        ([{"metodo": "efectivo", "importe": True}], "texto decimal"),
        ([{"metodo": "efectivo", "importe": "-3.90"}], "mayor que 0"),
        ([{"metodo": "efectivo", "importe": "NaN"}], "mayor que 0"),
        ([{"metodo": "Tarjeta", "importe": "3.90"}], "minúsculas"),
        ([{"metodo": "efectivo", "importe": "3.90", "cambio": "1"}], "Pago 1"),
        ([["efectivo", "3.90"]], "Pago 1"),
        ({"metodo": "efectivo", "importe": "3.90"}, "lista"),
        ([{"metodo": "efectivo", "importe": "0.10"}] * 40, "como mucho"),
    ],
)
def test_pagos_que_no_valen(lista, motivo):
    with pytest.raises(ErrorValor, match=motivo) as error:
        pagos.normalizar(lista, Decimal("3.90"))
    assert "\n" not in str(error.value)


def test_desde_texto():
    assert pagos.desde_texto("Tarjeta:3.90") == {"metodo": "tarjeta", "importe": "3.90"}
    for malo in ("efectivo", ":3", "efectivo:"):
        with pytest.raises(ErrorValor, match="METODO:IMPORTE"):
            pagos.desde_texto(malo)
