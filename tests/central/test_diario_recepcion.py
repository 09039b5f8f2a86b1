"""``POST /v1/diario`` contra la central real (SQLite y PostgreSQL): cadena limpia aceptada,
alteración, borrado, inserción y bifurcación detectados con terminal y número, identidad del
token, reenvío idempotente y límites de la petición."""

from __future__ import annotations

import json
import threading
import uuid

import pytest

from protocolo import diario

from . import diario_util as du
from .conftest import Api, sql


def _registros(central, *cajas: str, numero: int | None = None) -> int:
    """Registros del diario que la central guardó de esas cajas (con ``numero``: sólo ése)."""
    marcas = ", ".join("?" * len(cajas))
    consulta = (
        "SELECT count(*) FROM central_registrodiario r JOIN central_terminal t "  # noqa: S608
        f"ON t.id = r.terminal_id WHERE t.codigo IN ({marcas})"
    )
    if numero is not None:
        return sql(central, consulta + " AND r.numero = ?", (*cajas, numero))[0][0]
    return sql(central, consulta, cajas)[0][0]


def _caja(central) -> tuple[Api, str]:
    codigo = f"caja-{uuid.uuid4().hex[:8]}"
    return Api(central.url, central.crear_terminal(central.tienda, codigo)), codigo


def _enviar(api: Api, registros: list[dict], estado: int = 200):
    return api.post("/v1/diario", {"registros": registros}, estado=estado)


def _incidencias(central, terminal: str) -> list[tuple]:
    return sql(
        central,
        "SELECT i.tipo, i.serie, i.numero FROM central_incidenciadiario i "
        "JOIN central_terminal t ON t.id = i.terminal_id WHERE t.codigo = ? ORDER BY i.id",
        (terminal,),
    )


def test_cadena_limpia_aceptada_y_guardada_tal_cual(central):
    api, caja = _caja(central)
    registros = du.cadena(du.ventas(central.tienda, caja, 5))
    r = _enviar(api, registros[:3])
    assert [x["resultado"] for x in r["recibidos"]] == ["aceptado"] * 3
    assert [x["numero"] for x in r["recibidos"]] == [1, 2, 3]
    r = _enviar(api, registros[3:])
    assert [x["resultado"] for x in r["recibidos"]] == ["aceptado"] * 2
    assert all(x["incidencias"] == [] for x in r["recibidos"])
    filas = sql(
        central,
        "SELECT r.numero, r.contenido, r.huella FROM central_registrodiario r "
        "JOIN central_terminal t ON t.id = r.terminal_id WHERE t.codigo = ? ORDER BY r.orden",
        (caja,),
    )
    assert [f[0] for f in filas] == [1, 2, 3, 4, 5]
    for (_, contenido, huella), original in zip(filas, registros, strict=True):
        assert bytes(contenido) == diario.canonico(original)
        assert huella == original["huella"]
    assert _incidencias(central, caja) == []


def test_reenvio_es_duplicado_sin_incidencias_nuevas(central):
    api, caja = _caja(central)
    registros = du.cadena(du.ventas(central.tienda, caja, 4))
    _enviar(api, registros[:2])
    r = _enviar(api, registros)  # reenvío tras un corte: los 2 primeros ya estaban
    assert [x["resultado"] for x in r["recibidos"]] == ["duplicado"] * 2 + ["aceptado"] * 2
    r = _enviar(api, [registros[3], registros[3]])
    assert [x["resultado"] for x in r["recibidos"]] == ["duplicado"] * 2
    assert _incidencias(central, caja) == []
    assert _registros(central, caja) == 4


def test_registro_alterado_detectado_con_terminal_y_numero(central):
    api, caja = _caja(central)
    registros = du.cadena(du.ventas(central.tienda, caja, 4))
    alterado = dict(registros[2], total="0.01")  # cambiado después de sellar
    r = _enviar(api, [*registros[:2], alterado, registros[3]])
    res = r["recibidos"]
    assert [x["resultado"] for x in res] == ["aceptado", "aceptado", "incidencia", "aceptado"]
    assert any(f"terminal {caja}" in t and "nº 3" in t for t in res[2]["incidencias"])
    assert _incidencias(central, caja) == [("alterado", f"{caja}-2026", 3)]
    # con la huella recalculada, el siguiente deja de encadenar
    api2, otra = _caja(central)
    registros = du.cadena(du.ventas(central.tienda, otra, 4))
    resellado = diario.sellar(dict(registros[2], total="0.01"), registros[1]["huella"])
    res = _enviar(api2, [*registros[:2], resellado, registros[3]])["recibidos"]
    assert [x["resultado"] for x in res] == ["aceptado", "aceptado", "aceptado", "incidencia"]
    assert _incidencias(central, otra) == [("encadenamiento", f"{otra}-2026", 4)]


def test_registro_borrado_detectado(central):
    api, caja = _caja(central)
    registros = du.cadena(du.ventas(central.tienda, caja, 5))
    r = _enviar(api, registros[:2] + registros[3:])
    res = r["recibidos"]
    assert [x["resultado"] for x in res] == ["aceptado", "aceptado", "incidencia", "aceptado"]
    assert any("nº 4" in t and "faltan los números 3" in t for t in res[2]["incidencias"])
    tipos = {t for t, _, n in _incidencias(central, caja) if n == 4}
    assert tipos == {"hueco", "encadenamiento"}


def test_registro_insertado_detectado(central):
    api, caja = _caja(central)
    registros = du.cadena(du.ventas(central.tienda, caja, 4))
    # Alguien inserta una venta entre la 2 y la 3 con número 3 y renumera las siguientes, pero
    # no puede volver a sellar lo que la caja ya había sellado.
    intruso = diario.sellar(
        du.venta(central.tienda, caja, 3, importe="99.00"), registros[1]["huella"]
    )
    r = _enviar(api, [*registros[:2], intruso, registros[2], registros[3]])
    res = r["recibidos"]
    assert [x["resultado"] for x in res[:3]] == ["aceptado"] * 3
    assert res[3]["resultado"] == "incidencia"  # el 3 auténtico: repetido y no encadena
    tipos = _incidencias(central, caja)
    assert ("repetido", f"{caja}-2026", 3) in tipos
    assert ("encadenamiento", f"{caja}-2026", 3) in tipos
    # los dos registros nº 3 quedan guardados: son la prueba
    assert _registros(central, caja, numero=3) == 2


def test_identidad_de_otra_caja_rechazada_sin_guardar_nada(central):
    api, caja = _caja(central)
    _, otra = _caja(central)
    propios = du.cadena(du.ventas(central.tienda, caja, 2))
    ajeno = du.cadena(du.ventas(central.tienda, otra, 1))[0]
    r = _enviar(api, [*propios, ajeno], estado=400)
    assert r["error"] == "peticion_invalida" and otra in r["mensaje"]
    otra_tienda = du.cadena(du.ventas("T999", caja, 1))[0]
    _enviar(api, [otra_tienda], estado=400)
    assert _registros(central, caja, otra) == 0


@pytest.mark.parametrize(
    "cuerpo",
    [
        {"registros": []},
        {"registros": [{"tipo": "venta"}]},
        {"otra": 1},
        [],
    ],
)
def test_peticion_mal_formada_400(central, cuerpo):
    api, _ = _caja(central)
    assert api.post("/v1/diario", cuerpo, estado=400)["error"] == "peticion_invalida"


def test_mas_de_500_registros_413(central):
    api, caja = _caja(central)
    registros = du.cadena(du.ventas(central.tienda, caja, diario.MAX_REGISTROS_POR_PETICION + 1))
    _enviar(api, registros, estado=413)
    r = _enviar(api, registros[: diario.MAX_REGISTROS_POR_PETICION])
    assert {x["resultado"] for x in r["recibidos"]} == {"aceptado"}


def test_sin_token_401(central):
    Api(central.url, None).post("/v1/diario", {"registros": []}, estado=401)


def test_reenvios_simultaneos_de_la_misma_caja_sin_duplicados(central):
    """Ocho envíos a la vez de la misma cadena (con un hueco): cada registro se guarda una vez
    y cada incidencia se anota una sola vez."""
    api, caja = _caja(central)
    registros = du.cadena(du.ventas(central.tienda, caja, 60))
    del registros[30]  # hueco en el 31: la 32 no encadena y faltan números
    _enviar(api, registros[:1])  # la cadena ya existe: su cabeza es el único cerrojo
    token = api.sesion.headers["Authorization"].split()[1]
    resultados: list[list[str]] = []
    errores: list[BaseException] = []
    salida = threading.Barrier(8)

    def enviar():
        try:
            propia = Api(central.url, token)
            salida.wait()
            resultados.append([x["resultado"] for x in _enviar(propia, registros)["recibidos"]])
        except BaseException as exc:
            errores.append(exc)

    hilos = [threading.Thread(target=enviar) for _ in range(8)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(120)
    assert not errores, errores
    assert len(resultados) == 8
    for i in range(1, len(registros)):
        nuevos = [r[i] for r in resultados if r[i] != "duplicado"]
        assert len(nuevos) == 1, (i, nuevos)
    assert sorted(_incidencias(central, caja)) == [
        ("encadenamiento", f"{caja}-2026", 32),
        ("hueco", f"{caja}-2026", 32),
    ]
    assert _registros(central, caja) == 59


def test_un_registro_mal_formado_rechaza_la_peticion_entera(central):
    api, caja = _caja(central)
    registros = du.cadena(du.ventas(central.tienda, caja, 3))
    roto = {k: v for k, v in registros[2].items() if k != "pagos"}
    r = _enviar(api, [*registros[:2], roto], estado=400)
    assert r["error"] == "peticion_invalida" and "Registro 2" in r["mensaje"]
    assert [x["resultado"] for x in _enviar(api, registros)["recibidos"]] == ["aceptado"] * 3


def _cierre_con_por_metodo_en_lista(tienda: str, caja: str) -> dict:
    return dict(du.cierre(tienda, caja, 1, []), por_metodo=[["efectivo", "3.90"]])


@pytest.mark.parametrize(
    "falso",
    [
        lambda t, c: dict(du.venta(t, c, 1), total=3.9),
        lambda t, c: dict(du.venta(t, c, 1), fecha="ayer"),
        lambda t, c: dict(du.venta(t, c, 1), lineas="x"),
        _cierre_con_por_metodo_en_lista,
    ],
    ids=["total-float", "fecha-mala", "lineas-texto", "cierre-por-metodo-lista"],
)
def test_registro_bien_sellado_sin_la_forma_del_formato_rechazado(central, falso):
    """Bien sellado pero con importes en coma flotante, una fecha que no es fecha o piezas que
    no son las del formato: 400 y nada guardado (si no, quedaría fuera de la conciliación o la
    rompería para toda la tienda)."""
    api, caja = _caja(central)
    [registro] = du.cadena([falso(central.tienda, caja)])
    r = _enviar(api, [registro], estado=400)
    assert r["error"] == "peticion_invalida" and "Registro 0" in r["mensaje"]
    assert _registros(central, caja) == 0


def test_cuerpo_de_mas_de_5_mb_413(central):
    api, caja = _caja(central)
    registro = du.cadena(du.ventas(central.tienda, caja, 1))[0]
    crudo = json.dumps({"registros": [registro], "relleno": "x" * (5 * 1024 * 1024)}).encode()
    r = api.post("/v1/diario", None, estado=413, crudo=crudo)
    assert r["error"] == "peticion_demasiado_grande"
