"""El cursor nunca se salta un cambio confirmado tarde: escritores concurrentes (ORM real y SQL a
mano en otro proceso, con hilos, más empujes HTTP) mientras varios lectores descargan; la unión
de lo que descarga cada lector debe ser igual al estado final leído directamente de la base de
datos. SQLite y PostgreSQL (sin cerrojo global: marca de agua de transacciones)."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import EXISTENCIA, PG_URL, Api, base_pg_nueva, existencia, op, sql

PRODUCTO = "productos.Producto"
MODELOS = f"{PRODUCTO},{EXISTENCIA}"
ESCRITOR = Path(__file__).with_name("escritor.py")


@pytest.fixture
def base_pg():
    """Una base PostgreSQL nueva para una central; se borra al acabar."""
    if not PG_URL:
        pytest.skip("SINCRO_PG_URL no está definida (CI la define tras arrancar PostgreSQL)")
    with base_pg_nueva() as url:
        yield url


def _estado_final(central, url_pg: str | None) -> dict[tuple[str, str], tuple]:
    consultas = {
        PRODUCTO: "SELECT id, nombre, codigo, CAST(precio AS TEXT), categoria "
        "FROM productos_producto",
        EXISTENCIA: "SELECT id, tienda_id, producto_id, cantidad FROM productos_existencia",
    }
    filas = {}
    for modelo, consulta in consultas.items():
        if url_pg:
            import psycopg

            with psycopg.connect(url_pg) as c:
                filas[modelo] = c.execute(consulta).fetchall()
        else:
            filas[modelo] = sql(central, consulta)
    return {
        **{(PRODUCTO, str(f[0])): (f[1], f[2], Decimal(f[3]), f[4]) for f in filas[PRODUCTO]},
        **{(EXISTENCIA, f[0]): (f[1], f[2], f[3]) for f in filas[EXISTENCIA]},
    }


def _comparable(estado: dict) -> dict[tuple[str, str], tuple]:
    return {
        k: (d["nombre"], d["codigo"], Decimal(d["precio"]), d["categoria"])
        if k[0] == PRODUCTO
        else (d["tienda"], d["producto"], d["cantidad"])
        for k, (_, d) in estado.items()
    }


def _escritor(central, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ESCRITOR), "--datos", str(central.datos), *args],
        env=central.entorno,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _carrera(central, url_pg: str | None, hilos: int = 4) -> None:
    api = Api(central.url, central.token)
    estado, cursor = api.descargar(MODELOS, limite=50)
    lectores = _lectores(central, cursor, estado)
    # Con la máquina muy cargada 4 s pueden no bastar: sigue hasta 25 transacciones hechas.
    escritor = _escritor(central, "--segundos", "4", "--hilos", str(hilos), "--minimo", "25")
    parar = threading.Event()
    errores: list[BaseException] = []

    def empujar() -> None:
        try:
            empujador = Api(central.url, central.token)
            azar = random.Random(7)
            while not parar.is_set():
                ids = azar.sample(range(1, 201), 10)
                empujador.operaciones(
                    *[op(EXISTENCIA, "ajustar", existencia(i), {"cantidad": -1}) for i in ids]
                )
        except BaseException as exc:
            errores.append(exc)

    hilo = threading.Thread(target=empujar)
    hilo.start()
    paginas_con_cambios = 0
    try:
        while escritor.poll() is None:
            p = api.get("/v1/cambios", modelos=MODELOS, cursor=cursor, limite=25)
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
    for lector in lectores:
        lector.terminar()
    final = _estado_final(central, url_pg)
    for lector in lectores:  # cada lector, con su propio ritmo de páginas, llega a lo mismo
        assert not lector.errores, lector.errores
        assert lector.paginas > 5
        lector.estado = _hasta_el_final(lector.api, lector.cursor, lector.estado, final)
        assert _comparable(lector.estado) == final
    hechas = int(salida.split("HECHAS=")[1])
    assert hechas > 20 and paginas_con_cambios > 5, (hechas, paginas_con_cambios)
    estado = _hasta_el_final(api, cursor, estado, final)
    assert _comparable(estado) == final
    # Y una resincronización completa da lo mismo.
    completo, _ = api.descargar(MODELOS, limite=1000)
    assert _comparable(completo) == _estado_final(central, url_pg)


def _hasta_el_final(api: Api, cursor: str, estado: dict, final: dict) -> dict:
    """Sigue descargando desde ``cursor`` hasta que ``estado`` es ``final`` (o pasan 120 s).

    En PostgreSQL la marca de agua es de todo el servidor: una transacción larga de otra base
    (otras pruebas o benches a la vez) retrasa lo último confirmado, nunca lo pierde. Un cambio
    saltado por el cursor no llegaría nunca: la espera no esconde una pérdida."""
    fin = time.monotonic() + 120
    while True:
        estado, cursor = api.descargar(MODELOS, cursor=cursor, limite=25, estado=estado)
        if _comparable(estado) == final or time.monotonic() > fin:
            return estado
        time.sleep(0.2)


class _Lector(threading.Thread):
    """Descarga incremental continua (páginas de tamaño ``limite``) hasta ``terminar``; al
    terminar descarga lo que quede."""

    def __init__(self, central, cursor: str, estado: dict, limite: int):
        super().__init__(daemon=True)
        self.api = Api(central.url, central.token)
        self.cursor, self.estado, self.limite = cursor, dict(estado), limite
        self.parar = threading.Event()
        self.errores: list[BaseException] = []
        self.paginas = 0

    def run(self) -> None:
        from .conftest import aplicar

        try:
            while not self.parar.is_set():
                p = self.api.get(
                    "/v1/cambios", modelos=MODELOS, cursor=self.cursor, limite=self.limite
                )
                aplicar(self.estado, p["cambios"])
                self.paginas += 1
                self.cursor = p["cursor"]
                if not p["hay_mas"]:
                    time.sleep(0.02)
        except BaseException as exc:
            self.errores.append(exc)

    def terminar(self) -> None:
        self.parar.set()
        self.join(60)
        self.estado, self.cursor = self.api.descargar(
            MODELOS, cursor=self.cursor, limite=7, estado=self.estado
        )


def _lectores(central, cursor: str, estado: dict) -> list[_Lector]:
    lectores = [_Lector(central, cursor, estado, limite) for limite in (3, 11)]
    for lector in lectores:
        lector.start()
    return lectores


def test_union_de_descargas_igual_al_estado_final_sqlite(central_factory):
    _carrera(central_factory(demo=200), None)


@pytest.mark.postgres
def test_union_de_descargas_igual_al_estado_final_postgres(central_factory, base_pg):
    """8 escritores (save, QuerySet.update, SQL a mano, altas, bajas; transacciones cortas y
    largas) más empujes HTTP, sin cerrojo global, y tres lectores incrementales."""
    _carrera(central_factory(demo=200, entorno={"DATABASE_URL": base_pg}), base_pg, hilos=8)


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
        vistos += lector.execute(
            "SELECT id, v FROM ingenuo WHERE id > %s ORDER BY id", [cursor]
        ).fetchall()
        assert [v for _, v in vistos] == ["rapida"]  # «lenta» se perdió para siempre
    finally:
        for c in (lenta, rapida, lector):
            c.close()


def _commit_tardio(central) -> tuple[list[str], dict]:
    """Una transacción del ORM escribe la existencia del producto 1 y tarda en confirmar;
    mientras, un empuje ajusta la del 2 y un lector descarga. Devuelve los ids que vio el
    lector, en orden, y el resultado del empuje."""
    api = Api(central.url, central.token)
    estado, cursor = api.descargar(EXISTENCIA)
    # La marca de agua es de todo el servidor PostgreSQL: una transacción de otra base (otras
    # pruebas en paralelo) puede retener la siembra un momento. Se espera a tenerla entera.
    fin = time.monotonic() + 30
    while len(estado) < 20 and time.monotonic() < fin:
        time.sleep(0.1)
        estado, cursor = api.descargar(EXISTENCIA, cursor=cursor, estado=estado)
    assert len(estado) == 20
    # Sin marca de agua, el cursor de una descarga completa puede volver a servir filas ya
    # vistas (nunca perderlas): se vacía el flujo antes de la carrera.
    while True:
        p = api.get("/v1/cambios", modelos=EXISTENCIA, cursor=cursor)
        cursor = p["cursor"]
        if not p["cambios"]:
            break
    lento = _escritor(central, "--tardio", "2.5", "--producto", "1")
    assert lento.stdout.readline().strip() == "ESCRITO"
    inicio = time.monotonic()
    resultado = Api(central.url, central.token).operaciones(
        op(EXISTENCIA, "ajustar", existencia(2), {"cantidad": -1})
    )["resultados"][0]
    resultado["espera_s"] = time.monotonic() - inicio
    vistos: list[dict] = []
    p = api.get("/v1/cambios", modelos=EXISTENCIA, cursor=cursor)
    vistos += p["cambios"]
    cursor = p["cursor"]
    assert lento.stdout.readline().strip() == "CONFIRMADO"
    assert lento.wait(30) == 0
    fin = time.monotonic() + 5  # otra base del servidor puede retener la marca un momento
    while True:
        p = api.get("/v1/cambios", modelos=EXISTENCIA, cursor=cursor)
        vistos += p["cambios"]
        cursor = p["cursor"]
        if any(c["id"] == existencia(1) for c in vistos) or time.monotonic() > fin:
            return vistos, resultado
        time.sleep(0.1)


@pytest.mark.postgres
def test_commit_tardio_no_retiene_escritores_ni_se_pierde(central_factory, base_pg):
    """Sin cerrojo global el empuje no espera a la transacción lenta; el lector no ve el ajuste
    hasta que la lenta confirma (la marca de agua lo retiene) y después ve las dos, la lenta
    primero, sin perder ninguna."""
    central = central_factory(demo=20, entorno={"DATABASE_URL": base_pg})
    vistos, resultado = _commit_tardio(central)
    assert resultado["resultado"] == "aplicada"
    assert resultado["espera_s"] < 1.5
    assert [c["id"] for c in vistos] == [existencia(1), existencia(2)]
    assert vistos[0]["version"] < vistos[1]["version"] == resultado["version"]


@pytest.mark.postgres
def test_sin_marca_de_agua_se_pierde_el_commit_tardio(central_factory, base_pg):
    """La misma carrera con la marca de agua desactivada (``SINCRO_ORDEN_COMMIT=sin_marca``):
    el lector ve el ajuste, su cursor pasa por encima de la transacción lenta y la pierde. Es
    la prueba de que la marca es lo que evita el salto."""
    central = central_factory(
        demo=20, entorno={"DATABASE_URL": base_pg, "SINCRO_ORDEN_COMMIT": "sin_marca"}
    )
    vistos, _ = _commit_tardio(central)
    assert [c["id"] for c in vistos] == [existencia(2)]
