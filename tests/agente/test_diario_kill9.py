"""``kill -9`` a un proceso real que vende, anula y cierra la caja sin parar: cada venta queda
entera (registro del diario + operaciones de la cola + pagos) o no queda nada, cada anulación
con su stock de vuelta o nada, y la cadena sigue verificando sin huecos."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from agente.fachada import Agente
from tests.agente.conftest import PRODUCTO, esquema_demo_dict, producto

RONDAS = int(os.environ.get("SINCRO_RONDAS_KILL_DIARIO", "8"))
RAIZ = Path(__file__).resolve().parents[2]

VENDEDOR = """
import sys
from agente.fachada import Agente
with Agente.abrir(sys.argv[1]) as agente:
    print("listo", flush=True)
    i = 0
    anterior = None
    while True:
        i += 1
        if i % 25 == 0 or i == 2:  # pronto en cada proceso: también cierra con la máquina lenta
            agente.cerrar_caja(forzar_por="prueba", motivo="kill -9")
            continue
        if i % 4 == 0 and anterior is not None:
            agente.anular(anterior)
            anterior = None
            continue
        ops = agente.vender(
            [{"producto": 1 + i % 3, "cantidad": 1, "precio_unitario": "1.95"},
             {"producto": 1 + (i + 1) % 3, "cantidad": 2, "precio_unitario": "0.50"}],
            pagos=[{"metodo": "tarjeta", "importe": "1.00"},
                   {"metodo": "efectivo", "importe": "1.95"}],
        )
        anterior = ops[0].objeto_id
        print(anterior, flush=True)
"""


def _stock(datos: Path) -> tuple[int, int]:
    """(suma de los ajustes de stock encolados, la que dice el diario: −vendido + anulado)."""
    with closing(sqlite3.connect(datos / "cola.sqlite")) as c:
        encolado = c.execute(
            "SELECT IFNULL(SUM(json_extract(datos, '$.stock')), 0) FROM operaciones"
            " WHERE modelo = 'productos.Producto' AND tipo = 'ajustar'"
        ).fetchone()[0]
        por_tipo = c.execute(
            "SELECT tipo, SUM(json_extract(l.value, '$.cantidad')) FROM diario,"
            " json_each(CAST(contenido AS TEXT), '$.lineas') AS l GROUP BY tipo"
        ).fetchall()
    cantidades = dict(por_tipo)
    return encolado, cantidades.get("anulacion", 0) - cantidades.get("venta", 0)


def _estado(datos: Path) -> tuple[set[str], set[str], set[str], int]:
    """(ventas del diario, ventas en la cola, ventas con pagos, operaciones por venta)."""
    with closing(sqlite3.connect(datos / "cola.sqlite")) as c:
        diario = {v for (v,) in c.execute("SELECT venta FROM diario WHERE tipo = 'venta'")}
        cola = {
            v
            for (v,) in c.execute(
                "SELECT objeto_id FROM operaciones WHERE modelo = 'ventas.Venta' AND tipo = 'crear'"
            )
        }
        pagos = {v for (v,) in c.execute("SELECT venta FROM pagos_venta")}
        lineas = c.execute(
            "SELECT COUNT(*) FROM operaciones WHERE modelo = 'ventas.LineaVenta'"
        ).fetchone()[0]
    return diario, cola, pagos, lineas


def test_kill_9_vendiendo_deja_ventas_enteras_o_nada(tmp_path):
    datos = tmp_path / "terminal"
    with Agente.abrir(datos) as agente:
        agente.guardar_esquema(esquema_demo_dict())
        agente.operaciones.guardar_terminal("T1")
        agente.cache.aplicar_pagina(PRODUCTO, [producto(i) for i in range(1, 4)], "3", True)
    azar = random.Random(int(os.environ.get("SINCRO_SEMILLA", "16")))
    entorno = {**os.environ, "PYTHONPATH": str(RAIZ)}
    confirmadas: set[str] = set()
    for _ronda in range(RONDAS):
        proceso = subprocess.Popen(
            [sys.executable, "-c", VENDEDOR, str(datos)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=entorno,
        )
        assert proceso.stdout.readline().strip() == "listo", proceso.stderr.read()
        time.sleep(azar.uniform(0.05, 0.4))
        proceso.send_signal(signal.SIGKILL)
        salida, _ = proceso.communicate(timeout=30)
        # Lo que el proceso dijo vendido (vender volvió: COMMIT hecho) tiene que estar.
        confirmadas.update(linea for linea in salida.split() if linea)
    diario, cola, pagos, lineas = _estado(datos)
    assert len(confirmadas) > RONDAS  # de verdad vendió entre muerte y muerte
    assert confirmadas <= diario
    assert diario == cola == pagos, (len(diario), len(cola), len(pagos))
    assert lineas == 2 * len(diario)
    encolado, esperado = _stock(datos)
    assert encolado == esperado != 0  # cada anulación con su stock de vuelta, o nada
    with Agente.abrir(datos) as agente:
        assert agente.verificar_diario() == []
        registros = [json.loads(a.contenido) for a in _todos(agente)]
        assert agente.resumen_caja()["sin_confirmar"] >= 0
    assert [r["numero"] for r in registros] == list(range(1, len(registros) + 1))
    tipos = {r["tipo"] for r in registros}
    assert {"venta", "anulacion", "cierre"} <= tipos, tipos


def _todos(agente):
    from agente.almacen import diario

    return list(diario.recorrer(agente.operaciones))
