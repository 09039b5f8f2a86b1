"""Ciclo de vida del proceso (SIGKILL, reinicio) y admin de Django, contra la central real."""

from __future__ import annotations

from .admin_util import Admin
from .conftest import EXISTENCIA, Api, existencia, op

PRODUCTO = "productos.Producto"


def test_matar_y_reiniciar_conserva_datos_y_token(central_factory):
    c = central_factory(demo=10)
    api = Api(c.url, c.token)
    lote = [op(EXISTENCIA, "ajustar", existencia(1), {"cantidad": -1})]
    aplicada = api.operaciones(*lote)["resultados"][0]
    assert aplicada["resultado"] == "aplicada"
    c.matar()
    assert not c.vivo()
    c.reiniciar()
    api = Api(c.url, c.token)
    assert api.operaciones(*lote)["resultados"][0] == {**aplicada, "resultado": "duplicada"}
    estado, _ = api.descargar(PRODUCTO)
    assert len(estado) == 10  # sin volver a sembrar
    assert "TOKEN=" not in c.log.read_text().replace("TOKEN=<oculto>", "")


def test_admin_muestra_tiendas_terminales_registro_y_salud(central_factory):
    c = central_factory(demo=10)
    api = Api(c.url, c.token)
    api.post("/v1/estado", {"pendientes": 2, "cursores": {PRODUCTO: "3"}})
    api.operaciones(op(EXISTENCIA, "ajustar", existencia(2), {"cantidad": -1000}))
    admin = Admin(c)
    for ruta, esperado in [
        ("central/tienda/", "T001"),
        ("central/terminal/", "caja-1"),
        ("central/registrocambio/", PRODUCTO),
        ("central/operacionrecibida/", "ajustar"),
        ("central/saludterminal/", "caja-1"),
        ("central/sobreventa/", "cantidad"),
        ("central/horizonte/", ""),
    ]:
        assert esperado in admin.pagina(ruta), ruta


def test_tienda_desactivada_403_json(central_factory):
    c = central_factory(demo=3)
    api = Api(c.url, c.token)
    api.get("/v1/esquema")
    _orden(
        c,
        "manage",
        "shell",
        "-c",
        "from central.models import Tienda; Tienda.objects.filter(codigo='T001')"
        ".update(activa=False)",
    )
    assert api.get("/v1/cambios", estado=403, modelos=PRODUCTO)["error"] == "prohibido"
    assert api.post("/v1/operaciones", {"operaciones": []}, estado=403)["error"] == "prohibido"


def _orden(c, *args: str) -> str:
    r = c.orden(*args, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_compactar_las_ultimas_lapidas_no_caduca_un_cursor_al_dia(central_factory):
    c = central_factory(demo=5)
    api = Api(c.url, c.token)
    _orden(
        c,
        "manage",
        "shell",
        "-c",
        "from servidor_demo.productos.models import Producto; "
        "Producto.objects.filter(pk=5).delete()",
    )
    estado, cursor = api.descargar(PRODUCTO)
    assert (PRODUCTO, "5") not in estado
    # La del producto y la de su existencia en T001 (se borra en cascada).
    assert "lápidas borradas: 2" in _orden(c, "compactar", "--dias", "0", "--datos", str(c.datos))
    p = api.get("/v1/cambios", modelos=PRODUCTO, cursor=cursor)
    assert p["cambios"] == [] and p["cursor"] == cursor
    api.get("/v1/cambios", estado=410, modelos=PRODUCTO, cursor=str(int(cursor) + 1))
