"""``sincro-central verificar-diario``, ``exportar-diario`` y ``conciliar`` como procesos reales
contra la base de una central en marcha (SQLite y PostgreSQL), con el diario recibido por
``POST /v1/diario`` y, para la alteración, la base cambiada a mano después."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import uuid

from protocolo import diario

from . import diario_util as du
from .conftest import Api, op, sql

DIA = "2026-12-03"


def sincro_central(central, *args: str) -> subprocess.CompletedProcess:
    return central.orden(*args, "--datos", str(central.datos))


def escribir(central, consulta: str, params: tuple = ()) -> None:
    """Cambia la base de la central a mano (como lo haría alguien con acceso a ella)."""
    url_pg = central.entorno.get("DATABASE_URL")
    if url_pg:
        import psycopg

        with psycopg.connect(url_pg) as c:
            c.execute(consulta.replace("?", "%s"), params)
        return
    conexion = sqlite3.connect(central.datos / "central.sqlite3", timeout=30)
    try:
        with conexion:
            conexion.execute(consulta, params)
    finally:
        conexion.close()


def _caja(central, tienda: str | None = None) -> tuple[Api, str, str]:
    tienda = tienda or f"T{uuid.uuid4().hex[:6]}"
    codigo = f"caja-{uuid.uuid4().hex[:6]}"
    return Api(central.url, central.crear_terminal(tienda, codigo)), tienda, codigo


def _id_registro(central, terminal: str, numero: int) -> int:
    return sql(
        central,
        "SELECT r.id FROM central_registrodiario r JOIN central_terminal t "
        "ON t.id = r.terminal_id WHERE t.codigo = ? AND r.numero = ? ORDER BY r.orden",
        (terminal, numero),
    )[0][0]


def test_verificar_diario_limpio_y_luego_alterado_borrado_e_insertado_en_la_base(central):
    api, tienda, caja = _caja(central)
    registros = du.cadena(du.ventas(tienda, caja, 8))
    api.post("/v1/diario", {"registros": registros})
    r = sincro_central(central, "verificar-diario", "--tienda", tienda)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "8 registros de 1 terminales, 0 incidencias" in r.stdout

    # Alguien cambia el total del nº 3 en la base (contenido), borra el nº 5 e inserta uno
    # nuevo bien sellado detrás del 7 con el número 8 ya usado.
    id3 = _id_registro(central, caja, 3)
    contenido = diario.canonico(dict(registros[2], total="0.10"))
    if central.entorno.get("DATABASE_URL"):
        escribir(
            central,
            "UPDATE central_registrodiario SET contenido = ? WHERE id = ?",
            (contenido, id3),
        )
    else:
        escribir(
            central,
            "UPDATE central_registrodiario SET contenido = ? WHERE id = ?",
            (sqlite3.Binary(contenido), id3),
        )
    escribir(
        central,
        "DELETE FROM central_registrodiario WHERE id = ?",
        (_id_registro(central, caja, 5),),
    )
    r = sincro_central(central, "verificar-diario", "--tienda", tienda, "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    informe = json.loads(r.stdout)
    [terminal] = informe["terminales"]
    assert terminal["terminal"] == caja and terminal["registros"] == 7
    tipos = {(i["tipo"], i["numero"]) for i in terminal["incidencias"]}
    assert tipos == {("alterado", 3), ("encadenamiento", 6), ("hueco", 6)}
    texto = sincro_central(central, "verificar-diario", "--tienda", tienda)
    assert texto.returncode == 1
    assert (
        f"Tienda {tienda}, terminal {caja}, registro {caja}-2026 nº 3: "
        "su contenido no da su huella." in texto.stdout
    )
    assert f"terminal {caja}, registro {caja}-2026 nº 6:" in texto.stdout
    assert "incidencias" in texto.stderr
    # Quedan anotadas para el admin, una sola vez aunque se verifique dos veces.
    anotadas = sql(
        central,
        "SELECT tipo, numero FROM central_incidenciadiario i JOIN central_terminal t "
        "ON t.id = i.terminal_id WHERE t.codigo = ? AND origen = 'verificacion'",
        (caja,),
    )
    assert sorted(anotadas) == [("alterado", 3), ("encadenamiento", 6), ("hueco", 6)]


def test_verificar_diario_ve_columnas_cambiadas_para_tapar_un_borrado(central):
    """Borrar el nº 2 y «arreglar» las columnas del nº 3 (huella_anterior, número) sin tocar sus
    bytes sellados no pasa inadvertido."""
    api, tienda, caja = _caja(central)
    registros = du.cadena(du.ventas(tienda, caja, 4))
    api.post("/v1/diario", {"registros": registros})
    escribir(
        central,
        "DELETE FROM central_registrodiario WHERE id = ?",
        (_id_registro(central, caja, 2),),
    )
    escribir(
        central,
        "UPDATE central_registrodiario SET huella_anterior = ?, numero = 2 WHERE id = ?",
        (registros[0]["huella"], _id_registro(central, caja, 3)),
    )
    r = sincro_central(central, "verificar-diario", "--tienda", tienda, "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    incidencias = json.loads(r.stdout)["terminales"][0]["incidencias"]
    assert {"tipo": "alterado", "serie": f"{caja}-2026", "numero": 2} in [
        {k: i[k] for k in ("tipo", "serie", "numero")} for i in incidencias
    ]


def test_verificar_diario_desde_un_dia(central):
    api, tienda, caja = _caja(central)
    ayer = du.ventas(tienda, caja, 3, dia="2026-12-02")
    hoy = du.ventas(tienda, caja, 3, desde=4, dia=DIA)
    registros = du.cadena(ayer + hoy)
    api.post("/v1/diario", {"registros": registros})
    escribir(
        central,
        "DELETE FROM central_registrodiario WHERE id = ?",
        (_id_registro(central, caja, 1),),
    )
    completo = sincro_central(central, "verificar-diario", "--tienda", tienda)
    assert completo.returncode == 1
    desde_hoy = sincro_central(
        central, "verificar-diario", "--tienda", tienda, "--desde", DIA, "--json"
    )
    assert desde_hoy.returncode == 0, desde_hoy.stdout
    assert json.loads(desde_hoy.stdout)["registros"] == 3
    malo = sincro_central(central, "verificar-diario", "--desde", "ayer")
    assert malo.returncode == 2 and "Fecha no válida" in malo.stderr


def test_exportar_diario_csv_y_json_verificable(central):
    api, tienda, caja = _caja(central)
    registros = du.cadena(
        [
            du.venta(tienda, caja, 1, "3.90"),
            du.venta(tienda, caja, 2, "10.00", metodo="tarjeta"),
            du.venta(tienda, caja, 3, "1.00", dia="2026-12-04"),
        ]
    )
    api.post("/v1/diario", {"registros": registros})
    r = sincro_central(
        central, "exportar-diario", "--tienda", tienda, "--fecha", DIA, "--formato", "csv"
    )
    assert r.returncode == 0, r.stderr
    filas = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(f["numero"], f["total"], f["pagos"]) for f in filas] == [
        ("1", "3.90", "efectivo:3.90"),
        ("2", "10.00", "tarjeta:10.00"),
    ]
    assert filas[0]["terminal"] == caja and filas[0]["venta"] == registros[0]["venta"]
    r = sincro_central(
        central, "exportar-diario", "--tienda", tienda, "--fecha", DIA, "--formato", "json"
    )
    assert r.returncode == 0, r.stderr
    exportado = json.loads(r.stdout)
    assert exportado["registros"] == registros[:2]  # los registros sellados, tal cual
    assert (
        list(diario.verificar(diario.Eslabon.de_registro(x) for x in exportado["registros"])) == []
    )


def _vender(api: Api, vid: str, total: str) -> None:
    r = api.operaciones(
        op(
            "ventas.Venta",
            "crear",
            vid,
            {"id": vid, "cliente": None, "fecha": f"{DIA}T10:00:00+00:00", "total": total},
        )
    )
    assert r["resultados"][0]["resultado"] == "aplicada", r


def test_conciliar_lista_la_venta_que_falta_y_cuadra_cuando_esta(central):
    api, tienda, caja = _caja(central)
    ventas = [
        du.venta(tienda, caja, 1, "3.90"),
        du.venta(tienda, caja, 2, "10.00", metodo="tarjeta"),
        du.venta(tienda, caja, 3, "2.50"),
    ]
    cierre = du.cierre(tienda, caja, 4, ventas)
    registros = du.cadena([*ventas, cierre])
    api.post("/v1/diario", {"registros": registros})
    for v in registros[:2]:
        _vender(api, v["venta"], v["total"])  # la tercera no llegó a las tablas de ventas
    r = sincro_central(central, "conciliar", "--fecha", DIA, "--tienda", tienda)
    assert r.returncode == 1, r.stdout + r.stderr
    falta = registros[2]["venta"]
    esperado = (
        f"Tienda {tienda}, terminal {caja}, {DIA}: la venta nº 3 ({falta}) está en el diario "
        "pero no en ventas."
    )
    assert esperado in r.stdout.splitlines(), r.stdout
    assert "diferencias" in r.stderr
    guardada = sql(
        central,
        "SELECT cuadra, diferencias FROM central_conciliaciondia WHERE tienda = ?",
        (tienda,),
    )
    assert len(guardada) == 1 and not guardada[0][0]

    _vender(api, falta, "2.50")
    r = sincro_central(central, "conciliar", "--fecha", DIA, "--tienda", tienda, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    informe = json.loads(r.stdout)
    [c] = informe["terminales"]
    assert c["cuadra"] and c["diferencias"] == []
    assert c["esperado"]["por_metodo"] == {"efectivo": "6.40", "tarjeta": "10.00"}
    assert c["recibido"] == {
        "registros": 3,
        "por_metodo": c["esperado"]["por_metodo"],
        "total": "16.40",
    }
    assert c["forzado"] is None


def test_conciliar_registro_que_no_llego_y_cierre_forzado(central):
    api, tienda, caja = _caja(central)
    ventas = du.ventas(tienda, caja, 3)
    cierre = du.cierre(tienda, caja, 4, ventas, forzado={"por": "Marta", "motivo": "sin red"})
    registros = du.cadena([*ventas, cierre])
    for v in registros[:3]:
        _vender(api, v["venta"], v["total"])
    # El nº 2 no llegó a la central (la caja lo envió más tarde, o nunca).
    api.post("/v1/diario", {"registros": [registros[0], *registros[2:]]})
    r = sincro_central(central, "conciliar", "--fecha", DIA, "--tienda", tienda, "--json")
    assert r.returncode == 1
    [c] = json.loads(r.stdout)["terminales"]
    assert c["forzado"] == "cierre forzado por Marta: sin red"
    assert "faltan en la central 1 registros del diario (nº 2)." in c["diferencias"]
    assert "el cierre cuenta 3 registros y la central tiene 2." in c["diferencias"]
    texto = sincro_central(central, "conciliar", "--fecha", DIA, "--tienda", tienda)
    assert "AVISO: cierre forzado por Marta: sin red" in texto.stdout
    assert sql(
        central,
        "SELECT tipo, numero, forzado FROM central_registrodiario "
        "WHERE tienda = ? AND forzado <> ''",
        (tienda,),
    ) == [("cierre", 4, "Marta: sin red")]
    api.post("/v1/diario", {"registros": [registros[1]]})  # llega tarde: incidencia, pero cuadra
    r = sincro_central(central, "conciliar", "--fecha", DIA, "--tienda", tienda, "--json")
    assert r.returncode == 0, r.stdout


def test_conciliar_sin_cierre_es_diferencia(central):
    api, tienda, caja = _caja(central)
    api.post("/v1/diario", {"registros": du.cadena(du.ventas(tienda, caja, 2))})
    r = sincro_central(central, "conciliar", "--fecha", DIA, "--tienda", tienda)
    assert r.returncode == 1
    assert "hay 2 registros en el diario pero ningún cierre de caja." in r.stdout


def test_conciliar_anulacion_resta_y_venta_sin_diario(central):
    api, tienda, caja = _caja(central)
    v1 = du.venta(tienda, caja, 1, "3.90")
    v2 = du.venta(tienda, caja, 2, "10.00", metodo="tarjeta")
    [s1, s2] = du.cadena([v1, v2])
    anulacion = dict(
        du.venta(tienda, caja, 3, "3.90", venta_id=s1["venta"]),
        tipo="anulacion",
        referencia={"serie": s1["serie"], "numero": 1, "huella": s1["huella"]},
    )
    cierre = du.cierre(tienda, caja, 4, [s1, s2, anulacion])
    assert cierre["por_metodo"] == {"efectivo": "0.00", "tarjeta": "10.00"}
    registros = [s1, s2, *du.cadena([anulacion, cierre], anterior=s2["huella"])]
    r = api.post("/v1/diario", {"registros": registros})
    assert {x["resultado"] for x in r["recibidos"]} == {"aceptado"}
    for v in (s1, s2):
        _vender(api, v["venta"], v["total"])
    r = sincro_central(central, "conciliar", "--fecha", DIA, "--tienda", tienda, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    [c] = json.loads(r.stdout)["terminales"]
    assert c["recibido"]["total"] == "10.00"
    intrusa = str(uuid.uuid4())
    _vender(api, intrusa, "5.00")  # en las tablas de ventas de esa caja, sin registro del diario
    r = sincro_central(central, "conciliar", "--fecha", DIA, "--tienda", tienda)
    assert r.returncode == 1
    assert f"la venta {intrusa} está en ventas pero no en el diario." in r.stdout


def test_conciliar_lista_ventas_de_una_caja_sin_diario_o_sin_cierre_ese_dia(central):
    """Una venta que llega a las tablas de ventas sin pasar por el diario (p. ej. con
    ``sincro encolar ventas.Venta crear``) se lista aunque esa caja no tenga ese día ningún
    registro del diario, o ninguno de cierre."""
    api, tienda, caja = _caja(central)
    intrusa = str(uuid.uuid4())
    _vender(api, intrusa, "5.00")
    r = sincro_central(central, "conciliar", "--fecha", DIA, "--tienda", tienda, "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    [c] = json.loads(r.stdout)["terminales"]
    assert c["terminal"] == caja
    assert c["diferencias"] == [f"la venta {intrusa} está en ventas pero no en el diario."]
    api.post("/v1/diario", {"registros": du.cadena(du.ventas(tienda, caja, 1))})
    r = sincro_central(central, "conciliar", "--fecha", DIA, "--tienda", tienda)
    assert r.returncode == 1
    linea = f"Tienda {tienda}, terminal {caja}, {DIA}: la venta {intrusa} está en ventas pero "
    assert f"{linea}no en el diario." in r.stdout.splitlines()
    assert "hay 1 registros en el diario pero ningún cierre de caja." in r.stdout


def test_conciliar_cierre_de_nochevieja_pasada_la_medianoche(central):
    """Ventas del 31 de diciembre (serie del año que acaba) y cierre pasada la medianoche: el
    cierre ya va en la serie del año nuevo, pero sus ``desde``/``hasta`` son números de la serie
    de las ventas que cubre; la conciliación del día del cierre las encuentra."""
    api, tienda, caja = _caja(central)
    ventas = du.ventas(tienda, caja, 3, dia="2025-12-31")
    cierre = du.cierre(tienda, caja, 1, ventas, dia="2026-01-01")
    registros = du.cadena([*ventas, cierre])
    assert registros[0]["serie"] != registros[-1]["serie"]
    api.post("/v1/diario", {"registros": registros})
    for v in registros[:3]:
        _vender(api, v["venta"], v["total"])
    r = sincro_central(central, "conciliar", "--fecha", "2026-01-01", "--tienda", tienda, "--json")
    [c] = json.loads(r.stdout)["terminales"]
    assert c["diferencias"] == [] and r.returncode == 0, r.stdout + r.stderr
    assert c["recibido"]["registros"] == 3


def test_verificar_diario_repite_lo_visto_al_recibir_sin_anotarlo_dos_veces(central):
    """Una bifurcación y un hueco recibidos: la verificación completa desde los bytes guardados
    da las mismas incidencias que la recepción, y no anota ninguna nueva."""
    api, tienda, caja = _caja(central)
    registros = du.cadena(du.ventas(tienda, caja, 6))
    intruso = diario.sellar(du.venta(tienda, caja, 3, "99.00"), registros[1]["huella"])
    api.post("/v1/diario", {"registros": [*registros[:2], intruso, *registros[2:4], registros[5]]})
    al_recibir = sql(
        central,
        "SELECT tipo, numero FROM central_incidenciadiario i JOIN central_terminal t "
        "ON t.id = i.terminal_id WHERE t.codigo = ? ORDER BY i.id",
        (caja,),
    )
    assert sorted(al_recibir) == [
        ("encadenamiento", 3),
        ("encadenamiento", 6),
        ("hueco", 6),
        ("repetido", 3),
    ]
    r = sincro_central(central, "verificar-diario", "--tienda", tienda, "--json")
    assert r.returncode == 1
    vistas = json.loads(r.stdout)["terminales"][0]["incidencias"]
    assert sorted((i["tipo"], i["numero"]) for i in vistas) == sorted(al_recibir)
    despues = sql(
        central,
        "SELECT count(*) FROM central_incidenciadiario i JOIN central_terminal t "
        "ON t.id = i.terminal_id WHERE t.codigo = ?",
        (caja,),
    )[0][0]
    assert despues == len(al_recibir)
