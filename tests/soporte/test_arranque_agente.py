"""El gancho de arranque en ``Agente.abrir`` con la cola y la caché reales del motor."""

import json
from pathlib import Path

from agente.almacen import recuperacion
from agente.fachada import Agente
from agente.soporte import rutas
from tests.soporte.corromper import estropear_cabecera, estropear_paginas, paginas_de_tabla

ESQUEMA = Path(__file__).resolve().parents[1] / "datos" / "esquema_demo.json"


def _terminal_con_ventas(datos, n):
    with Agente.abrir(datos) as agente:
        agente.guardar_esquema(json.loads(ESQUEMA.read_text(encoding="utf-8")))
        for i in range(n):
            agente.ajustar("productos.Producto", str(i + 1), "stock", -1)
        uuids = {op.uuid for op in agente.operaciones.listar(limite=100000)}
    assert len(uuids) == n
    return uuids


def _tabla_de_operaciones(ruta):
    import sqlite3

    conexion = sqlite3.connect(ruta)
    try:
        tablas = [
            f[0]
            for f in conexion.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
            )
        ]
    finally:
        conexion.close()
    return max(tablas, key=lambda t: len(paginas_de_tabla(ruta, t)))


def test_cache_destrozada_se_reconstruye_y_la_cola_sigue(tmp_path):
    datos = tmp_path / "terminal"
    uuids = _terminal_con_ventas(datos, 20)
    estropear_cabecera(rutas.ruta_cache(datos))

    with Agente.abrir(datos) as agente:
        estado = agente.estado()
        assert len(estado["avisos"]) == 1 and "caché" in estado["avisos"][0]
        # Caché nueva, con la copia del esquema: se reconstruye desde la central y se vende.
        assert estado["tiene_esquema"] is True and estado["catalogo_reconstruyendo"] is True
        assert {op.uuid for op in agente.operaciones.listar(limite=1000)} == uuids
        agente.ajustar("productos.Producto", "1", "stock", -1)


def test_cola_dañada_se_rescata_al_abrir_y_se_avisa(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")  # como en Windows: rescate fila a fila
    datos = tmp_path / "terminal"
    uuids = _terminal_con_ventas(datos, 1500)
    cola = rutas.ruta_cola(datos)
    tabla = _tabla_de_operaciones(cola)
    hojas = paginas_de_tabla(cola, tabla)
    assert len(hojas) >= 4, hojas
    estropear_paginas(cola, hojas[1:2])

    with Agente.abrir(datos) as agente:
        avisos = agente.estado()["avisos"]
        rescatadas = {op.uuid for op in agente.operaciones.listar(limite=100000)}
        assert rescatadas and rescatadas < uuids  # algo se perdió en la hoja rota, nada inventado
        assert len(avisos) == 1 and "cola de operaciones estaba dañada" in avisos[0]
        # La terminal sigue vendiendo sobre la cola rescatada.
        agente.ajustar("productos.Producto", "1", "stock", -1)
    assert len(list(datos.glob("cola.corrupta-*.sqlite"))) == 1
    recuperacion.confirmar_avisos(datos)
    with Agente.abrir(datos) as agente:
        assert agente.estado()["avisos"] == []
