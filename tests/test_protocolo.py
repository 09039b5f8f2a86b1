"""El paquete compartido ``protocolo``: normalizador único, reglas por campo y su forma JSON."""

from __future__ import annotations

from decimal import Decimal

import pytest

from protocolo.errores import ErrorEsquema, ErrorValor
from protocolo.esquema import config_modelo_desde_dict
from protocolo.restricciones import ReglasCampo, reglas_desde_dict
from protocolo.valores import (
    LIMITE_BYTES_DATOS,
    normalizar_delta,
    normalizar_valor,
    tamano_datos,
)

PRECIO = ReglasCampo(minimo=Decimal(0), maximo=Decimal(500), decimales=2, digitos=5)


@pytest.mark.parametrize(
    ("valor", "canonico"),
    [
        ("12.5", "12.50"),
        (" 3.1 ", "3.10"),
        (7, "7.00"),
        ("1E+2", "100.00"),
        ("0", "0.00"),
    ],
)
def test_decimales_canonicos_con_sus_decimales(valor, canonico):
    assert normalizar_valor("decimal", valor, "precio", reglas=PRECIO) == canonico


@pytest.mark.parametrize(
    ("valor", "mensaje"),
    [
        ("1e999", "fuera de rango"),
        ("NaN", "decimal finito"),
        ("-Infinity", "decimal finito"),
        ("-0.01", "menor que 0"),
        ("500.01", "mayor que 500"),
        ("1000.00", "5 dígitos"),
        ("1.999", "2 decimales"),
        (1.5, "como cadena"),
        (True, "como cadena"),
        ("abc", "espera un decimal"),
    ],
)
def test_decimales_invalidos(valor, mensaje):
    with pytest.raises(ErrorValor, match=mensaje):
        normalizar_valor("decimal", valor, "precio", reglas=PRECIO)


def test_textos_enteros_y_json():
    largo = ReglasCampo(longitud_maxima=3)
    assert normalizar_valor("texto", "abc", "n", reglas=largo) == "abc"
    for malo, mensaje in (
        ("abcd", "como mucho 3"),
        ("a\x00", "carácter nulo"),
        ("\ud800", "no válidos"),
        (3, "espera texto"),
    ):
        with pytest.raises(ErrorValor, match=mensaje):
            normalizar_valor("texto", malo, "n", reglas=largo)
    for malo in (2**63, -(2**63) - 1, True, 1.0):
        with pytest.raises(ErrorValor):
            normalizar_valor("entero", malo, "n")
    with pytest.raises(ErrorValor, match="carácter nulo"):
        normalizar_valor("json", {"a": ["x\x00"]}, "j")
    with pytest.raises(ErrorValor):
        normalizar_valor("json", {"a": float("nan")}, "j")
    with pytest.raises(ErrorValor, match="no admite nulo"):
        normalizar_valor("texto", None, "n", reglas=ReglasCampo(requerido=True))
    assert normalizar_valor("uuid", "6F1C1A2B-0000-4000-8000-000000000001", "u") == (
        "6f1c1a2b-0000-4000-8000-000000000001"
    )


def test_deltas_con_sus_limites():
    reglas = ReglasCampo(delta_minimo=-10, delta_maximo=10, operaciones=frozenset({"ajustar"}))
    assert normalizar_delta("entero", -10, "stock", reglas) == -10
    with pytest.raises(ErrorValor, match="mayor que 10"):
        normalizar_delta("entero", 2**63 - 1, "stock", reglas)
    with pytest.raises(ErrorValor, match="sólo admite campos numéricos"):
        normalizar_delta("texto", 1, "nombre")
    assert normalizar_delta("decimal", "1.5", "peso") == "1.5"


def test_reglas_forma_json_ida_y_vuelta():
    forma = {
        "requerido": True,
        "minimo": "0",
        "maximo": "999.99",
        "decimales": 2,
        "digitos": 5,
        "operaciones": ["actualizar"],
    }
    reglas = reglas_desde_dict("m.M", "precio", "decimal", forma)
    assert reglas.a_dict() == forma
    assert reglas_desde_dict("m.M", "precio", "decimal", reglas.a_dict()) == reglas
    for malo, mensaje in (
        ({"longitud_maxima": 3}, "sólo se aplica a campos de texto"),
        ({"operaciones": ["borrar"]}, "debe ser una lista"),
        ({"minimo": "5", "maximo": "1"}, "es mayor que"),
        ({"minimo": "x"}, "no es un decimal"),
        ({"tope": 1}, "desconocidas: tope"),
    ):
        with pytest.raises(ErrorEsquema, match=mensaje):
            reglas_desde_dict("m.M", "precio", "decimal", malo)


def test_validar_datos_aplica_operaciones_requeridos_y_tamano():
    config = config_modelo_desde_dict(
        "app.Cosa",
        {
            "campos_esenciales": ["id", "nombre", "stock", "notas"],
            "tipos": {"id": "uuid", "nombre": "texto", "stock": "entero", "notas": "texto"},
            "nulos": ["notas"],
            "restricciones": {
                "nombre": {"requerido": True, "longitud_maxima": 10},
                "stock": {"operaciones": ["ajustar"], "delta_maximo": 5},
            },
        },
    )
    assert config.campos_requeridos == ("nombre",)
    assert config.campos_ajustables == frozenset({"stock"})
    with pytest.raises(ErrorValor, match="Falta el campo obligatorio «nombre»"):
        config.validar_datos("crear", {"notas": "x"})
    with pytest.raises(ErrorValor, match="no admite «actualizar»"):
        config.validar_datos("actualizar", {"stock": 1})
    with pytest.raises(ErrorValor, match=r"«notas» de app\.Cosa no se puede ajustar"):
        config.validar_datos("ajustar", {"notas": 1})
    assert config.validar_datos("ajustar", {"stock": 5}) == {"stock": 5}
    with pytest.raises(ErrorValor, match="máximo es 64 KiB"):
        config.validar_datos("actualizar", {"notas": "x" * (LIMITE_BYTES_DATOS + 1)})
    # La cota barata nunca se queda corta: con caracteres de escape y multibyte.
    for texto in ("\x01" * 5000, "€" * 5000, "a" * 5000):
        exacto = tamano_datos({"notas": texto})
        assert tamano_datos({"notas": texto}, LIMITE_BYTES_DATOS) >= exacto


def test_etiquetas_de_campo_opcionales_fuera_de_la_huella():
    """Cómo llamar a cada campo ante personas: opcional, validado, sin tocar la huella."""
    from protocolo.esquema import humanizar

    forma = {
        "clave": "id",
        "campos_esenciales": ["id", "precio_venta"],
        "tipos": {"id": "entero", "precio_venta": "decimal"},
    }
    sin = config_modelo_desde_dict("a.B", forma)
    con = config_modelo_desde_dict("a.B", {**forma, "etiquetas": {"precio_venta": "PVP"}})
    assert sin.etiqueta("precio_venta") == humanizar("precio_venta") == "Precio venta"
    assert con.etiqueta("precio_venta") == "PVP" and con.etiqueta("id") == "Id"
    assert con.huella == sin.huella
    assert con.a_dict()["etiquetas"] == {"precio_venta": "PVP"}
    assert "etiquetas" not in sin.a_dict()
    assert config_modelo_desde_dict("a.B", con.a_dict()).etiquetas == con.etiquetas
    for mala in ({"otro": "X"}, {"id": ""}, {"id": " X"}, {"id": "a\nb"}, ["id"]):
        with pytest.raises(ErrorEsquema):
            config_modelo_desde_dict("a.B", {**forma, "etiquetas": mala})
