"""``sincro vender`` real (proceso) sobre una terminal sincronizada con la central real: pagos
por defecto y repartidos, pagos que no cuadran (código 2, una línea, nada encolado ni
guardado) y la venta llega a la central con un pase."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

from agente.fachada import Agente
from agente.sincronizacion import credenciales
from agente.sincronizacion.cliente import Cliente
from tests.sincronizacion.terminales import PRODUCTO, existencias_central, sincro

VENTA = "ventas.Venta"


def un_producto(datos, indice: int) -> dict:
    with Agente.abrir(datos) as agente:
        return agente.buscar("a", modelo=PRODUCTO, limite=20)[indice]


def lineas(p: dict, cantidad: int) -> str:
    return json.dumps(
        [{"producto": int(p["id"]), "cantidad": cantidad, "precio_unitario": p["datos"]["precio"]}]
    )


def huella_cola(datos) -> tuple[int, int]:
    with sqlite3.connect(datos / "cola.sqlite") as c:
        return (
            c.execute("SELECT COUNT(*) FROM operaciones").fetchone()[0],
            c.execute("SELECT COUNT(*) FROM pagos_venta").fetchone()[0],
        )


def test_vender_por_la_cli(central, terminal):
    p = un_producto(terminal, 6)
    total = str(Decimal(p["datos"]["precio"]) * 2)
    r = sincro(terminal, "vender", "--lineas", lineas(p, 2), "--json")
    assert r.returncode == 0, r.stderr
    venta = json.loads(r.stdout)
    assert venta["pagos"] == [{"metodo": "efectivo", "importe": venta["total"]}]
    assert Decimal(venta["total"]) == Decimal(total) and venta["numero"] >= 1

    r = sincro(
        terminal,
        "vender",
        "--lineas",
        lineas(p, 1),
        "--pago",
        "tarjeta:0.05",
        "--pago",
        f"efectivo:{Decimal(p['datos']['precio']) - Decimal('0.05')}",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Venta ") and "tarjeta 0.05" in r.stdout

    antes = huella_cola(terminal)
    for pagos, motivo in (
        (["efectivo:0.01"], "Los pagos suman 0.01"),
        (["efectivo"], "METODO:IMPORTE"),
        (["efectivo:abc"], "no es un importe"),
        (["efectivo:1.001"], "dos decimales"),
    ):
        argumentos = [a for pago in pagos for a in ("--pago", pago)]
        r = sincro(terminal, "vender", "--lineas", lineas(p, 1), *argumentos)
        assert r.returncode == 2, (pagos, r.stderr)
        assert motivo in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = sincro(terminal, "vender", "--lineas", "[{", "--json")
    assert r.returncode == 2 and "--lineas" in r.stderr
    assert huella_cola(terminal) == antes

    stock = existencias_central(central)[p["id"]]
    with Agente.abrir(terminal) as agente:  # la vista optimista de la caja ya lo descuenta
        assert agente.existencia(p["id"])["cantidad"] == stock - 3
    assert sincro(terminal, "sincronizar", "--una-vez").returncode == 0
    assert existencias_central(central)[p["id"]] == stock - 3
    token = credenciales.leer_token(terminal, "caja-api")
    ids = {c["id"] for c in Cliente(central.url, token).cambios(VENTA, None, 10000).cambios}
    assert venta["venta"] in ids
    with Agente.abrir(terminal) as agente:
        (op,) = [op for op in agente.cola(modelo=VENTA) if op.objeto_id == venta["venta"]]
        assert op.estado == "COMPLETADO"
