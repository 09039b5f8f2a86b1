"""Caídas reales: un proceso hijo trabaja sobre el directorio de datos y lo matamos con
``kill -9`` (SIGKILL) en mitad del trabajo; al reabrir, nada confirmado se ha perdido y nada
queda a medias (cursor nunca por delante de los datos, tabla viva entera o sustituida entera).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from agente.agente import Agente
from agente.cache import Cache
from agente.cola import Cola
from agente.operacion import PENDIENTE, PROCESANDO

RAIZ = Path(__file__).resolve().parents[2]
PRODUCTO = "productos.Producto"
POR_PAGINA = 2000

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL es POSIX")


def _hijo(codigo: str, *argumentos: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(codigo), *argumentos],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=RAIZ,
        env={**os.environ, "PYTHONPATH": str(RAIZ)},
    )


def _leer_lineas(proceso: subprocess.Popen, cuantas: int) -> list[str]:
    lineas = []
    while len(lineas) < cuantas:
        linea = proceso.stdout.readline()
        if not linea:
            raise AssertionError(f"el hijo terminó antes de tiempo: {proceso.stderr.read()}")
        lineas.append(linea.strip())
    return lineas


def _matar(proceso: subprocess.Popen) -> None:
    os.kill(proceso.pid, signal.SIGKILL)
    proceso.wait(timeout=30)
    proceso.stdout.close()
    proceso.stderr.close()
    assert proceso.returncode == -signal.SIGKILL


@pytest.fixture
def directorio(datos_dir, esquema_dict):
    with Agente.abrir(datos_dir) as agente:
        agente.guardar_esquema(esquema_dict)
    return datos_dir


ENCOLAR = """
    import sys
    from agente.agente import Agente
    agente = Agente.abrir(sys.argv[1])
    i = 0
    while True:
        i += 1
        op = agente.ajustar("productos.Producto", i, "stock", -1)
        print(op.uuid, flush=True)
"""


@pytest.mark.parametrize("tras", [1, 25, 200])
def test_kill_9_justo_despues_de_encolar(directorio, tras):
    hijo = _hijo(ENCOLAR, str(directorio))
    uuids = _leer_lineas(hijo, tras)
    _matar(hijo)  # el hijo seguía encolando: lo matamos en mitad de otra operación
    with Cola(directorio / "cola.sqlite") as cola:
        for i, uuid in enumerate(uuids, start=1):
            op = cola.obtener(uuid)
            assert op is not None, f"perdida la operación {i} de {tras}"
            assert (op.estado, op.objeto_id, op.datos) == (PENDIENTE, str(i), {"stock": -1})
        assert cola._conexion.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


ENVIAR = """
    import sys
    from agente.cola import Cola
    cola = Cola(sys.argv[1])
    lote = cola.preparar_envio()
    print(len(lote), flush=True)
    import time
    time.sleep(60)
"""


def test_en_vuelo_de_un_proceso_muerto_vuelve_a_pendiente(directorio):
    with Agente.abrir(directorio) as agente:
        uuids = [agente.ajustar(PRODUCTO, i, "stock", -1).uuid for i in range(1, 4)]
    hijo = _hijo(ENVIAR, str(directorio / "cola.sqlite"))
    assert _leer_lineas(hijo, 1) == ["3"]
    with Cola(directorio / "cola.sqlite") as cola:
        # Con el hijo vivo, abrir la cola no le quita sus operaciones en vuelo.
        assert {cola.obtener(u).estado for u in uuids} == {PROCESANDO}
    _matar(hijo)
    with Cola(directorio / "cola.sqlite") as cola:
        assert {cola.obtener(u).estado for u in uuids} == {PENDIENTE}
        assert [o.uuid for o in cola.preparar_envio()] == uuids


PAGINAS = """
    import sys
    from agente.cache import Cache
    cache = Cache(sys.argv[1])
    porpagina = int(sys.argv[2])
    k = 0
    while True:
        cambios = [
            {"id": str(i), "version": i, "datos": {"id": i, "nombre": f"Producto {i}",
             "codigo": str(i), "precio": "1.00", "stock": k, "categoria": None}}
            for i in range(k * porpagina, (k + 1) * porpagina)
        ]
        cache.aplicar_pagina("productos.Producto", cambios, str(k))
        print(k, flush=True)
        k += 1
"""


@pytest.mark.parametrize("tras", [1, 4])
def test_kill_9_durante_una_pagina(directorio, tras):
    hijo = _hijo(PAGINAS, str(directorio / "cache.sqlite"), str(POR_PAGINA))
    ultima = int(_leer_lineas(hijo, tras)[-1])
    time.sleep(0.01 * tras)  # en mitad de la siguiente página, casi siempre
    _matar(hijo)
    with Cache(directorio / "cache.sqlite") as cache:
        cursor = int(cache.cursor(PRODUCTO))
        assert cursor >= ultima
        filas = cache._escritura.execute(
            "SELECT COUNT(*), MAX(id) FROM m_productos__producto"
        ).fetchone()
        # Exactamente las páginas 0..cursor: ni media página ni un cursor por delante.
        assert filas == ((cursor + 1) * POR_PAGINA, (cursor + 1) * POR_PAGINA - 1)
        # El índice FTS casa entrada a entrada con la tabla (falla si sobra o falta una).
        cache._escritura.execute(
            "INSERT INTO m_productos__producto__fts (m_productos__producto__fts, rank) "
            "VALUES ('integrity-check', 1)"
        )


RECONSTRUIR = """
    import sys
    from agente.cache import Cache
    cache = Cache(sys.argv[1])
    porpagina = int(sys.argv[2])
    print("reanuda", cache.iniciar_reconstruccion("productos.Producto"), flush=True)
    for k in range(6):
        cambios = [
            {"id": str(i), "version": 1000 + i, "datos": {"id": i, "nombre": f"Nuevo {i}",
             "codigo": str(i), "precio": "2.00", "stock": 1, "categoria": None}}
            for i in range(100000 + k * porpagina, 100000 + (k + 1) * porpagina)
        ]
        cache.aplicar_pagina("productos.Producto", cambios, f"n{k}")
        print(k, flush=True)
    print("terminando", flush=True)
    cache.terminar_reconstruccion("productos.Producto", "fin")
    print("fin", flush=True)
    import time
    time.sleep(60)
"""


@pytest.mark.parametrize("tras", [2, 4, 8, 9])
def test_kill_9_durante_una_reconstruccion(directorio, tras):
    with Cache(directorio / "cache.sqlite") as cache:
        viejas = [
            {
                "id": str(i),
                "version": i,
                "datos": {
                    "id": i,
                    "nombre": f"Viejo {i}",
                    "codigo": str(i),
                    "precio": "1.00",
                    "stock": 5,
                    "categoria": None,
                },
            }
            for i in range(500)
        ]
        cache.aplicar_pagina(PRODUCTO, viejas, "viejo", completo=True)
    hijo = _hijo(RECONSTRUIR, str(directorio / "cache.sqlite"), str(POR_PAGINA))
    lineas = _leer_lineas(hijo, tras)
    _matar(hijo)
    with Cache(directorio / "cache.sqlite") as cache:
        estado = cache.estado_modelo(PRODUCTO)
        nombres = {
            f[0].split()[0]
            for f in cache._escritura.execute("SELECT nombre FROM m_productos__producto")
        }
        if estado["cursor"] == "fin":
            assert estado["filas"] == 6 * POR_PAGINA and nombres == {"Nuevo"}
            assert not estado["reconstruyendo"]
        else:
            assert "fin" not in lineas
            assert (estado["cursor"], estado["filas"], nombres) == ("viejo", 500, {"Viejo"})
            assert estado["completo"]
            # Reanudar sigue desde la última página confirmada (o la siguiente, si el commit
            # llegó al disco justo antes del kill).
            ultima = max((int(x) for x in lineas if x.isdigit()), default=-1)
            reanuda = cache.iniciar_reconstruccion(PRODUCTO)
            if ultima >= 0:
                assert int(reanuda[1:]) >= ultima
            sombra = cache._escritura.execute("SELECT COUNT(*) FROM m_productos__producto__sombra")
            hechas = (int(reanuda[1:]) + 1) if reanuda else 0
            assert sombra.fetchone()[0] == hechas * POR_PAGINA
        assert cache._escritura.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert json.dumps(estado)
