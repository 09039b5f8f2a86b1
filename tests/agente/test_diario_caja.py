"""Diario de ventas en la terminal con ficheros reales: numeración, huellas, una transacción
con pagos y cola, sólo añadir, anulaciones, devoluciones, cierre y verificación."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from agente.almacen import diario as almacen_diario
from agente.caja import CierreBloqueado
from agente.fachada import Agente
from protocolo import diario as formato
from protocolo.esquema import ErrorValor
from tests.agente.conftest import PRODUCTO, producto

L2 = [{"producto": 1, "cantidad": 2, "precio_unitario": "1.95"}]


@pytest.fixture
def agente(agente):
    """El de ``conftest`` como terminal T1 de tienda-1 (las series del diario las llevan)."""
    agente.operaciones.guardar_terminal("T1")
    agente.operaciones.fijar_ajuste(almacen_diario.TIENDA, "tienda-1")
    return agente


def _confirmar_todo(agente):
    almacen_diario.confirmar(
        agente.operaciones,
        [(a.pos, "aceptado", []) for a in almacen_diario.apuntes(agente.operaciones)],
    )


def test_venta_anota_registro_encadenado_y_numerado(agente):
    ops = agente.vender(L2, pagos=[{"metodo": "tarjeta", "importe": "3.90"}])
    venta = ops[0].objeto_id
    r1 = agente.registro_de_venta(venta)
    anio = dt.datetime.now(dt.UTC).year
    assert (r1["serie"], r1["numero"], r1["tienda"], r1["terminal"]) == (
        f"T1-{anio}",
        1,
        "tienda-1",
        "T1",
    )
    assert r1["huella_anterior"] == formato.HUELLA_INICIAL
    assert r1["lineas"] == [
        {"producto": 1, "cantidad": 2, "precio_unitario": "1.95", "importe": "3.90"}
    ]
    assert (r1["total"], r1["pagos"]) == ("3.90", [{"metodo": "tarjeta", "importe": "3.90"}])
    formato.validar_forma(r1)
    assert formato.huella_de(formato.canonico(r1)) == r1["huella"]
    r2 = agente.registro_de_venta(agente.vender(L2)[0].objeto_id)
    assert (r2["numero"], r2["huella_anterior"]) == (2, r1["huella"])
    assert agente.verificar_diario() == []


def test_venta_que_no_cuadra_no_deja_nada(agente):
    with pytest.raises(ErrorValor, match=r"faltan 0\.90"):
        agente.vender(L2, pagos=[{"metodo": "tarjeta", "importe": "3"}])
    with pytest.raises(ErrorValor, match="más de dos decimales"):
        agente.vender([{"producto": 1, "cantidad": 1, "precio_unitario": "1.955"}])
    # Un importe que no cabe (la central no lo guardaría) es un error de una línea, no una
    # excepción de ``decimal``.
    with pytest.raises(ErrorValor, match="demasiado grande"):
        agente.vender([{"producto": 1, "cantidad": 10**20, "precio_unitario": "99999999999"}])
    with pytest.raises(ErrorValor, match="demasiado grande"):
        agente.vender([{"producto": 1, "cantidad": 1, "precio_unitario": "1000000000000"}])
    assert agente.cola() == [] and almacen_diario.contar(agente.operaciones) == 0


def test_fallo_al_encolar_deshace_diario_y_pagos(agente):
    """Pagos, diario y cola van en UNA transacción: si encolar falla (aquí un disparador que
    rechaza insertar operaciones, puesto desde otra conexión), no queda nada."""
    conexion = sqlite3.connect(agente.operaciones.ruta)
    try:
        conexion.execute(
            "CREATE TRIGGER falla BEFORE INSERT ON operaciones"
            " BEGIN SELECT RAISE(ABORT, 'fallo al encolar'); END"
        )
        conexion.commit()
        with pytest.raises(sqlite3.IntegrityError, match="fallo al encolar"):
            agente.vender(L2)
        conexion.execute("DROP TRIGGER falla")
        conexion.commit()
    finally:
        conexion.close()
    with agente.operaciones.lectura() as s:
        assert s.execute("SELECT COUNT(*) FROM pagos_venta").fetchone()[0] == 0
    assert almacen_diario.contar(agente.operaciones) == 0
    assert agente.cola() == []
    assert agente.registro_de_venta(agente.vender(L2)[0].objeto_id)["numero"] == 1


def test_el_diario_rechaza_update_y_delete(agente):
    agente.vender(L2)
    conexion = sqlite3.connect(agente.operaciones.ruta)
    try:
        for sql in ("UPDATE diario SET numero = 7", "DELETE FROM diario"):
            with pytest.raises(sqlite3.IntegrityError, match="sólo admite registros nuevos"):
                conexion.execute(sql)
    finally:
        conexion.close()


def test_reloj_hacia_atras_no_rompe_la_numeracion(agente):
    ahora = dt.datetime(2027, 1, 1, 12, 0, 5, tzinfo=dt.UTC)  # 2027 en cualquier zona
    with agente.operaciones.transaccion() as s:
        primero = almacen_diario.anotar(s, _registro("a"), ahora)
    # El reloj salta un día atrás (al año anterior): la serie y el número siguen.
    with agente.operaciones.transaccion() as s:
        segundo = almacen_diario.anotar(s, _registro("b"), ahora - dt.timedelta(days=1))
    assert (primero["serie"], primero["numero"]) == ("T1-2027", 1)
    assert (segundo["serie"], segundo["numero"]) == ("T1-2027", 2)
    assert segundo["fecha"] < primero["fecha"]  # la fecha dice la verdad del reloj
    assert agente.verificar_diario() == []


def test_fecha_corregida_con_el_desfase(agente):
    agente.operaciones.guardar_desfase_ms(3_600_000)
    ahora = dt.datetime(2026, 5, 1, 10, 0, 0, tzinfo=dt.UTC)
    with agente.operaciones.transaccion() as s:
        registro = almacen_diario.anotar(s, _registro("a"), ahora)
    assert (registro["fecha"], registro["desfase_ms"]) == ("2026-05-01T11:00:00+00:00", 3600000)


def _registro(venta):
    return {
        "tipo": "venta",
        "venta": venta,
        "lineas": [{"producto": 1, "cantidad": 1, "precio_unitario": "1.00", "importe": "1.00"}],
        "total": "1.00",
        "pagos": [{"metodo": "efectivo", "importe": "1.00"}],
    }


def test_anular_y_devolver_son_registros_nuevos_con_stock_de_vuelta(agente):
    venta = agente.vender(
        [
            {"producto": 1, "cantidad": 2, "precio_unitario": "1.95"},
            {"producto": 2, "cantidad": 1, "precio_unitario": "2.50"},
        ],
        pagos=[{"metodo": "tarjeta", "importe": "6.40"}],
    )[0].objeto_id
    original = agente.registro_de_venta(venta)
    assert agente.obtener(PRODUCTO, 1)["stock"] == 8
    dev = agente.devolver(f"{original['serie']}/1", [{"producto": 1, "cantidad": 1}])
    assert (dev["tipo"], dev["numero"], dev["total"]) == ("devolucion", 2, "1.95")
    assert dev["referencia"] == {
        "serie": original["serie"],
        "numero": 1,
        "huella": original["huella"],
    }
    assert dev["pagos"] == [{"metodo": "tarjeta", "importe": "1.95"}]
    assert agente.obtener(PRODUCTO, 1)["stock"] == 9
    with pytest.raises(ErrorValor, match="quedan 1 unidades"):
        agente.devolver(venta, [{"producto": 1, "cantidad": 2}])
    with pytest.raises(ErrorValor, match="ya tiene devoluciones"):
        agente.anular(venta)
    agente.devolver("1", [{"producto": 1, "cantidad": 1}, {"producto": 2, "cantidad": 1}])
    assert agente.obtener(PRODUCTO, 2)["stock"] == 10
    with pytest.raises(ErrorValor, match="no está en esa venta"):
        agente.devolver(venta, [{"producto": 3, "cantidad": 1}])
    otra = agente.vender(L2)[0].objeto_id
    anulacion = agente.anular(otra)
    assert (anulacion["tipo"], anulacion["total"], anulacion["numero"]) == ("anulacion", "3.90", 5)
    with pytest.raises(ErrorValor, match="ya tiene devoluciones o está anulada"):
        agente.anular(otra)
    with pytest.raises(ErrorValor, match="es de tipo anulacion"):
        agente.anular(f"{anulacion['serie']}/5")
    with pytest.raises(ErrorValor, match="No hay ninguna venta"):
        agente.anular("99")
    assert agente.obtener(PRODUCTO, 1)["stock"] == 10
    assert agente.verificar_diario() == []


def test_cierre_bloqueado_hasta_confirmar_y_forzado(agente):
    agente.vender(L2, pagos=[{"metodo": "tarjeta", "importe": "3.90"}])
    agente.vender(L2)
    resumen = agente.resumen_caja()
    assert resumen["ventas"] == 2 and resumen["sin_confirmar"] == 2
    assert resumen["por_metodo"] == {"efectivo": "3.90", "tarjeta": "3.90"}
    with pytest.raises(CierreBloqueado, match="aún no tiene 2 registros del diario") as exc:
        agente.cerrar_caja()
    assert isinstance(exc.value, ErrorValor)
    with pytest.raises(ErrorValor, match="nombre de quien lo fuerza y el motivo"):
        agente.cerrar_caja(forzar_por="Ana")
    assert agente.estado()["diario"]["sin_confirmar"] == 2
    _confirmar_todo(agente)
    assert agente.estado()["diario"] == {"sin_confirmar": 0, "sin_confirmar_desde": None}
    cierre = agente.cerrar_caja(efectivo_contado="4.00")
    formato.validar_forma(cierre)
    assert (cierre["tipo"], cierre["desde"], cierre["hasta"], cierre["ventas"]) == (
        "cierre",
        1,
        2,
        2,
    )
    assert (cierre["total"], cierre["efectivo_declarado"], cierre["diferencia"]) == (
        "7.80",
        "4.00",
        "0.10",
    )
    assert cierre["forzado"] is None
    assert agente.resumen_caja()["ventas"] == 0
    agente.vender(L2)
    forzado = agente.cerrar_caja(forzar_por="Ana", motivo="sin conexión")
    assert forzado["forzado"] == {"por": "Ana", "motivo": "sin conexión"}
    assert (forzado["desde"], forzado["hasta"], forzado["ventas"]) == (4, 4, 1)
    assert agente.verificar_diario() == []


def test_cierre_pendiente_a_la_hora_configurada(agente, datos_dir):
    (datos_dir / "config.json").write_text(
        json.dumps(
            {
                "servidor": "http://127.0.0.1:9",
                "tienda": "tienda-1",
                "terminal": "T1",
                "hora_cierre": "21:30",
            }
        )
    )
    antes = dt.datetime.now().astimezone().replace(hour=21, minute=0)
    despues = antes.replace(hour=22)
    assert not agente.cierre_pendiente(despues)  # nada que cerrar
    agente.vender(L2)
    assert not agente.cierre_pendiente(antes)
    assert agente.cierre_pendiente(despues)
    _confirmar_todo(agente)
    agente.cerrar_caja()
    assert not agente.cierre_pendiente(despues)


def test_verificar_nombra_registro_alterado_borrado_o_insertado(agente):
    for _ in range(3):
        agente.vender(L2)
    serie = agente.resumen_caja()["serie"]
    conexion = sqlite3.connect(agente.operaciones.ruta)
    try:
        conexion.execute("DROP TRIGGER diario_sin_cambios")
        conexion.execute(
            "UPDATE diario SET contenido = CAST(replace(CAST(contenido AS TEXT), '3.90', '1.00')"
            " AS BLOB) WHERE numero = 2"
        )
        conexion.commit()
    finally:
        conexion.close()
    incidencias = agente.verificar_diario()
    assert [(i.tipo, i.numero) for i in incidencias] == [("alterado", 2)]
    assert incidencias[0].texto("T1").startswith(f"terminal T1, registro {serie} nº 2:")


def test_el_arranque_verifica_lo_nuevo_y_una_ventana_de_lo_ya_verificado(agente):
    for _ in range(12):
        agente.vender(L2)
    cola = agente.operaciones
    assert almacen_diario.verificar_reciente(cola, ventana=3) == []
    assert cola.ajuste(almacen_diario.AJUSTE_VERIFICADO) == "12"
    conexion = sqlite3.connect(cola.ruta)
    try:
        conexion.execute("DROP TRIGGER diario_sin_cambios")
        for numero in (2, 11):
            conexion.execute(
                "UPDATE diario SET contenido = CAST(replace(CAST(contenido AS TEXT), '3.90',"
                " '1.00') AS BLOB) WHERE numero = ?",
                (numero,),
            )
        conexion.commit()
    finally:
        conexion.close()
    # La ventana (los 3 últimos ya verificados) ve el nº 11; el nº 2 queda para la completa.
    assert [(i.tipo, i.numero) for i in almacen_diario.verificar_reciente(cola, ventana=3)] == [
        ("alterado", 11)
    ]
    assert [(i.tipo, i.numero) for i in agente.verificar_diario()] == [
        ("alterado", 2),
        ("alterado", 11),
    ]
    assert cola.ajuste(almacen_diario.AJUSTE_VERIFICADO) == "12"  # con incidencias no avanza


def test_borrar_y_renumerar_las_columnas_no_engana(agente):
    """Borrar el nº 2 y renumerar en las columnas el nº 3 como 2 (con la huella anterior del
    nº 1) deja las columnas encadenadas; los bytes sellados del nº 3 siguen diciendo otra cosa."""
    for _ in range(3):
        agente.vender(L2)
    conexion = sqlite3.connect(agente.operaciones.ruta)
    try:
        conexion.execute("DROP TRIGGER diario_sin_cambios")
        conexion.execute("DROP TRIGGER diario_sin_borrados")
        (huella_1,) = conexion.execute("SELECT huella FROM diario WHERE numero = 1").fetchone()
        conexion.execute("DELETE FROM diario WHERE numero = 2")
        conexion.execute(
            "UPDATE diario SET numero = 2, huella_anterior = ? WHERE numero = 3", (huella_1,)
        )
        conexion.commit()
    finally:
        conexion.close()
    assert [(i.tipo, i.numero) for i in agente.verificar_diario()] == [("alterado", 2)]


def test_cierre_por_la_cli_resumen_y_forzado(agente, datos_dir, capsys):
    from agente.cli import main

    agente.vender(L2)
    agente.cerrar()

    def sincro(*argumentos):
        codigo = main(["--datos", str(datos_dir), *argumentos])
        salida = capsys.readouterr()
        return codigo, salida.out, salida.err

    codigo, salida, _ = sincro("cierre", "--resumen")
    assert codigo == 0 and "1 registros (nº 1 a 1), total 3.90" in salida
    assert "1 sin confirmar" in salida
    codigo, _, error = sincro("cierre", "--efectivo-contado", "3.90")
    assert codigo == 2 and "aún no tiene 1 registros" in error
    codigo, _, error = sincro("cierre", "--forzar-por", "Ana")
    assert codigo == 2 and "nombre de quien lo fuerza y el motivo" in error
    codigo, _, error = sincro(
        "cierre", "--efectivo-contado", "3,90", "--forzar-por", "A", "--motivo", "m"
    )
    assert codigo == 2 and "no es un importe" in error
    codigo, salida, _ = sincro(
        "cierre", "--efectivo-contado", "3.50", "--forzar-por", "Ana", "--motivo", "sin red"
    )
    assert codigo == 0 and "diferencia -0.40" in salida and "FORZADO por Ana: sin red" in salida
    codigo, salida, _ = sincro("verificar-diario")
    assert codigo == 0 and "2 registros encadenados" in salida


def test_lineas_del_registro_normalizadas(agente):
    venta = agente.vender(
        [
            {"producto": 2, "cantidad": 1, "precio_unitario": "2"},
            {"producto": 3, "cantidad": 4, "precio_unitario": ".25"},
        ]
    )[0].objeto_id
    registro = agente.registro_de_venta(venta)
    assert registro["lineas"] == [
        {"producto": 2, "cantidad": 1, "precio_unitario": "2.00", "importe": "2.00"},
        {"producto": 3, "cantidad": 4, "precio_unitario": "0.25", "importe": "1.00"},
    ]
    assert registro["total"] == "3.00"
    dev = agente.devolver(venta, [{"producto": "3", "cantidad": 4}])
    assert dev["lineas"][0]["precio_unitario"] == "0.25" and dev["total"] == "1.00"


def test_anular_una_venta_con_el_mismo_producto_a_dos_precios(agente):
    venta = agente.vender(
        [
            {"producto": 1, "cantidad": 1, "precio_unitario": "1.00"},
            {"producto": 1, "cantidad": 1, "precio_unitario": "2.00"},
        ]
    )[0].objeto_id
    with pytest.raises(ErrorValor, match="va a dos precios en esa venta"):
        agente.devolver(venta, [{"producto": 1, "cantidad": 1}])
    anulacion = agente.anular(venta)
    assert anulacion["total"] == "3.00" and len(anulacion["lineas"]) == 2
    assert agente.obtener(PRODUCTO, 1)["stock"] == 10


def test_la_tienda_configurada_llega_a_los_registros_al_abrir(datos_dir, esquema_dict):
    """Una terminal configurada antes de existir el diario: al abrir, la tienda de
    config.json pasa a los ajustes de la cola y a cada registro."""
    (datos_dir / "config.json").write_text(
        json.dumps({"servidor": "http://127.0.0.1:9", "tienda": "T009", "terminal": "caja-9"})
    )
    with Agente.abrir(datos_dir) as agente:
        agente.guardar_esquema(esquema_dict)
        agente.operaciones.guardar_terminal("caja-9")
        agente.cache.aplicar_pagina(PRODUCTO, [producto(1)], "1", completo=True)
        registro = agente.registro_de_venta(agente.vender(L2)[0].objeto_id)
    assert (registro["tienda"], registro["terminal"]) == ("T009", "caja-9")
    assert registro["serie"].startswith("caja-9-")
