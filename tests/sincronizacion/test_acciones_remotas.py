"""Acciones remotas desde el admin de la central real sobre una terminal real (CLI ``sincro``
como proceso, llavero de ficheros): resincronizar, revocar y rotar el token con un código de
enrolamiento."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import time

from agente.sincronizacion import credenciales
from tests.central.admin_util import Admin, orm, pk_terminal
from tests.central.conftest import Api, validar_openapi
from tests.sincronizacion.terminales import (
    PRODUCTO,
    SINCRO,
    configurar,
    orden_configurar,
    parar,
    productos_cache,
    productos_central,
    sincro,
    tabla_en_cache,
)

CODIGO = re.compile(r"Código de enrolamiento de (\S+): ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")


def esperar(condicion, plazo: float) -> None:
    limite = time.monotonic() + plazo
    while not condicion():
        assert time.monotonic() < limite, "la condición no se cumplió a tiempo"
        time.sleep(0.2)


def _caja_al_dia(central_factory, tmp_path) -> tuple:
    """Una central de 5 productos y su caja configurada con un pase hecho."""
    c = central_factory(demo=5)
    datos = tmp_path / "caja"
    configurar(datos, c, c.tienda, c.terminal, c.token)
    _una_vez(datos)
    return c, datos


def _dañar_precio(datos, objeto_id: str = "7") -> None:
    tabla = tabla_en_cache(datos)
    cache = sqlite3.connect(datos / "cache.sqlite")
    cache.execute(f'UPDATE "{tabla}" SET precio = ? WHERE id = ?', ("0.01", objeto_id))  # noqa: S608
    cache.commit()
    cache.close()


def _acciones(central) -> list[tuple]:
    salida = orm(
        central,
        "from central.models import AccionTerminal as A; print([(a.modelo, a.entregada_en is not "
        "None, a.hecha_en is not None, a.resultado) for a in A.objects.order_by('id')])",
    )
    return eval(salida)  # noqa: S307 (salida de nuestra propia orden: una lista de tuplas)


def _una_vez(datos):
    r = sincro(datos, "sincronizar", "--una-vez")
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def _hecha(api: Api, ident: int, cuerpo: dict, estado: int) -> None:
    r = api.sesion.post(f"{api.url}/v1/acciones/{ident}/hecha", json=cuerpo, timeout=30)
    assert r.status_code == estado, r.text
    validar_openapi(r, "/v1/acciones/{id}/hecha", "post")


def _codigo(pagina: str, terminal: str) -> str:
    encontrados = dict(CODIGO.findall(pagina))
    assert terminal in encontrados, pagina[:3000]
    return encontrados[terminal]


def test_resincronizar_desde_el_admin_rehace_la_cache_y_se_confirma(central_factory, tmp_path):
    c = central_factory(demo=30)
    datos = tmp_path / "caja"
    configurar(datos, c, c.tienda, c.terminal, c.token)
    _una_vez(datos)
    _dañar_precio(datos)
    # Un pase normal (incremental, sin verificación pendiente) no ve el daño.
    _una_vez(datos)
    assert productos_cache(datos) != productos_central(c)

    admin = Admin(c)
    pk = pk_terminal(c, c.tienda, c.terminal)
    pagina = admin.anadir(
        "central/accionterminal/", {"terminal": pk, "tipo": "resincronizar", "modelo": PRODUCTO}
    )
    assert "pendiente" in pagina
    assert _acciones(c) == [(PRODUCTO, False, False, "")]

    salida = _una_vez(datos)
    assert f"resincronizados: {PRODUCTO}" in salida
    assert productos_cache(datos) == productos_central(c)
    assert _acciones(c) == [(PRODUCTO, True, True, "hecha")]
    assert "hecha" in admin.pagina("central/accionterminal/")
    # Confirmada: no se vuelve a entregar.
    assert "resincronizados" not in _una_vez(datos)

    # Todos los modelos, con la acción de la lista de terminales.
    _dañar_precio(datos, "8")
    pagina = admin.accion("central/terminal/", "resincronizar", pk)
    assert "Resincronización pedida a 1 terminales" in pagina
    salida = _una_vez(datos)
    assert PRODUCTO in salida and "clientes.Cliente" in salida
    assert productos_cache(datos) == productos_central(c)
    assert _acciones(c)[-1] == ("", True, True, "hecha")


def test_modelo_desconocido_para_la_terminal_se_confirma_como_fallida(central_factory, tmp_path):
    c, datos = _caja_al_dia(central_factory, tmp_path)
    # Una acción guardada a mano con un modelo que la terminal no tiene.
    orm(
        c,
        "from central.models import AccionTerminal, Terminal; AccionTerminal.objects.create("
        "terminal=Terminal.objects.get(codigo='caja-1'), modelo='no.Existe')",
    )
    _una_vez(datos)
    assert _acciones(c) == [("no.Existe", True, True, "fallida")]


def test_revocar_desde_el_admin_corta_al_momento_con_un_mensaje_claro(central_factory, tmp_path):
    c, datos = _caja_al_dia(central_factory, tmp_path)
    admin = Admin(c)
    pk = pk_terminal(c, c.tienda, c.terminal)
    assert "1 terminales revocadas" in admin.accion("central/terminal/", "revocar", pk)

    assert Api(c.url, c.token).get("/v1/esquema", estado=401)["error"] == "token_revocado"
    r = sincro(datos, "sincronizar", "--una-vez")
    assert r.returncode == 3
    lineas = [linea for linea in r.stderr.splitlines() if linea.strip()]
    assert len(lineas) == 1, r.stderr
    assert "ha revocado el token de esta terminal" in lineas[0]
    assert "sincro enrolar CÓDIGO" in lineas[0]
    assert "Token revocado" in admin.pagina("central/saludterminal/resumen/")

    # Un código de enrolamiento la devuelve al servicio con un token nuevo.
    codigo = _codigo(admin.accion("central/terminal/", "generar_codigo", pk), "T001/caja-1")
    r = sincro(datos, "enrolar", codigo)
    assert r.returncode == 0, r.stdout + r.stderr
    _una_vez(datos)
    Api(c.url, c.token).get("/v1/esquema", estado=401)


def test_rotar_el_token_con_un_codigo_de_un_solo_uso(central_factory, tmp_path):
    c, datos = _caja_al_dia(central_factory, tmp_path)
    admin = Admin(c)
    pk = pk_terminal(c, c.tienda, c.terminal)
    codigo = _codigo(admin.accion("central/terminal/", "generar_codigo", pk), "T001/caja-1")

    r = sincro(datos, "enrolar", codigo)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "el anterior ya no vale" in r.stdout
    nuevo = credenciales.leer_token(datos, c.terminal)
    assert nuevo != c.token and nuevo not in r.stdout + r.stderr
    assert Api(c.url, c.token).get("/v1/esquema", estado=401)["error"] == "no_autenticado"
    assert Api(c.url, nuevo).get("/v1/esquema")["terminal"] == c.terminal
    _una_vez(datos)
    for ruta in (
        "central/terminal/",
        f"central/terminal/{pk}/change/",
        "central/codigoenrolamiento/",
    ):
        assert nuevo not in admin.pagina(ruta)

    # De un solo uso.
    r = sincro(datos, "enrolar", codigo)
    assert r.returncode == 3
    assert "ya se usó o caducó" in r.stderr
    assert credenciales.leer_token(datos, c.terminal) == nuevo

    # El código de otra terminal no se guarda aquí.
    c.crear_terminal("T002", "caja-9")
    otro = _codigo(
        admin.accion("central/terminal/", "generar_codigo", pk_terminal(c, "T002", "caja-9")),
        "T002/caja-9",
    )
    r = sincro(datos, "enrolar", otro)
    assert r.returncode == 2
    assert "Ese código es de T002/caja-9" in r.stderr
    assert credenciales.leer_token(datos, c.terminal) == nuevo


def test_configurar_una_caja_nueva_con_codigo(central_factory, tmp_path):
    c = central_factory(demo=5)
    admin = Admin(c)
    tienda = orm(
        c, "from central.models import Tienda; print(Tienda.objects.get(codigo='T001').pk)"
    )
    pagina = admin.anadir("central/terminal/", {"tienda": tienda, "codigo": "caja-2"})
    codigo = _codigo(pagina, "T001/caja-2")
    assert "Token de" not in pagina
    datos = tmp_path / "caja2"
    r = sincro(datos, *orden_configurar(c.url, "T001", "caja-2"), "--codigo", codigo)
    assert r.returncode == 0, r.stdout + r.stderr
    _una_vez(datos)
    assert productos_cache(datos) == productos_central(c)


def test_contrato_de_enrolar(central_factory):
    c = central_factory(demo=3)
    anterior = c.crear_terminal("T009", "caja-1")
    generar = (
        "from central.models import Terminal; from central.acciones import generar_codigo; "
        "print(generar_codigo(Terminal.objects.get(tienda__codigo='T009'))[0])"
    )
    codigo = orm(c, generar)
    sin_token = Api(c.url, None)
    # Minúsculas y sin guiones también valen (se dicta por teléfono).
    respuesta = sin_token.post("/v1/enrolar", {"codigo": codigo.lower().replace("-", "")})
    assert (respuesta["tienda"], respuesta["terminal"]) == ("T009", "caja-1")
    nuevo = respuesta["token"]
    # Hasta que el nuevo se usa, el anterior sigue valiendo (un canje perdido no deja sin token).
    Api(c.url, anterior).get("/v1/esquema")
    assert sin_token.post("/v1/enrolar", {"codigo": codigo}, estado=403)["error"] == (
        "codigo_invalido"
    )
    Api(c.url, nuevo).get("/v1/esquema")
    Api(c.url, anterior).get("/v1/esquema", estado=401)
    Api(c.url, nuevo).get("/v1/esquema")

    caducado = orm(c, generar)
    orm(
        c,
        "from central.models import CodigoEnrolamiento as C; from django.utils import timezone; "
        "C.objects.filter(usado_en=None).update(caduca_en=timezone.now())",
    )
    sin_token.post("/v1/enrolar", {"codigo": caducado}, estado=403)
    sin_token.post("/v1/enrolar", {"codigo": 7}, estado=400)
    # Un código nuevo anula el anterior sin usar.
    primero, segundo = orm(c, generar), orm(c, generar)
    sin_token.post("/v1/enrolar", {"codigo": primero}, estado=403)
    sin_token.post("/v1/enrolar", {"codigo": segundo})


def test_confirmar_acciones_contrato(central_factory):
    c = central_factory(demo=3)
    api = Api(c.url, c.token)
    otra = Api(c.url, c.crear_terminal("T002", "caja-1"))
    orm(
        c,
        "from central.models import Terminal; from central.acciones import "
        "pedir_resincronizacion as p; p(Terminal.objects.get(tienda__codigo='T001'), "
        f"{PRODUCTO!r})",
    )
    acciones = api.post("/v1/estado", {"pendientes": 0})["acciones"]
    assert acciones == [{"id": acciones[0]["id"], "tipo": "resincronizar", "modelo": PRODUCTO}]
    ident = acciones[0]["id"]
    assert _acciones(c) == [(PRODUCTO, True, False, "")]  # entregada, sin confirmar
    assert otra.post("/v1/estado", {})["acciones"] == []
    # Se repite hasta que se confirma; la de otra terminal no se puede confirmar.
    assert api.post("/v1/estado", {})["acciones"] == acciones
    _hecha(otra, ident, {"resultado": "hecha"}, 404)
    _hecha(api, ident, {"resultado": "regular"}, 400)
    _hecha(api, ident, {"resultado": "hecha", "detalle": "ok"}, 204)
    _hecha(api, ident, {"resultado": "fallida"}, 204)
    assert api.post("/v1/estado", {})["acciones"] == []
    assert _acciones(c) == [(PRODUCTO, True, True, "hecha")]


def test_el_bucle_en_marcha_sigue_con_el_token_rotado(central_factory, tmp_path):
    c = central_factory(demo=5)
    datos = tmp_path / "caja"
    configurar(datos, c, c.tienda, c.terminal, c.token, intervalo_descarga=1.0)
    informado = (
        "from central.models import SaludTerminal as S; "
        "print(S.objects.get(terminal__codigo='caja-1').informado_en is not None)"
    )
    bucle = subprocess.Popen(
        [*SINCRO, "--datos", str(datos), "sincronizar", "--sin-api-local"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        esperar(lambda: orm(c, informado) == "True", 60)
        codigo = orm(
            c,
            "from central.models import Terminal; from central.acciones import generar_codigo; "
            "print(generar_codigo(Terminal.objects.get(codigo='caja-1'))[0])",
        )
        r = sincro(datos, "enrolar", codigo)
        assert r.returncode == 0, r.stdout + r.stderr
        Api(c.url, c.token).get("/v1/esquema", estado=401)
        # Un cambio en la central llega a la caja: el bucle siguió con el token nuevo.
        orm(
            c,
            "from servidor_demo.productos.models import Producto as P; "
            "P.objects.filter(pk=3).update(precio='77.70')",
        )
        esperar(lambda: productos_cache(datos)["3"]["precio"] == "77.70", 60)
        assert bucle.poll() is None
    finally:
        parar(bucle)
