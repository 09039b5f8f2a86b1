"""El cursor nunca se salta un cambio confirmado tarde: escritores concurrentes (ORM real en
otro proceso, con hilos, más empujes HTTP) mientras se descarga; la unión de las descargas debe
ser igual al estado final leído directamente de la base de datos. SQLite y PostgreSQL."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import PG_URL, Api, base_pg_nueva, op, sql

PRODUCTO = "productos.Producto"
ESCRITOR = Path(__file__).with_name("escritor.py")


@pytest.fixture
def base_pg():
    """Una base PostgreSQL nueva para una central; se borra al acabar."""
    if not PG_URL:
        pytest.skip("SINCRO_PG_URL no está definida (CI la define tras arrancar PostgreSQL)")
    with base_pg_nueva() as url:
        yield url


def _estado_final(central, url_pg: str | None) -> dict[str, tuple]:
    consulta = ("SELECT id, nombre, codigo, CAST(precio AS TEXT), stock, categoria "
                "FROM productos_producto")
    if url_pg:
        import psycopg

        with psycopg.connect(url_pg) as c:
            filas = c.execute(consulta).fetchall()
    else:
        filas = sql(central, consulta)
    return {str(f[0]): (f[1], f[2], Decimal(f[3]), f[4], f[5]) for f in filas}


def _comparable(estado: dict) -> dict[str, tuple]:
    return {
        k[1]: (d["nombre"], d["codigo"], Decimal(d["precio"]), d["stock"], d["categoria"])
        for k, (_, d) in estado.items()
    }


def _escritor(central, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ESCRITOR), "--datos", str(central.datos), *args],
        env=central.entorno, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _carrera(central, url_pg: str | None) -> None:
    api = Api(central.url, central.token)
    estado, cursor = api.descargar(PRODUCTO, limite=50)
    escritor = _escritor(central, "--segundos", "4", "--hilos", "4")
    parar = threading.Event()
    errores: list[BaseException] = []

    def empujar() -> None:
        try:
            empujador = Api(central.url, central.token)
            azar = random.Random(7)
            while not parar.is_set():
                ids = azar.sample(range(1, 201), 10)
                empujador.operaciones(*[op(PRODUCTO, "ajustar", str(i), {"stock": -1})
                                        for i in ids])
        except BaseException as exc:
            errores.append(exc)

    hilo = threading.Thread(target=empujar)
    hilo.start()
    paginas_con_cambios = 0
    try:
        while escritor.poll() is None:
            p = api.get("/v1/cambios", modelos=PRODUCTO, cursor=cursor, limite=25)
            from .conftest import aplicar

            aplicar(estado, p["cambios"])
            paginas_con_cambios += bool(p["cambios"])
            cursor = p["cursor"]
    finally:
        parar.set()
        hilo.join(60)
    salida, err = escritor.communicate(timeout=60)
    assert escritor.returncode == 0, err
    assert not errores, errores
    hechas = int(salida.split("HECHAS=")[1])
    assert hechas > 20 and paginas_con_cambios > 5, (hechas, paginas_con_cambios)
    estado, _ = api.descargar(PRODUCTO, cursor=cursor, limite=25, estado=estado)
    assert _comparable(estado) == _estado_final(central, url_pg)
    # Y una resincronización completa da lo mismo.
    completo, _ = api.descargar(PRODUCTO, limite=1000)
    assert _comparable(completo) == _estado_final(central, url_pg)


def test_union_de_descargas_igual_al_estado_final_sqlite(central_factory):
    _carrera(central_factory(demo=200), None)


@pytest.mark.postgres
def test_union_de_descargas_igual_al_estado_final_postgres(central_factory, base_pg):
    _carrera(central_factory(demo=200, entorno={"DATABASE_URL": base_pg}), base_pg)


@pytest.mark.postgres
def test_sin_serializar_un_cursor_de_secuencia_se_salta_filas(base_pg):
    """Demostración del fallo que evitamos: con ids de secuencia sin serializar, una
    transacción que confirma tarde deja su fila por detrás de un cursor ya avanzado."""
    import psycopg

    with psycopg.connect(base_pg, autocommit=True) as c:
        c.execute("CREATE TABLE ingenuo (id bigserial PRIMARY KEY, v text)")
    lenta = psycopg.connect(base_pg)
    rapida = psycopg.connect(base_pg)
    lector = psycopg.connect(base_pg, autocommit=True)
    try:
        lenta.execute("INSERT INTO ingenuo (v) VALUES ('lenta')")  # id 1, sin confirmar
        rapida.execute("INSERT INTO ingenuo (v) VALUES ('rapida')")  # id 2
        rapida.commit()
        vistos = lector.execute("SELECT id, v FROM ingenuo WHERE id > 0 ORDER BY id").fetchall()
        cursor = vistos[-1][0]
        lenta.commit()
        vistos += lector.execute("SELECT id, v FROM ingenuo WHERE id > %s ORDER BY id",
                                 [cursor]).fetchall()
        assert [v for _, v in vistos] == ["rapida"]  # «lenta» se perdió para siempre
    finally:
        for c in (lenta, rapida, lector):
            c.close()


@pytest.mark.postgres
def test_commit_tardio_bloquea_al_siguiente_escritor(central_factory, base_pg):
    """Con la central real: una transacción del ORM que escribe y tarda en confirmar retiene a
    un empuje concurrente; el lector nunca ve el id posterior antes que el anterior."""
    central = central_factory(demo=20, entorno={"DATABASE_URL": base_pg})
    api = Api(central.url, central.token)
    _, cursor = api.descargar(PRODUCTO)
    lento = _escritor(central, "--tardio", "2.5", "--producto", "1")
    assert lento.stdout.readline().strip() == "ESCRITO"
    resultado: dict = {}

    def empujar() -> None:
        resultado["r"] = Api(central.url, central.token).operaciones(
            op(PRODUCTO, "ajustar", "2", {"stock": -1}))["resultados"][0]
        resultado["t"] = time.monotonic()

    hilo = threading.Thread(target=empujar)
    hilo.start()
    time.sleep(1.0)
    assert "r" not in resultado  # el empuje espera al commit de la transacción lenta
    assert api.get("/v1/cambios", modelos=PRODUCTO, cursor=cursor)["cambios"] == []
    assert lento.stdout.readline().strip() == "CONFIRMADO"
    hilo.join(30)
    assert lento.wait(30) == 0
    assert resultado["r"]["resultado"] == "aplicada"
    cambios = api.get("/v1/cambios", modelos=PRODUCTO, cursor=cursor)["cambios"]
    assert [c["id"] for c in cambios] == ["1", "2"]
    assert cambios[0]["version"] < cambios[1]["version"] == resultado["r"]["version"]

