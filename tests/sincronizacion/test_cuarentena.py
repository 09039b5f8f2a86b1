"""Una fila ilegible de la cola (bytes no UTF-8, JSON roto) no bloquea a las demás: fichero
real dañado a mano con sqlite3, terminal real (CLI ``sincro``) y central real."""

import datetime as dt
import json
import sqlite3
import uuid

from agente.fachada import Agente
from agente.sincronizacion.cliente import Cliente
from tests.sincronizacion.terminales import configurar, sincro

VENTA = "ventas.Venta"


def _ventas(central, token, ids):
    """Las ventas de ``ids`` que la central tiene (leídas con el token de la tienda)."""
    pagina = Cliente(central.url, token).cambios(VENTA, None, 100000)
    return {c["id"] for c in pagina.cambios} & set(ids)


def test_una_fila_ilegible_va_a_cuarentena_y_las_demas_se_envian(central, tmp_path):
    token = central.crear_terminal("T010", "caja-1")
    configurar(tmp_path, central, "T010", "caja-1", token)
    assert sincro(tmp_path, "sincronizar", "--una-vez").returncode == 0
    ahora = dt.datetime.now(dt.UTC).isoformat()
    with Agente.abrir(tmp_path) as agente:
        ops = [
            agente.encolar(
                VENTA,
                "crear",
                {"id": i, "cliente": None, "fecha": ahora, "total": "1.00"},
                objeto_id=i,
            )
            for i in (str(uuid.uuid4()) for _ in range(300))
        ]
    no_utf8, json_roto, clave_rota = ops[10], ops[200], ops[250]
    malas = (no_utf8, json_roto, clave_rota)
    crudo = json.dumps(no_utf8.datos).encode().replace(b"1.00", b"1.\xff\xfe0")
    with sqlite3.connect(tmp_path / "cola.sqlite") as conexion:
        conexion.execute(
            "UPDATE operaciones SET datos = CAST(? AS TEXT) WHERE uuid = ?", (crudo, no_utf8.uuid)
        )
        conexion.execute(
            'UPDATE operaciones SET datos = \'{"id": "x\' WHERE uuid = ?', (json_roto.uuid,)
        )
        # En una columna que se lee al elegir (no sólo al enviar).
        conexion.execute(
            "UPDATE operaciones SET objeto_id = CAST(? AS TEXT) WHERE uuid = ?",
            (b"caja-\xc3(", clave_rota.uuid),
        )
    conexion.close()

    r = sincro(tmp_path, "sincronizar", "--una-vez")
    assert "Traceback" not in r.stderr, r.stderr

    buenas = [op.objeto_id for op in ops if op not in malas]
    assert _ventas(central, token, buenas) == set(buenas)  # las 297 llegaron
    assert not _ventas(central, token, [op.objeto_id for op in malas])
    with Agente.abrir(tmp_path) as agente:
        conteos = agente.operaciones.contar_por_estado()
        assert (conteos["COMPLETADO"], conteos["ERROR"], conteos["PENDIENTE"]) == (297, 3, 0)
        for apartada in malas:
            leida = agente.operaciones.obtener(apartada.uuid)  # ya se puede leer
            assert leida.estado == "ERROR" and "cuarentena" in leida.ultimo_error
    # El original queda guardado, byte a byte.
    conexion = sqlite3.connect(tmp_path / "cola.sqlite")
    guardadas = dict(
        conexion.execute(
            "SELECT o.uuid, c.original FROM cuarentena c JOIN operaciones o"
            " ON o.seq = c.seq_operacion"
        ).fetchall()
    )
    conexion.close()
    assert json.loads(guardadas[no_utf8.uuid])["datos"] == {"hex": crudo.hex()}
    assert json.loads(guardadas[json_roto.uuid])["datos"] == '{"id": "x'
    assert json.loads(guardadas[clave_rota.uuid])["objeto_id"] == {"hex": b"caja-\xc3(".hex()}
    # Aviso visible y la cola se puede listar.
    avisos = sincro(tmp_path, "avisos")
    assert avisos.returncode == 0 and avisos.stdout.count("cuarentena") == 3, avisos.stdout
    listado = sincro(tmp_path, "cola", "--estado", "ERROR")
    assert listado.returncode == 0 and no_utf8.uuid[:8] in listado.stdout, listado.stderr
    # Un segundo pase no vuelve a apartarlas ni se atasca.
    assert "Traceback" not in sincro(tmp_path, "sincronizar", "--una-vez").stderr
    assert sincro(tmp_path, "avisos").stdout.count("cuarentena") == 3
