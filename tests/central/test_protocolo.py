"""Protocolo v1 contra la central real (proceso gunicorn en loopback, SQLite en disco)."""

from __future__ import annotations

import gzip
import json
import time
import uuid
from decimal import Decimal

import requests

from .conftest import EXISTENCIA, RAIZ, Api, existencia, op, sql

PRODUCTO = "productos.Producto"
CLIENTE = "clientes.Cliente"
VENTA = "ventas.Venta"
LINEA = "ventas.LineaVenta"


def en_central(central, codigo: str) -> str:
    """Ejecuta código Django (ORM real, con sus señales) en la base de esa central."""
    r = central.orden("manage", "shell", "-c", codigo)
    assert r.returncode == 0, r.stderr
    return r.stdout


def producto(api: Api, pid: int) -> tuple[int, dict]:
    estado, _ = api.descargar(PRODUCTO)
    return estado[(PRODUCTO, str(pid))]


def actualizar(api: Api, pid: int, datos: dict, version: int, base: dict) -> dict:
    """El resultado de un «actualizar» del producto ``pid`` sobre ``version`` con los valores
    ``base`` de los campos que cambia."""
    cambio = op(PRODUCTO, "actualizar", str(pid), datos, version_base=version, valores_base=base)
    return api.operaciones(cambio)["resultados"][0]


def stock(api: Api, pid: int) -> tuple[int, dict]:
    """(versión, datos) de la existencia del producto ``pid`` en la tienda del token."""
    estado, _ = api.descargar(EXISTENCIA)
    return estado[(EXISTENCIA, existencia(pid))]


def test_salud_sin_token(central):
    r = requests.get(central.url + "/v1/salud", timeout=10)
    cuerpo = Api(central.url, None).get("/v1/salud")
    assert r.status_code == 200 and cuerpo["version_protocolo"] == 1


def test_esquema_coincide_con_el_del_motor(api):
    esquema = api.get("/v1/esquema")
    assert esquema["tienda"] == "T001" and esquema["terminal"] == "caja-1"
    esperado = json.loads((RAIZ / "tests" / "datos" / "esquema_central_demo.json").read_text())[
        "modelos"
    ]
    assert set(esquema["modelos"]) == set(esperado)
    for nombre, config in esperado.items():
        servido = esquema["modelos"][nombre]
        for clave, valor in config.items():
            if isinstance(valor, list) and clave != "campos_esenciales":
                assert sorted(servido[clave]) == sorted(valor), (nombre, clave)
            else:
                assert servido[clave] == valor, (nombre, clave)
    assert esquema["modelos"][VENTA]["privado_por_tienda"] is True
    assert esquema["modelos"][EXISTENCIA]["privado_por_tienda"] is True
    assert "stock" not in esquema["modelos"][PRODUCTO]["campos_esenciales"]
    assert list(esquema["modelos"])[:2] == [CLIENTE, PRODUCTO]  # críticos primero


def test_sin_token_o_token_malo_401_json(central):
    anonima = Api(central.url, None)
    for token in (None, "inventado"):
        cliente = Api(central.url, token)
        r = cliente.get("/v1/cambios", estado=401, modelos=PRODUCTO)
        assert r["error"] == "no_autenticado"
        cliente.post("/v1/operaciones", {"operaciones": []}, estado=401)
    r = anonima.sesion.get(central.url + "/v1/esquema", headers={"Authorization": "Basic eA=="})
    assert r.status_code == 401 and r.headers["Content-Type"] == "application/json"


def test_rutas_y_metodos_desconocidos_dan_json(central, api):
    r = api.sesion.get(central.url + "/v1/no-existe", timeout=10)
    assert r.status_code == 404 and r.json()["error"] == "no_encontrado"
    r = api.sesion.post(central.url + "/v1/cambios", timeout=10)
    assert r.status_code == 405 and r.json()["error"] == "metodo_no_permitido"


def test_primera_sincronizacion_paginada(central, api):
    primera = api.get("/v1/cambios", modelos=PRODUCTO, limite=7)
    assert primera["completo"] is True and primera["hay_mas"] is True
    assert len(primera["cambios"]) == 7
    estado, cursor = api.descargar(PRODUCTO, cursor=primera["cursor"], limite=7)
    from .conftest import aplicar

    aplicar(estado, primera["cambios"])
    filas = sql(
        central,
        "SELECT id, nombre, codigo, CAST(precio AS TEXT), categoria FROM productos_producto",
    )
    assert len(estado) == len(filas) == 50
    for pid, nombre, codigo, _precio, categoria in filas:
        _, datos = estado[(PRODUCTO, str(pid))]
        assert datos["nombre"] == nombre and datos["codigo"] == codigo
        assert datos["categoria"] == categoria
        assert set(datos) == {"id", "nombre", "codigo", "precio", "categoria"}
        assert isinstance(datos["precio"], str) and len(codigo) == 13
        assert sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(codigo)) % 10 == 0
    # Una página al día: nada nuevo y el cursor no retrocede.
    vacia = api.get("/v1/cambios", modelos=PRODUCTO, cursor=cursor)
    assert vacia["cambios"] == [] and not vacia["hay_mas"]
    assert _posicion(vacia["cursor"]) >= _posicion(cursor)


def _posicion(cursor: str) -> tuple[int, ...]:
    """Cursor incremental -> posición comparable: «457» (SQLite) o «7342.1580» (PostgreSQL)."""
    return tuple(int(p) for p in cursor.split("."))


def test_varios_modelos_criticos_primero(api):
    vistos, cursor = [], ""
    while True:
        p = api.get("/v1/cambios", cursor=cursor, limite=20)
        vistos += [c["modelo"] for c in p["cambios"]]
        cursor = p["cursor"]
        if not p["hay_mas"]:
            break
    assert all(p.isdigit() for p in cursor.split(".")) and len(cursor.split(".")) <= 2
    primeros = [m for i, m in enumerate(vistos) if i == 0 or vistos[i - 1] != m]
    assert primeros[:2] == [CLIENTE, PRODUCTO]
    assert vistos.count(PRODUCTO) >= 50


def test_gzip_cuando_se_acepta(central, api):
    r = api.sesion.get(
        central.url + "/v1/cambios",
        params={"modelos": PRODUCTO},
        headers={"Accept-Encoding": "gzip"},
        timeout=30,
        stream=True,
    )
    assert r.headers.get("Content-Encoding") == "gzip"
    cuerpo = json.loads(gzip.decompress(r.raw.read()))
    assert len(cuerpo["cambios"]) >= 50
    r = api.sesion.get(
        central.url + "/v1/cambios",
        params={"modelos": PRODUCTO},
        headers={"Accept-Encoding": "identity"},
        timeout=30,
    )
    assert "Content-Encoding" not in r.headers


def test_peticiones_de_cambios_mal_formadas(api):
    assert api.get("/v1/cambios", estado=400, modelos="nada.Inventado")["error"] == (
        "modelo_desconocido"
    )
    api.get("/v1/cambios", estado=400, modelos=PRODUCTO, limite="muchos")
    api.get("/v1/cambios", estado=400, modelos=PRODUCTO, limite=100001)
    assert (
        api.get("/v1/cambios", estado=400, modelos=PRODUCTO, cursor="x'; drop")["error"]
        == "cursor_invalido"
    )


def test_ajustar_idempotente_y_reenvio_del_lote_entero(api):
    _, antes = stock(api, 3)
    lote = [
        op(EXISTENCIA, "ajustar", existencia(3), {"cantidad": -2}),
        op(EXISTENCIA, "ajustar", existencia(3), {"cantidad": 5}),
        op(
            PRODUCTO,
            "actualizar",
            "4",
            {"nombre": "Aceite renombrado"},
            version_base=producto(api, 4)[0],
        ),
    ]
    primera = api.operaciones(*lote)["resultados"]
    assert [r["resultado"] for r in primera] == ["aplicada"] * 3
    # Las dos tocan la existencia 3: llevan la versión con la que queda al final del lote (la
    # intermedia nunca existe fuera de la transacción).
    assert primera[0]["version"] == primera[1]["version"]
    segunda = api.operaciones(*lote)["resultados"]
    assert [r["resultado"] for r in segunda] == ["duplicada"] * 3
    assert [r["version"] for r in segunda] == [r["version"] for r in primera]
    version, despues = stock(api, 3)
    assert despues["cantidad"] == antes["cantidad"] + 3
    assert version == primera[1]["version"]


def test_conflicto_solo_en_campos_cambiados(api):
    version, actual = producto(api, 5)
    r = actualizar(api, 5, {"nombre": "Nombre de caja"}, version, {"nombre": "Otro nombre"})
    assert r["resultado"] == "conflicto" and r["campos_cambiados"] == ["nombre"]
    assert r["valores"]["nombre"] == actual["nombre"] and r["version"] == version
    assert producto(api, 5)[1]["nombre"] == actual["nombre"]  # nada aplicado
    # La fila cambió (categoría) después de version_base, pero no el campo que se cambia: sin
    # conflicto.
    actualizar(api, 5, {"categoria": "Otra"}, version, {"categoria": actual["categoria"]})
    r = actualizar(api, 5, {"nombre": "Nombre de caja"}, version, {"nombre": actual["nombre"]})
    assert r["resultado"] == "aplicada" and r["version"] > version
    assert producto(api, 5)[1]["nombre"] == "Nombre de caja"
    # Sin valores base y con version_base vieja: conflicto (no se puede saber).
    r = api.operaciones(op(PRODUCTO, "actualizar", "5", {"nombre": "X"}, version_base=version))[
        "resultados"
    ][0]
    assert r["resultado"] == "conflicto" and r["campos_cambiados"] == ["nombre"]


def test_una_caja_hostil_no_escribe_el_precio(api):
    """La terminal no encola precios; si una caja se salta esa comprobación, la central la
    rechaza sin tocar la fila, aunque la versión base y los valores base sean correctos."""
    version, actual = producto(api, 4)
    r = actualizar(api, 4, {"precio": "0.01"}, version, {"precio": actual["precio"]})
    assert r["resultado"] == "rechazada", r
    assert "«precio» de productos.Producto no se puede escribir desde las tiendas" in r["motivo"]
    assert producto(api, 4) == (version, actual)


def test_una_operacion_mala_no_tumba_el_lote(central, api):
    _, antes = stock(api, 6)
    venta = str(uuid.uuid4())
    resultados = api.operaciones(
        op(EXISTENCIA, "ajustar", existencia(6), {"cantidad": -1}),
        op(PRODUCTO, "actualizar", "6", {"precio": "abc"}, version_base=0),
        op(PRODUCTO, "actualizar", "6", {"descripcion": "no esencial"}, version_base=0),
        op(PRODUCTO, "crear", None, {"nombre": "x"}),
        op(EXISTENCIA, "ajustar", existencia(999999), {"cantidad": 1}),
        op(
            LINEA,
            "crear",
            str(uuid.uuid4()),
            {"venta": venta, "producto": 1, "cantidad": 1, "precio_unitario": "1.00"},
        ),
        op(PRODUCTO, "actualizar", "6", {"precio": "1.999"}, version_base=0),
        op(EXISTENCIA, "ajustar", existencia(6), {"cantidad": "1"}),
        op(EXISTENCIA, "ajustar", existencia(6), {"cantidad": -1}),
    )["resultados"]
    assert [r["resultado"] for r in resultados] == (["aplicada"] + ["rechazada"] * 7 + ["aplicada"])
    assert "precio" in resultados[1]["motivo"]
    assert stock(api, 6)[1]["cantidad"] == antes["cantidad"] - 2
    assert not sql(
        central, "SELECT 1 FROM ventas_lineaventa WHERE venta_id = ?", (venta.replace("-", ""),)
    )


def test_sobreventa_registrada_nunca_rechazada(central, api):
    _, antes = stock(api, 7)
    r = api.operaciones(
        op(EXISTENCIA, "ajustar", existencia(7), {"cantidad": -(antes["cantidad"] + 3)})
    )
    assert r["resultados"][0]["resultado"] == "aplicada"
    assert stock(api, 7)[1]["cantidad"] == -3
    filas = sql(
        central,
        "SELECT campo, valor_resultante, tienda FROM central_sobreventa WHERE objeto_id = ?",
        (existencia(7),),
    )
    assert [(f[0], float(f[1]), f[2]) for f in filas] == [("cantidad", -3.0, "T001")]


def _venta(cliente: str | None = None, tienda: str = "T001") -> tuple[str, list[dict]]:
    vid = str(uuid.uuid4())
    return vid, [
        op(
            VENTA,
            "crear",
            vid,
            {"id": vid, "cliente": cliente, "fecha": "2026-11-28T10:00:00+01:00", "total": "3.90"},
        ),
        _linea(vid, cantidad=2, precio="1.95"),
        op(EXISTENCIA, "ajustar", existencia(1, tienda), {"cantidad": -2}),
    ]


def _linea(venta: str, cantidad: int = 1, precio: str = "1.00") -> dict:
    """Operación «crear» de una línea del producto 1 en la venta ``venta``."""
    datos = {"id": str(uuid.uuid4()), "venta": venta, "producto": 1, "cantidad": cantidad}
    return op(LINEA, "crear", None, {**datos, "precio_unitario": precio})


def test_permisos_entre_tiendas(central, api):
    otra = Api(central.url, central.crear_terminal("T002", "caja-9"))
    assert otra.get("/v1/esquema")["tienda"] == "T002"
    clientes, _ = api.descargar(CLIENTE)
    cliente = next(iter(clientes))[1]
    vid, ops = _venta(cliente)
    assert [r["resultado"] for r in api.operaciones(*ops)["resultados"]] == ["aplicada"] * 3
    mias, _ = api.descargar(VENTA)
    assert mias[(VENTA, vid)][1]["tienda"] == "T001"
    assert len(api.descargar(LINEA)[0]) >= 1
    # La otra tienda no ve las ventas de T001 ni puede colgar líneas de ellas.
    assert otra.descargar(VENTA)[0] == {} and otra.descargar(LINEA)[0] == {}
    r = otra.operaciones(
        _linea(vid),
        op(
            VENTA,
            "crear",
            None,
            {
                "id": str(uuid.uuid4()),
                "tienda": "T001",
                "terminal": "caja-9",
                "cliente": None,
                "fecha": "2026-11-28T10:00:00Z",
                "total": "1.00",
            },
        ),
        op(VENTA, "actualizar", vid, {"total": "0.00"}),
        op(PRODUCTO, "borrar", "2", {}),
        op(CLIENTE, "crear", None, {"nombre": "Sin clave", "nif": "1"}),
        # Ni el stock de T001: la tienda sale del token, no de la clave.
        op(EXISTENCIA, "ajustar", existencia(1), {"cantidad": -1}),
        op(EXISTENCIA, "actualizar", existencia(1), {"cantidad": 0}, version_base=0),
    )["resultados"]
    assert [x["resultado"] for x in r] == ["rechazada"] * 7
    assert "tienda" in r[0]["motivo"] and "«tienda» no es el de esta tienda" in r[1]["motivo"]
    assert (
        r[5]["motivo"]
        == r[6]["motivo"]
        == (f"Existencia «{existencia(1)}» no existe en tu tienda.")
    )
    # Su propia venta sí, con la tienda puesta por la central.
    vid2, ops2 = _venta(None, "T002")
    assert [x["resultado"] for x in otra.operaciones(*ops2)["resultados"]] == ["aplicada"] * 3
    suyas, _ = otra.descargar(VENTA)
    assert set(suyas) == {(VENTA, vid2)} and suyas[(VENTA, vid2)][1]["tienda"] == "T002"
    # Un UUID de operación de otra tienda no revela su resultado.
    r = otra.operaciones(ops[2])["resultados"][0]
    assert r["resultado"] == "rechazada"


def test_token_renovado_invalida_el_anterior(central):
    viejo = central.crear_terminal("T003", "caja-1")
    Api(central.url, viejo).get("/v1/esquema")
    nuevo = central.crear_terminal("T003", "caja-1")
    Api(central.url, viejo).get("/v1/esquema", estado=401)
    Api(central.url, nuevo).get("/v1/esquema")


def test_peticiones_de_operaciones_mal_formadas_no_aplican_nada(central, api):
    _, antes = stock(api, 8)
    buena = op(EXISTENCIA, "ajustar", existencia(8), {"cantidad": -1})
    casos = [
        (b'{"operaciones": [', 400, "json_invalido"),
        (json.dumps([buena]).encode(), 400, "peticion_invalida"),
        (
            json.dumps(
                {"operaciones": [buena, {**op(EXISTENCIA, "ajustar", "T001:8", {}), "datos": [1]}]}
            ).encode(),
            400,
            "peticion_invalida",
        ),
        (
            json.dumps({"operaciones": [buena, {**buena, "uuid": 5}]}).encode(),
            400,
            "peticion_invalida",
        ),
        (
            json.dumps({"operaciones": [buena, op("nada.Inventado", "crear", None, {})]}).encode(),
            400,
            "modelo_desconocido",
        ),
        (
            json.dumps({"operaciones": [buena, op(EXISTENCIA, "fusionar", "T001:8", {})]}).encode(),
            400,
            "peticion_invalida",
        ),
        (
            json.dumps(
                {
                    "operaciones": [buena]
                    + [op(EXISTENCIA, "ajustar", "T001:8", {"cantidad": 1})] * 1000
                }
            ).encode(),
            413,
            "lote_demasiado_grande",
        ),
        (
            json.dumps(
                {"operaciones": [{**buena, "hora_terminal": "x" * (6 * 1024 * 1024)}]}
            ).encode(),
            413,
            "peticion_demasiado_grande",
        ),
    ]
    for crudo, estado, codigo in casos:
        assert api.post("/v1/operaciones", None, estado=estado, crudo=crudo)["error"] == codigo
    assert stock(api, 8)[1]["cantidad"] == antes["cantidad"]
    assert not sql(
        central,
        "SELECT 1 FROM central_operacionrecibida WHERE uuid = ?",
        (buena["uuid"].replace("-", ""),),
    )


def test_estado_de_la_terminal(central, api):
    api.post(
        "/v1/estado",
        {
            "pendientes": 3,
            "conflictos": 0,
            "errores": 1,
            "antiguedad_pendiente_s": 42,
            "cursores": {PRODUCTO: "57"},
            "version_agente": "0.1.0",
            "desfase_ms": 1250,
        },
    )
    filas = sql(
        central,
        "SELECT s.pendientes, s.errores, s.version_agente FROM "
        "central_saludterminal s JOIN central_terminal t ON t.id = s.terminal_id "
        "WHERE t.codigo = 'caja-1' AND t.tienda_id = (SELECT id FROM "
        "central_tienda WHERE codigo = 'T001')",
    )
    assert filas == [(3, 1, "0.1.0")]
    api.post("/v1/estado", {"pendientes": "tres"}, estado=400)


def test_lapidas_escrituras_en_bloque_y_cursor_expirado(central, api):
    estado, cursor = api.descargar(PRODUCTO)
    en_central(
        central,
        (
            "from servidor_demo.productos.models import Producto\n"
            "from central.captura import actualizar_en_bloque\n"
            "from django.db.models import F\n"
            "Producto.objects.filter(pk__in=[40, 41]).delete()\n"
            "actualizar_en_bloque(Producto.objects.filter(pk__in=[42, 43]), precio=F('precio') + 100)\n"  # noqa: E501
            "Producto.objects.filter(pk=44).update(categoria='Cero')  # sin ayudante: se registra\n"
        ),
    )
    # En PostgreSQL la marca de agua es de todo el servidor: una transacción larga de otra base
    # (otras pruebas a la vez) retrasa, nunca pierde, lo nuevo (y puede volver a servir filas de
    # la descarga completa con la misma versión); se espera a que llegue lo nuevo.
    fin = time.monotonic() + 30
    while True:
        p = api.get("/v1/cambios", modelos=PRODUCTO, cursor=cursor)
        por_id = {
            c["id"]: c
            for c in p["cambios"]
            if estado.get((PRODUCTO, c["id"]), (None,))[0] != c.get("version")
        }
        if len(por_id) >= 5 or time.monotonic() > fin:
            break
        time.sleep(0.2)
    assert set(por_id) == {"40", "41", "42", "43", "44"}
    assert por_id["44"]["datos"]["categoria"] == "Cero"
    assert por_id["40"].get("borrado") is True and "datos" not in por_id["40"]
    assert (
        Decimal(por_id["42"]["datos"]["precio"])
        == Decimal(estado[(PRODUCTO, "42")][1]["precio"]) + 100
    )
    # Una primera sincronización no trae lápidas ni las filas borradas.
    completo, _ = api.descargar(PRODUCTO)
    assert (PRODUCTO, "40") not in completo and (PRODUCTO, "42") in completo
    # Compactar con retención 0: el horizonte pasa las lápidas; el cursor viejo caduca.
    salida = central.orden("compactar", "--dias", "0", "--datos", str(central.datos), timeout=60)
    assert salida.returncode == 0, salida.stderr
    # Las de los dos productos y las de sus existencias en cada tienda (en cascada).
    tiendas = sql(central, "SELECT count(*) FROM central_tienda")[0][0]
    assert f"lápidas borradas: {2 + 2 * tiendas}" in salida.stdout
    r = api.get("/v1/cambios", estado=410, modelos=PRODUCTO, cursor=cursor)
    assert r["error"] == "cursor_expirado"
    assert int(r["horizonte"]) > int(cursor.split(".")[0])  # PostgreSQL: (transacción, id)
    # Los cursores posteriores al horizonte siguen valiendo, y otros modelos no caducan.
    api.get("/v1/cambios", modelos=PRODUCTO, cursor=p["cursor"])
    api.get("/v1/cambios", modelos=CLIENTE, cursor=cursor)
    nuevo, _ = api.descargar(PRODUCTO)
    assert nuevo == completo
    assert not sql(central, "SELECT 1 FROM central_registrocambio WHERE NOT vigente")
    # Un cursor de otra base de datos (mayor que todo lo que existe) también caduca.
    api.get("/v1/cambios", estado=410, modelos=PRODUCTO, cursor="999999999")
    api.get("/v1/cambios", estado=410, modelos=PRODUCTO, cursor="999999999.0")


def test_crear_con_clave_existente_se_aisla_y_arrastra_a_sus_lineas(central, api):
    vid, ops = _venta()
    assert [r["resultado"] for r in api.operaciones(*ops)["resultados"]] == ["aplicada"] * 3
    repetida = op(VENTA, "crear", vid, {**ops[0]["datos"], "total": "1.00"})
    linea = _linea(vid)
    vid2, buenas = _venta()
    resultados = api.operaciones(repetida, *buenas, linea)["resultados"]
    assert [r["resultado"] for r in resultados] == [
        "rechazada",
        "aplicada",
        "aplicada",
        "aplicada",
        "aplicada",
    ]
    assert "ya existe" in resultados[0]["motivo"]  # y la línea de la venta que ya existía vale
    # Otra tienda no puede «crear» encima de una venta ajena ni colgarle líneas en ese lote.
    otra = Api(central.url, central.crear_terminal("T004", "caja-1"))
    linea_ajena = op(LINEA, "crear", None, {**linea["datos"], "id": str(uuid.uuid4())})
    r = otra.operaciones(op(VENTA, "crear", vid, ops[0]["datos"]), linea_ajena)["resultados"]
    assert [x["resultado"] for x in r] == ["rechazada", "rechazada"]
    # En el mismo lote: una venta nueva duplicada dentro del lote y una línea que cuelga de ella.
    vid3 = str(uuid.uuid4())
    nueva = op(VENTA, "crear", vid3, {**ops[0]["datos"], "id": vid3})
    otra_vez = op(VENTA, "crear", vid3, {**ops[0]["datos"], "id": vid3})
    linea3 = op(LINEA, "crear", None, {**linea["datos"], "id": str(uuid.uuid4()), "venta": vid3})
    linea = op(LINEA, "crear", None, {**linea["datos"], "id": str(uuid.uuid4())})
    r = api.operaciones(nueva, otra_vez, linea3, linea)["resultados"]
    assert [x["resultado"] for x in r] == ["aplicada", "rechazada", "aplicada", "aplicada"]
    ventas, _ = api.descargar(VENTA)
    assert ventas[(VENTA, vid)][1]["total"] == "3.90" and (VENTA, vid2) in ventas


def test_ajuste_que_desborda_no_tumba_el_lote(central, api):
    """Un delta fuera de sus límites declarados, o uno que dejaría la columna fuera de su rango
    (en SQLite pasaría a coma flotante; en PostgreSQL desbordaría el integer), se rechaza con
    motivo en los dos motores y las demás operaciones del lote se aplican."""
    _, antes = stock(api, 9)
    clave = existencia(9)
    r = api.operaciones(
        op(EXISTENCIA, "ajustar", clave, {"cantidad": -1}),
        op(EXISTENCIA, "ajustar", clave, {"cantidad": 3_000_000_000}),
        op(EXISTENCIA, "ajustar", clave, {"cantidad": 2**63 - 1}),
        op(EXISTENCIA, "ajustar", clave, {"cantidad": -1}),
    )["resultados"]
    assert [x["resultado"] for x in r] == ["aplicada", "rechazada", "rechazada", "aplicada"], r
    assert "delta de «cantidad» no puede ser mayor que 10000" in r[1]["motivo"]
    assert stock(api, 9)[1]["cantidad"] == antes["cantidad"] - 2


def test_ajuste_que_sale_de_los_limites_no_se_aplica(central, api):
    """Deltas dentro de su límite que, sumados, dejarían la cantidad por encima de su máximo: el
    que cruza el límite se rechaza en la base de datos (sin efecto) y la descarga sigue."""
    version, antes = stock(api, 8)
    subir = op(
        EXISTENCIA,
        "actualizar",
        existencia(8),
        {"cantidad": 999_995_000},
        version_base=version,
        valores_base={"cantidad": antes["cantidad"]},
    )
    assert api.operaciones(subir)["resultados"][0]["resultado"] == "aplicada"
    r = api.operaciones(
        op(EXISTENCIA, "ajustar", existencia(8), {"cantidad": 4_000}),
        op(EXISTENCIA, "ajustar", existencia(8), {"cantidad": 4_000}),
    )["resultados"]
    assert [x["resultado"] for x in r] == ["aplicada", "rechazada"], r
    assert "fuera de sus límites" in r[1]["motivo"]
    assert stock(api, 8)[1]["cantidad"] == 999_999_000


def test_uuid_repetido_dentro_del_lote(api):
    vid, ops = _venta()
    repetida = dict(ops[0])
    r = api.operaciones(ops[0], repetida, ops[1], ops[2])["resultados"]
    assert [x["resultado"] for x in r] == ["aplicada", "duplicada", "aplicada", "aplicada"], r
    assert r[1]["version"] == r[0]["version"]
    # Un «crear» que acaba rechazado al insertar: su repetición en el lote dice lo mismo.
    mala = op(VENTA, "crear", vid, {**ops[0]["datos"]})
    r = api.operaciones(mala, dict(mala))["resultados"]
    assert [x["resultado"] for x in r] == ["rechazada", "rechazada"]
    assert r[0]["motivo"] == r[1]["motivo"]
