"""La API local real (``sincro servir-local`` como proceso) sobre una terminal sincronizada con
la central real: token, rutas, reglas del motor, límites, sin CORS, idempotencia duradera y el
contrato de docs/api-local.yaml (cada respuesta se valida contra él en ``ProcesoApi.pedir``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import uuid

import pytest

from agente.fachada import Agente
from tests.api_local.conftest import ProcesoApi
from tests.sincronizacion.terminales import EXISTENCIA, PRODUCTO, existencia, sincro

VENTA = "ventas.Venta"


def producto(api, indice: int = 0) -> dict:
    """El producto ``indice`` de la caché, tal como lo devuelve ``GET /v1/obtener``."""
    with Agente.abrir(api.datos) as agente:
        (datos,) = agente.listar(PRODUCTO, desde=indice, limite=1)
    estado, _, cuerpo = api.pedir("GET", f"/v1/obtener/{PRODUCTO}/{datos['id']}")
    assert estado == 200
    return cuerpo


def linea(p: dict, cantidad: int = 1) -> dict:
    return {"producto": int(p["id"]), "cantidad": cantidad, "precio_unitario": p["datos"]["precio"]}


def operaciones(datos) -> int:
    with Agente.abrir(datos) as agente:
        return len(agente.cola())


def ventas_en_cola(datos, venta: str) -> int:
    with Agente.abrir(datos) as agente:
        return sum(1 for op in agente.cola(modelo=VENTA) if op.objeto_id == venta)


def venta_para(datos, clave: str) -> str:
    """El id de venta que la terminal de ``datos`` deriva de una clave de idempotencia."""
    from agente.api_local.idempotencia import RegistroIdempotencia

    registro = RegistroIdempotencia(datos)
    try:
        return registro.venta_para(clave)
    finally:
        registro.cerrar()


def test_salud_sin_token_y_lo_demas_exige_el_token(api, terminal):
    assert api.pedir("GET", "/v1/salud", token=None)[0] == 200
    for metodo, ruta, cuerpo in (
        ("GET", "/v1/estado", None),
        ("GET", "/v1/buscar?texto=a", None),
        ("GET", f"/v1/obtener/{PRODUCTO}/1", None),
        ("POST", "/v1/vender", {"lineas": []}),
        ("POST", "/v1/encolar", {"modelo": PRODUCTO, "tipo": "ajustar"}),
    ):
        for token in (None, "otro-token", api.token + "x"):
            estado, cabeceras, respuesta = api.pedir(metodo, ruta, cuerpo, token=token)
            assert estado == 401, (metodo, ruta, token)
            assert cabeceras["WWW-Authenticate"] == "Bearer"
            assert "api-local.token" in respuesta["error"]
    lector = api.eventos(token=None)
    assert lector.estado == 401
    lector.cerrar()
    modo = stat.S_IMODE(os.stat(terminal / "api-local.token").st_mode)
    assert modo == 0o600


def test_buscar_por_codigo_exacto_y_obtener(api):
    p = producto(api, 3)
    codigo = p["datos"]["codigo"]
    estado, _, cuerpo = api.pedir("GET", f"/v1/buscar?texto={codigo}")
    assert estado == 200 and cuerpo["resultados"][0]["id"] == p["id"]
    prefijo = p["datos"]["nombre"].split()[0][:4]
    estado, _, cuerpo = api.pedir("GET", f"/v1/buscar?texto={prefijo}&modelo={PRODUCTO}")
    assert estado == 200 and cuerpo["resultados"]
    assert all(prefijo.lower() in r["datos"]["nombre"].lower() for r in cuerpo["resultados"])
    estado, _, cuerpo = api.pedir("GET", f"/v1/obtener/{PRODUCTO}/{p['id']}")
    assert estado == 200 and cuerpo["datos"] == p["datos"]
    assert api.pedir("GET", f"/v1/obtener/{PRODUCTO}/999999")[0] == 404
    assert api.pedir("GET", "/v1/buscar?texto=")[0] == 400
    assert api.pedir("GET", "/v1/buscar?texto=a&limite=0")[0] == 400
    estado, _, cuerpo = api.pedir("GET", "/v1/buscar?texto=a&modelo=no.Existe")
    assert estado == 400 and "no.Existe" in cuerpo["error"]


def test_vender_valida_como_el_motor_y_no_encola_nada(api, terminal):
    p = producto(api)
    antes = operaciones(terminal)
    casos = [
        ({"lineas": []}, "al menos una línea"),
        ({"lineas": [{**linea(p), "cantidad": 0}]}, "Línea 1"),
        (
            {"lineas": [linea(p)], "pagos": [{"metodo": "efectivo", "importe": "0.01"}]},
            "Los pagos suman 0.01",
        ),
        ({"lineas": [linea(p)], "pagos": [{"metodo": "Tarjeta!", "importe": "1"}]}, "Pago 1"),
        ({"lineas": [linea(p)], "extra": 1}, "extra"),
    ]
    for cuerpo, motivo in casos:
        estado, _, respuesta = api.pedir("POST", "/v1/vender", cuerpo)
        assert estado == 400, cuerpo
        assert motivo in respuesta["error"] and "\n" not in respuesta["error"]
    assert operaciones(terminal) == antes


def test_vender_con_pagos_repartidos(api, terminal):
    p = producto(api, 1)
    total = f"{float(p['datos']['precio']) * 2:.2f}"
    estado, _, venta = api.pedir(
        "POST",
        "/v1/vender",
        {
            "lineas": [linea(p, 2)],
            "pagos": [
                {"metodo": "tarjeta", "importe": "1.00"},
                {"metodo": "efectivo", "importe": f"{float(total) - 1:.2f}"},
            ],
        },
    )
    assert estado == 201 and venta["total"] == total and isinstance(venta["numero"], int)
    assert venta["serie"].endswith(f"-{dt.datetime.now(dt.UTC).year}")
    with Agente.abrir(terminal) as agente:
        assert agente.pagos_de_venta(venta["venta"]) == venta["pagos"]
        assert agente.obtener(VENTA, venta["venta"])["total"] == total


def test_encolar_una_o_varias_todo_o_nada(api, terminal):
    clave = existencia(producto(api, 2)["id"])
    estado, _, cuerpo = api.pedir(
        "POST",
        "/v1/encolar",
        {"modelo": EXISTENCIA, "tipo": "ajustar", "objeto_id": clave, "datos": {"cantidad": -1}},
    )
    assert estado == 201 and len(cuerpo["operaciones"]) == 1
    antes = operaciones(terminal)
    estado, _, cuerpo = api.pedir(
        "POST",
        "/v1/encolar",
        [
            {
                "modelo": EXISTENCIA,
                "tipo": "ajustar",
                "objeto_id": clave,
                "datos": {"cantidad": -1},
            },
            {"modelo": EXISTENCIA, "tipo": "ajustar", "objeto_id": clave, "datos": {"nada": 1}},
        ],
    )
    assert estado == 400 and cuerpo["error"].startswith("Operación 2:")
    assert operaciones(terminal) == antes
    assert api.pedir("POST", "/v1/encolar", [])[0] == 400


def test_limites_cors_host_y_cuerpos_malos(api):
    grande = b'{"lineas": [' + b" " * (300 * 1024) + b"]}"
    estado, cabeceras, cuerpo = api.pedir(
        "POST", "/v1/vender", crudo=grande, cabeceras={"Content-Type": "application/json"}
    )
    assert estado == 413 and "máximo" in cuerpo["error"]
    estado, cabeceras, cuerpo = api.pedir(
        "GET", "/v1/estado", cabeceras={"Origin": "https://tienda-mala.example"}, validar=False
    )
    assert estado == 403 and "Origen" in cuerpo["error"]
    assert not any(k.lower().startswith("access-control") for k in cabeceras)
    estado, cabeceras, _ = api.pedir(
        "OPTIONS",
        "/v1/vender",
        token=None,
        validar=False,
        cabeceras={
            "Origin": "https://tienda-mala.example",
            "Access-Control-Request-Method": "POST",
        },
    )
    assert estado in (403, 405)
    assert not any(k.lower().startswith("access-control") for k in cabeceras)
    estado, _, _ = api.pedir(
        "GET", "/v1/estado", cabeceras={"Origin": f"http://127.0.0.1:{api.puerto}"}
    )
    assert estado == 200
    estado, _, cuerpo = api.pedir(
        "GET", "/v1/estado", cabeceras={"Host": "evil.example"}, validar=False
    )
    assert estado == 403 and "Host" in cuerpo["error"]
    estado, _, cuerpo = api.pedir(
        "POST", "/v1/vender", crudo=b"{no es json", cabeceras={"Content-Type": "application/json"}
    )
    assert estado == 400 and "JSON" in cuerpo["error"]
    assert api.pedir("GET", "/v1/nada", validar=False)[0] == 404


def test_estado_para_la_caja(api, terminal):
    estado, _, cuerpo = api.pedir("GET", "/v1/estado")
    assert estado == 200
    assert cuerpo["lista_para_vender_offline"] is True
    with Agente.abrir(terminal) as agente:
        ventas = [op for op in agente.cola(modelo=VENTA) if op.estado == "PENDIENTE"]
    assert cuerpo["ventas_pendientes"]["numero"] == len(ventas)
    assert float(cuerpo["ventas_pendientes"]["importe"]) == pytest.approx(
        sum(float(op.datos["total"]) for op in ventas)
    )


def test_idempotencia_sobrevive_a_matar_la_api(terminal):
    primero = ProcesoApi(terminal, "servir-local", "--puerto", "0")
    try:
        p = producto(primero, 4)
        clave = str(uuid.uuid4())
        cuerpo = {"lineas": [linea(p, 3)]}
        estado, cabeceras, venta = primero.pedir(
            "POST", "/v1/vender", cuerpo, cabeceras={"Idempotency-Key": clave}
        )
        assert estado == 201 and "Idempotency-Replayed" not in cabeceras
    finally:
        primero.matar()  # kill -9: nada de cierre ordenado
    segundo = ProcesoApi(terminal, "servir-local", "--puerto", "0")
    try:
        estado, cabeceras, otra = segundo.pedir(
            "POST", "/v1/vender", cuerpo, cabeceras={"Idempotency-Key": clave}
        )
        assert estado == 201 and cabeceras["Idempotency-Replayed"] == "true"
        assert otra == venta
        assert ventas_en_cola(terminal, venta["venta"]) == 1
        estado, _, error = segundo.pedir(
            "POST", "/v1/vender", {"lineas": [linea(p, 4)]}, cabeceras={"Idempotency-Key": clave}
        )
        assert estado == 422 and "otra venta" in error["error"]
    finally:
        segundo.parar()


def test_una_venta_que_no_valida_no_gasta_la_clave(api, terminal):
    p = producto(api, 5)
    clave = str(uuid.uuid4())
    estado, _, _ = api.pedir(
        "POST",
        "/v1/vender",
        {"lineas": [{**linea(p), "cantidad": -1}]},
        cabeceras={"Idempotency-Key": clave},
    )
    assert estado == 400
    estado, cabeceras, venta = api.pedir(
        "POST", "/v1/vender", {"lineas": [linea(p)]}, cabeceras={"Idempotency-Key": clave}
    )
    assert estado == 201 and "Idempotency-Replayed" not in cabeceras
    assert ventas_en_cola(terminal, venta["venta"]) == 1


def test_rotar_token(api, terminal):
    fichero = terminal / "api-local.token"
    anterior = fichero.read_text().strip()
    os.chmod(fichero, 0o644)  # alguien lo abrió de más: al servir se vuelve a cerrar
    proceso = ProcesoApi(terminal, "servir-local", "--puerto", "0")
    proceso.parar()
    assert stat.S_IMODE(os.stat(fichero).st_mode) == 0o600
    assert fichero.read_text().strip() == anterior
    proceso = ProcesoApi(terminal, "servir-local", "--puerto", "0", "--rotar-token")
    try:
        assert stat.S_IMODE(os.stat(fichero).st_mode) == 0o600
        assert proceso.token != anterior
        assert proceso.pedir("GET", "/v1/estado", token=anterior)[0] == 401
        assert proceso.pedir("GET", "/v1/estado")[0] == 200
    finally:
        proceso.parar()


@pytest.mark.parametrize("direccion", ["0.0.0.0", "192.168.1.10", "::", "127.0.0.2"])  # noqa: S104
def test_no_escucha_fuera_del_bucle_local(terminal, direccion):
    r = sincro(terminal, "servir-local", "--puerto", "0", "--direccion", direccion, timeout=60)
    assert r.returncode == 2
    assert "127.0.0.1 o ::1" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "URL=" not in r.stdout


def test_tambien_en_ipv6_si_hay(api):
    import http.client
    import socket

    try:
        conexion = http.client.HTTPConnection("::1", api.puerto, timeout=10)
        conexion.request("GET", "/v1/salud", headers={"Host": f"[::1]:{api.puerto}"})
    except OSError:
        if not socket.has_ipv6:
            pytest.skip("esta máquina no tiene IPv6 en el bucle local")
        raise
    respuesta = conexion.getresponse()
    assert respuesta.status == 200 and json.loads(respuesta.read())["estado"] == "ok"
    conexion.close()


def test_muerte_entre_encolar_y_guardar_la_respuesta(api, terminal):
    """El proceso murió después de encolar la venta y antes de guardar la respuesta de la
    clave: el reintento devuelve esa venta y no encola otra."""
    p = producto(api, 7)
    cuerpo = {"lineas": [linea(p, 2)]}
    clave = str(uuid.uuid4())
    id_venta = venta_para(terminal, clave)
    with Agente.abrir(terminal) as agente:  # lo que hizo el proceso antes de morir
        agente.vender(cuerpo["lineas"], venta_id=id_venta)
    estado, cabeceras, venta = api.pedir(
        "POST", "/v1/vender", cuerpo, cabeceras={"Idempotency-Key": clave}
    )
    assert estado == 201 and cabeceras["Idempotency-Replayed"] == "true"
    assert venta["venta"] == id_venta
    assert ventas_en_cola(terminal, id_venta) == 1


def test_cada_terminal_deriva_ids_de_venta_distintos(tmp_path):
    """El id de venta de una clave es estable en una terminal (también al reabrir) y distinto
    en otra: dos cajas que usen las mismas claves no chocan en la central."""
    ids = []
    for nombre in ("a", "a", "b"):
        (tmp_path / nombre).mkdir(exist_ok=True)
        ids.append(venta_para(tmp_path / nombre, "venta-1"))
    assert ids[0] == ids[1] != ids[2]
    assert uuid.UUID(ids[0]).version == 5


def test_errores_de_http_tambien_en_json(api):
    estado, _, cuerpo = api.pedir("HEAD", "/v1/salud", token=None, validar=False)
    assert estado == 501
    estado, _, cuerpo = api.pedir("PATCH", "/v1/vender", token=None, validar=False)
    assert estado == 501 and cuerpo["error"].startswith("Petición HTTP no válida")
    estado, cabeceras, cuerpo = api.pedir("PUT", "/v1/vender", {}, validar=False)
    assert estado == 405 and cabeceras["Allow"] == "POST"


def test_misma_clave_a_la_vez_en_dos_procesos_vende_una_vez(api, terminal):
    """Diez peticiones simultáneas con la misma clave, repartidas entre dos procesos que
    sirven la misma terminal: una sola venta y la misma respuesta para todas."""
    import threading

    otro = ProcesoApi(terminal, "servir-local", "--puerto", "0")
    try:
        p = producto(api, 8)
        cuerpo = {"lineas": [linea(p, 1)]}
        clave = str(uuid.uuid4())
        respuestas: list = []
        salida = threading.Barrier(10)

        def pedir(proceso) -> None:
            salida.wait()
            respuestas.append(
                proceso.pedir("POST", "/v1/vender", cuerpo, cabeceras={"Idempotency-Key": clave})
            )

        hilos = [threading.Thread(target=pedir, args=(api if i % 2 else otro,)) for i in range(10)]
        for hilo in hilos:
            hilo.start()
        for hilo in hilos:
            hilo.join(60)
        assert [r[0] for r in respuestas] == [201] * 10, respuestas
        assert len({r[2]["venta"] for r in respuestas}) == 1
        assert sum(1 for r in respuestas if "Idempotency-Replayed" not in r[1]) == 1
        assert ventas_en_cola(terminal, respuestas[0][2]["venta"]) == 1
    finally:
        otro.parar()


def test_ficheros_de_la_api_solo_para_el_usuario(api, terminal):
    for nombre in ("api-local.token", "api-local.sqlite"):
        assert stat.S_IMODE(os.stat(terminal / nombre).st_mode) == 0o600, nombre


def test_terminal_sin_configurar(tmp_path):
    """Sin esquema todavía: la API arranca, dice por qué no puede vender (400 del motor) y el
    estado lo refleja."""
    proceso = ProcesoApi(tmp_path / "nueva", "servir-local", "--puerto", "0")
    try:
        estado, _, cuerpo = proceso.pedir("GET", "/v1/estado")
        assert estado == 200 and cuerpo["tiene_esquema"] is False
        assert cuerpo["lista_para_vender_offline"] is False
        assert cuerpo["ventas_pendientes"] == {"numero": 0, "importe": "0.00"}
        estado, _, cuerpo = proceso.pedir(
            "POST",
            "/v1/vender",
            {"lineas": [{"producto": 1, "cantidad": 1, "precio_unitario": "1.00"}]},
        )
        assert estado == 400 and "sincro configurar" in cuerpo["error"]
        assert proceso.pedir("GET", "/v1/buscar?texto=84")[0] == 400
    finally:
        proceso.parar()


def test_reintento_de_una_venta_sin_sus_pagos_guardados(api, terminal):
    """La cola se rescató sin los pagos de la venta: el reintento la encuentra igual y
    responde con el total de la cabecera (pagos vacía, como dice el contrato)."""
    import sqlite3

    p = producto(api, 9)
    cuerpo = {"lineas": [linea(p, 2)]}
    clave = str(uuid.uuid4())
    id_venta = venta_para(terminal, clave)
    with Agente.abrir(terminal) as agente:
        (cabecera, *_) = agente.vender(cuerpo["lineas"], venta_id=id_venta)
    with sqlite3.connect(terminal / "cola.sqlite") as c:
        c.execute("DELETE FROM pagos_venta WHERE venta = ?", (id_venta,))
    estado, cabeceras, venta = api.pedir(
        "POST", "/v1/vender", cuerpo, cabeceras={"Idempotency-Key": clave}
    )
    assert estado == 201 and cabeceras["Idempotency-Replayed"] == "true"
    with Agente.abrir(terminal) as agente:
        registro = agente.registro_de_venta(id_venta)
    assert venta == {
        "venta": id_venta,
        "total": cabecera.datos["total"],
        "pagos": [],
        "serie": registro["serie"],
        "numero": registro["numero"],
    }
    assert ventas_en_cola(terminal, id_venta) == 1


def test_puerto_ocupado(api, terminal):
    r = sincro(
        terminal,
        "servir-local",
        "--puerto",
        str(api.puerto),
        "--direccion",
        "127.0.0.1",
        timeout=60,
    )
    assert r.returncode == 1 and "ya lo usa otro programa" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_sin_content_length_411(api):
    import socket

    with socket.create_connection(("127.0.0.1", api.puerto), timeout=10) as s:
        s.sendall(
            f"POST /v1/vender HTTP/1.1\r\nHost: 127.0.0.1:{api.puerto}\r\n"
            f"Authorization: Bearer {api.token}\r\nTransfer-Encoding: chunked\r\n"
            'Content-Type: application/json\r\n\r\n5\r\n{"a":\r\n0\r\n\r\n'.encode()
        )
        respuesta = b""
        while b"\r\n\r\n" not in respuesta:
            respuesta += s.recv(4096)
    assert respuesta.startswith(b"HTTP/1.1 411 ")


def test_caché_dañada_la_api_sigue_vendiendo(api, terminal, tmp_path):
    """La caché se estropea (bytes al azar): la API arranca, vende con clave (y el reintento
    no vende dos veces) y el estado dice que el catálogo se está reconstruyendo."""
    import random
    import shutil

    copia = tmp_path / "copia"
    shutil.copytree(terminal, copia, ignore=shutil.ignore_patterns("*.propietarios"))
    p = producto(api, 10)
    (copia / "cache.sqlite").write_bytes(random.Random(3).randbytes(64 * 1024))
    for resto in ("cache.sqlite-wal", "cache.sqlite-shm"):
        (copia / resto).unlink(missing_ok=True)
    proceso = ProcesoApi(copia, "servir-local", "--puerto", "0")
    try:
        cuerpo = {"lineas": [linea(p, 1)]}
        clave = str(uuid.uuid4())
        estado, _, venta = proceso.pedir(
            "POST", "/v1/vender", cuerpo, cabeceras={"Idempotency-Key": clave}
        )
        assert estado == 201, venta
        estado, cabeceras, otra = proceso.pedir(
            "POST", "/v1/vender", cuerpo, cabeceras={"Idempotency-Key": clave}
        )
        assert estado == 201 and otra == venta and cabeceras["Idempotency-Replayed"] == "true"
        assert proceso.pedir("GET", "/v1/estado")[2]["catalogo_reconstruyendo"] is True
        assert ventas_en_cola(copia, venta["venta"]) == 1
    finally:
        proceso.parar()
