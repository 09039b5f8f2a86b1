"""Ficheros SQLite realmente estropeados: la caché se aparta, la cola nunca se pierde."""

import hashlib
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import uuid

import pytest

from agente.almacen import recuperacion
from agente.soporte import rutas
from tests.soporte.corromper import (
    crear_cola,
    estropear_cabecera,
    estropear_paginas,
    paginas_de_tabla,
)


def _sha(ruta):
    return hashlib.sha256(ruta.read_bytes()).hexdigest()


def _filas(ruta):
    conexion = sqlite3.connect(ruta)
    try:
        return conexion.execute(
            "SELECT uuid, modelo, tipo, objeto_id, datos, estado FROM operaciones"
        ).fetchall()
    finally:
        conexion.close()


def _sin_cli_sqlite3(monkeypatch):
    """Como en Windows: sin el programa sqlite3 en el PATH, el rescate va fila a fila."""
    monkeypatch.setenv("PATH", "")


def test_sana_y_ausente_pasan(tmp_path):
    assert recuperacion.comprobar_integridad(tmp_path / "no-existe.sqlite")
    ruta = tmp_path / "cola.sqlite"
    crear_cola(ruta, 50)
    assert recuperacion.diagnosticar(ruta) == recuperacion.Integridad(True, "ok")
    assert recuperacion.preparar_ficheros(tmp_path) == []
    assert recuperacion.avisos_pendientes(tmp_path) == []


def test_fichero_ocupado_no_es_corrupto(tmp_path):
    ruta = tmp_path / "cola.sqlite"
    dueno = sqlite3.connect(ruta, isolation_level=None)
    dueno.execute("CREATE TABLE t (a)")
    dueno.execute("BEGIN EXCLUSIVE")
    dueno.execute("INSERT INTO t VALUES (1)")
    try:
        estado = recuperacion.diagnosticar(ruta, espera=0.05)
    finally:
        dueno.execute("ROLLBACK")
        dueno.close()
    assert estado.ok and "ocupada" in estado.detalle


def test_cache_corrupta_se_aparta_y_se_avisa(tmp_path):
    cache = rutas.ruta_cache(tmp_path)
    crear_cola(cache, 800)  # cualquier base con páginas de datos
    estropear_paginas(cache, paginas_de_tabla(cache, "operaciones")[2:5])
    assert not recuperacion.comprobar_integridad(cache)

    avisos = recuperacion.preparar_ficheros(tmp_path)

    assert len(avisos) == 1 and "caché" in avisos[0]
    assert not cache.exists()
    apartadas = list(tmp_path.glob("cache.corrupta-*.sqlite"))
    assert len(apartadas) == 1
    assert recuperacion.avisos_pendientes(tmp_path) == avisos
    # El motor abre una caché nueva, vacía y sana.
    from agente.almacen import sqlite as sqlite_agente

    sqlite_agente.abrir_cache(cache).close()
    assert recuperacion.comprobar_integridad(cache)


def test_caches_apartadas_se_podan(tmp_path):
    cache = tmp_path / "cache.sqlite"
    for _ in range(recuperacion.CACHES_APARTADAS + 2):
        cache.write_bytes(b"basura que no es sqlite" * 500)
        recuperacion.apartar_cache_corrupta(cache)
    assert len(list(tmp_path.glob("cache.corrupta-*"))) == recuperacion.CACHES_APARTADAS


def test_cola_con_paginas_rotas_se_rescata_fila_a_fila(tmp_path, monkeypatch):
    _sin_cli_sqlite3(monkeypatch)
    cola = rutas.ruta_cola(tmp_path)
    originales = crear_cola(cola, 3000)
    hojas = paginas_de_tabla(cola, "operaciones")
    estropear_paginas(cola, hojas[10:13] + hojas[40:41])
    huella_corrupta = _sha(cola)

    avisos = recuperacion.preparar_ficheros(tmp_path)

    # La copia apartada es el fichero corrupto, byte a byte.
    copias = list(tmp_path.glob("cola.corrupta-*.sqlite"))
    assert len(copias) == 1 and _sha(copias[0]) == huella_corrupta
    # La cola rescatada está sana y sólo contiene filas auténticas, sin repetir.
    assert recuperacion.comprobar_integridad(cola)
    rescatadas = _filas(cola)
    assert len({f[0] for f in rescatadas}) == len(rescatadas)
    assert all(originales[f[0]] == f for f in rescatadas)
    # Se pierden como mucho las filas de las 4 hojas rotas (decenas), no el resto.
    assert len(originales) - 200 < len(rescatadas) < len(originales)
    assert len(avisos) == 1 and f"Se rescataron {len(rescatadas)} operaciones" in avisos[0]
    assert "fila a fila" in avisos[0] and copias[0].name in avisos[0]
    conexion = sqlite3.connect(cola)
    assert conexion.execute("PRAGMA user_version").fetchone()[0] == 7
    assert conexion.execute("SELECT ms FROM desfase").fetchall() == [(1250,)]
    indices = {f[0] for f in conexion.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "operaciones_estado" in indices
    conexion.close()
    # Confirmar el aviso lo quita; el siguiente arranque ya no hace nada.
    assert recuperacion.confirmar_avisos(tmp_path) == 1
    assert recuperacion.avisos_pendientes(tmp_path) == []
    assert recuperacion.preparar_ficheros(tmp_path) == []


def test_cola_con_cabecera_destrozada_conserva_la_copia(tmp_path, monkeypatch):
    _sin_cli_sqlite3(monkeypatch)
    cola = rutas.ruta_cola(tmp_path)
    crear_cola(cola, 200)
    estropear_cabecera(cola)
    huella = _sha(cola)

    resultado = recuperacion.rescatar_cola(cola)

    assert resultado.operaciones == 0
    assert _sha(resultado.copia) == huella
    assert recuperacion.comprobar_integridad(cola)
    assert any("catálogo ilegible" in p for p in resultado.problemas)


def test_operaciones_solo_en_el_wal_tras_kill_9_se_rescatan(tmp_path, monkeypatch):
    """Un proceso real confirma operaciones que quedan sólo en el -wal y muere con kill -9;
    luego se estropea el fichero principal: lo confirmado en el WAL se rescata."""
    _sin_cli_sqlite3(monkeypatch)
    cola = rutas.ruta_cola(tmp_path)
    originales = crear_cola(cola, 2000)
    codigo = textwrap.dedent(
        f"""
        import sqlite3, sys, time, uuid
        c = sqlite3.connect({str(cola)!r}, isolation_level=None)
        c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=FULL")
        c.execute("PRAGMA wal_autocheckpoint=0")
        for i in range(50):
            c.execute("INSERT INTO operaciones (uuid, modelo, tipo, objeto_id, datos, estado) "
                      "VALUES (?, 'ventas.Venta', 'crear', ?, '{{}}', 'PENDIENTE')",
                      (str(uuid.UUID(int=10**6 + i)), str(i)))
        print("listo", flush=True)
        time.sleep(60)
        """
    )
    hijo = subprocess.Popen([sys.executable, "-c", codigo], stdout=subprocess.PIPE, text=True)
    try:
        assert hijo.stdout.readline().strip() == "listo"
    finally:
        hijo.send_signal(signal.SIGKILL)
        hijo.wait(timeout=30)
    wal = cola.with_name(cola.name + "-wal")
    assert wal.stat().st_size > 0
    hojas = paginas_de_tabla_sin_wal(cola)
    estropear_paginas(cola, hojas[5:7])

    resultado = recuperacion.rescatar_cola(cola)

    rescatadas = {f[0] for f in _filas(cola)}
    nuevas = {str(uuid.UUID(int=10**6 + i)) for i in range(50)}
    assert nuevas <= rescatadas
    assert rescatadas - nuevas <= set(originales)
    assert resultado.operaciones == len(rescatadas)
    # El -wal original viaja con la copia apartada y no queda junto a la cola rescatada.
    assert not wal.exists()
    assert resultado.copia.with_name(resultado.copia.name + "-wal").stat().st_size > 0


def paginas_de_tabla_sin_wal(cola):
    """Las hojas de ``operaciones`` según el fichero principal, sin tocar el -wal original."""
    copia = cola.with_name("inspeccion.sqlite")
    shutil.copy2(cola, copia)
    try:
        return paginas_de_tabla(copia, "operaciones")
    finally:
        copia.unlink()


def _recover_funciona():
    cli = shutil.which("sqlite3")
    if not cli:
        return False
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        ruta = Path(d) / "p.sqlite"
        sqlite3.connect(ruta).execute("CREATE TABLE t (a)").connection.close()
        salida = subprocess.run([cli, str(ruta), ".recover"], capture_output=True, text=True)
        return salida.stdout.rstrip().endswith("COMMIT;") and "error" not in salida.stderr


def test_cli_recover_roto_cae_a_fila_a_fila(tmp_path):
    """Con el sqlite3 del sistema, funcione su .recover o no, la cola se rescata igual."""
    if not shutil.which("sqlite3"):
        pytest.skip("sin el programa sqlite3 en el PATH: el camino fila a fila ya está probado")
    cola = rutas.ruta_cola(tmp_path)
    originales = crear_cola(cola, 1500)
    estropear_paginas(cola, paginas_de_tabla(cola, "operaciones")[3:5])
    resultado = recuperacion.rescatar_cola(cola)
    rescatadas = _filas(cola)
    assert all(originales[f[0]] == f for f in rescatadas)
    assert len(rescatadas) > 1300
    if _recover_funciona():
        assert resultado.metodo == "sqlite3 .recover"
    else:
        assert resultado.metodo == "fila a fila"
        assert any(".recover falló" in p for p in resultado.problemas)


def test_sondeo_a_saltos_tras_muchos_fallos(tmp_path, monkeypatch):
    """Con el sondeo lineal agotado enseguida, los saltos crecientes siguen encontrando filas
    sanas más allá de la hoja rota (y nunca inventan filas)."""
    _sin_cli_sqlite3(monkeypatch)
    monkeypatch.setattr(recuperacion, "SONDEOS_LINEALES", 2)
    cola = rutas.ruta_cola(tmp_path)
    originales = crear_cola(cola, 3000)
    hojas = paginas_de_tabla(cola, "operaciones")
    estropear_paginas(cola, hojas[20:22])
    resultado = recuperacion.rescatar_cola(cola)
    rescatadas = _filas(cola)
    assert all(originales[f[0]] == f for f in rescatadas)
    assert resultado.operaciones == len(rescatadas) > 2000


def test_cola_en_uso_por_otro_proceso_no_se_rescata(tmp_path, monkeypatch):
    """Si otro proceso vivo tiene la cola abierta (aunque ocioso), rescatarla perdería lo que
    escriba: no se toca y se avisa. Cuando se cierra, el rescate sí ocurre."""
    _sin_cli_sqlite3(monkeypatch)
    cola = rutas.ruta_cola(tmp_path)
    crear_cola(cola, 1500)
    estropear_paginas(cola, paginas_de_tabla(cola, "operaciones")[6:7])
    codigo = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('SELECT ms FROM desfase').fetchall()\n"
        "print('abierta', flush=True)\n"
        "time.sleep(60)\n"
    )
    hijo = subprocess.Popen(
        [sys.executable, "-c", codigo, str(cola)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert hijo.stdout.readline().strip() == "abierta"
        antes = _sha(cola)
        avisos = recuperacion.preparar_ficheros(tmp_path)
        assert len(avisos) == 1 and "abierta por otro proceso" in avisos[0]
        assert _sha(cola) == antes
        assert not list(tmp_path.glob("cola.corrupta-*"))
    finally:
        hijo.kill()
        hijo.wait(timeout=30)
    avisos = recuperacion.preparar_ficheros(tmp_path)
    assert len(avisos) == 1 and "Se rescataron" in avisos[0]
    assert recuperacion.comprobar_integridad(cola)
