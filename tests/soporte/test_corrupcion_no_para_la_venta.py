"""La corrupción nunca para una venta (ficheros reales estropeados de verdad).

- Caché: bytes al azar, texto que no es UTF-8, cabecera rota: la caché se aparta, la caja
  sigue encolando con la copia del esquema, las consultas dicen que el catálogo se está
  reconstruyendo y una sincronización contra la central real la rehace.
- Cola (300 operaciones del motor real): 60 bytes al azar, cabecera de 16 bytes rota, fichero
  cortado, raíz del B-árbol rota, un texto que no es UTF-8: se rescata toda fila legible, la
  copia dañada se conserva y ``sincro avisos`` da las cuentas.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from agente.almacen import recuperacion
from agente.almacen.cache import ruta_esquema, ruta_marca_danada
from agente.fachada import Agente
from agente.soporte import rutas
from tests.sincronizacion.terminales import EXISTENCIA, configurar, existencia, sincro
from tests.soporte.corromper import paginas_de_tabla

ESQUEMA = Path(__file__).resolve().parents[1] / "datos" / "esquema_demo.json"
PRODUCTO = "productos.Producto"
N = 300


def _sha(ruta: Path) -> str:
    return hashlib.sha256(ruta.read_bytes()).hexdigest()


def _cola_de_300(datos: Path) -> dict[str, tuple]:
    """Una terminal real con 300 operaciones en su cola, volcadas al fichero principal."""
    with Agente.abrir(datos) as agente:
        agente.guardar_esquema(json.loads(ESQUEMA.read_text(encoding="utf-8")))
        agente.operaciones.guardar_terminal("caja-7")
        agente.operaciones.guardar_desfase_ms(1250)
        for i in range(N):
            agente.ajustar(PRODUCTO, str(i + 1), "stock", -(i % 7 + 1))
    conexion = sqlite3.connect(rutas.ruta_cola(datos))
    conexion.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    filas = {f[1]: f for f in conexion.execute("SELECT * FROM operaciones")}
    conexion.close()
    assert len(filas) == N
    return filas


@pytest.fixture(scope="module")
def plantilla(tmp_path_factory) -> tuple[Path, dict[str, tuple]]:
    datos = tmp_path_factory.mktemp("plantilla") / "terminal"
    return datos, _cola_de_300(datos)


@pytest.fixture
def terminal(plantilla, tmp_path, monkeypatch) -> tuple[Path, dict[str, tuple]]:
    # Como en Windows: sin el programa sqlite3 (su .recover de Debian 3.40 además falla).
    monkeypatch.setenv("PATH", "")
    origen, filas = plantilla
    datos = tmp_path / "terminal"
    shutil.copytree(origen, datos)
    return datos, filas


def _filas(ruta: Path) -> dict[str, tuple]:
    conexion = sqlite3.connect(ruta)
    conexion.text_factory = bytes
    try:
        return {
            (f[1].decode("utf-8", "replace") if isinstance(f[1], bytes) else f[1]): f
            for f in conexion.execute("SELECT * FROM operaciones")
        }
    finally:
        conexion.close()


def _legibles_fila_a_fila(ruta: Path) -> int:
    """Referencia independiente: cuántas operaciones devuelve SQLite pidiéndolas una a una."""
    conexion = sqlite3.connect(f"{ruta.resolve().as_uri()}?mode=ro", uri=True)
    conexion.execute("PRAGMA writable_schema = ON")
    conexion.text_factory = bytes
    legibles = 0
    for seq in range(1, N + 1):
        try:
            if conexion.execute("SELECT * FROM operaciones WHERE seq = ?", (seq,)).fetchone():
                legibles += 1
        except sqlite3.Error:
            pass
    conexion.close()
    return legibles


def _intactas_fila_a_fila(ruta: Path, originales: dict[str, tuple]) -> set[str]:
    """Referencia independiente: las operaciones que, pedidas una a una, se leen iguales a como
    se escribieron (su página no recibió ningún byte dañado)."""
    conexion = sqlite3.connect(f"{ruta.resolve().as_uri()}?mode=ro", uri=True)
    conexion.execute("PRAGMA writable_schema = ON")
    conexion.text_factory = bytes
    intactas = set()
    for seq in range(1, N + 1):
        try:
            fila = conexion.execute("SELECT * FROM operaciones WHERE seq = ?", (seq,)).fetchone()
        except sqlite3.Error:
            continue
        if fila is not None and originales.get(_texto(fila)[1]) == _texto(fila):
            intactas.add(_texto(fila)[1])
    conexion.close()
    return intactas


def _texto(fila: tuple) -> tuple:
    return tuple(v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in fila)


def _rescatar_y_comprobar(datos: Path, originales: dict[str, tuple]) -> dict[str, tuple]:
    cola = rutas.ruta_cola(datos)
    huella = _sha(cola)
    avisos = recuperacion.preparar_ficheros(datos)
    copias = list(datos.glob("cola.corrupta-*.sqlite"))
    assert len(copias) == 1 and _sha(copias[0]) == huella  # la dañada se conserva tal cual
    assert recuperacion.comprobar_integridad(cola)
    rescatadas = _filas(cola)
    assert len(avisos) == 1 and f"Se rescataron {len(rescatadas)} operaciones" in avisos[0]
    return rescatadas


def test_cabecera_de_16_bytes_rota_rescata_las_300(terminal):
    datos, originales = terminal
    cola = rutas.ruta_cola(datos)
    with open(cola, "r+b") as f:
        f.write(bytes(16))
    rescatadas = _rescatar_y_comprobar(datos, originales)
    assert {k: _texto(v) for k, v in rescatadas.items()} == originales
    assert (
        "cabecera reparada"
        in json.loads((datos / recuperacion.FICHERO_AVISOS).read_text())[0]["problemas"][0]
    )
    # La cabecera reparada salva también el resto de la base (ajustes de la terminal).
    with Agente.abrir(datos) as agente:
        assert agente.operaciones.terminal() == "caja-7"
        assert agente.operaciones.desfase_ms() == 1250
    # La caja sigue vendiendo sobre la cola rescatada.
    with Agente.abrir(datos) as agente:
        agente.ajustar(PRODUCTO, "9999", "stock", -1)
        assert len(agente.operaciones.listar(limite=1000)) == N + 1


def test_60_bytes_al_azar_rescata_toda_fila_legible(terminal):
    datos, originales = terminal
    cola = rutas.ruta_cola(datos)
    contenido = bytearray(cola.read_bytes())
    azar = random.Random(1)
    for _ in range(60):
        contenido[azar.randrange(len(contenido))] = azar.randrange(256)
    cola.write_bytes(bytes(contenido))
    legibles = _legibles_fila_a_fila(cola)
    assert 250 < legibles < N  # el daño es real
    intactas_esperadas = _intactas_fila_a_fila(cola, originales)

    rescatadas = _rescatar_y_comprobar(datos, originales)

    # Toda fila legible está rescatada o contada como dañada (no cumple las reglas de la cola).
    danadas = json.loads((datos / recuperacion.FICHERO_AVISOS).read_text())[0]["danadas"]
    assert len(rescatadas) + danadas >= legibles
    intactas = {k for k, v in rescatadas.items() if originales.get(k) == _texto(v)}
    assert intactas_esperadas <= intactas and len(intactas_esperadas) > 250


def test_cola_cortada_rescata_todo_lo_que_queda(terminal):
    datos, originales = terminal
    cola = rutas.ruta_cola(datos)
    contenido = cola.read_bytes()
    shutil.copy2(cola, datos.parent / "original.sqlite")
    cola.write_bytes(contenido[: len(contenido) * 2 // 3])  # a mitad de una página
    conexion = sqlite3.connect(datos.parent / "original.sqlite")
    hojas = [
        f[0]
        for f in conexion.execute(
            "SELECT pageno FROM dbstat WHERE name = 'operaciones' AND pagetype = 'leaf'"
        )
    ]
    conexion.close()

    rescatadas = _rescatar_y_comprobar(datos, originales)

    assert len(rescatadas) >= 100
    assert all(originales[k] == _texto(v) for k, v in rescatadas.items())
    # Cada operación cuya hoja de tabla sigue entera en el fichero cortado está rescatada
    # (el uuid también aparece en las hojas del índice: se cuentan sólo las de la tabla).
    restos = contenido[: len(contenido) * 2 // 3]
    enteras = {p for p in hojas if p * 4096 <= len(restos)}
    presentes = {
        k
        for k in originales
        if any(restos.find(k.encode(), (p - 1) * 4096, p * 4096) >= 0 for p in enteras)
    }
    assert len(presentes) >= 100
    assert presentes <= set(rescatadas)


def test_raiz_rota_se_lee_pagina_a_pagina(terminal):
    """Con la página raíz de ``operaciones`` rota, SQLite no llega a ninguna hoja: el rescate
    lee las hojas del fichero en bruto y salva las 300."""
    datos, originales = terminal
    cola = rutas.ruta_cola(datos)
    conexion = sqlite3.connect(cola)
    raiz = conexion.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'operaciones'"
    ).fetchone()[0]
    conexion.close()
    assert raiz not in paginas_de_tabla(cola, "operaciones")  # es interior, no hoja
    with open(cola, "r+b") as f:
        f.seek((raiz - 1) * 4096)
        f.write(random.Random(3).randbytes(4096))
    assert _legibles_fila_a_fila(cola) == 0

    rescatadas = _rescatar_y_comprobar(datos, originales)

    assert {k: _texto(v) for k, v in rescatadas.items()} == originales
    aviso = recuperacion.avisos_pendientes(datos)[0]
    assert "300 operaciones" in aviso


def test_texto_no_utf8_en_una_fila_no_la_pierde(terminal):
    datos, originales = terminal
    cola = rutas.ruta_cola(datos)
    contenido = bytearray(cola.read_bytes())
    victima = next(iter(originales))
    posicion = contenido.index(b"productos.Producto", contenido.index(victima.encode()))
    contenido[posicion + 3] = 0xFF  # «pro\xffuctos.Producto»
    # Y la cabecera rota para forzar el rescate.
    contenido[:16] = b"\x00" * 16
    cola.write_bytes(bytes(contenido))

    rescatadas = _rescatar_y_comprobar(datos, originales)

    assert set(rescatadas) == set(originales)
    assert b"\xff" in rescatadas[victima][2]


def test_recover_que_salva_menos_no_sustituye(terminal, tmp_path, monkeypatch):
    """Un ``sqlite3 .recover`` que «funciona» pero salva 0 operaciones no gana al rescate
    fila a fila: nunca se pone en su sitio una cola con menos operaciones de las legibles."""
    datos, originales = terminal
    programas = tmp_path / "bin"
    programas.mkdir()
    falso = programas / "sqlite3"
    falso.write_text("#!/bin/sh\necho 'BEGIN;'\necho 'COMMIT;'\n", encoding="utf-8")
    falso.chmod(falso.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(programas))
    cola = rutas.ruta_cola(datos)
    with open(cola, "r+b") as f:
        f.write(bytes(16))

    rescatadas = _rescatar_y_comprobar(datos, originales)

    assert len(rescatadas) == N
    assert "fila a fila" in recuperacion.avisos_pendientes(datos)[0]


def test_sincro_avisos_da_las_cuentas(terminal):
    datos, _ = terminal
    with open(rutas.ruta_cola(datos), "r+b") as f:
        f.write(bytes(16))
    r = sincro(datos, "cola")  # abrir la terminal rescata la cola
    assert r.returncode == 0, r.stderr
    r = sincro(datos, "avisos")
    assert r.returncode == 0, r.stderr
    assert "Se rescataron 300 operaciones" in r.stdout
    assert "cola.corrupta-" in r.stdout


# --- caché ------------------------------------------------------------------------------------


def _cache_con_catalogo(datos: Path, n: int = 2000) -> None:
    with Agente.abrir(datos) as agente:
        agente.guardar_esquema(json.loads(ESQUEMA.read_text(encoding="utf-8")))
        cambios = [
            {
                "id": str(i),
                "version": 1,
                "datos": {
                    "id": i,
                    "nombre": f"Producto ñandú {i}",
                    "codigo": f"84{i:011d}",
                    "precio": "1.50",
                    "stock": 10,
                },
            }
            for i in range(1, n)
        ]
        agente.cache.aplicar_pagina(PRODUCTO, cambios, "c1", completo=True)


def _cache_volcada(datos: Path, n: int) -> Path:
    """``_cache_con_catalogo`` con el WAL volcado al fichero principal; da la ruta de la caché
    (para estropear sus bytes en disco)."""
    _cache_con_catalogo(datos, n)
    cache = rutas.ruta_cache(datos)
    conexion = sqlite3.connect(cache)
    conexion.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conexion.close()
    return cache


@pytest.mark.parametrize("semilla", range(12))
def test_cache_con_bytes_al_azar_nunca_para_la_venta(tmp_path, semilla):
    datos = tmp_path / "terminal"
    _cache_con_catalogo(datos)
    cache = rutas.ruta_cache(datos)
    contenido = bytearray(cache.read_bytes())
    azar = random.Random(semilla)
    for _ in range(60):
        contenido[azar.randrange(len(contenido))] = azar.randrange(256)
    cache.write_bytes(bytes(contenido))

    with Agente.abrir(datos) as agente:
        agente.estado()
        agente.buscar("ñandú")
        agente.listar(PRODUCTO, 0, 5000)
        agente.obtener(PRODUCTO, "7")
        op = agente.ajustar(PRODUCTO, "5", "stock", -1)
        assert agente.operaciones.obtener(op.uuid) is not None


def test_texto_no_utf8_en_la_cache_se_lee_y_se_aparta_al_arrancar(tmp_path):
    """Un byte que no es UTF-8 en un nombre: quick_check no lo ve, la consulta no falla (se
    lee con sustitución), la caché queda marcada y el próximo arranque la aparta."""
    datos = tmp_path / "terminal"
    cache = _cache_volcada(datos, 50)
    contenido = bytearray(cache.read_bytes())
    posicion = contenido.index("Producto ñandú 7".encode())
    contenido[posicion] = 0xFF
    cache.write_bytes(bytes(contenido))
    assert recuperacion.comprobar_integridad(cache)

    with Agente.abrir(datos) as agente:
        resultados = agente.buscar(f"84{7:011d}")
        assert resultados and resultados[0]["datos"]["nombre"].startswith("\ufffd")
    assert ruta_marca_danada(cache).exists()

    with Agente.abrir(datos) as agente:
        estado = agente.estado()
        assert any("caché estaba dañada" in a for a in estado["avisos"])
        assert estado["catalogo_reconstruyendo"] is True
        agente.ajustar(PRODUCTO, "5", "stock", -1)
    assert not ruta_marca_danada(cache).exists()
    assert list(datos.glob("cache.corrupta-*.sqlite"))


def test_esquema_ilegible_al_abrir_aparta_la_cache(tmp_path):
    """Corrupción que quick_check no ve (el JSON del esquema en la caché, roto): abrir no
    falla, la caché se aparta y la copia del esquema deja seguir vendiendo."""
    datos = tmp_path / "terminal"
    _cache_con_catalogo(datos, 10)
    conexion = sqlite3.connect(rutas.ruta_cache(datos))
    conexion.execute("UPDATE _esquema SET json = '{\"modelos\": 7'")
    conexion.commit()
    conexion.close()

    with Agente.abrir(datos) as agente:
        estado = agente.estado()
        assert any("caché estaba dañada" in a for a in estado["avisos"])
        agente.ajustar(PRODUCTO, "5", "stock", -1)


def test_cache_destrozada_se_rehace_desde_la_central_mientras_se_vende(central, tmp_path):
    datos = tmp_path / "terminal"
    configurar(datos, central, central.tienda, central.terminal, central.token)
    r = sincro(datos, "sincronizar", "--una-vez")
    assert r.returncode == 0, r.stderr
    with Agente.abrir(datos) as agente:
        producto = agente.listar(PRODUCTO, 0, 1)[0]
    assert ruta_esquema(rutas.ruta_cache(datos)).exists()
    cache = rutas.ruta_cache(datos)
    with open(cache, "r+b") as f:
        f.write(b"basura" * 20)

    # Sin red todavía: la venta sigue y la búsqueda dice que el catálogo se reconstruye.
    with Agente.abrir(datos) as agente:
        agente.ajustar(EXISTENCIA, existencia(producto["id"]), "cantidad", -1)
        assert agente.estado()["lista_para_vender_offline"] is False
    r = sincro(datos, "buscar", producto["nombre"])
    assert r.returncode == 0, r.stderr
    assert "se está reconstruyendo" in r.stdout

    r = sincro(datos, "sincronizar", "--una-vez")
    assert r.returncode == 0, r.stderr + r.stdout
    with Agente.abrir(datos) as agente:
        estado = agente.estado()
        assert estado["lista_para_vender_offline"] is True
        assert estado["catalogo_reconstruyendo"] is False
        assert estado["cola"]["sin_enviar"] == 0
        assert agente.buscar(producto["nombre"])
    r = sincro(datos, "buscar", producto["nombre"])
    assert "se está reconstruyendo" not in r.stdout


def test_cache_que_se_estropea_en_marcha_no_para_la_venta(tmp_path):
    """Con la terminal abierta, las páginas del catálogo se estropean en disco: la venta se
    encola igual (sin los datos de la caché) y la caché queda marcada para apartarla y
    rehacerla en el próximo arranque."""
    from tests.soporte.corromper import estropear_paginas

    datos = tmp_path / "terminal"
    cache = _cache_volcada(datos, 3000)
    with Agente.abrir(datos) as agente:
        estropear_paginas(cache, paginas_de_tabla(cache, "m_productos__producto"))
        op = agente.ajustar(PRODUCTO, "1500", "stock", -1)
        assert agente.operaciones.obtener(op.uuid) is not None
    assert ruta_marca_danada(cache).exists()
    with Agente.abrir(datos) as agente:
        assert any("caché estaba dañada" in a for a in agente.estado()["avisos"])
        assert agente.operaciones.obtener(op.uuid) is not None
