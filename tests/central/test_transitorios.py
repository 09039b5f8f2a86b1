"""Un interbloqueo con otro escritor de la base (el admin, otra aplicación, SQL a mano) no es
culpa del lote: la central lo repite entero y lo aplica una sola vez, sin 500 y sin rechazar
ninguna operación. PostgreSQL real; el interbloqueo se provoca a propósito."""

from __future__ import annotations

import threading
import time

import pytest

from .conftest import EXISTENCIA, PG_URL, Api, base_pg_nueva, existencia, op

pytestmark = pytest.mark.postgres


@pytest.fixture
def central_pg(central_factory):
    if not PG_URL:
        pytest.skip("SINCRO_PG_URL no está definida (CI la define tras arrancar PostgreSQL)")
    with base_pg_nueva() as url:
        yield central_factory(demo=20, entorno={"DATABASE_URL": url}), url


def _stock(conexion, pk: int) -> int:
    return conexion.execute(
        "SELECT cantidad FROM productos_existencia WHERE id = %s", [existencia(pk)]
    ).fetchone()[0]


def _esperar_lote_bloqueado(conexion, pid_propio: int) -> None:
    fin = time.monotonic() + 20
    while time.monotonic() < fin:
        fila = conexion.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> %s",
            [pid_propio],
        ).fetchone()
        if fila[0]:
            return
        time.sleep(0.02)
    raise AssertionError("el lote nunca llegó a esperar el cerrojo")


def test_interbloqueo_con_otro_escritor_repite_el_lote_una_vez(central_pg):
    import psycopg

    central, url = central_pg
    api = Api(central.url, central.token)
    with psycopg.connect(url, autocommit=True) as mirar, psycopg.connect(url) as otro:
        antes = {3: _stock(mirar, 3), 5: _stock(mirar, 5)}
        otro.execute("SELECT 1 FROM productos_existencia WHERE id = %s FOR UPDATE", [existencia(5)])
        respuesta: dict = {}

        def empujar() -> None:  # bloquea el 3 (en orden) y espera al 5
            try:
                respuesta["r"] = api.operaciones(
                    op(EXISTENCIA, "ajustar", existencia(3), {"cantidad": -1}),
                    op(EXISTENCIA, "ajustar", existencia(5), {"cantidad": -1}),
                )
            except BaseException as exc:
                respuesta["error"] = exc

        hilo = threading.Thread(target=empujar)
        hilo.start()
        _esperar_lote_bloqueado(mirar, otro.info.backend_pid)
        time.sleep(0.3)  # el lote espera desde antes: PostgreSQL lo elige como víctima
        otro.execute(
            "UPDATE productos_existencia SET cantidad = cantidad + 100 WHERE id = %s",
            [existencia(3)],
        )
        otro.commit()
        hilo.join(30)
        assert not hilo.is_alive()
        assert "error" not in respuesta, respuesta.get("error")
        r = respuesta["r"]
        assert [x["resultado"] for x in r["resultados"]] == ["aplicada", "aplicada"], r
        # una sola vez cada ajuste, más lo del otro escritor
        assert _stock(mirar, 3) == antes[3] + 100 - 1
        assert _stock(mirar, 5) == antes[5] - 1
