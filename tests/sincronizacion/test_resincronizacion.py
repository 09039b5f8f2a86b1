"""Resincronización completa: cursor caducado (410 real de la central tras compactar) y
configuración del modelo cambiada (huella); las operaciones pendientes se conservan."""

import os
import sqlite3
import subprocess

import pytest

from agente.almacen.conflictos import Conflictos
from agente.fachada import Agente
from agente.operacion import PENDIENTE
from agente.sincronizacion.descarga import Descarga
from tests.plugins.central import _orden
from tests.sincronizacion.terminales import (
    EXISTENCIA,
    PRODUCTO,
    configurar,
    existencia,
    productos_cache,
    productos_central,
)


@pytest.fixture
def central_propia(central_factory):
    return central_factory(demo=60)


def descargar(agente, tamano_pagina=25):
    servicio = agente.sincronizacion
    cliente = servicio._obtener_sincronizador().cliente
    descarga = Descarga(
        agente.cache,
        agente.operaciones,
        Conflictos(agente.operaciones),
        cliente,
        tamano_pagina=tamano_pagina,
    )
    return descarga.descargar(descarga.actualizar_esquema())


def manage(central, *argumentos):
    entorno = {**os.environ, "SINCRO_CENTRAL_DATOS": str(central.datos)}
    subprocess.run(
        [*_orden(), *argumentos], env=entorno, check=True, capture_output=True, timeout=120
    )


@pytest.mark.parametrize(
    "tamano_pagina",
    [
        10000,
        25,  # varias páginas: la continuación de la descarga completa no caduca con el horizonte
    ],
)
def test_cursor_caducado_resincroniza_y_conserva_pendientes(
    central_propia, tmp_path, tamano_pagina
):
    central = central_propia
    configurar(tmp_path, central, central.tienda, central.terminal, central.token)
    with Agente.abrir(tmp_path) as agente:
        agente.sincronizar_una_vez()
        pendiente = agente.ajustar(EXISTENCIA, existencia(5), "cantidad", -1)
        stock_local = agente.existencia(5)["cantidad"]
    # Un borrado en la central (el producto y, en cascada, su existencia) y una compactación con
    # retención 0: sus lápidas desaparecen y el horizonte sube por encima del cursor de la
    # terminal.
    manage(
        central,
        "manage",
        "shell",
        "-c",
        "from servidor_demo.productos.models import Producto; "
        "Producto.objects.filter(pk=30).delete()",
    )
    manage(central, "compactar", "--dias", "0", "--datos", str(central.datos))
    with Agente.abrir(tmp_path) as agente:
        resumen = descargar(agente, tamano_pagina)
        assert sorted(resumen.resincronizados) == [EXISTENCIA, PRODUCTO]
        assert agente.operaciones.obtener(pendiente.uuid).estado == PENDIENTE
        assert agente.existencia(5)["cantidad"] == stock_local
        assert agente.obtener(PRODUCTO, "30") is None
        assert agente.existencia(30) is None
    central_final = productos_central(central)
    assert "30" not in central_final
    assert productos_cache(tmp_path) == central_final


def test_huella_cambiada_resincroniza(central_propia, tmp_path):
    central = central_propia
    configurar(tmp_path, central, central.tienda, central.terminal, central.token)
    with Agente.abrir(tmp_path) as agente:
        agente.sincronizar_una_vez()
        pendiente = agente.ajustar(EXISTENCIA, existencia(6), "cantidad", 2)
    with sqlite3.connect(tmp_path / "cache.sqlite") as conexion:  # otra configuración antes
        conexion.execute("UPDATE _modelos SET huella = 'anterior' WHERE modelo = ?", (PRODUCTO,))
    with Agente.abrir(tmp_path) as agente:
        assert not agente.cache.estado_modelo(PRODUCTO)["completo"]
        resumen = descargar(agente)
        assert PRODUCTO in resumen.resincronizados and resumen.lista_para_vender_offline
        assert agente.operaciones.obtener(pendiente.uuid).estado == PENDIENTE
    assert productos_cache(tmp_path) == productos_central(central)
