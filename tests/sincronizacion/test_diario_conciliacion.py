"""Verificación completa y conciliación en la central con cajas reales: dos terminales venden
(con tarjeta, una devolución y una anulación), cierran y sincronizan; ``sincro-central
verificar-diario`` y ``conciliar`` cuadran. Una venta que falta en las tablas de ventas de la
central sale nombrada con su caja, día, número y UUID (código 1)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from contextlib import closing

from agente.fachada import Agente
from tests.sincronizacion.terminales import dos_cajas, sincro


def _sincro_central(central, *args: str) -> subprocess.CompletedProcess:
    return central.orden(*args, "--datos", str(central.datos))


def _lineas(producto: int, cantidad: int, precio: str) -> str:
    return json.dumps([{"producto": producto, "cantidad": cantidad, "precio_unitario": precio}])


def _ok(r: subprocess.CompletedProcess) -> dict:
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}


def test_cajas_reales_cuadran_y_la_venta_que_falta_se_nombra(central_factory, tmp_path):
    central = central_factory(demo=20)
    a, b = dos_cajas(central, tmp_path)
    for datos in (a, b):
        _ok(sincro(datos, "sincronizar", "--una-vez"))
    with Agente.abrir(a) as agente:
        precio = agente.obtener("productos.Producto", 3)["precio"]

    ventas_a = [
        _ok(sincro(a, "vender", "--lineas", _lineas(3, 1, precio), "--json")),
        _ok(
            sincro(
                a,
                "vender",
                "--lineas",
                _lineas(3, 2, precio),
                "--pago",
                f"tarjeta:{2 * float(precio):.2f}",
                "--json",
            )
        ),
        _ok(sincro(a, "vender", "--lineas", _lineas(4, 1, precio), "--json")),
    ]
    venta_b = _ok(sincro(b, "vender", "--lineas", _lineas(3, 2, precio), "--json"))
    _ok(sincro(b, "vender", "--lineas", _lineas(5, 1, precio), "--json"))
    r = sincro(
        b, "devolver", f"{venta_b['serie']}/1", "--lineas", '[{"producto": 3, "cantidad": 1}]'
    )
    assert r.returncode == 0, r.stderr
    r = sincro(b, "anular", f"{venta_b['serie']}/2")
    assert r.returncode == 0, r.stderr
    for datos in (a, b):
        _ok(sincro(datos, "sincronizar", "--una-vez"))
    cierres = [_ok(sincro(datos, "cierre", "--json")) for datos in (a, b)]
    for datos in (a, b):
        _ok(sincro(datos, "sincronizar", "--una-vez"))
    dia = cierres[0]["dia"]
    assert cierres[1]["dia"] == dia

    r = _sincro_central(central, "verificar-diario", "--json")
    informe = _ok(r)
    assert informe["incidencias"] == 0
    assert {(t["terminal"], t["registros"]) for t in informe["terminales"]} == {
        ("caja-1", 4),
        ("caja-2", 5),
    }
    informe = _ok(_sincro_central(central, "conciliar", "--fecha", dia, "--json"))
    assert informe["diferencias"] == 0, informe
    por_caja = {t["terminal"]: t for t in informe["terminales"]}
    assert (
        por_caja["caja-1"]["esperado"]["por_metodo"] == por_caja["caja-1"]["recibido"]["por_metodo"]
    )
    assert set(por_caja["caja-1"]["recibido"]["por_metodo"]) == {"efectivo", "tarjeta"}
    assert por_caja["caja-2"]["recibido"]["registros"] == 4

    # La segunda venta de caja-1 desaparece de las tablas de ventas de la central.
    perdida = ventas_a[1]
    uuid_perdida = perdida["venta"]
    with closing(sqlite3.connect(central.datos / "central.sqlite3")) as c, c:
        filas = c.execute(
            "SELECT id FROM ventas_venta WHERE id = ?", (uuid_perdida.replace("-", ""),)
        ).fetchall()
        assert len(filas) == 1, (perdida, filas)
        c.execute("DELETE FROM ventas_lineaventa WHERE venta_id = ?", (filas[0][0],))
        c.execute("DELETE FROM ventas_venta WHERE id = ?", (filas[0][0],))
    r = _sincro_central(central, "conciliar", "--fecha", dia)
    assert r.returncode == 1, r.stdout + r.stderr
    diferencias = [linea for linea in r.stdout.splitlines() if "no en ventas" in linea]
    assert diferencias == [
        f"Tienda {central.tienda}, terminal caja-1, {dia}: la venta nº {perdida['numero']} "
        f"({uuid_perdida}) está en el diario pero no en ventas."
    ], r.stdout
    assert f"Tienda {central.tienda}, terminal caja-2, {dia}: cuadra" in r.stdout
