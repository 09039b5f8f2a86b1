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
