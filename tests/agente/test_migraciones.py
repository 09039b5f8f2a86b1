"""Migraciones de las tablas propias, probadas desde cada esquema anterior.

Para cada migración M registrada: se crea una base parada justo antes de M (con una operación
dentro si la tabla ya existe; en la caché, con esquema guardado, tablas por modelo y filas si
ya las había), se abre con ``Cola``/``Cache`` (que migran al abrir) y se comprueba que el
esquema final es idéntico al de una base nueva y que los datos siguen ahí.
Las migraciones que se añadan al registro entran en esta prueba sin tocarla (si una cambia el
formato de las tablas por modelo, ``_fts_de_su_epoca`` dice cómo eran antes).
"""

from __future__ import annotations

import sqlite3

import pytest

from agente.almacen.cache import Cache
from agente.almacen.cola import Cola
from agente.almacen.migraciones import MIGRACIONES_CACHE, MIGRACIONES_COLA
from agente.almacen.sqlite import abrir_cache, abrir_cola, migraciones_aplicadas, migrar
from protocolo.esquema import esquema_desde_dict
from tests.agente.conftest import producto

NOMBRES_COLA = [m.name for m in MIGRACIONES_COLA._migrations]
NOMBRES_CACHE = [m.name for m in MIGRACIONES_CACHE._migrations]


def _esquema(ruta) -> list[tuple]:
    conexion = sqlite3.connect(ruta)
    filas = conexion.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations' ORDER BY name"
    ).fetchall()
    conexion.close()
    return filas


def test_nombres_unicos_y_numerados():
    for nombres in (NOMBRES_COLA, NOMBRES_CACHE):
        assert len(set(nombres)) == len(nombres)
        assert nombres == sorted(nombres)


@pytest.mark.parametrize("antes_de", NOMBRES_COLA)
def test_cola_desde_cada_esquema_anterior(tmp_path, antes_de):
    nueva = tmp_path / "nueva.sqlite"
    Cola(nueva).cerrar()

    vieja = tmp_path / "vieja.sqlite"
    conexion = abrir_cola(vieja)
    migrar(conexion, MIGRACIONES_COLA, detener_antes=antes_de)
    assert antes_de not in migraciones_aplicadas(conexion, MIGRACIONES_COLA)
    tiene_operaciones = conexion.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'operaciones'"
    ).fetchone()
    if tiene_operaciones:
        conexion.execute(
            "INSERT INTO operaciones (uuid, modelo, objeto_id, tipo, datos, hora_terminal,"
            " actualizada_en) VALUES ('u-1', 'productos.Producto', '7', 'ajustar',"
            " '{\"stock\": -2}', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"
        )
    conexion.close()

    with Cola(vieja) as cola:
        assert migraciones_aplicadas(cola._bd.conexion, MIGRACIONES_COLA) == NOMBRES_COLA
        if tiene_operaciones:
            op = cola.obtener("u-1")
            assert (op.estado, op.datos, op.objeto_id) == ("PENDIENTE", {"stock": -2}, "7")
    assert _esquema(vieja) == _esquema(nueva)


PRODUCTO = "productos.Producto"
CLIENTE = "clientes.Cliente"
FILAS_PRODUCTO = [
    producto(i, nombre=f"Leche Pascual {i}", precio="1.00", stock=i) for i in range(1, 31)
]
FILAS_CLIENTE = [
    {
        "id": f"00000000-0000-4000-8000-00000000000{i}",
        "version": i,
        "datos": {
            "id": f"00000000-0000-4000-8000-00000000000{i}",
            "nombre": f"Ana Ruiz {i}",
            "nif": f"1234567{i}Z",
            "email": None,
            "telefono": None,
            "puntos": i,
        },
    }
    for i in range(1, 4)
]


def _maestro(ruta) -> list[tuple]:
    """``sqlite_master`` entero (tablas, índices, FTS y sus tablas internas, disparadores)."""
    conexion = sqlite3.connect(ruta)
    filas = conexion.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).fetchall()
    conexion.close()
    return filas


def _con_datos(cache: Cache, esquema_dict: dict) -> None:
    cache.guardar_esquema(esquema_dict)
    cache.aplicar_pagina(PRODUCTO, FILAS_PRODUCTO, "30", completo=True)
    cache.aplicar_pagina(CLIENTE, FILAS_CLIENTE, "c-3", completo=False)


def _fts_de_su_epoca(conexion, nombre: str, sql_actual: str, aplicadas: list[str]) -> None:
    """Crea y rellena la FTS ``nombre`` como la dejaba la caché de la época de ``aplicadas``.
    Si una migración cambia el formato de las tablas por modelo, añada aquí cómo eran antes."""
    tabla = nombre[: -len("__fts")]
    columnas = [f[1] for f in conexion.execute(f'PRAGMA plantilla.table_info("{nombre}")')]
    lista = ", ".join(f'"{c}"' for c in columnas)
    if "0002_fts_contenido_externo" in aplicadas:
        conexion.execute(sql_actual)
        conexion.execute(f'INSERT INTO "{nombre}" ("{nombre}") VALUES (\'rebuild\')')  # noqa: S608
        return
    # Antes de la 0002: el texto copiado dentro de la FTS, con tamaños de columna.
    conexion.execute(
        f'CREATE VIRTUAL TABLE "{nombre}" USING fts5({lista}, '
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2')"
    )
    conexion.execute(
        f'INSERT INTO "{nombre}" (rowid, {lista}) SELECT rowid, {lista} FROM "{tabla}"'  # noqa: S608
    )


def _poner_modelos_y_filas(conexion, plantilla, aplicadas: list[str]) -> None:
    """Copia en la base parada el esquema guardado, las tablas de los modelos (con sus
    índices) y sus filas de ``plantilla``; las FTS, en el formato de su época. (Los nombres
    de las sentencias salen de ``sqlite_master``: de aquí los ``noqa: S608``.)"""
    conexion.execute("ATTACH DATABASE ? AS plantilla", (str(plantilla),))
    objetos = conexion.execute(
        "SELECT type, name, sql FROM plantilla.sqlite_master "
        "WHERE name LIKE 'm\\_%' ESCAPE '\\' AND sql IS NOT NULL ORDER BY rowid"
    ).fetchall()
    fts = {n: sql for _, n, sql in objetos if sql.startswith("CREATE VIRTUAL TABLE")}
    conexion.execute("BEGIN")
    for tipo, nombre, sql in objetos:
        if any(nombre == f or nombre.startswith(f + "_") for f in fts):
            continue  # la FTS y sus tablas internas: abajo
        conexion.execute(sql)
        if tipo == "table":
            conexion.execute(f'INSERT INTO "{nombre}" SELECT * FROM plantilla."{nombre}"')  # noqa: S608
    for tabla in ("_modelos", "_esquema"):
        columnas = ", ".join(
            f'"{f[1]}"' for f in conexion.execute(f'PRAGMA main.table_info("{tabla}")')
        )
        conexion.execute(
            f'INSERT INTO main."{tabla}" ({columnas}) '  # noqa: S608
            f'SELECT {columnas} FROM plantilla."{tabla}"'
        )
    for nombre, sql in fts.items():
        _fts_de_su_epoca(conexion, nombre, sql, aplicadas)
    conexion.execute("COMMIT")
    conexion.execute("DETACH DATABASE plantilla")


@pytest.mark.parametrize("antes_de", NOMBRES_CACHE)
def test_cache_desde_cada_esquema_anterior(tmp_path, antes_de, esquema_dict):
    """Una caché parada antes de M; si en ese punto ya había tablas por modelo, con el esquema
    guardado, filas de dos modelos (clave entera y UUID) y sus FTS como eran entonces. Tras
    abrirla con ``Cache``: mismas filas, cursores y búsquedas, y ``sqlite_master`` idéntico al
    de una caché nueva con el mismo esquema y las mismas filas."""
    nueva = tmp_path / "nueva.sqlite"
    with Cache(nueva) as cache:
        _con_datos(cache, esquema_dict)

    vieja = tmp_path / "vieja.sqlite"
    conexion = abrir_cache(vieja)
    migrar(conexion, MIGRACIONES_CACHE, detener_antes=antes_de)
    aplicadas = migraciones_aplicadas(conexion, MIGRACIONES_CACHE)
    assert antes_de not in aplicadas
    con_modelos = (
        conexion.execute("SELECT 1 FROM sqlite_master WHERE name = '_esquema'").fetchone()
        is not None
    )
    if con_modelos:
        _poner_modelos_y_filas(conexion, nueva, aplicadas)
    conexion.close()

    with Cache(vieja) as cache:
        assert migraciones_aplicadas(cache._escritura, MIGRACIONES_CACHE) == NOMBRES_CACHE
        if not con_modelos:
            assert cache.esquema() is None
            _con_datos(cache, esquema_dict)
        assert cache.esquema().a_dict() == esquema_desde_dict(esquema_dict).a_dict()
        assert (cache.cursor(PRODUCTO), cache.cursor(CLIENTE)) == ("30", "c-3")
        assert cache.estado_modelo(PRODUCTO)["completo"]
        assert not cache.estado_modelo(CLIENTE)["completo"]
        assert cache.fila(PRODUCTO, "7") == (FILAS_PRODUCTO[6]["datos"], 7)
        assert cache.fila(CLIENTE, FILAS_CLIENTE[1]["id"]) == (FILAS_CLIENTE[1]["datos"], 2)
        for fts in ("m_productos__producto__fts", "m_clientes__cliente__fts"):
            cache._escritura.execute(
                f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)"  # noqa: S608
            )
        assert len(cache.buscar(PRODUCTO, "lech pasc", limite=100)) == 30
        assert [f[0] for f in cache.buscar(PRODUCTO, "pascual 29")] == ["29"]
        assert [f[0] for f in cache.buscar(CLIENTE, "ruiz 3")] == [FILAS_CLIENTE[2]["id"]]
    assert _maestro(vieja) == _maestro(nueva)


def test_reabrir_no_vuelve_a_migrar(tmp_path):
    ruta = tmp_path / "cola.sqlite"
    Cola(ruta).cerrar()
    conexion = abrir_cola(ruta)
    assert migrar(conexion, MIGRACIONES_COLA) == []
    conexion.close()


def test_cache_0002_rehace_la_fts_antigua_sin_descargar(tmp_path, esquema_dict):
    """Una caché con la FTS del formato anterior (texto copiado dentro de la FTS, con tamaños
    de columna) y datos: al abrirla, la FTS queda con la misma definición que en una caché
    nueva, indexa exactamente la tabla y la búsqueda funciona; cursor y filas no cambian."""
    nueva = tmp_path / "nueva.sqlite"
    with Cache(nueva) as cache:
        cache.guardar_esquema(esquema_dict)
    vieja = tmp_path / "vieja.sqlite"
    with Cache(vieja) as cache:
        cache.guardar_esquema(esquema_dict)
        cache.aplicar_pagina(
            "productos.Producto",
            [
                producto(i, nombre=f"Leche Pascual {i}", precio="1.00", stock=5)
                for i in range(1, 301)
            ],
            "300",
            completo=True,
        )
    fts = "m_productos__producto__fts"
    conexion = sqlite3.connect(vieja, isolation_level=None)
    conexion.execute(f"DROP TABLE {fts}")
    conexion.execute(
        f'CREATE VIRTUAL TABLE "{fts}" USING fts5("nombre", '
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2')"
    )
    conexion.execute(
        "INSERT INTO m_productos__producto__fts (rowid, nombre) "
        "SELECT rowid, nombre FROM m_productos__producto"
    )
    conexion.execute("DELETE FROM _sqlite_migrations WHERE name = '0002_fts_contenido_externo'")
    conexion.close()

    with Cache(vieja) as cache:
        assert sorted(migraciones_aplicadas(cache._escritura, MIGRACIONES_CACHE)) == sorted(
            NOMBRES_CACHE
        )
        cache._escritura.execute(
            "INSERT INTO m_productos__producto__fts (m_productos__producto__fts, rank) "
            "VALUES ('integrity-check', 1)"
        )
        assert cache.cursor("productos.Producto") == "300"
        assert len(cache.buscar("productos.Producto", "lech pasc", limite=1000)) == 300
        assert [f[0] for f in cache.buscar("productos.Producto", "pascual 299")] == ["299"]
    definicion = [f for f in _esquema(vieja) if f[1] == fts]
    assert definicion == [f for f in _esquema(nueva) if f[1] == fts]
    assert "content = 'm_productos__producto'" in definicion[0][3]
