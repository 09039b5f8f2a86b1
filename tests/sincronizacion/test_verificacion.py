"""Verificación de la caché contra la central: una caché editada o dañada a espaldas de la
terminal (precio cambiado a mano, fila borrada, fila inventada) converge re-descargando sólo
los cubos distintos, sin resincronizar; lo reparado se ve en ``sincro estado`` y en la salud de
la terminal en la central. Con SQLite y con PostgreSQL en la central."""

from __future__ import annotations

import json
import sqlite3

import pytest

from agente.fachada import Agente
from tests.central.conftest import PG_URL, base_pg_nueva, sql
from tests.sincronizacion.terminales import (
    PRODUCTO,
    configurar,
    estado_json,
    productos_cache,
    productos_central,
    sincro,
    tabla_en_cache,
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def central_verificable(request, central_factory):
    if request.param == "sqlite":
        yield central_factory(demo=300)
        return
    if not PG_URL:
        pytest.skip("SINCRO_PG_URL no está definida (CI la define tras arrancar PostgreSQL)")
    with base_pg_nueva() as url:
        yield central_factory(demo=300, entorno={"DATABASE_URL": url})


def _dañar(datos, central_productos: dict) -> None:
    tabla = tabla_en_cache(datos)
    cache = sqlite3.connect(datos / "cache.sqlite")
    cache.execute(f'UPDATE "{tabla}" SET precio = ? WHERE id = 7', ("0.01",))  # noqa: S608
    cache.execute(f'UPDATE "{tabla}" SET precio = 3.5 WHERE id = 8')  # noqa: S608 (número)
    cache.execute(
        f'UPDATE "{tabla}" SET nombre = ?, "_version" = 999999999 WHERE id = 9',  # noqa: S608
        ("Nombre inventado",),
    )
    cache.execute(f'DELETE FROM "{tabla}" WHERE id IN (10, 11)')  # noqa: S608
    cache.execute(
        f'INSERT INTO "{tabla}" (id, nombre, codigo, precio, categoria, '  # noqa: S608
        '"_version") VALUES (987654, ?, ?, ?, NULL, 1)',
        ("Fantasma", "0000000000000", "1.00"),
    )
    cache.commit()
    cache.close()
    assert productos_cache(datos) != central_productos


def test_cache_dañada_converge_sin_resincronizar(central_verificable, tmp_path):
    central = central_verificable
    configurar(tmp_path, central, central.tienda, central.terminal, central.token)
    with Agente.abrir(tmp_path) as agente:
        resumen = agente.sincronizar_una_vez()
        # La primera descarga no se verifica (nada pudo separarse aún): no la encarece.
        assert resumen.verificacion is None
        cursor = agente.cache.cursor(PRODUCTO)
    esperado = productos_central(central)
    assert productos_cache(tmp_path) == esperado
    _dañar(tmp_path, esperado)

    r = sincro(tmp_path, "verificar", "--json")
    assert r.returncode == 0, r.stderr
    informe = json.loads(r.stdout)
    producto = next(m for m in informe["modelos"] if m["modelo"] == PRODUCTO)
    assert producto["reparadas"] == 6  # 3 editadas, 2 borradas, 1 inventada
    assert producto["cubos_distintos"] <= 6
    # Sólo esos cubos (unas 10 filas cada uno), no el modelo entero.
    assert 6 <= producto["filas_descargadas"] < len(esperado) // 3
    assert productos_cache(tmp_path) == esperado
    with Agente.abrir(tmp_path) as agente:
        # Sin resincronizar: el cursor incremental sigue donde estaba (en PostgreSQL la marca
        # de agua pudo avanzar) y el modelo sigue completo.
        nuevo = agente.cache.cursor(PRODUCTO)
        assert [int(p) for p in nuevo.split(".")] >= [int(p) for p in cursor.split(".")]
        assert not agente.cache.necesita_reconstruccion(PRODUCTO)
        # También la búsqueda: ni el inventado ni el nombre falso; sí el de verdad.
        assert agente.buscar("Fantasma", PRODUCTO) == []
        assert agente.buscar("Nombre inventado", PRODUCTO) == []
        nombre = esperado["9"]["nombre"]
        assert "9" in {str(f["id"]) for f in agente.buscar(nombre, PRODUCTO)}
    # Otra verificación ya no encuentra nada.
    r = sincro(tmp_path, "verificar")
    assert r.returncode == 0 and "0 filas reparadas" in r.stdout.splitlines()[-1], r.stdout
    estado = estado_json(tmp_path)
    assert estado["verificacion"]["reparadas"] == 0
    texto = sincro(tmp_path, "estado").stdout
    assert "Última verificación de la caché:" in texto
    # La central guarda en la salud de la terminal la última verificación.
    filas = sql(
        central,
        "SELECT s.reparadas, s.verificado_en FROM central_saludterminal s "
        "JOIN central_terminal t ON t.id = s.terminal_id WHERE t.codigo = ?",
        (central.terminal,),
    )
    assert filas and filas[0][0] == 0 and filas[0][1] is not None


def test_el_pase_verifica_cada_intervalo(central_factory, tmp_path):
    """El bucle de sincronización verifica solo, cada ``intervalo_verificacion``: la primera
    vez, un intervalo después del primer pase."""
    import time

    central = central_factory(demo=50)
    configurar(
        tmp_path,
        central,
        central.tienda,
        central.terminal,
        central.token,
        intervalo_verificacion=3.0,
    )
    with Agente.abrir(tmp_path) as agente:
        assert agente.sincronizar_una_vez().verificacion is None
    esperado = productos_central(central)
    _dañar(tmp_path, esperado)
    time.sleep(3.1)
    with Agente.abrir(tmp_path) as agente:
        resumen = agente.sincronizar_una_vez()
        assert resumen.verificacion is not None and resumen.verificacion["reparadas"] == 6
        assert agente.sincronizar_una_vez().verificacion is None  # hasta el próximo intervalo
    assert productos_cache(tmp_path) == esperado
