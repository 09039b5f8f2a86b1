"""Un diario manipulado en el fichero de la caja (un registro alterado, uno borrado, uno
insertado) se detecta en la central al recibirlo y con ``sincro-central verificar-diario``,
nombrando la terminal y el número; también con ``sincro verificar-diario`` en la caja."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from contextlib import closing

import pytest

from agente.fachada import Agente
from protocolo import diario as formato
from tests.plugins.central import _orden
from tests.sincronizacion.terminales import configurar, sincro

L1 = [{"producto": 1, "cantidad": 1, "precio_unitario": "1.95"}]


def _alterar(c: sqlite3.Connection) -> None:
    c.execute("DROP TRIGGER diario_sin_cambios")
    c.execute(
        "UPDATE diario SET contenido = CAST(replace(CAST(contenido AS TEXT), '\"1.95\"',"
        " '\"0.95\"') AS BLOB) WHERE numero = 2"
    )


def _borrar(c: sqlite3.Connection) -> None:
    c.execute("DROP TRIGGER diario_sin_borrados")
    c.execute("DELETE FROM diario WHERE numero = 2")


def _insertar(c: sqlite3.Connection) -> None:
    """Un registro falso bien sellado, encadenado al nº 1 con el número 2, metido entre el nº 1
    y el nº 2 (rehaciendo la tabla sin sus restricciones, como haría quien manipula)."""
    contenido, huella_1 = c.execute(
        "SELECT contenido, huella FROM diario WHERE numero = 1"
    ).fetchone()
    falso = {**json.loads(contenido), "numero": 2, "total": "0.10"}
    falso["lineas"] = [{**falso["lineas"][0], "precio_unitario": "0.10", "importe": "0.10"}]
    falso["pagos"] = [{"metodo": "efectivo", "importe": "0.10"}]
    sellado = formato.sellar(falso, huella_1)
    c.execute(
        "CREATE TABLE copia (pos INTEGER PRIMARY KEY, serie, numero, tipo, venta, fecha,"
        " huella_anterior, huella, contenido, creado_en)"
    )
    c.execute(
        "INSERT INTO copia SELECT pos * 10, serie, numero, tipo, venta, fecha,"
        " huella_anterior, huella, contenido, creado_en FROM diario"
    )
    c.execute("DROP TABLE diario")
    c.execute("ALTER TABLE copia RENAME TO diario")
    c.execute(
        "INSERT INTO diario VALUES (15, ?, 2, 'venta', ?, ?, ?, ?, ?, ?)",
        (
            sellado["serie"],
            sellado["venta"],
            sellado["fecha"],
            huella_1,
            sellado["huella"],
            formato.canonico(sellado),
            sellado["fecha"],
        ),
    )


@pytest.mark.parametrize(
    ("manipular", "tipos"),
    [
        (_alterar, {"alterado"}),
        (_borrar, {"encadenamiento", "hueco"}),
        (_insertar, {"encadenamiento", "repetido"}),
    ],
    ids=["alterado", "borrado", "insertado"],
)
def test_manipulacion_detectada_en_la_central(central, tmp_path, manipular, tipos):
    terminal = f"caja-{manipular.__name__.strip('_')}"
    datos = tmp_path / terminal
    configurar(
        datos, central, central.tienda, terminal, central.crear_terminal(central.tienda, terminal)
    )
    assert sincro(datos, "sincronizar", "--una-vez").returncode == 0
    with Agente.abrir(datos) as agente:
        for _ in range(3):
            agente.vender(L1)
        serie = agente.resumen_caja()["serie"]
    with closing(sqlite3.connect(datos / "cola.sqlite")) as c:
        manipular(c)
        c.commit()

    r = sincro(datos, "verificar-diario", "--json")
    assert r.returncode == 1
    locales = json.loads(r.stdout)["incidencias"]
    assert any(f"terminal {terminal}, registro {serie}" in i["texto"] for i in locales)

    with Agente.abrir(datos) as agente:
        resumen = agente.sincronizar_una_vez().diario
    # La central guarda lo recibido (es la prueba) y responde con la incidencia nombrada.
    assert resumen.incidencias, resumen
    assert all(f"{serie} nº " in texto for texto in resumen.incidencias)

    r = subprocess.run(
        [
            *_orden(),
            "verificar-diario",
            "--json",
            "--tienda",
            central.tienda,
            "--datos",
            str(central.datos),
        ],
        env=central.entorno,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 1, (r.stdout, r.stderr)
    cadena = next(t for t in json.loads(r.stdout)["terminales"] if t["terminal"] == terminal)
    assert {i["tipo"] for i in cadena["incidencias"]} >= tipos
    assert all(i["serie"] == serie for i in cadena["incidencias"])
    numeros = {i["numero"] for i in cadena["incidencias"]}
    assert numeros & {2, 3}, cadena
