"""Prioridad dinámica sobre una cola real: sólo cuentan las operaciones de los
últimos 7 días, y ``sincro estado`` (texto y ``--json``) muestra el orden de envío.

Las operaciones «antiguas» se escriben en el fichero de la cola con la misma hora que pondría
el motor (``hora_terminal`` en ISO UTC con microsegundos, como ``cola.ahora_iso``) pero hace
8 días; las recientes, hace 6. Ninguna comparación depende de cuánto tarda la prueba.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from agente.almacen.cola import Cola, NuevaOperacion
from agente.cli import main
from agente.reglas.prioridades import DIAS_VENTANA

RAIZ = Path(__file__).resolve().parents[2]
DEMO = RAIZ / "tests" / "datos" / "esquema_demo.json"
PRODUCTO = "productos.Producto"
CLIENTE = "clientes.Cliente"
VENTA = "ventas.Venta"
LINEA = "ventas.LineaVenta"

FUERA = DIAS_VENTANA + 1  # días: fuera de la ventana
DENTRO = DIAS_VENTANA - 1  # días: dentro


def _encolar(cola: Cola, modelo: str, cuantas: int, tipo: str, datos: dict) -> list[str]:
    return [
        cola.encolar(
            NuevaOperacion(modelo=modelo, objeto_id=f"{modelo}-{i}", tipo=tipo, datos=datos)
        ).uuid
        for i in range(cuantas)
    ]


def _fechar(ruta: Path, uuids: list[str], dias: float) -> None:
    """Pone ``hora_terminal`` de esas operaciones hace ``dias`` días, en el formato del motor."""
    hora = (dt.datetime.now(dt.UTC) - dt.timedelta(days=dias)).isoformat(timespec="microseconds")
    conexion = sqlite3.connect(ruta)
    with conexion:
        conexion.executemany(
            "UPDATE operaciones SET hora_terminal = ? WHERE uuid = ?", [(hora, u) for u in uuids]
        )
    conexion.close()


def _llenar(ruta: Path, esquema) -> None:
    """Cliente: 3 operaciones de hace 8 días. Producto: 1 de hace 6. Venta: 2 de hace 6.
    LineaVenta: 5 de hace 8. Contando todo, Cliente iría antes que Producto y LineaVenta antes
    que Venta; contando sólo 7 días, al revés."""
    with Cola(ruta) as cola:
        cola.configurar_modelos(esquema.modelos.values())
        clientes = _encolar(cola, CLIENTE, 3, "actualizar", {"nombre": "x"})
        productos = _encolar(cola, PRODUCTO, 1, "ajustar", {"stock": -1})
        ventas = _encolar(cola, VENTA, 2, "crear", {"total": "1"})
        lineas = _encolar(cola, LINEA, 5, "crear", {"cantidad": 1})
        antes = cola.prioridades()
    # Recién encoladas todas cuentan: así sería el orden sin la ventana.
    assert antes[CLIENTE].rango == 1 and antes[LINEA].rango == 3
    _fechar(ruta, clientes + lineas, FUERA)
    _fechar(ruta, productos + ventas, DENTRO)


def test_las_operaciones_de_hace_mas_de_7_dias_no_cuentan(datos_dir, esquema):
    ruta = datos_dir / "cola.sqlite"
    _llenar(ruta, esquema)
    with Cola(ruta) as cola:
        cola.configurar_modelos(esquema.modelos.values())
        rangos = cola.prioridades()
        assert {m: (p.rango, p.operaciones_recientes) for m, p in rangos.items()} == {
            PRODUCTO: (1, 1),
            CLIENTE: (2, 0),  # sin operaciones recientes: detrás pese a declarar 5 < 10
            VENTA: (3, 2),
            LINEA: (4, 0),
        }
        # Siguen en la cola (la ventana sólo cambia el orden) y se envían en ese orden.
        lote = cola.preparar_envio()
    assert len(lote) == 11
    assert [op.modelo for op in lote[:4]] == [PRODUCTO, CLIENTE, CLIENTE, CLIENTE]


def test_sincro_estado_muestra_el_orden_de_envio(datos_dir, esquema):
    assert main(["--datos", str(datos_dir), "esquema", "--cargar", str(DEMO)]) == 0
    _llenar(datos_dir / "cola.sqlite", esquema)
    entorno = {**os.environ, "PYTHONPATH": str(RAIZ)}
    entorno.pop("SINCRO_DATOS", None)
    codigo = "import sys; from agente.cli import main; sys.exit(main(sys.argv[1:]))"

    def estado(*extra: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", codigo, "--datos", str(datos_dir), "estado", *extra],
            capture_output=True,
            text=True,
            env=entorno,
            check=True,
        ).stdout

    modelos = json.loads(estado("--json"))["modelos"]
    assert {m: (v["prioridad_dinamica"], v["operaciones_7d"]) for m, v in modelos.items()} == {
        PRODUCTO: (1, 1),
        CLIENTE: (2, 0),
        VENTA: (3, 2),
        LINEA: (4, 0),
    }
    assert modelos[PRODUCTO]["critico"] and not modelos[VENTA]["critico"]
    lineas = estado().splitlines()
    assert (
        "Orden de envío (críticos primero, luego más operaciones en 7 días): "
        "1. productos.Producto, 2. clientes.Cliente, 3. ventas.Venta, 4. ventas.LineaVenta"
    ) in lineas
    (producto,) = [linea for linea in lineas if linea.startswith(f"  {PRODUCTO}:")]
    assert "crítico, prioridad 1 (1 ops/7 días)" in producto
