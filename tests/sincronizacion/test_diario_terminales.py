"""Diario de ventas de extremo a extremo con procesos reales: dos cajas venden sin conexión,
anulan y devuelven; al volver la central, las dos cadenas llegan enteras y verifican sin
incidencias; el cierre se niega sin conexión y se acepta tras sincronizar."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from contextlib import closing

from agente.almacen import diario as almacen_diario
from agente.fachada import Agente
from protocolo import diario as formato
from tests.plugins.central import _orden
from tests.sincronizacion.terminales import configurar, dos_cajas, sincro


def _lineas(*productos: tuple[str, int, str]) -> str:
    return json.dumps(
        [
            {"producto": int(p), "cantidad": n, "precio_unitario": precio}
            for p, n, precio in productos
        ]
    )


def _cadena_en_la_central(central, terminal: str) -> list[tuple]:
    """(serie, numero, huella_anterior, huella, contenido) de una terminal, en orden."""
    with closing(sqlite3.connect(central.datos / "central.sqlite3")) as c:
        return c.execute(
            "SELECT r.serie, r.numero, r.huella_anterior, r.huella, r.contenido"
            " FROM central_registrodiario r JOIN central_terminal t ON t.id = r.terminal_id"
            " WHERE t.codigo = ? ORDER BY r.orden",
            (terminal,),
        ).fetchall()


def _incidencias_en_la_central(central) -> list[tuple]:
    with closing(sqlite3.connect(central.datos / "central.sqlite3")) as c:
        return c.execute(
            "SELECT serie, numero, tipo, detalle FROM central_incidenciadiario"
        ).fetchall()


def _sincro_central_verificar(central) -> dict[str, tuple[int, list]]:
    """``sincro-central verificar-diario --json`` (proceso real): {terminal: (registros,
    incidencias)}; exige código 0 (ninguna incidencia)."""
    r = subprocess.run(
        [*_orden(), "verificar-diario", "--json", "--datos", str(central.datos)],
        env=central.entorno,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, (r.stdout, r.stderr)
    informe = json.loads(r.stdout)
    assert informe["incidencias"] == 0
    return {t["terminal"]: (t["registros"], t["incidencias"]) for t in informe["terminales"]}


def _verificar_en_la_central(central, terminal: str) -> tuple[int, list]:
    cadena = _cadena_en_la_central(central, terminal)
    eslabones = [formato.Eslabon(s, n, a, h, bytes(c)) for s, n, a, h, c in cadena]
    return len(cadena), list(formato.verificar(eslabones))


def test_dos_cajas_sin_conexion_cadena_entera_y_cierre(central_factory, tmp_path):
    central = central_factory(demo=20)
    a, b = dos_cajas(central, tmp_path)
    for datos in (a, b):
        r = sincro(datos, "sincronizar", "--una-vez")
        assert r.returncode == 0, r.stderr
    with Agente.abrir(a) as agente:
        precio = agente.obtener("productos.Producto", 3)["precio"]

    central.detener()  # sin conexión
    for i in range(3):
        r = sincro(a, "vender", "--lineas", _lineas(("3", 1 + i, precio)), "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["numero"] == i + 1
    r = sincro(b, "vender", "--lineas", _lineas(("3", 2, precio), ("4", 1, precio)), "--json")
    assert r.returncode == 0, r.stderr
    venta_b = json.loads(r.stdout)
    r = sincro(
        b, "devolver", f"{venta_b['serie']}/1", "--lineas", '[{"producto": 3, "cantidad": 1}]'
    )
    assert r.returncode == 0 and "Devolución" in r.stdout, r.stderr
    with Agente.abrir(b) as agente:
        # El reloj corregido salta más de un año atrás: la serie y el número siguen.
        agente.operaciones.guardar_desfase_ms(-400 * 86_400_000)
        otra = agente.vender([{"producto": 5, "cantidad": 1, "precio_unitario": precio}])
        registro = agente.registro_de_venta(otra[0].objeto_id)
        assert (registro["serie"], registro["numero"]) == (venta_b["serie"], 3)
    r = sincro(b, "anular", f"{venta_b['serie']}/3")
    assert r.returncode == 0 and "Anulación" in r.stdout, r.stderr

    r = sincro(a, "cierre", "--efectivo-contado", "10.00")
    assert r.returncode == 2, r.stdout
    assert "la central aún no tiene 3 registros del diario" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1

    central.reiniciar()
    for datos in (a, b):
        r = sincro(datos, "sincronizar", "--una-vez")
        assert r.returncode == 0, r.stderr
        with Agente.abrir(datos) as agente:
            assert agente.resumen_caja()["sin_confirmar"] == 0
            assert agente.verificar_diario() == []
    assert _verificar_en_la_central(central, central.terminal) == (3, [])
    assert _verificar_en_la_central(central, "caja-2") == (4, [])
    assert _incidencias_en_la_central(central) == []
    assert _sincro_central_verificar(central) == {central.terminal: (3, []), "caja-2": (4, [])}

    r = sincro(a, "cierre", "--efectivo-contado", "10.00", "--json")
    assert r.returncode == 0, r.stderr
    cierre = json.loads(r.stdout)
    assert (cierre["tipo"], cierre["numero"], cierre["desde"], cierre["hasta"]) == (
        "cierre",
        4,
        1,
        3,
    )
    assert r_sync_ok(a)
    assert _verificar_en_la_central(central, central.terminal) == (4, [])
    assert _incidencias_en_la_central(central) == []
    assert _sincro_central_verificar(central)[central.terminal] == (4, [])
    # Reenviar no duplica: la central ya lo tiene todo («duplicado»).
    with Agente.abrir(a) as agente:
        with agente.operaciones.transaccion() as s:
            s.execute("DELETE FROM diario_confirmado")
            s.execute("DELETE FROM ajustes WHERE clave = ?", (almacen_diario.CONFIRMADOS,))
        resumen = agente.sincronizar_una_vez().diario
        assert (resumen.enviados, resumen.incidencias) == (4, [])
    assert _verificar_en_la_central(central, central.terminal) == (4, [])


def r_sync_ok(datos) -> bool:
    r = sincro(datos, "sincronizar", "--una-vez")
    assert r.returncode == 0, r.stderr
    return True


def test_registros_que_la_central_rechaza_no_se_pierden(central_factory, tmp_path):
    """Un registro con otra tienda (400 de la central): el pase falla con una línea clara,
    nada se marca como confirmado y se sigue reintentando."""
    central = central_factory(demo=5)
    datos = tmp_path / "caja"
    configurar(datos, central, central.tienda, central.terminal, central.token)
    assert sincro(datos, "sincronizar", "--una-vez").returncode == 0
    with Agente.abrir(datos) as agente:
        agente.operaciones.fijar_ajuste(almacen_diario.TIENDA, "otra-tienda")
        agente.vender([{"producto": 1, "cantidad": 1, "precio_unitario": "1.00"}])
    r = sincro(datos, "sincronizar", "--una-vez")
    assert r.returncode != 0
    assert "400" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    with Agente.abrir(datos) as agente:
        assert agente.resumen_caja()["sin_confirmar"] == 1
        assert agente.cola(estado="COMPLETADO")  # las operaciones sí llegaron
    assert _cadena_en_la_central(central, central.terminal) == []
