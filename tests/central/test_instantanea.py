"""``GET /v1/instantanea`` contra la central real (SQLite y PostgreSQL): es exactamente la
descarga completa por páginas (mismas filas, mismos bytes por fila, mismo cursor), se construye
una sola vez aunque la pidan muchos a la vez, respeta la privacidad por tienda y lo que se
confirma durante o después de construirla llega en la siguiente descarga incremental."""

from __future__ import annotations

import concurrent.futures as cf
import time
import uuid

import pytest
import requests

from .conftest import PG_URL, Api, aplicar, central_por_motor, op, validar_openapi
from .test_concurrencia import _escritor

PRODUCTO = "productos.Producto"
EXISTENCIA = "productos.Existencia"  # privado de la tienda: la de T001 es de las cajas de T001
VENTA = "ventas.Venta"
VIGENCIA_S = 4.0


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def central(request, tmp_path_factory):
    entorno = {"SINCRO_INSTANTANEA_VIGENCIA_S": str(VIGENCIA_S)}
    yield from central_por_motor(request.param, tmp_path_factory, entorno)


@pytest.fixture(scope="module")
def api(central) -> Api:
    return Api(central.url, central.token)


def _instantanea(central, modelo: str, token: str | None = None) -> tuple[dict, str, int]:
    """(cuerpo, filas en bruto tal como llegan, nº de construcción). Ante un 429 (construirla
    pasa por el límite de peticiones pesadas) espera el ``Retry-After``, como una caja."""
    while True:
        r = requests.get(
            central.url + "/v1/instantanea",
            params={"modelo": modelo},
            headers={**central.cabeceras(token), "Accept-Encoding": "gzip"},
            timeout=60,
        )
        if r.status_code != 429:
            break
        validar_openapi(r, "/v1/instantanea", "get")
        time.sleep(float(r.headers["Retry-After"]))
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Encoding"] == "gzip"
    cuerpo = validar_openapi(r, "/v1/instantanea", "get")
    assert cuerpo["completo"] is True and cuerpo["hay_mas"] is False
    assert int(r.headers["Sincro-Instantanea-Filas"]) == len(cuerpo["cambios"])
    return cuerpo, _filas_en_bruto(r.text), int(r.headers["Sincro-Instantanea-Construccion"])


def _filas_en_bruto(texto: str) -> str:
    assert texto.startswith('{"cambios":[')
    return texto[len('{"cambios":[') : texto.rindex('],"cursor":')]


def _paginas(central, modelo: str, limite: int, token: str | None = None) -> tuple[list, str]:
    """Descarga completa por páginas: las filas de cada página en bruto y el cursor final."""
    sesion = requests.Session()
    sesion.headers.update(central.cabeceras(token))
    cursor, brutas = "", []
    while True:
        r = sesion.get(
            central.url + "/v1/cambios",
            params={"modelos": modelo, "cursor": cursor, "limite": limite},
            timeout=60,
        )
        assert r.status_code == 200, r.text[:300]
        cuerpo = r.json()
        if cuerpo["cambios"]:
            brutas.append(_filas_en_bruto(r.text))
        cursor = cuerpo["cursor"]
        if not cuerpo["hay_mas"]:
            return brutas, cursor


def _construcciones(central, modelo: str) -> int:
    return central.log.read_text(encoding="utf-8").count(f"Instantánea de {modelo} construida")


def _posicion(cursor: str) -> tuple[int, ...]:
    return tuple(int(n) for n in cursor.split("."))


def _esperar_vigencia() -> None:
    time.sleep(VIGENCIA_S + 0.2)


def test_muchas_a_la_vez_la_construyen_una_vez(central):
    """La primera petición la construye; 12 a la vez esperan a esa construcción y ninguna más
    la repite; una segunda petición tampoco."""
    with cf.ThreadPoolExecutor(12) as ex:
        resultados = list(ex.map(lambda _: _instantanea(central, PRODUCTO), range(12)))
    assert {n for _, _, n in resultados} == {1}
    assert len({bruto for _, bruto, _ in resultados}) == 1
    assert _instantanea(central, PRODUCTO)[2] == 1
    assert _construcciones(central, PRODUCTO) == 1


@pytest.mark.parametrize("modelo", [PRODUCTO, EXISTENCIA, "clientes.Cliente"])
def test_igual_que_la_descarga_por_paginas(central, api, modelo):
    """Mismas filas, mismos bytes por fila, en el mismo orden, y el mismo cursor final (en
    PostgreSQL la marca de agua es de todo el servidor y otras bases la mueven: el de la
    instantánea nunca va por delante del de una descarga posterior)."""
    antes, cursor_antes = _paginas(central, modelo, limite=7)
    cuerpo, bruto, _ = _instantanea(central, modelo)
    despues, cursor_despues = _paginas(central, modelo, limite=7)
    assert len(antes) > (0 if modelo == "clientes.Cliente" else 1)  # varias páginas de verdad
    assert bruto == ",".join(antes) == ",".join(despues)
    if PG_URL and "DATABASE_URL" in central.entorno:
        # La servida puede ser de una construcción anterior (el registro no avanzó): nunca por
        # delante de lo que ya se puede servir.
        assert _posicion(cuerpo["cursor"]) <= _posicion(cursor_despues)
    else:
        assert cuerpo["cursor"] == cursor_antes == cursor_despues
    # Desde su cursor no llega nada nuevo (en PostgreSQL puede volver a servir filas de
    # transacciones por encima de la marca, con la misma versión: no cambian nada).
    estado: dict = {}
    aplicar(estado, cuerpo["cambios"])
    for cambio in api.get("/v1/cambios", modelos=modelo, cursor=cuerpo["cursor"])["cambios"]:
        assert estado[(cambio["modelo"], cambio["id"])] == (cambio["version"], cambio["datos"])


def _ajuste(api: Api, producto: str, delta: int) -> int:
    """Ajusta el stock del producto en T001; devuelve la nueva versión de la existencia."""
    datos = {"cantidad": delta}
    r = api.operaciones(op(EXISTENCIA, "ajustar", f"T001:{producto}", datos))["resultados"][0]
    assert r["resultado"] == "aplicada", r
    return r["version"]


def _incremental(api: Api, cursor: str, estado: dict) -> tuple[dict, str]:
    """Descarga incremental hasta el final sobre ``estado``. En PostgreSQL puede volver a
    llegar una fila de la instantánea con la misma versión (por encima de la marca): debe
    traer lo mismo; una versión menor sería un cambio fuera de orden."""
    while True:
        p = api.get("/v1/cambios", modelos=EXISTENCIA, cursor=cursor, limite=5)
        for c in p["cambios"]:
            previo = estado.get((c["modelo"], c["id"]))
            if previo is not None and previo[0] == c["version"]:
                assert previo == (c["version"], c["datos"])
            else:
                aplicar(estado, [c])
        cursor = p["cursor"]
        if not p["hay_mas"]:
            return estado, cursor


def _hasta(api: Api, cursor: str, estado: dict, condicion) -> dict:
    """Descargas incrementales desde ``cursor`` hasta que ``condicion(estado)``: la marca de
    agua es de todo el servidor PostgreSQL y una transacción de otra base (otras pruebas a la
    vez) puede retener un momento lo recién confirmado; nunca perderlo."""
    fin = time.monotonic() + 90
    while True:
        estado, cursor = _incremental(api, cursor, estado)
        if condicion(estado) or time.monotonic() > fin:
            assert condicion(estado)
            return estado
        time.sleep(0.2)


def test_escritura_tras_la_instantanea_llega_en_la_incremental(central, api):
    """Dentro de su vigencia se sirve la misma instantánea aunque el registro haya avanzado, y
    su cursor trae lo posterior; pasada la vigencia se reconstruye una vez, ya con el cambio."""
    _ajuste(api, "3", -1)
    _esperar_vigencia()
    primera, _, n = _instantanea(central, EXISTENCIA)  # reconstruida ahora: vigente
    version = _ajuste(api, "3", -4)
    segunda, _, n2 = _instantanea(central, EXISTENCIA)
    assert n2 == n and segunda["cursor"] == primera["cursor"]  # vigente: no se reconstruye
    estado: dict = {}
    aplicar(estado, primera["cambios"])
    assert estado[(EXISTENCIA, "T001:3")][0] < version
    estado = _hasta(
        api, primera["cursor"], estado, lambda e: e[(EXISTENCIA, "T001:3")][0] == version
    )
    completo, _ = api.descargar(EXISTENCIA)
    assert estado == completo
    _esperar_vigencia()
    tercera, _, n3 = _instantanea(central, EXISTENCIA)
    assert n3 == n + 1
    assert {c["id"]: c["version"] for c in tercera["cambios"]}["T001:3"] == version
    assert _instantanea(central, EXISTENCIA)[2] == n3  # ya al día: no se vuelve a construir


def test_sin_cambios_no_se_reconstruye_aunque_pase_la_vigencia(central):
    _esperar_vigencia()
    n = _instantanea(central, PRODUCTO)[2]  # al día (reconstruida si hacía falta)
    _esperar_vigencia()
    assert _instantanea(central, PRODUCTO)[2] == n


def test_confirmado_durante_la_construccion_llega_en_la_incremental(central, api):
    """Una transacción del ORM escribe el producto 4 y tarda en confirmar; mientras, la
    instantánea se reconstruye (en PostgreSQL, después de que otra transacción posterior
    confirme un cambio del 6): no trae el 4 nuevo (no estaba confirmado) y su cursor queda por
    debajo de él, así que la incremental lo trae al confirmar. Un cursor tomado de la última
    fila servida (el 6) se lo saltaría."""
    _esperar_vigencia()
    n = _instantanea(central, EXISTENCIA)[2]
    _ajuste(api, "5", -1)
    _esperar_vigencia()
    lento = _escritor(central, "--tardio", "4", "--producto", "4")
    try:
        assert lento.stdout.readline().strip() == "ESCRITO"
        if "DATABASE_URL" in central.entorno:  # en SQLite esperaría al cerrojo de escritura
            version6 = _ajuste(api, "6", -1)
        instantanea, _, n2 = _instantanea(central, EXISTENCIA)
        if "DATABASE_URL" in central.entorno:
            assert {c["id"]: c["version"] for c in instantanea["cambios"]}["T001:6"] == version6
        assert n2 == n + 1
        estado: dict = {}
        aplicar(estado, instantanea["cambios"])
        stock_antes = estado[(EXISTENCIA, "T001:4")][1]["cantidad"]
        assert lento.stdout.readline().strip() == "CONFIRMADO"
    finally:
        assert lento.wait(30) == 0
    estado = _hasta(
        api,
        instantanea["cursor"],
        estado,
        lambda e: e[(EXISTENCIA, "T001:4")][1]["cantidad"] == stock_antes + 1000,
    )
    completo, _ = api.descargar(EXISTENCIA)
    assert estado == completo


def _venta(api: Api) -> str:
    vid = str(uuid.uuid4())
    datos = {"id": vid, "cliente": None, "fecha": "2026-11-28T10:00:00+01:00", "total": "1.00"}
    r = api.operaciones(op(VENTA, "crear", vid, datos))["resultados"][0]
    assert r["resultado"] == "aplicada", r
    return vid


def test_privado_por_tienda_una_por_tienda(central, api):
    """Un modelo privado tiene una instantánea por tienda, cada una sólo con sus filas e igual
    a lo que esa tienda descarga por páginas."""
    otra = Api(central.url, central.crear_terminal("T002", "caja-7"))
    mias = {_venta(api) for _ in range(3)}
    suyas = {_venta(otra) for _ in range(2)}
    for cliente, esperadas, ajenas in ((api, mias, suyas), (otra, suyas, mias)):
        token = cliente.sesion.headers["Authorization"].split(" ", 1)[1]
        cuerpo, bruto, _ = _instantanea(central, VENTA, token)
        ids = {c["id"] for c in cuerpo["cambios"]}
        assert esperadas <= ids and not ids & ajenas
        assert bruto == ",".join(_paginas(central, VENTA, limite=2, token=token)[0])


def test_modelo_desconocido_y_sin_token(central, api):
    api.get("/v1/instantanea", estado=400, modelo="nada.Nada")
    r = requests.get(central.url + "/v1/instantanea", params={"modelo": PRODUCTO}, timeout=30)
    assert r.status_code == 401
    validar_openapi(r, "/v1/instantanea", "get")


def test_el_esquema_la_anuncia(api):
    assert api.get("/v1/esquema")["instantaneas"] is True
