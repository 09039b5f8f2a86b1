"""La base de datos captura toda escritura en un modelo sincronizado, la haga quien la haga
(``save``, ``QuerySet.update``, ``bulk_create``/``bulk_update``, SQL a mano, ``loaddata``,
borrados y cascadas), con los mismos bytes que la serialización de referencia; y la terminal la
recibe. SQLite y PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import PG_URL, Api, base_pg_nueva

CAMINOS = Path(__file__).with_name("caminos_escritura.py")


def _escribir(central) -> dict:
    r = subprocess.run(
        [sys.executable, str(CAMINOS), "--datos", str(central.datos)],
        env=central.entorno,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_todo_camino_de_escritura_queda_capturado_y_se_sirve(central, api: Api):
    todos = (
        "productos.Producto,productos.Existencia,ventas.Venta,ventas.LineaVenta,clientes.Cliente"
    )
    _, cursor = api.descargar(todos)
    informe = _escribir(central)
    assert informe["distintos"] == []
    assert informe["sin_entrada"] == []
    assert informe["no_esencial_sin_entrada"]
    assert informe["deshecha_sin_entrada"]
    caminos = informe["caminos"]
    estado: dict = {}
    servidos: dict = {}
    while True:  # incremental desde antes de escribir: llega cada camino
        p = api.get("/v1/cambios", modelos=todos, cursor=cursor, limite=7)
        for c in p["cambios"]:
            servidos[c["id"]] = c
        cursor = p["cursor"]
        if not p["hay_mas"]:
            break
    for camino, ids in caminos.items():
        for objeto_id in ids:
            assert objeto_id in servidos, (camino, objeto_id)
    for objeto_id in caminos["delete"] + caminos["cascada"]:
        assert servidos[objeto_id].get("borrado") is True
    for objeto_id in caminos["update"]:
        assert servidos[objeto_id]["datos"]["precio"] == "1.10"
    for objeto_id in caminos["sql"]:
        assert servidos[objeto_id]["datos"]["precio"] == "2.50"
    assert servidos["777001"]["datos"]["nombre"] == "  espacios  "
    venta = servidos[caminos["uuid_y_fechas"][2]]["datos"]
    assert venta["fecha"] == "2026-06-30T21:59:59.123456+00:00"
    assert venta["total"] == "0.01" and venta["cliente"] is None and venta["tienda"] == "T001"
    primera, segunda = (servidos[k]["datos"] for k in caminos["existencias"])
    assert primera == {
        "id": caminos["existencias"][0],
        "tienda": "T001",
        "producto": int(caminos["save"][0]),
        "cantidad": -3,
    }
    assert segunda["cantidad"] == 0 and segunda["tienda"] == "T001"
    cliente = servidos[caminos["uuid_y_fechas"][0]]
    assert cliente["id"] == "0f0e0d0c-0b0a-4908-8706-050403020100"
    # La primera sincronización ve el mismo estado vivo.
    completo, _ = api.descargar(todos)
    assert completo[("productos.Producto", caminos["update"][0])][1]["precio"] == "1.10"
    assert ("productos.Producto", caminos["delete"][0]) not in completo
    del estado


def _sqlite(central, *sentencias: str) -> None:
    import sqlite3

    conexion = sqlite3.connect(central.datos / "central.sqlite3", timeout=30)
    try:
        for s in sentencias:
            conexion.execute(s)
        conexion.commit()
    finally:
        conexion.close()


def test_columna_renombrada_se_avisa_y_el_modelo_no_se_sirve(central_factory):
    """Un campo esencial cuya columna ya no existe (renombrada a mano, ajuste sin tocar): migrate
    e iniciar lo dicen en una línea y la central se niega a servir ese modelo (503), no los
    demás."""
    central = central_factory(demo=10)
    _sqlite(central, "ALTER TABLE productos_producto RENAME COLUMN categoria TO categoria_vieja")
    central.reiniciar()
    linea = (
        "Sincro: el modelo productos.Producto no se servirá: la tabla «productos_producto» "
        "no tiene la columna «categoria» (campo «categoria»)."
    )
    assert linea in central.log.read_text(encoding="utf-8")
    api = Api(central.url, central.token)
    r = api.get("/v1/cambios", estado=503, modelos="productos.Producto")
    assert r["error"] == "modelo_no_disponible" and "categoria" in r["mensaje"]
    api.get("/v1/cambios", modelos="clientes.Cliente")
    assert api.operaciones(
        {
            "uuid": "00000000-0000-4000-8000-000000000001",
            "modelo": "productos.Producto",
            "tipo": "actualizar",
            "objeto_id": "1",
            "version_base": 0,
            "datos": {"nombre": "otro"},
        },
        estado=503,
    )
    migrar = subprocess.run(
        [sys.executable, "-m", "servidor_demo.cli", "manage", "migrate"],
        env={**central.entorno, "SINCRO_CENTRAL_DATOS": str(central.datos)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrar.returncode == 0, migrar.stderr
    assert [x for x in migrar.stderr.splitlines() if x.startswith("Sincro:")] == [linea]


def test_sin_disparadores_el_modelo_no_se_sirve_y_migrate_los_repone(central_factory):
    """Sin sus disparadores el modelo no se sirve (503); al migrar vuelven, y lo escrito
    mientras faltaban llega a las terminales por su cursor."""
    central = central_factory(demo=10)
    api = Api(central.url, central.token)
    cursor = api.get("/v1/cambios", modelos="productos.Producto")["cursor"]
    import sqlite3

    conexion = sqlite3.connect(central.datos / "central.sqlite3", timeout=30)
    nombres = [
        f[0]
        for f in conexion.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'productos_producto'"
        )
    ]
    conexion.close()
    assert len(nombres) == 3
    _sqlite(
        central,
        *(f'DROP TRIGGER "{n}"' for n in nombres),
        "UPDATE productos_producto SET nombre = 'Escrito sin captura' WHERE id = 4",
    )
    time.sleep(5.5)  # la comprobación se guarda unos segundos
    r = api.get("/v1/cambios", estado=503, modelos="productos.Producto")
    assert "disparadores" in r["mensaje"]
    central.reiniciar()  # iniciar migra: post_migrate los vuelve a instalar
    cambios = Api(central.url, central.token).get(
        "/v1/cambios", modelos="productos.Producto", cursor=cursor
    )["cambios"]
    assert [(c["id"], c["datos"]["nombre"]) for c in cambios] == [("4", "Escrito sin captura")]


def _guion_en_la_central(central, guion: str) -> dict:
    """Ejecuta ``guion`` en un proceso con el Django de ``central``; su última línea es JSON."""
    r = subprocess.run(
        [sys.executable, "-c", guion],
        env={**central.entorno, "SINCRO_CENTRAL_DATOS": str(central.datos)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


_CAMBIAR_ESENCIALES = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
import django
from django.conf import settings
django.setup()
ajuste = settings.MODELOS_SINCRONIZABLES["productos.Producto"]
ajuste["campos_esenciales"] = [c for c in ajuste["campos_esenciales"] if c != "categoria"]
from central import captura, configuracion
configuracion._cache = None
from django.core.management import call_command
call_command("migrate", verbosity=0)
from central.models import RegistroCambio
from servidor_demo.productos.models import Producto
vigentes = RegistroCambio.objects.filter(
    modelo="productos.Producto", vigente=True, borrado=False)
viejas = vigentes.filter(cuerpo__contains='"categoria":').count()
Producto.objects.filter(pk=1).update(nombre="cambiado 12345")
cuerpo = RegistroCambio.objects.get(modelo="productos.Producto", objeto_id="1", vigente=True).cuerpo
print(json.dumps({"cuerpo": cuerpo, "problemas": captura.comprobar(), "viejas": viejas,
                  "vigentes": vigentes.count(), "productos": Producto.objects.count()}))
"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def motor(request):
    """Entorno de la central: SQLite, o una base PostgreSQL nueva (si SINCRO_PG_URL está
    definida)."""
    if request.param == "sqlite":
        yield {}
        return
    if not PG_URL:
        pytest.skip("SINCRO_PG_URL no está definida (CI la define tras arrancar PostgreSQL)")
    with base_pg_nueva() as url:
        yield {"DATABASE_URL": url}


def test_cambiar_los_campos_esenciales_rehace_los_disparadores(central_factory, motor):
    """Quitar un campo esencial del ajuste y migrar: los disparadores se rehacen (otro nombre,
    otra huella; en PostgreSQL también su función) y la siguiente escritura ya no lleva ese
    campo; con el ajuste de antes, la comprobación dice que los instalados son de otros
    campos."""
    central = central_factory(demo=5, entorno=motor)
    salida = _guion_en_la_central(central, _CAMBIAR_ESENCIALES)
    assert '"nombre":"cambiado 12345"' in salida["cuerpo"] and "categoria" not in salida["cuerpo"]
    assert salida["problemas"] == {}
    # Las entradas de los demás productos, escritas con el ajuste de antes, se rehicieron.
    assert salida["viejas"] == 0 and salida["vigentes"] == salida["productos"] == 5
    time.sleep(5.5)  # la central (con el ajuste de siempre) vuelve a comprobar
    api = Api(central.url, central.token)
    r = api.get("/v1/cambios", estado=503, modelos="productos.Producto")
    assert "otros campos esenciales" in r["mensaje"]


_PUBLICO_CON_TIENDA = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from central import configuracion, descarga
from central.models import RegistroCambio
from servidor_demo.productos.models import Producto
config = configuracion.obtener().modelos["productos.Producto"]
# Entradas escritas cuando el modelo era privado por tienda.
with connection.cursor() as cur:
    cur.execute("UPDATE central_registrocambio SET tienda = 'T1' "
                "WHERE modelo = 'productos.Producto'")
antes = len(descarga.pagina([config], "T1", "", 1000).cuerpos)
call_command("migrate", verbosity=0)
print(json.dumps({
    "antes": antes,
    "despues": len(descarga.pagina([config], "T1", "", 1000).cuerpos),
    "productos": Producto.objects.count(),
    "con_tienda": RegistroCambio.objects.filter(
        modelo="productos.Producto", tienda__isnull=False).count(),
}))
"""


def test_un_modelo_publico_con_entradas_de_tienda_se_sirve_entero_tras_migrar(central_factory):
    """Los modelos públicos se sirven con ``tienda IS NULL`` (el mismo índice que los privados):
    las entradas que guardan una tienda (de cuando el modelo era privado) no se servirían;
    ``migrate`` se la quita y la descarga completa vuelve a traer todas las filas."""
    central = central_factory(demo=5)
    salida = _guion_en_la_central(central, _PUBLICO_CON_TIENDA)
    assert salida["antes"] == 0
    assert salida["con_tienda"] == 0
    assert salida["despues"] == salida["productos"] > 0
    cambios, _ = Api(central.url, central.token).descargar("productos.Producto")
    assert len(cambios) == salida["productos"]


_PLAN_RETIRAR = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from central import configuracion, disparadores
call_command("migrate", verbosity=0)
planes = {}
for nombre, config in configuracion.obtener().modelos.items():
    with connection.cursor() as cur:
        cur.execute("EXPLAIN QUERY PLAN " + disparadores.retirar_desfasadas(config, "sqlite"))
        planes[nombre] = [f[-1] for f in cur.fetchall()]
print(json.dumps(planes))
"""


def test_retirar_desfasadas_en_sqlite_busca_cada_entrada_por_su_objeto(tmp_path):
    """SQLite: ``retirar_desfasadas`` recorre la tabla del modelo una vez y busca la entrada de
    cada fila por el índice de su objeto. Con la tabla por dentro (el plan que SQLite elige
    solo, porque la clave de la entrada es una expresión de la fila) recorría la tabla entera
    por cada entrada: 8 s con 2 000 productos, horas con 100 000, dentro del ``migrate``."""
    r = subprocess.run(
        [sys.executable, "-c", _PLAN_RETIRAR],
        env={
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "SINCRO_CENTRAL_DATOS": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    planes = json.loads(r.stdout.strip().splitlines()[-1])
    assert planes
    for nombre, plan in planes.items():
        assert any(paso.startswith("SEARCH r ") and "objeto_id=?" in paso for paso in plan), (
            f"{nombre}: {plan}"
        )


_SIN_CAPTURA = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
import django
django.setup()
from django.db import connection
from central import captura, configuracion, disparadores
from central.models import RegistroCambio
from servidor_demo.productos.models import Existencia

conf = configuracion.obtener()
tablas = {}
for m in ("productos.Producto", "productos.Existencia"):
    config = conf.modelos[m]
    tablas[disparadores.columnas(config).tabla] = disparadores.nombres(config, connection.vendor)
de_5 = sorted(Existencia.objects.filter(producto_id=5).values_list("id", "tienda_id"))
de_3, tienda_3 = Existencia.objects.filter(producto_id=3).values_list("id", "tienda_id")[0]


def sin_captura_y_migrar(*sentencias):
    marca = RegistroCambio.objects.order_by("-id").values_list("id", flat=True).first()
    for tabla, nombres in tablas.items():
        captura._quitar(connection, tabla, nombres)
    with connection.cursor() as c:
        for s, p in sentencias:
            c.execute(s, p)
    captura.instalar()
    return sorted(
        RegistroCambio.objects.filter(id__gt=marca, vigente=True).values_list(
            "modelo", "objeto_id", "tienda", "borrado"
        )
    )


primera = sin_captura_y_migrar(
    ("UPDATE productos_producto SET nombre = 'Escrito sin captura' WHERE id = 4", []),
    ("DELETE FROM productos_existencia WHERE producto_id = 5", []),
    ("DELETE FROM productos_producto WHERE id = 5", []),
    # Una entrada con otra tienda (la de un modelo que era público, o escrita a mano).
    ("UPDATE central_registrocambio SET tienda = 'OTRA' WHERE objeto_id = %s", [de_3]),
)
print(json.dumps({
    "primera": primera,
    "segunda": sin_captura_y_migrar(),
    "de_5": de_5,
    "de_3": [de_3, tienda_3],
    "producto_4": RegistroCambio.objects.get(
        modelo="productos.Producto", objeto_id="4", vigente=True).cuerpo,
}))
"""


def test_lo_escrito_sin_captura_se_registra_al_volver_los_disparadores(central_factory, motor):
    """Filas cambiadas y borradas mientras faltaban los disparadores, y una entrada con otra
    tienda: al volver a instalarlos, la fila cambiada se registra de nuevo, cada objeto que ya
    no está recibe su lápida y la entrada vuelve a su tienda, con ids nuevos (les llegan a las
    cajas por su cursor). Volver a instalarlos sin cambios no reescribe nada."""
    central = central_factory(demo=5, entorno=motor)
    salida = _guion_en_la_central(central, _SIN_CAPTURA)
    de_3, tienda_3 = salida["de_3"]
    esperadas = sorted(
        [
            ["productos.Producto", "4", None, False],
            ["productos.Producto", "5", None, True],
            ["productos.Existencia", de_3, tienda_3, False],
            *(["productos.Existencia", clave, tienda, True] for clave, tienda in salida["de_5"]),
        ]
    )
    assert salida["de_5"] and salida["primera"] == esperadas
    assert '"nombre":"Escrito sin captura"' in salida["producto_4"]
    assert salida["segunda"] == []


_TRUNCAR = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
import django
django.setup()
from django.db import connection
from central.models import RegistroCambio
from servidor_demo.productos.models import Existencia, Producto

def vivas(modelo):
    return RegistroCambio.objects.filter(modelo=modelo, vigente=True, borrado=False).count()

def lapidas(modelo):
    return RegistroCambio.objects.filter(modelo=modelo, vigente=True, borrado=True).count()

antes = {m: vivas(m) for m in ("productos.Producto", "productos.Existencia")}
filas = {"productos.Producto": Producto.objects.count(),
         "productos.Existencia": Existencia.objects.count()}
with connection.cursor() as c:
    c.execute("TRUNCATE productos_producto CASCADE")
print(json.dumps({
    "antes": antes, "filas": filas,
    "vivas": {m: vivas(m) for m in antes}, "lapidas": {m: lapidas(m) for m in antes},
    "cuerpo": RegistroCambio.objects.filter(
        modelo="productos.Producto", objeto_id="1", vigente=True).get().cuerpo,
}))
"""


@pytest.mark.postgres
def test_truncate_deja_una_lapida_por_objeto_en_postgresql(central_factory):
    """``TRUNCATE`` (también en cascada) no dice qué filas quitó; el disparador de ``TRUNCATE``
    cambia por una lápida cada entrada viva del modelo, con la forma de las del borrado."""
    if not PG_URL:
        pytest.skip("SINCRO_PG_URL no está definida (CI la define tras arrancar PostgreSQL)")
    with base_pg_nueva() as url:
        central = central_factory(demo=5, entorno={"DATABASE_URL": url})
        salida = _guion_en_la_central(central, _TRUNCAR)
    assert salida["antes"] == salida["filas"] == salida["lapidas"]
    assert salida["vivas"] == {"productos.Producto": 0, "productos.Existencia": 0}
    cuerpo = json.loads("{" + salida["cuerpo"])
    assert cuerpo["id"] == "1" and cuerpo["borrado"] is True and "datos" not in cuerpo


_DESACTIVADOS = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
import django
django.setup()
from django.db import connection
from central import captura
from central.models import RegistroCambio

def estados():
    with connection.cursor() as c:
        c.execute("SELECT DISTINCT tgenabled FROM pg_trigger WHERE tgname LIKE 'sincro_captura%%'")
        return sorted(f[0] for f in c.fetchall())

antes = estados()
with connection.cursor() as c:
    c.execute("ALTER TABLE productos_producto DISABLE TRIGGER USER")  # p. ej. pg_restore
    c.execute("DELETE FROM productos_existencia WHERE producto_id = 5")
    c.execute("DELETE FROM productos_producto WHERE id = 5")
problemas = captura.comprobar()
fallos = captura.instalar()
print(json.dumps({
    "antes": antes, "despues": estados(), "problemas": problemas, "fallos": fallos,
    "lapida": RegistroCambio.objects.get(
        modelo="productos.Producto", objeto_id="5", vigente=True).borrado,
}))
"""


@pytest.mark.postgres
def test_disparadores_desactivados_en_postgresql_se_avisan_y_migrate_repara(central_factory):
    """Los disparadores se instalan con ``ENABLE ALWAYS`` (disparan también con
    ``session_replication_role = replica``). Desactivados a mano, el modelo no se sirve y el
    siguiente ``migrate`` los rehace y da su lápida a lo que se borró entre tanto."""
    if not PG_URL:
        pytest.skip("SINCRO_PG_URL no está definida (CI la define tras arrancar PostgreSQL)")
    with base_pg_nueva() as url:
        central = central_factory(demo=5, entorno={"DATABASE_URL": url})
        salida = _guion_en_la_central(central, _DESACTIVADOS)
    assert salida["antes"] == salida["despues"] == ["A"]
    assert "desactivados" in salida["problemas"]["productos.Producto"]
    assert list(salida["problemas"]) == ["productos.Producto"] and salida["fallos"] == {}
    assert salida["lapida"] is True
