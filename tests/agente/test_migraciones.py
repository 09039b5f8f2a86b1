"""Migraciones de las tablas propias, probadas desde cada esquema anterior.

Para cada migración M registrada: se crea una base parada justo antes de M (con una operación
dentro si la tabla ya existe), se abre con ``Cola``/``Cache`` (que migran al abrir) y se
comprueba que el esquema final es idéntico al de una base nueva y que los datos siguen ahí.
Las migraciones que se añadan al registro entran en esta prueba sin tocarla.
"""

from __future__ import annotations

import sqlite3

import pytest

from agente.cache import Cache
from agente.cola import Cola
from agente.migraciones import MIGRACIONES_CACHE, MIGRACIONES_COLA
from agente.sqlite import abrir_cache, abrir_cola, migraciones_aplicadas, migrar

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
        assert migraciones_aplicadas(cola._conexion, MIGRACIONES_COLA) == NOMBRES_COLA
        if tiene_operaciones:
            op = cola.obtener("u-1")
            assert (op.estado, op.datos, op.objeto_id) == ("PENDIENTE", {"stock": -2}, "7")
    assert _esquema(vieja) == _esquema(nueva)


@pytest.mark.parametrize("antes_de", NOMBRES_CACHE)
def test_cache_desde_cada_esquema_anterior(tmp_path, antes_de, esquema_dict):
    nueva = tmp_path / "nueva.sqlite"
    Cache(nueva).cerrar()
    vieja = tmp_path / "vieja.sqlite"
    conexion = abrir_cache(vieja)
    migrar(conexion, MIGRACIONES_CACHE, detener_antes=antes_de)
    conexion.close()
    with Cache(vieja) as cache:
        assert migraciones_aplicadas(cache._escritura, MIGRACIONES_CACHE) == NOMBRES_CACHE
        cache.guardar_esquema(esquema_dict)  # y funciona
    assert {f[1] for f in _esquema(nueva)} <= {f[1] for f in _esquema(vieja)}


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
                {"id": str(i), "version": i,
                 "datos": {"id": i, "nombre": f"Leche Pascual {i}", "codigo": f"84{i:06d}",
                           "precio": "1.00", "stock": 5, "categoria": None}}
                for i in range(1, 301)
            ],
            "300",
            completo=True,
        )
    fts = "m_productos__producto__fts"
    conexion = sqlite3.connect(vieja, isolation_level=None)
    conexion.execute(f"DROP TABLE {fts}")
    conexion.execute(
        f"CREATE VIRTUAL TABLE \"{fts}\" USING fts5(\"nombre\", "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2')"
    )
    conexion.execute("INSERT INTO m_productos__producto__fts (rowid, nombre) "
                     "SELECT rowid, nombre FROM m_productos__producto")
    conexion.execute("DELETE FROM _sqlite_migrations WHERE name = '0002_fts_contenido_externo'")
    conexion.close()

    with Cache(vieja) as cache:
        assert migraciones_aplicadas(cache._escritura, MIGRACIONES_CACHE) == NOMBRES_CACHE
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
