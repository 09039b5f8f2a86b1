"""Caché real sobre SQLite: esquema local, páginas con cursor, lápidas, reconstrucción en
sombra, búsqueda FTS5 e índices."""

from __future__ import annotations

import copy
import sqlite3

import pytest

from agente.almacen.cache import Cache, ErrorCache, consulta_fts
from protocolo.esquema import ErrorEsquema
from tests.agente.conftest import CLIENTE, PRODUCTO
from tests.agente.conftest import producto as fila_producto


def producto(i, version=None, **cambios):
    return {"modelo": PRODUCTO, **fila_producto(i, version, **cambios)}


def baja(i, version):
    return {"modelo": PRODUCTO, "id": str(i), "version": version, "borrado": True}


@pytest.fixture
def cache(datos_dir, esquema_dict):
    c = Cache(datos_dir / "cache.sqlite")
    c.guardar_esquema(esquema_dict)
    yield c
    c.cerrar()


def test_esquema_local_sobrevive_a_reabrir(datos_dir, esquema_dict):
    with Cache(datos_dir / "cache.sqlite") as cache:
        assert cache.esquema() is None
        guardado = cache.guardar_esquema(esquema_dict)
    with Cache(datos_dir / "cache.sqlite") as cache:
        assert cache.esquema() == guardado
        assert cache.estado_modelo(PRODUCTO)["filas"] == 0


def test_esquema_invalido_no_se_guarda(cache, esquema_dict):
    malo = copy.deepcopy(esquema_dict)
    malo["modelos"][PRODUCTO]["estrategia_conflicto"] = "la_mia"
    with pytest.raises(ErrorEsquema, match="estrategia_conflicto"):
        cache.guardar_esquema(malo)
    assert cache.esquema().modelo(PRODUCTO).estrategia_conflicto == "campo_a_campo"


def test_pagina_y_cursor_juntos(cache):
    assert cache.aplicar_pagina(PRODUCTO, [producto(1), producto(2), producto(3)], "3") == 3
    assert cache.cursor(PRODUCTO) == "3"
    cache.aplicar_pagina(PRODUCTO, [producto(2, 4, precio="2.50"), baja(3, 5)], "5")
    assert cache.fila(PRODUCTO, "2") == (
        {
            "id": 2,
            "nombre": "Producto 2",
            "codigo": "84000002",
            "precio": "2.50",
            "stock": 10,
            "categoria": None,
        },
        4,
    )
    assert cache.fila(PRODUCTO, "3") is None
    estado = cache.estado_modelo(PRODUCTO)
    assert (estado["filas"], estado["cursor"], estado["completo"]) == (2, "5", False)


def test_pagina_fallida_no_mueve_el_cursor(cache):
    cache.aplicar_pagina(PRODUCTO, [producto(1)], "1")
    rota = [producto(2), {"id": "3", "version": 3}]  # sin datos ni borrado
    with pytest.raises((KeyError, TypeError)):
        cache.aplicar_pagina(PRODUCTO, rota, "3")
    assert cache.cursor(PRODUCTO) == "1"
    assert cache.fila(PRODUCTO, "2") is None


def test_version_antigua_no_pisa_a_una_nueva(cache):
    cache.aplicar_pagina(PRODUCTO, [producto(1, 10, precio="9")], "10")
    cache.aplicar_pagina(PRODUCTO, [producto(1, 5, precio="1"), baja(1, 7)], "11")
    assert cache.fila(PRODUCTO, "1")[0]["precio"] == "9"
    cache.aplicar_pagina(PRODUCTO, [producto(1, 6, nombre="Antiguo")], "12")
    # La FTS sigue a la fila que quedó, no a la versión rechazada.
    assert [r[0] for r in cache.buscar(PRODUCTO, "producto")] == ["1"]
    assert cache.buscar(PRODUCTO, "antiguo") == []


def test_ultimo_cambio_de_un_objeto_en_la_pagina_gana(cache):
    cache.aplicar_pagina(PRODUCTO, [producto(1, 1), baja(1, 2), producto(1, 3, nombre="Otra")], "3")
    assert cache.fila(PRODUCTO, "1")[0]["nombre"] == "Otra"


def test_busqueda_por_prefijo_sin_acentos_y_codigo_exacto(cache):
    cache.aplicar_pagina(
        PRODUCTO,
        [
            producto(1, nombre="Café molido"),
            producto(2, nombre="Cafetera"),
            producto(3, nombre="Leche entera", codigo="CAF"),
        ],
        "3",
    )
    ids = [r[0] for r in cache.buscar(PRODUCTO, "caf")]
    assert ids[0] == "3"  # código exacto primero (aunque su nombre no case)
    assert set(ids) == {"1", "2", "3"}
    assert [r[0] for r in cache.buscar(PRODUCTO, "cafe mol")] == ["1"]
    assert [r[0] for r in cache.buscar(PRODUCTO, "84000002")] == ["2"]
    # La FTS sigue a los cambios y a las bajas.
    cache.aplicar_pagina(PRODUCTO, [producto(1, 9, nombre="Té verde"), baja(2, 10)], "10")
    assert [r[0] for r in cache.buscar(PRODUCTO, "cafe")] == []
    assert [r[0] for r in cache.buscar(PRODUCTO, "te")] == ["1"]


def test_consulta_fts_neutraliza_sintaxis():
    assert consulta_fts('coca" OR cola*') == '"coca"* AND "OR"* AND "cola"*'
    assert consulta_fts("  ") == ""


def test_busqueda_con_texto_hostil_no_rompe(cache):
    cache.aplicar_pagina(PRODUCTO, [producto(1)], "1")
    for texto in ['"', "NEAR(", "a AND", "*", "'; DROP TABLE x; --", "ñ"]:
        cache.buscar(PRODUCTO, texto)


def test_reconstruccion_atomica_y_lectores(cache, datos_dir):
    cache.aplicar_pagina(PRODUCTO, [producto(i) for i in range(1, 6)], "5", completo=True)
    lector = sqlite3.connect(datos_dir / "cache.sqlite")
    assert cache.iniciar_reconstruccion(PRODUCTO) is None
    cache.aplicar_pagina(PRODUCTO, [producto(i, 100 + i) for i in range(10, 13)], "112")
    # Durante la reconstrucción la tabla viva no cambia (ni su cursor).
    assert lector.execute("SELECT COUNT(*) FROM m_productos__producto").fetchone()[0] == 5
    assert cache.cursor(PRODUCTO) == "5"
    assert cache.estado_modelo(PRODUCTO)["cursor_reconstruccion"] == "112"
    cache.terminar_reconstruccion(PRODUCTO, "112")
    ids = [r[0] for r in lector.execute("SELECT id FROM m_productos__producto ORDER BY id")]
    assert ids == [10, 11, 12]
    estado = cache.estado_modelo(PRODUCTO)
    assert (estado["cursor"], estado["completo"], estado["reconstruyendo"]) == ("112", True, False)
    assert [r[0] for r in cache.buscar(PRODUCTO, "producto 11")] == ["11"]
    assert cache.buscar(PRODUCTO, "84000011")[0][0] == "11"
    # Los disparadores de la FTS funcionan tras el intercambio.
    cache.aplicar_pagina(PRODUCTO, [producto(11, 200, nombre="Zumo")], "200")
    assert [r[0] for r in cache.buscar(PRODUCTO, "zumo")] == ["11"]
    lector.close()


def test_reconstruccion_interrumpida_se_reanuda(datos_dir, esquema_dict):
    ruta = datos_dir / "cache.sqlite"
    with Cache(ruta) as cache:
        cache.guardar_esquema(esquema_dict)
        cache.aplicar_pagina(PRODUCTO, [producto(1)], "1", completo=True)
        cache.iniciar_reconstruccion(PRODUCTO)
        cache.aplicar_pagina(PRODUCTO, [producto(7, 7)], "7")
    with Cache(ruta) as cache:
        assert cache.iniciar_reconstruccion(PRODUCTO) == "7"
        cache.aplicar_pagina(PRODUCTO, [producto(8, 8)], "8")
        cache.terminar_reconstruccion(PRODUCTO, "8")
        assert sorted(cache.filas(PRODUCTO, ["1", "7", "8"])) == ["7", "8"]


def test_cancelar_reconstruccion_deja_la_viva(cache):
    cache.aplicar_pagina(PRODUCTO, [producto(1)], "1", completo=True)
    cache.iniciar_reconstruccion(PRODUCTO)
    cache.aplicar_pagina(PRODUCTO, [producto(2)], "2")
    cache.cancelar_reconstruccion(PRODUCTO)
    assert cache.cursor(PRODUCTO) == "1" and cache.fila(PRODUCTO, "1") is not None
    with pytest.raises(ErrorCache):
        cache.terminar_reconstruccion(PRODUCTO, "2")


def test_huella_cambiada_exige_reconstruir_con_columnas_nuevas(cache, esquema_dict):
    cache.aplicar_pagina(PRODUCTO, [producto(1)], "1", completo=True)
    assert not cache.necesita_reconstruccion(PRODUCTO)
    nuevo = copy.deepcopy(esquema_dict)
    config = nuevo["modelos"][PRODUCTO]
    config["campos_esenciales"].append("iva")
    config["tipos"]["iva"] = "decimal"
    cache.guardar_esquema(nuevo)
    assert cache.necesita_reconstruccion(PRODUCTO)
    # La tabla vieja se sigue leyendo mientras tanto; no admite páginas incrementales.
    assert cache.fila(PRODUCTO, "1")[0]["nombre"] == "Producto 1"
    with pytest.raises(ErrorCache, match="reconstruir"):
        cache.aplicar_pagina(PRODUCTO, [producto(2)], "2")
    cache.iniciar_reconstruccion(PRODUCTO)
    fila = producto(1, 3)
    fila["datos"]["iva"] = "0.21"
    cache.aplicar_pagina(PRODUCTO, [fila], "3")
    cache.terminar_reconstruccion(PRODUCTO, "3")
    assert cache.fila(PRODUCTO, "1")[0]["iva"] == "0.21"
    assert not cache.necesita_reconstruccion(PRODUCTO)


def _tablas(datos_dir):
    conexion = sqlite3.connect(datos_dir / "cache.sqlite")
    tablas = {f[0] for f in conexion.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conexion.close()
    return tablas


def test_modelo_retirado_del_esquema_se_conserva_hasta_confirmarlo(cache, esquema_dict, datos_dir):
    """Un esquema que omite un modelo una vez no borra su tabla: queda obsoleto (se sigue
    sirviendo y cuenta para «lista para vender»); sólo tras AUSENCIAS_PARA_QUITAR esquemas
    seguidos sin él se borra. Si vuelve antes, deja de estar obsoleto."""
    from agente.almacen.cache import AUSENCIAS_PARA_QUITAR

    nuevo = copy.deepcopy(esquema_dict)
    del nuevo["modelos"]["ventas.LineaVenta"]
    guardado = cache.guardar_esquema(nuevo)
    assert "ventas.LineaVenta" in guardado.modelos
    assert cache.modelos_obsoletos() == {"ventas.LineaVenta"}
    assert cache.estado_modelo("ventas.LineaVenta")["obsoleto"] is True
    assert "m_ventas__lineaventa" in _tablas(datos_dir)
    cache.guardar_esquema(esquema_dict)  # vuelve: deja de estar obsoleto
    assert cache.modelos_obsoletos() == set()
    for _ in range(AUSENCIAS_PARA_QUITAR):
        guardado = cache.guardar_esquema(nuevo)
    assert "ventas.LineaVenta" not in guardado.modelos
    assert "m_ventas__lineaventa" not in _tablas(datos_dir)
    assert "m_ventas__venta" in _tablas(datos_dir)


def test_claves_uuid_y_tipos(cache):
    uuid = "6f1c8a3e-0000-4000-8000-000000000001"
    cache.aplicar_pagina(
        CLIENTE,
        [
            {
                "id": uuid,
                "version": 1,
                "datos": {
                    "id": uuid,
                    "nombre": "Ana Pérez",
                    "nif": "12345678Z",
                    "email": None,
                    "telefono": None,
                    "puntos": 3,
                },
            }
        ],
        "1",
    )
    assert cache.fila(CLIENTE, uuid.upper())[0]["nombre"] == "Ana Pérez"
    assert cache.buscar(CLIENTE, "12345678Z")[0][0] == uuid
    assert cache.buscar(CLIENTE, "perez")[0][0] == uuid
    assert cache.fila(PRODUCTO, "no-es-entero") is None


def test_sin_esquema_mensaje_claro(datos_dir):
    with Cache(datos_dir / "cache.sqlite") as cache, pytest.raises(ErrorCache, match="esquema"):
        cache.aplicar_pagina(PRODUCTO, [], "1")


def test_pragmas_de_la_cache(cache):
    assert cache._escritura.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert cache._escritura.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def comprobar_fts_igual_a_la_tabla(ruta, tabla: str = "m_productos__producto") -> None:
    """El índice FTS (de contenido externo) contiene exactamente el texto de la tabla:
    ``integrity-check`` con rango 1 lo compara fila a fila con la tabla de contenido y falla
    («database disk image is malformed») si sobra, falta o difiere una sola entrada."""
    with sqlite3.connect(ruta) as c:
        c.execute(
            f"INSERT INTO {tabla}__fts ({tabla}__fts, rank) "  # noqa: S608
            "VALUES ('integrity-check', 1)"
        )


def test_comprobacion_de_la_fts_detecta_desajustes(cache, datos_dir):
    """La comprobación que usan las pruebas de la FTS no puede pasar siempre: falla si la tabla
    cambia a espaldas del índice."""
    cache.aplicar_pagina(PRODUCTO, [producto(i, 1) for i in range(1, 11)], "1")
    comprobar_fts_igual_a_la_tabla(datos_dir / "cache.sqlite")
    with sqlite3.connect(datos_dir / "cache.sqlite") as c:
        c.execute("UPDATE m_productos__producto SET nombre = 'Otro' WHERE id = 3")
    with pytest.raises(sqlite3.DatabaseError):
        comprobar_fts_igual_a_la_tabla(datos_dir / "cache.sqlite")


def _cliente(i, version, **cambios):
    datos = {
        "id": f"6f1c8a3e-0000-4000-8000-{i:012d}",
        "nombre": f"Cliente {i}",
        "nif": f"{i:08d}Z",
        "email": None,
        "telefono": None,
        "puntos": 0,
    }
    datos.update(cambios)
    return {"modelo": CLIENTE, "id": datos["id"], "version": version, "datos": datos}


def _baja_cliente(i, version):
    return {
        "modelo": CLIENTE,
        "id": f"6f1c8a3e-0000-4000-8000-{i:012d}",
        "version": version,
        "borrado": True,
    }


@pytest.mark.parametrize(
    ("modelo", "por_pagina", "camino"),
    [
        (PRODUCTO, 60, "disparadores"),
        (PRODUCTO, 400, "reindexar"),
        # Clave uuid: rowid implícito, que SQLite reutiliza al borrar la última fila.
        (CLIENTE, 60, "disparadores"),
        (CLIENTE, 400, "reindexar"),
    ],
)
def test_fts_igual_a_la_tabla_tras_paginas_mezcladas(cache, datos_dir, modelo, por_pagina, camino):
    """Altas, renombres, cambios sin texto, bajas, versiones antiguas y varios cambios del mismo
    objeto en una página, sobre una tabla con datos: tras cada página el índice FTS casa
    exactamente con la tabla. Por los dos caminos de mantenimiento: disparadores (página
    pequeña frente a la tabla) y reindexado completo (página grande)."""
    import random

    alta, quitar = (producto, baja) if modelo == PRODUCTO else (_cliente, _baja_cliente)
    tabla = "m_productos__producto" if modelo == PRODUCTO else "m_clientes__cliente"
    sentencias: list[str] = []
    cache._escritura.set_trace_callback(sentencias.append)
    azar = random.Random(7)
    cache.aplicar_pagina(modelo, [alta(i, 1) for i in range(1, 201)], "1")
    version = 10
    for pagina in range(12):
        cambios = []
        for _ in range(por_pagina):
            version += 1
            i = azar.randint(1, 260)
            suerte = azar.random()
            if suerte < 0.35:
                cambios.append(alta(i, version, nombre=f"Nombre {azar.randint(1, 50)}"))
            elif suerte < 0.65:
                cambios.append(
                    alta(
                        i,
                        version,
                        **(
                            {"stock": azar.randint(0, 9)}
                            if modelo == PRODUCTO
                            else {"puntos": azar.randint(0, 9)}
                        ),
                    )
                )
            elif suerte < 0.8:
                cambios.append(quitar(i, version))
            else:
                cambios.append(alta(i, azar.randint(1, 5), nombre="Versión vieja"))
        sentencias.clear()
        cache.aplicar_pagina(modelo, cambios, str(100 + pagina))
        reindexo = any("'rebuild'" in s for s in sentencias)
        assert reindexo == (camino == "reindexar")
        comprobar_fts_igual_a_la_tabla(datos_dir / "cache.sqlite", tabla)


def test_fts_con_rowid_reutilizado(cache, datos_dir):
    """Clave uuid (rowid implícito): al borrar la última fila, SQLite da su rowid a la
    siguiente que entra. Alta y cambio de nombre de la nueva en la misma página; el índice
    no conserva nada del texto de la fila anterior con ese rowid."""
    tabla = "m_clientes__cliente"
    cache.aplicar_pagina(CLIENTE, [_cliente(i, 1) for i in range(1, 51)], "1")
    rowid_50 = cache._escritura.execute(f"SELECT MAX(rowid) FROM {tabla}").fetchone()[0]  # noqa: S608
    cache.aplicar_pagina(CLIENTE, [_baja_cliente(50, 2)], "2")
    cache.aplicar_pagina(
        CLIENTE,
        [_cliente(60, 3, nombre="Nueva"), _cliente(60, 4, nombre="Otra"), _baja_cliente(49, 5)],
        "3",
    )
    reutilizado = cache._escritura.execute(
        f"SELECT rowid FROM {tabla} WHERE nombre = 'Otra'"  # noqa: S608
    ).fetchone()[0]
    assert reutilizado == rowid_50  # el rowid de la fila borrada en la página anterior
    comprobar_fts_igual_a_la_tabla(datos_dir / "cache.sqlite", tabla)
    assert [f[1]["nombre"] for f in cache.buscar(CLIENTE, "otr")] == ["Otra"]
    assert cache.buscar(CLIENTE, "nueva") == []
    assert [f[1]["nombre"] for f in cache.buscar(CLIENTE, "cliente 5", limite=100)] == ["Cliente 5"]


def test_fts_con_otros_campos_de_busqueda_en_la_misma_conexion(cache, esquema_dict):
    """Las listas temporales de la FTS se crean en cada página: si la central añade un campo
    de búsqueda, la misma ``Cache`` (sin reabrir) reconstruye e indexa el campo nuevo y las
    páginas siguientes lo mantienen."""
    cache.aplicar_pagina(PRODUCTO, [producto(i, 1) for i in range(1, 6)], "1")
    cache.aplicar_pagina(PRODUCTO, [producto(2, 2, nombre="Agua Bezoya")], "2")
    nuevo = copy.deepcopy(esquema_dict)
    nuevo["modelos"][PRODUCTO]["campos_busqueda"] = ["nombre", "codigo"]
    nuevo["modelos"][PRODUCTO]["huella"] = "otra"
    cache.guardar_esquema(nuevo)
    cache.iniciar_reconstruccion(PRODUCTO)
    cache.aplicar_pagina(PRODUCTO, [producto(i, 3) for i in range(1, 6)], "3")
    cache.terminar_reconstruccion(PRODUCTO, "3")
    cache.aplicar_pagina(PRODUCTO, [producto(4, 4, codigo="ZX81", nombre="Zumo")], "4")
    assert [f[0] for f in cache.buscar(PRODUCTO, "zx")] == ["4"]
    assert [f[0] for f in cache.buscar(PRODUCTO, "zum")] == ["4"]
    assert cache.buscar(PRODUCTO, "bezoya") == []
    with sqlite3.connect(cache.ruta) as c:
        c.execute(
            "INSERT INTO m_productos__producto__fts (m_productos__producto__fts, rank) "
            "VALUES ('integrity-check', 1)"
        )
