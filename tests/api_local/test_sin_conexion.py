"""La API servida por el bucle real ``sincro sincronizar`` con la central real: una venta
registrada sin conexión (y reintentada con la misma Idempotency-Key, también tras matar el
proceso) llega a la central exactamente una vez al volver la conexión; el flujo SSE avisa de
la pérdida de conexión, de la vuelta, del catálogo actualizado y de un conflicto nuevo."""

from __future__ import annotations

import time
import uuid

from agente.fachada import Agente
from agente.sincronizacion.cliente import Cliente
from tests.api_local.conftest import ProcesoApi, terminal_sincronizada
from tests.sincronizacion.terminales import (
    EXISTENCIA,
    PRODUCTO,
    configurar,
    existencia,
    existencias_central,
    sincro,
)

VENTA = "ventas.Venta"
LINEA = "ventas.LineaVenta"
RAPIDO = {"intervalo_descarga": 1.0, "backoff_maximo": 1.0, "timeout": 3.0}


def bucle(datos) -> ProcesoApi:
    return ProcesoApi(datos, "sincronizar", "--puerto-api", "0", marca="URL_API=")


def esperar(condicion, limite_s: float = 60.0) -> None:
    fin = time.monotonic() + limite_s
    while time.monotonic() < fin:
        if condicion():
            return
        time.sleep(0.2)
    raise AssertionError("no se cumplió a tiempo")


def test_venta_sin_conexion_reintentada_llega_una_vez(central_factory, tmp_path):
    central = central_factory(demo=30)
    token = central.crear_terminal("T010", "caja-1")
    datos = tmp_path / "caja"
    configurar(datos, central, "T010", "caja-1", token, **RAPIDO)
    assert sincro(datos, "sincronizar", "--una-vez").returncode == 0
    proceso = bucle(datos)
    lector = proceso.eventos()
    try:
        _, inicial = lector.esperar(lambda n, d: n == "estado")
        assert inicial["lista_para_vender_offline"] is True
        central.detener()
        lector.esperar(lambda n, d: n == "conexion" and d["estado"] == "sin conexión")

        _, _, buscado = proceso.pedir("GET", f"/v1/buscar?texto=a&modelo={PRODUCTO}&limite=1")
        p = buscado["resultados"][0]
        # El stock de la tienda, tal como lo ve la caja (lo último descargado = la central).
        _, _, visto = proceso.pedir(
            "GET", f"/v1/obtener/{EXISTENCIA}/{existencia(p['id'], 'T010')}"
        )
        stock_antes = visto["datos"]["cantidad"]
        clave = str(uuid.uuid4())
        cuerpo = {
            "lineas": [
                {"producto": int(p["id"]), "cantidad": 3, "precio_unitario": p["datos"]["precio"]}
            ],
            "pagos": [{"metodo": "tarjeta", "importe": _por(p, 3)}],
        }
        estado, cabeceras, venta = proceso.pedir(
            "POST", "/v1/vender", cuerpo, cabeceras={"Idempotency-Key": clave}
        )
        assert estado == 201 and "Idempotency-Replayed" not in cabeceras
        estado, cabeceras, otra = proceso.pedir(
            "POST", "/v1/vender", cuerpo, cabeceras={"Idempotency-Key": clave}
        )
        assert estado == 201 and cabeceras["Idempotency-Replayed"] == "true" and otra == venta
        # La venta despierta al bucle, que lo intenta («sincronizando») y vuelve a «sin conexión».
        fin = time.monotonic() + 30
        while True:
            _, _, situacion = proceso.pedir("GET", "/v1/estado")
            if situacion["conexion"]["estado"] != "sincronizando" or time.monotonic() > fin:
                break
            time.sleep(0.1)
        assert situacion["conexion"]["estado"] == "sin conexión"
        assert situacion["ventas_pendientes"] == {"numero": 1, "importe": venta["total"]}
    finally:
        lector.cerrar()
        proceso.matar()  # kill -9 del bucle y de su API, sin conexión

    proceso = bucle(datos)
    lector = proceso.eventos()
    try:
        estado, cabeceras, otra = proceso.pedir(
            "POST", "/v1/vender", cuerpo, cabeceras={"Idempotency-Key": clave}
        )
        assert estado == 201 and cabeceras["Idempotency-Replayed"] == "true" and otra == venta
        central.reiniciar()
        lector.esperar(lambda n, d: n == "conexion" and d["estado"] == "al día")

        def confirmada() -> bool:
            _, _, s = proceso.pedir("GET", "/v1/estado")
            return s["ventas_pendientes"]["numero"] == 0

        esperar(confirmada)
        # La central devuelve el stock de la tienda ajustado por la venta: la caché lo descarga.
        lector.esperar(lambda n, d: n == "catalogo" and EXISTENCIA in d["modelos"], ya_vistos=True)
    finally:
        lector.cerrar()
        proceso.parar()

    cliente = Cliente(central.url, token)
    ventas = [c for c in cliente.cambios(VENTA, None, 10000).cambios if c["id"] == venta["venta"]]
    assert len(ventas) == 1 and ventas[0]["datos"]["total"] == venta["total"]
    lineas = [
        c
        for c in cliente.cambios(LINEA, None, 10000).cambios
        if c["datos"]["venta"] == venta["venta"]
    ]
    assert len(lineas) == 1
    assert existencias_central(central, token)[p["id"]] == stock_antes - 3
    with Agente.abrir(datos) as agente:
        ops = [op for op in agente.cola(modelo=VENTA) if op.objeto_id == venta["venta"]]
        assert [op.estado for op in ops] == ["COMPLETADO"]
        assert agente.pagos_de_venta(venta["venta"]) == venta["pagos"]


def _por(p: dict, cantidad: int) -> str:
    from decimal import Decimal

    return str((Decimal(p["datos"]["precio"]) * cantidad).quantize(Decimal("0.01")))


def test_sse_avisa_de_un_conflicto_nuevo(central, tmp_path):
    a = terminal_sincronizada(tmp_path / "a", central, "T011", "caja-1")
    # b no vuelve a descargar en una hora: su cambio sale contra la versión vieja.
    b = terminal_sincronizada(
        tmp_path / "b", central, "T012", "caja-1", **{**RAPIDO, "intervalo_descarga": 3600.0}
    )
    proceso = bucle(b)
    lector = proceso.eventos()
    try:
        lector.esperar(lambda n, d: n == "estado")
        esperar(lambda: proceso.pedir("GET", "/v1/estado")[2]["conexion"]["estado"] == "al día")
        with Agente.abrir(a) as agente:
            agente.encolar(PRODUCTO, "actualizar", {"nombre": "Nombre de A"}, objeto_id="7")
        assert sincro(a, "sincronizar", "--una-vez").returncode == 0
        estado, _, _ = proceso.pedir(
            "POST",
            "/v1/encolar",
            {
                "modelo": PRODUCTO,
                "tipo": "actualizar",
                "objeto_id": "7",
                "datos": {"nombre": "Nombre de B"},
            },
        )
        assert estado == 201
        _, evento = lector.esperar(lambda n, d: n == "conflicto")
        assert [(c["modelo"], c["objeto_id"]) for c in evento["nuevos"]] == [(PRODUCTO, "7")]
        assert evento["abiertos"] == 1
        _, _, situacion = proceso.pedir("GET", "/v1/estado")
        assert situacion["conflictos_abiertos"] == 1
    finally:
        lector.cerrar()
        proceso.parar()


def test_el_bucle_sigue_si_la_api_no_puede_escuchar(central, tmp_path):
    """Puerto ocupado (p. ej. por un ``servir-local``): el bucle lo avisa en una línea y sigue
    sincronizando."""
    datos = terminal_sincronizada(tmp_path / "c", central, "T013", "caja-1", **RAPIDO)
    ocupante = ProcesoApi(datos, "servir-local", "--puerto", "0")
    try:
        proceso = ProcesoApi(
            datos, "sincronizar", "--puerto-api", str(ocupante.puerto), marca="Sincronizando"
        )
        try:
            with Agente.abrir(datos) as agente:
                op = agente.ajustar(EXISTENCIA, existencia(9, "T013"), "cantidad", -1)

            def completada() -> bool:
                with Agente.abrir(datos) as agente:
                    return agente.operaciones.obtener(op.uuid).estado == "COMPLETADO"

            esperar(completada)
        finally:
            proceso.parar()
        salida = "".join(proceso.salida)
        assert "API local no disponible" in salida and "URL_API=" not in salida
        assert ocupante.pedir("GET", "/v1/salud", token=None)[0] == 200
    finally:
        ocupante.parar()


def test_api_en_otro_proceso_que_el_bucle(central_factory, tmp_path):
    """``sincro servir-local`` junto al bucle de la bandeja (otro proceso, sin API): el estado
    y los eventos de la API siguen la conexión que ve el bucle."""
    central = central_factory(demo=20)
    datos = terminal_sincronizada(tmp_path / "caja", central, "T014", "caja-1", **RAPIDO)
    api = ProcesoApi(datos, "servir-local", "--puerto", "0")
    bucle_solo = ProcesoApi(datos, "sincronizar", "--sin-api-local", marca="Sincronizando")
    lector = api.eventos()
    try:
        lector.esperar(lambda n, d: n == "estado")
        esperar(lambda: api.pedir("GET", "/v1/estado")[2]["conexion"]["estado"] == "al día")
        central.detener()
        lector.esperar(lambda n, d: n == "conexion" and d["estado"] == "sin conexión")
        assert api.pedir("GET", "/v1/estado")[2]["conexion"]["estado"] == "sin conexión"
    finally:
        lector.cerrar()
        bucle_solo.parar()
        api.parar()
    assert "URL_API=" not in "".join(bucle_solo.salida)
