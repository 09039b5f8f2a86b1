"""``Cache.listar``/``Cache.contar``: catálogo paginado para la pestaña Catálogo de la UI
Caché SQLite real con el esquema de demo."""

from __future__ import annotations

import json

import pytest

from agente.almacen.cache import Cache
from tests.agente.conftest import producto

PRODUCTO = "productos.Producto"


@pytest.fixture
def cache(datos_dir, esquema_dict):
    c = Cache(datos_dir / "cache.sqlite")
    c.guardar_esquema(esquema_dict)
    nombres = [
        "Pan de leña",
        "Pan integral",
        "Leche entera",
        "Leche desnatada",
        "Panela",
        "Aceite",
        "Azúcar",
        "Sal",
    ]
    cambios = [
        {
            "id": str(i),
            "version": i,
            "datos": {
                "id": i,
                "nombre": nombre,
                "codigo": f"84{i:011d}",
                "precio": f"{i}.50",
                "stock": i,
                "categoria": None,
            },
        }
        for i, nombre in enumerate(nombres, start=1)
    ]
    # Un producto cuyo código de barras es la palabra buscada: sale primero y sin repetirse.
    cambios.append(
        {
            "id": "9",
            "version": 9,
            "datos": {
                "id": 9,
                "nombre": "Pan rallado",
                "codigo": "pan",
                "precio": "1.00",
                "stock": 0,
                "categoria": None,
            },
        }
    )
    c.aplicar_pagina(PRODUCTO, cambios, "9", completo=True)
    yield c
    c.cerrar()


def ids(filas):
    return [k for k, _datos, _version in filas]


def test_sin_texto_pagina_en_orden_estable(cache):
    assert cache.contar(PRODUCTO) == 9
    todas = ids(cache.listar(PRODUCTO, 0, 100))
    assert todas == [str(i) for i in range(1, 10)]
    paginas = [k for d in (0, 4, 8) for k in ids(cache.listar(PRODUCTO, d, 4))]
    assert paginas == todas
    assert cache.listar(PRODUCTO, 20, 4) == []


def test_texto_exacto_primero_luego_prefijo_sin_repetir(cache):
    filas = cache.listar(PRODUCTO, 0, 50, texto="pan")
    assert ids(filas) == ["9", "1", "2", "5"]
    assert cache.contar(PRODUCTO, "pan") == 4
    assert ids(cache.listar(PRODUCTO, 1, 2, texto="pan")) == ["1", "2"]
    assert ids(cache.listar(PRODUCTO, 3, 2, texto="pan")) == ["5"]
    datos = filas[1][1]
    assert (datos["nombre"], datos["precio"], datos["stock"]) == ("Pan de leña", "1.50", 1)


def test_codigo_de_barras_exacto_y_varias_palabras(cache):
    assert ids(cache.listar(PRODUCTO, 0, 10, texto="8400000000003")) == ["3"]
    assert cache.contar(PRODUCTO, "8400000000003") == 1
    assert ids(cache.listar(PRODUCTO, 0, 10, texto="lec des")) == ["4"]
    assert cache.contar(PRODUCTO, "zzz") == 0
    assert cache.listar(PRODUCTO, 0, 10, texto="zzz") == []


def test_agente_listar_da_valores_optimistas_y_una_entrada_por_fila(datos_dir, esquema_dict):
    from agente.fachada import Agente

    with Agente.abrir(datos_dir) as agente:
        agente.guardar_esquema(esquema_dict)
        agente.cache.aplicar_pagina(
            PRODUCTO,
            [producto(i, nombre=f"Pan {i}", codigo=f"C{i}", precio="1.00") for i in (1, 2, 3)],
            "3",
            completo=True,
        )
        agente.ajustar(PRODUCTO, "2", "stock", -3)
        filas = agente.listar(PRODUCTO, 0, 10)
        assert [(f["id"], f["stock"]) for f in filas] == [(1, 10), (2, 7), (3, 10)]
        assert agente.contar(PRODUCTO) == 3
        assert [f["id"] for f in agente.listar(PRODUCTO, 1, 5, texto="pan")] == [2, 3]
        assert agente.contar(PRODUCTO, "C2") == 1


def test_esquema_guardado_por_otro_proceso_se_ve_sin_reabrir(datos_dir, esquema_dict):
    """La interfaz abre la caché antes de que el proceso de sincronización guarde el esquema y
    descargue: debe verlo sin reabrir."""
    import subprocess
    import sys
    import textwrap

    lectora = Cache(datos_dir / "cache.sqlite")
    try:
        assert lectora.esquema() is None
        codigo = textwrap.dedent(f"""
            import json
            from agente.almacen.cache import Cache
            c = Cache({str(datos_dir / "cache.sqlite")!r})
            c.guardar_esquema(json.loads({json.dumps(json.dumps(esquema_dict))}))
            c.aplicar_pagina("productos.Producto", [{{"id": "1", "version": 1, "datos": {{
                "id": 1, "nombre": "Pan", "codigo": "C1", "precio": "1.00", "stock": 3,
                "categoria": None}}}}], "1", completo=True)
            c.cerrar()
        """)
        subprocess.run([sys.executable, "-c", codigo], check=True)
        assert lectora.esquema() is not None
        assert lectora.estado_modelo(PRODUCTO)["filas"] == 1
        assert lectora.contar(PRODUCTO) == 1
    finally:
        lectora.cerrar()
