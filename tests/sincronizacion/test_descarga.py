"""Descarga real: central real -> caché SQLite real, con detección temprana sobre la cola."""

import pytest

from agente.almacen.cache import Cache
from agente.almacen.cola import Cola, NuevaOperacion
from agente.almacen.conflictos import Conflictos
from agente.operacion import CONFLICTO, PENDIENTE
from agente.sincronizacion.cliente import Cliente
from agente.sincronizacion.descarga import Descarga, Detenido
from tests.sincronizacion.terminales import ajuste, cambio

PRODUCTO = "productos.Producto"
EXISTENCIA = "productos.Existencia"


@pytest.fixture
def piezas(tmp_path, central):
    cola = Cola(tmp_path / "cola.sqlite")
    cache = Cache(tmp_path / "cache.sqlite")
    cliente = Cliente(central.url, central.token)
    descarga = Descarga(cache, cola, Conflictos(cola), cliente, tamano_pagina=7)
    yield cola, cache, cliente, descarga
    cache.cerrar()
    cola.cerrar()


def central_entera(cliente, modelo):
    return {c["id"]: c["datos"] for c in cliente.cambios(modelo, None, 100000).cambios}


def cache_entera(cache, modelo):
    """Todas las filas de la caché (por la API de lectura de ``Cache``)."""
    config = cache.esquema().modelo(modelo)
    ids = [
        str(f[0])
        for f in cache._lectora()
        .execute(f'SELECT "{config.clave}" FROM "{config.tabla}"')  # noqa: S608
        .fetchall()
    ]
    return {i: datos for i, (datos, _version) in cache.filas(modelo, ids).items()}


def test_primera_descarga_por_paginas_criticos_primero_e_incremental(piezas, central):
    _cola, cache, cliente, descarga = piezas
    descarga.instantanea = False  # por páginas (la instantánea: test_instantanea.py)
    esquema = descarga.actualizar_esquema()
    resumen = descarga.descargar(esquema)
    assert resumen.modelos[:2] == ["productos.Producto", "clientes.Cliente"] or all(
        esquema.modelo(m).critico for m in resumen.modelos[:2]
    )
    assert resumen.paginas > 7 and resumen.lista_para_vender_offline
    assert cache_entera(cache, PRODUCTO) == central_entera(cliente, PRODUCTO)
    assert cache_entera(cache, EXISTENCIA) == central_entera(cliente, EXISTENCIA)
    cursor = cache.cursor(EXISTENCIA)
    # Cambios en la central -> la siguiente descarga sólo trae esos.
    otro = Cliente(central.url, central.token)
    otro.operaciones([ajuste("3", 2, uuid="5b1f0f3e-0000-4000-8000-000000000001")])
    resumen = descarga.descargar(esquema, [EXISTENCIA])
    assert resumen.filas >= 1 and resumen.paginas == 1 and cache.cursor(EXISTENCIA) != cursor
    assert cache_entera(cache, EXISTENCIA) == central_entera(cliente, EXISTENCIA)


def test_descarga_interrumpida_se_reanuda(piezas, central):
    import threading

    _cola, cache, cliente, descarga = piezas
    descarga.instantanea = False  # se interrumpe entre dos páginas
    esquema = descarga.actualizar_esquema()
    detener = threading.Event()
    original = descarga.cliente.cambios
    llamadas = {"n": 0}

    def cambios(*args, **kwargs):
        llamadas["n"] += 1
        if llamadas["n"] == 3:
            detener.set()
        return original(*args, **kwargs)

    descarga.cliente.cambios = cambios
    with pytest.raises(Detenido):
        descarga.descargar(esquema, detener=detener)
    estado = cache.estado_modelo(PRODUCTO)
    assert estado["reconstruyendo"] and not estado["completo"]
    descarga.cliente.cambios = original
    descarga.descargar(esquema)
    assert cache_entera(cache, PRODUCTO) == central_entera(cliente, PRODUCTO)


def test_deteccion_temprana_fusiona_o_marca_conflicto(piezas, central):
    cola, cache, _cliente, descarga = piezas
    esquema = descarga.actualizar_esquema()
    descarga.descargar(esquema)
    (fila9, v9) = cache.fila(PRODUCTO, "9")
    (fila10, v10) = cache.fila(PRODUCTO, "10")
    # La terminal cambia, sin enviar, el nombre de 9 y la categoría de 10...
    nombre = cola.encolar(
        NuevaOperacion(
            modelo=PRODUCTO,
            objeto_id="9",
            tipo="actualizar",
            datos={"nombre": "Local 9"},
            version_base=v9,
            valores_base={"nombre": fila9["nombre"]},
        )
    )
    categoria = cola.encolar(
        NuevaOperacion(
            modelo=PRODUCTO,
            objeto_id="10",
            tipo="actualizar",
            datos={"categoria": "Local"},
            version_base=v10,
            valores_base={"categoria": fila10["categoria"]},
        )
    )
    # ...y otra terminal cambia en la central el nombre de los dos.
    otro = central.crear_terminal("T001", "caja-otra")
    Cliente(central.url, otro).operaciones(
        [
            cambio(i, {"nombre": f"Central {i}"}, v, f, uuid=u)
            for u, i, v, f in (
                ("5b1f0f3e-0000-4000-8000-000000000009", "9", v9, fila9),
                ("5b1f0f3e-0000-4000-8000-000000000010", "10", v10, fila10),
            )
        ]
    )
    resumen = descarga.descargar(esquema, [PRODUCTO])
    assert resumen.conflictos_tempranos == 1 and resumen.fusiones_tempranas == 1
    assert cola.obtener(nombre.uuid).estado == CONFLICTO
    rebasada = cola.listar(PENDIENTE)[-1]
    assert rebasada.seq == categoria.seq and rebasada.uuid != categoria.uuid
    assert rebasada.version_base > v10 and rebasada.datos == {"categoria": "Local"}
    (conflicto,) = Conflictos(cola).listar()
    assert conflicto.central["nombre"] == "Central 9" and conflicto.local == {"nombre": "Local 9"}
