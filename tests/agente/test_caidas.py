"""Caídas reales: un proceso hijo trabaja sobre el directorio de datos y lo matamos con
``kill -9`` (SIGKILL) en mitad del trabajo; al reabrir, nada confirmado se ha perdido y nada
queda a medias (cursor nunca por delante de los datos, tabla viva entera o sustituida entera).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from agente.almacen.cache import Cache
from agente.almacen.cola import Cola, NuevaOperacion
from agente.fachada import Agente
from agente.operacion import COMPLETADO, PENDIENTE, PROCESANDO

RAIZ = Path(__file__).resolve().parents[2]
PRODUCTO = "productos.Producto"
EXISTENCIA = "productos.Existencia"
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
    from agente.fachada import Agente
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
        assert cola._bd.conexion.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


ENVIAR = """
    import sys
    from agente.almacen.cola import Cola
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


ENVIAR_Y_QUEDARSE = """
    import sys, time
    from agente.almacen.cola import Cola
    cola = Cola(sys.argv[1])
    lote = cola.preparar_envio()
    print(len(lote), flush=True)
    print(cola.propietario, flush=True)
    time.sleep(600)
"""


def _cerrojo_de(ruta_cola: Path, propietario: str) -> Path:
    """Fichero del cerrojo de vida de un propietario ``pid@máquina:instancia``."""
    instancia = propietario.rsplit(":", 1)[1]
    return Path(f"{ruta_cola}.propietarios") / f"{instancia}.cerrojo"


def _morir_sin_recoger(proceso: subprocess.Popen) -> None:
    """SIGKILL y espera a que muera SIN recogerlo: queda zombi y su PID sigue ocupado (como
    un PID reutilizado por otro proceso)."""
    os.kill(proceso.pid, signal.SIGKILL)
    os.waitid(os.P_PID, proceso.pid, os.WEXITED | os.WNOWAIT)
    os.kill(proceso.pid, 0)  # el PID sigue existiendo: no lanza ProcessLookupError


def _estados(cola: Cola, uuids: list[str]) -> set[str]:
    return {cola.obtener(u).estado for u in uuids}


def _en_vuelo_en_un_hijo(directorio: Path) -> tuple[list[str], subprocess.Popen, str]:
    with Agente.abrir(directorio) as agente:
        uuids = [agente.ajustar(PRODUCTO, i, "stock", -1).uuid for i in range(1, 4)]
    hijo = _hijo(ENVIAR_Y_QUEDARSE, str(directorio / "cola.sqlite"))
    cuantas, propietario = _leer_lineas(hijo, 2)
    assert cuantas == "3"
    return uuids, hijo, propietario


@pytest.mark.skipif(not hasattr(os, "waitid"), reason="os.waitid(WNOWAIT)")
def test_en_vuelo_de_un_muerto_cuyo_pid_sigue_ocupado_vuelve_a_pendiente(directorio):
    """La vida del propietario es su cerrojo, no su PID: el núcleo suelta el cerrojo al morir
    el proceso aunque el PID siga ocupado. Al abrir se borra su cerrojo abandonado."""
    ruta = directorio / "cola.sqlite"
    uuids, hijo, propietario = _en_vuelo_en_un_hijo(directorio)
    try:
        assert _cerrojo_de(ruta, propietario).exists()
        _morir_sin_recoger(hijo)
        with Cola(ruta) as cola:
            assert _estados(cola, uuids) == {PENDIENTE}
            assert [o.uuid for o in cola.preparar_envio()] == uuids
            assert not _cerrojo_de(ruta, propietario).exists()
            assert [p.name for p in Path(f"{ruta}.propietarios").iterdir()] == [
                _cerrojo_de(ruta, cola.propietario).name
            ]
    finally:
        _matar(hijo)


@pytest.mark.parametrize("pid_nuevo", ["padre", "init"])
def test_pid_del_muerto_reutilizado_por_otro_proceso_no_retiene_lo_en_vuelo(directorio, pid_nuevo):
    """Tras reiniciar la máquina el PID del propietario caído suele ser de otro proceso vivo
    (aquí: el padre de pytest o init). No basta para dar por vivo al propietario."""
    ruta = directorio / "cola.sqlite"
    uuids, hijo, propietario = _en_vuelo_en_un_hijo(directorio)
    _matar(hijo)
    vivo = os.getppid() if pid_nuevo == "padre" else 1
    reutilizado = f"{vivo}@{propietario.split('@', 1)[1]}"
    conexion = sqlite3.connect(ruta)
    with conexion:
        conexion.execute(
            "UPDATE operaciones SET propietario = ? WHERE estado = ?", (reutilizado, PROCESANDO)
        )
    conexion.close()
    with Cola(ruta, recuperar=False) as cola:
        assert _estados(cola, uuids) == {PROCESANDO}
        assert cola.recuperar() == 3
        assert _estados(cola, uuids) == {PENDIENTE}


@pytest.mark.skipif(not hasattr(os, "waitid"), reason="os.waitid(WNOWAIT)")
def test_propietario_vivo_en_otro_proceso_conserva_lo_en_vuelo_hasta_que_muere(directorio):
    """Otra ``Cola`` viva en un hijo (con su cerrojo) no pierde lo que tiene en vuelo, ni al
    abrir ni al recuperar después; en cuanto muere, recuperar (sin reabrir) lo devuelve."""
    ruta = directorio / "cola.sqlite"
    uuids, hijo, propietario = _en_vuelo_en_un_hijo(directorio)
    try:
        with Cola(ruta) as cola:
            assert _estados(cola, uuids) == {PROCESANDO}
            assert cola.recuperar() == 0
            assert _estados(cola, uuids) == {PROCESANDO}
            assert _cerrojo_de(ruta, propietario).exists()
            _morir_sin_recoger(hijo)
            assert cola.recuperar() == 3
            assert _estados(cola, uuids) == {PENDIENTE}
    finally:
        _matar(hijo)


def _esperar(condicion, segundos: float = 60.0) -> bool:
    """Espera a que ``condicion()`` se cumpla (el plazo sólo corta una prueba que fallaría)."""
    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        if condicion():
            return True
        time.sleep(0.05)
    return condicion()


def test_el_bucle_libera_lo_que_dejo_en_vuelo_una_caja_caida(central, tmp_path):
    """La bandeja sincroniza en bucle; la caja (otro proceso) toma una operación para enviarla
    y muere con ``kill -9``. Sin reabrir la cola ni reiniciar nada, el bucle la devuelve a
    PENDIENTE y la envía."""
    from agente.sincronizacion.servicio import ServicioSincronizacion

    ruta = tmp_path / "cola.sqlite"
    cola = Cola(ruta)
    cache = Cache(tmp_path / "cache.sqlite")
    servicio = ServicioSincronizacion(tmp_path, cola, cache)
    hijo = None
    try:
        existencia = f"{central.tienda}:1"  # la existencia del producto 1 en su tienda
        op = cola.encolar(NuevaOperacion(EXISTENCIA, existencia, "ajustar", {"cantidad": -1}))
        hijo = _hijo(ENVIAR_Y_QUEDARSE, str(ruta))
        assert _leer_lineas(hijo, 2)[0] == "1"
        servicio.configurar(
            central.url, central.tienda, central.terminal, central.token, intervalo_descarga=0.5
        )
        servicio.iniciar()
        # Al menos un pase con la caja viva: su operación sigue en vuelo.
        assert _esperar(lambda: servicio.conectividad.estado == "al día")
        assert cola.obtener(op.uuid).estado == PROCESANDO
        _matar(hijo)
        assert _esperar(lambda: cola.obtener(op.uuid).estado == COMPLETADO), cola.obtener(op.uuid)
        assert servicio.en_marcha()
    finally:
        servicio.cerrar()
        cache.cerrar()
        cola.cerrar()
        if hijo is not None and hijo.returncode is None:
            _matar(hijo)


PAGINAS = """
    import sys
    from agente.almacen.cache import Cache
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
    from agente.almacen.cache import Cache
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
