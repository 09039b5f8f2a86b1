"""«ajustar» aplicado en bloque (PostgreSQL: una sentencia por ronda) da, operación a operación, lo
mismo que aplicarlos uno a uno (SQLite): el orden de los ajustes de un objeto, sus límites sobre
el resultado del anterior, las sobreventas y lo que lee una operación posterior del mismo lote."""

from __future__ import annotations

from .conftest import EXISTENCIA, Api, existencia, op, sql


def _existencia(api: Api, pid: int) -> tuple[int, int]:
    estado, _ = api.descargar(EXISTENCIA)
    version, datos = estado[(EXISTENCIA, existencia(pid))]
    return version, datos["cantidad"]


def test_actualizar_tras_ajustes_del_mismo_lote_ve_sus_efectos(central, api):
    """Un «actualizar» con valores base detrás de varios «ajustar» del mismo objeto en el lote:
    sólo no hay conflicto si los ajustes ya están aplicados cuando se compara; y un ajuste
    posterior se aplica sobre el valor actualizado."""
    version, a = _existencia(api, 21)
    _, b = _existencia(api, 22)
    r = api.operaciones(
        op(EXISTENCIA, "ajustar", existencia(21), {"cantidad": -1}),
        op(EXISTENCIA, "ajustar", existencia(22), {"cantidad": -1}),
        op(EXISTENCIA, "ajustar", existencia(21), {"cantidad": -2}),
        op(
            EXISTENCIA,
            "actualizar",
            existencia(21),
            {"cantidad": 500},
            version_base=version,
            valores_base={"cantidad": a - 3},
        ),
        op(EXISTENCIA, "ajustar", existencia(21), {"cantidad": -1}),
        op(EXISTENCIA, "ajustar", existencia(22), {"cantidad": -4}),
    )["resultados"]
    assert [x["resultado"] for x in r] == ["aplicada"] * 6, r
    version_a, cantidad_a = _existencia(api, 21)
    version_b, cantidad_b = _existencia(api, 22)
    assert (cantidad_a, cantidad_b) == (499, b - 5)
    # Todas las de un objeto llevan la versión con que queda al confirmar el lote.
    assert {r[i]["version"] for i in (0, 2, 3, 4)} == {version_a}
    assert {r[i]["version"] for i in (1, 5)} == {version_b}


def test_rondas_con_limites_y_sobreventas_en_orden(central, api):
    """Varios ajustes del mismo objeto en un lote, mezclados con los de otro: cada uno se
    comprueba sobre el resultado del anterior (el que cruza el máximo se rechaza y los
    siguientes siguen), y cada sobreventa anota el valor que dejó su operación."""
    version, _ = _existencia(api, 23)
    subir = op(
        EXISTENCIA,
        "actualizar",
        existencia(23),
        {"cantidad": 999_995_000},
        version_base=version,
    )
    assert api.operaciones(subir)["resultados"][0]["resultado"] == "aplicada"
    _, c = _existencia(api, 24)
    r = api.operaciones(
        op(EXISTENCIA, "ajustar", existencia(23), {"cantidad": 4_000}),
        op(EXISTENCIA, "ajustar", existencia(24), {"cantidad": -(c + 1)}),
        op(EXISTENCIA, "ajustar", existencia(23), {"cantidad": 4_000}),
        op(EXISTENCIA, "ajustar", existencia(24), {"cantidad": -2}),
        op(EXISTENCIA, "ajustar", existencia(23), {"cantidad": 500}),
    )["resultados"]
    assert [x["resultado"] for x in r] == [
        "aplicada",
        "aplicada",
        "rechazada",
        "aplicada",
        "aplicada",
    ], r
    assert "fuera de sus límites" in r[2]["motivo"]
    assert _existencia(api, 23)[1] == 999_999_500
    assert _existencia(api, 24)[1] == -3
    filas = sql(
        central,
        "SELECT valor_resultante FROM central_sobreventa WHERE objeto_id = ? ORDER BY id",
        (existencia(24),),
    )
    assert [int(f[0]) for f in filas] == [-1, -3]


def test_en_postgresql_van_en_bloque_sin_repetir_el_lote(central, api):
    """Lo anterior no pasó por el modo seguro: la sentencia en bloque no falló (si fallara, el
    lote se repetiría uno a uno con el mismo resultado, y sólo el registro lo diría)."""
    r = api.operaciones(
        op(EXISTENCIA, "ajustar", existencia(25), {"cantidad": -1}),
        op(EXISTENCIA, "ajustar", existencia(26), {"cantidad": -1}),
    )["resultados"]
    assert [x["resultado"] for x in r] == ["aplicada", "aplicada"]
    assert "modo seguro" not in central.log.read_text()
