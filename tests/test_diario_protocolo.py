"""La cadena del diario (``protocolo.diario``): una cadena íntegra no da incidencias; un registro
cambiado, borrado o insertado da la incidencia que lo nombra."""

from __future__ import annotations

import pytest

from protocolo import diario


def _cadena(n: int, serie: str = "T1-2026") -> list[dict]:
    registros, anterior = [], diario.HUELLA_INICIAL
    for i in range(1, n + 1):
        r = diario.sellar(
            {
                "tienda": "S1",
                "terminal": "T1",
                "tipo": "venta",
                "serie": serie,
                "numero": i,
                "fecha": "2026-12-03T10:00:00+00:00",
                "desfase_ms": 0,
                "venta": f"00000000-0000-4000-8000-{i:012d}",
                "lineas": [
                    {"producto": 1, "cantidad": 2, "precio_unitario": "1.95", "importe": "3.90"}
                ],
                "total": "3.90",
                "pagos": [{"metodo": "efectivo", "importe": "3.90"}],
            },
            anterior,
        )
        diario.validar_forma(r)
        registros.append(r)
        anterior = r["huella"]
    return registros


def _incidencias(registros: list[dict]) -> list[tuple[str, int]]:
    eslabones = [diario.Eslabon.de_registro(r) for r in registros]
    return [(i.tipo, i.numero) for i in diario.verificar(eslabones)]


def test_cadena_integra_sin_incidencias_y_por_tramos():
    registros = _cadena(10)
    assert _incidencias(registros) == []
    punto = diario.Punto()
    eslabones = [diario.Eslabon.de_registro(r) for r in registros]
    assert list(diario.verificar(eslabones[:4], punto)) == []
    assert list(diario.verificar(eslabones[4:], punto)) == []
    assert punto.numero == 10


def test_canonico_estable_y_sin_huella():
    r = _cadena(1)[0]
    assert b'"huella"' not in diario.canonico(r)
    assert diario.canonico(dict(reversed(list(r.items())))) == diario.canonico(r)
    assert diario.huella_de(diario.canonico(r)) == r["huella"]


def test_registro_cambiado_sin_rehacer_huella():
    registros = _cadena(5)
    registros[2]["total"] = "0.01"
    assert _incidencias(registros) == [("alterado", 3)]


def test_registro_cambiado_y_vuelto_a_sellar_rompe_el_siguiente():
    registros = _cadena(5)
    cambiado = dict(registros[2], total="0.01")
    registros[2] = diario.sellar(cambiado, cambiado["huella_anterior"])
    assert _incidencias(registros) == [("encadenamiento", 4)]


def test_registro_borrado():
    registros = _cadena(5)
    del registros[2]
    assert _incidencias(registros) == [("encadenamiento", 4), ("hueco", 4)]


def test_registro_insertado():
    registros = _cadena(5)
    intruso = diario.sellar(dict(registros[2], total="9.99"), registros[2]["huella"])
    registros.insert(3, intruso)
    assert _incidencias(registros) == [("repetido", 3), ("encadenamiento", 4)]


def test_serie_nueva_empieza_en_uno_y_la_cadena_sigue():
    a = _cadena(3, "T1-2026")
    b = _cadena(2, "T1-2027")
    b[0] = diario.sellar(b[0], a[-1]["huella"])
    b[1] = diario.sellar(b[1], b[0]["huella"])
    assert _incidencias(a + b) == []


@pytest.mark.parametrize(
    "cambio",
    [
        {"tipo": "regalo"},
        {"numero": 0},
        {"numero": True},
        {"huella": "XYZ"},
        {"formato": 2},
        {"sobrante": 1},
    ],
)
def test_forma_invalida(cambio):
    r = dict(_cadena(1)[0], **cambio)
    with pytest.raises(diario.ErrorDiario):
        diario.validar_forma(r)


def _cierre(**cambio) -> dict:
    r = {
        **{k: v for k, v in _cadena(1)[0].items() if k not in diario.POR_TIPO["venta"]},
        "tipo": "cierre",
        "dia": "2026-12-03",
        "desde": 1,
        "hasta": 1,
        "ventas": 1,
        "por_metodo": {"efectivo": "3.90", "tarjeta": "-1.95"},
        "total": "1.95",
        "efectivo_declarado": None,
        "diferencia": None,
        "forzado": None,
    }
    return diario.sellar({**r, **cambio}, diario.HUELLA_INICIAL)


def test_cierre_bien_formado():
    diario.validar_forma(_cierre())
    diario.validar_forma(
        _cierre(
            desde=None,
            hasta=None,
            ventas=0,
            por_metodo={},
            total="0.00",
            efectivo_declarado="0.00",
            diferencia="-3.90",
            forzado={"por": "Ana", "motivo": "sin red"},
        )
    )


@pytest.mark.parametrize(
    "cambio",
    [
        {"total": 3.9},
        {"total": "3.9"},
        {"total": "1e3"},
        {"fecha": "ayer"},
        {"fecha": "2026-12-03"},
        {"lineas": "x"},
        {"lineas": [1]},
        {"lineas": [{"producto": 1, "cantidad": 2, "precio_unitario": 1.95, "importe": "3.90"}]},
        {"pagos": None},
        {"pagos": [{"metodo": 1, "importe": "3.90"}]},
        {"pagos": [{"metodo": "efectivo", "importe": 3.9}]},
        {"venta": None},
    ],
)
def test_venta_con_importes_o_fecha_sin_la_forma_del_formato(cambio):
    r = diario.sellar(dict(_cadena(1)[0], **cambio), diario.HUELLA_INICIAL)
    with pytest.raises(diario.ErrorDiario):
        diario.validar_forma(r)


@pytest.mark.parametrize(
    "cambio",
    [
        {"por_metodo": [1]},
        {"por_metodo": {"efectivo": 3.9}},
        {"desde": "1"},
        {"hasta": [1]},
        {"ventas": None},
        {"total": {"a": 1}},
        {"dia": "03/12/2026"},
        {"efectivo_declarado": 10},
        {"forzado": "Ana"},
    ],
)
def test_cierre_sin_la_forma_del_formato(cambio):
    with pytest.raises(diario.ErrorDiario):
        diario.validar_forma(_cierre(**cambio))


def test_devolucion_con_referencia_mal_formada():
    r = {**_cadena(1)[0], "tipo": "devolucion", "referencia": "T1-2026/1"}
    with pytest.raises(diario.ErrorDiario):
        diario.validar_forma(diario.sellar(r, diario.HUELLA_INICIAL))
    r["referencia"] = {"serie": "T1-2026", "numero": 1, "huella": diario.HUELLA_INICIAL}
    diario.validar_forma(diario.sellar(r, diario.HUELLA_INICIAL))
