"""Cada pase está acotado frente a una central hostil o rota (respuestas reales servidas desde
un socket por ``ProxyFallos`` delante de la central real): plazo de la petición entera,
cuerpos con tamaño máximo (gzip incluido), páginas sin fin, cursores absurdos o rechazados,
un esquema que omite un modelo, Retry-After largo, 413 de una sola operación y
``sincro reintentar``."""

from __future__ import annotations

import json
import threading
import time

import pytest

from agente.almacen.cache import Cache
from agente.almacen.cola import Cola, NuevaOperacion
from agente.almacen.conflictos import Conflictos
from agente.fachada import Agente
from agente.operacion import COMPLETADO, ERROR, PENDIENTE
from agente.sincronizacion import sincronizador
from agente.sincronizacion.cliente import (
    Cliente,
    CursorRechazado,
    ErrorServidor,
    SinConexion,
)
from agente.sincronizacion.descarga import Descarga
from agente.sincronizacion.empuje import MOTIVO_413, Empuje
from tests.sincronizacion.terminales import EXISTENCIA, existencia, sincro

PRODUCTO = "productos.Producto"


def _cliente(proxy, central, **extra) -> Cliente:
    extra.setdefault("reintentos", 1)
    return Cliente(proxy.url, central.token, espera_base=0.01, **extra)


# -- transporte ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fallo", "segundos", "peticion", "timeout", "plazo", "mensaje", "maximo"),
    [
        # Un byte cada 2 s: cada lectura llega antes del tiempo de espera por lectura, pero la
        # petición entera tiene plazo: a los 3 s se corta, sin esperar los minutos del cuerpo.
        ("goteo", 2.0, "esquema", 5.0, 3.0, "no terminó de responder en 3 s", 8.0),
        # Cabeceras que no llegan en 30 s: tampoco pasan del plazo.
        ("retraso", 30.0, "salud", 60.0, 2.0, "no terminó de responder", 6.0),
    ],
    ids=["goteo_de_un_byte_cada_2_s", "cabeceras_que_no_llegan"],
)
def test_la_peticion_entera_no_pasa_del_plazo(
    central, proxy, fallo, segundos, peticion, timeout, plazo, mensaje, maximo
):
    setattr(proxy, fallo, segundos)
    proxy.fallar(fallo, f"/v1/{peticion}")
    cliente = _cliente(proxy, central, timeout=timeout, plazo=plazo)
    inicio = time.monotonic()
    with pytest.raises(SinConexion, match=mensaje):
        getattr(cliente, peticion)()
    assert time.monotonic() - inicio < maximo


def test_cuerpo_enorme_se_corta_al_pasar_el_maximo(central, proxy):
    proxy.tamano = 700 * 1024 * 1024  # 700 MB anunciados y servidos por trozos
    proxy.fallar("enorme", "/v1/esquema")
    cliente = _cliente(proxy, central, cuerpo_maximo=4 * 1024 * 1024)
    inicio = time.monotonic()
    with pytest.raises(ErrorServidor, match="más de 4 MB"):
        cliente.esquema()
    assert time.monotonic() - inicio < 10.0


def test_bomba_gzip_se_corta_sin_descomprimirla_entera(central, proxy):
    import resource

    proxy.tamano = 300 * 1024 * 1024  # ~300 KB comprimidos, 300 MB descomprimidos
    proxy.fallar("gzip_bomba", "/v1/esquema")
    antes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cliente = _cliente(proxy, central, cuerpo_maximo=4 * 1024 * 1024)
    with pytest.raises(ErrorServidor, match="más de 4 MB"):
        cliente.esquema()
    crecimiento_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - antes) / 1024
    assert crecimiento_mb < 100  # el proxy comprime 300 MB en este proceso: margen amplio


def test_reset_de_conexion_es_sin_conexion(central, proxy):
    proxy.fallar("reset", "/v1/salud", fallos=5)
    with pytest.raises(SinConexion):
        _cliente(proxy, central).salud()


def test_retry_after_de_una_hora_sale_al_bucle_con_jitter(central, proxy):
    proxy.retry_after = "7200"
    proxy.fallar("retry_after", "/v1/salud", fallos=3)
    cliente = _cliente(proxy, central, reintentos=3)
    inicio = time.monotonic()
    with pytest.raises(ErrorServidor) as error:
        cliente.salud()
    assert time.monotonic() - inicio < 5.0  # no se duerme dentro del cliente
    assert proxy.vistas.count("/sincro/v1/salud") == 1  # ni se reintenta por dentro
    assert error.value.reintentar_en == 3600.0  # acotado a una hora
    esperas = {sincronizador.espera_retry_after(error.value.reintentar_en) for _ in range(50)}
    assert all(3600.0 <= e <= 3600.0 * 1.2 for e in esperas) and len(esperas) > 1


def test_retry_after_corto_se_espera_dentro(central, proxy):
    proxy.retry_after = "1"
    proxy.fallar("retry_after", "/v1/salud", fallos=1)
    assert _cliente(proxy, central, reintentos=2).salud().ida_y_vuelta_ms >= 900


# -- descarga acotada ------------------------------------------------------------------------


@pytest.fixture
def terminal(tmp_path, central):
    cola = Cola(tmp_path / "cola.sqlite")
    cache = Cache(tmp_path / "cache.sqlite")
    yield cola, cache
    cache.cerrar()
    cola.cerrar()


def _descarga(terminal, cliente, **extra) -> Descarga:
    cola, cache = terminal
    return Descarga(cache, cola, Conflictos(cola), cliente, **extra)


def _primera_carga(terminal, central):
    descarga = _descarga(terminal, Cliente(central.url, central.token))
    esquema = descarga.actualizar_esquema()
    descarga.descargar(esquema)
    return esquema


def test_hay_mas_sin_fin_con_el_mismo_cursor_termina_diciendo_por_que(terminal, central, proxy):
    esquema = _primera_carga(terminal, central)
    _, cache = terminal
    cursor = cache.cursor(PRODUCTO)
    proxy.fallar("hay_mas_sin_fin", "/v1/cambios", fallos=10_000)
    resumen = _descarga(terminal, _cliente(proxy, central)).descargar(esquema)
    assert any("repite el mismo cursor" in a for a in resumen.avisos)
    assert cache.cursor(PRODUCTO) == cursor


def test_paginas_por_pase_acotadas_y_se_sigue_en_el_siguiente(terminal, central):
    """Primera carga de 50 productos en páginas de 5 con como mucho 3 páginas por pase: cada
    pase vuelve diciendo por qué, sin servir un catálogo a medias, y los pases siguientes
    terminan la carga desde donde se quedó."""
    _, cache = terminal
    descarga = _descarga(
        terminal,
        Cliente(central.url, central.token),
        tamano_pagina=5,
        paginas_por_pase=3,
        instantanea=False,  # por páginas: la instantánea lo traería todo en una respuesta
    )
    esquema = descarga.actualizar_esquema()
    pases = 0
    while True:
        pases += 1
        resumen = descarga.descargar(esquema, modelos=[PRODUCTO])
        if not resumen.avisos:
            break
        assert resumen.avisos == [
            f"{PRODUCTO}: 3 páginas en este pase (el máximo); se sigue en el próximo"
        ]
        assert resumen.paginas == 3
        assert not cache.estado_modelo(PRODUCTO)["completo"]
        assert pases < 10
    assert pases >= 4
    assert cache.estado_modelo(PRODUCTO)["completo"]
    assert cache.estado_modelo(PRODUCTO)["filas"] == 50


def test_cursor_de_1_mb_no_se_guarda_y_resincroniza(terminal, central, proxy):
    esquema = _primera_carga(terminal, central)
    _, cache = terminal
    proxy.tamano = 1024 * 1024
    proxy.fallar("cursor_largo", "modelos=productos.Producto", fallos=1)
    resumen = _descarga(terminal, _cliente(proxy, central)).descargar(esquema)
    assert resumen.resincronizados == [PRODUCTO]
    assert len(cache.cursor(PRODUCTO)) < 100
    assert cache.estado_modelo(PRODUCTO)["completo"]


def test_cursor_rechazado_por_la_central_resincroniza(terminal, central):
    esquema = _primera_carga(terminal, central)
    _cola, cache = terminal
    with cache._cerrojo:  # un cursor que la central no reconoce (p. ej. de otra base)
        cache._escritura.execute(
            "UPDATE _modelos SET cursor = 'basura' WHERE modelo = ?", (PRODUCTO,)
        )
    with pytest.raises(CursorRechazado):
        Cliente(central.url, central.token).cambios(PRODUCTO, "basura", 10)
    resumen = _descarga(terminal, Cliente(central.url, central.token)).descargar(esquema)
    assert PRODUCTO in resumen.resincronizados
    assert cache.cursor(PRODUCTO) != "basura"


def test_esquema_sin_un_modelo_lo_conserva_y_sigue_lista(terminal, central, proxy):
    _primera_carga(terminal, central)
    _, cache = terminal
    filas = cache.estado_modelo(PRODUCTO)["filas"]
    proxy.modelo = PRODUCTO
    proxy.fallar("sin_modelo", "/v1/esquema", fallos=1)
    descarga = _descarga(terminal, _cliente(proxy, central))
    esquema = descarga.actualizar_esquema()
    assert PRODUCTO in esquema.modelos
    resumen = descarga.descargar(esquema)
    assert "/sincro/v1/cambios?modelos=productos.Producto" not in " ".join(proxy.vistas)
    assert cache.estado_modelo(PRODUCTO)["filas"] == filas and cache.buscar(PRODUCTO, "a")
    assert resumen.lista_para_vender_offline is True
    assert cache.estado_modelo(PRODUCTO)["obsoleto"] is True


# -- 413 y sincro reintentar -------------------------------------------------------------------


def test_413_de_una_operacion_queda_reintentable_y_sincro_reintentar(central, proxy, tmp_path):
    datos = tmp_path / "terminal"
    with Agente.abrir(datos) as agente:
        agente.configurar(proxy.url, central.tienda, central.terminal, central.token)
        agente.guardar_esquema(Cliente(central.url, central.token).esquema()[1])
        grande = agente.ajustar(EXISTENCIA, existencia(1), "cantidad", -1)
        otra = agente.ajustar(EXISTENCIA, existencia(2), "cantidad", -1)
        cola = agente.operaciones
        proxy.fallar("413", "/v1/operaciones", fallos=3)  # lote de 2, luego 1 y 1... la 1.ª
        empuje = Empuje(
            cola,
            Conflictos(cola),
            _cliente(proxy, central),
            lambda: agente.esquema(),
            tamano_lote=2,
        )
        empuje.empujar()
        estados = {op.uuid: op for op in cola.listar(limite=10)}
        # El lote se partió hasta una operación; la que sola no cabía queda en ERROR con el
        # motivo, la otra no quedó retenida.
        assert estados[grande.uuid].estado == ERROR
        assert estados[grande.uuid].ultimo_error == MOTIVO_413
        assert estados[otra.uuid].estado in (ERROR, COMPLETADO)
    r = sincro(datos, "cola", "--estado", "ERROR")
    assert "sincro reintentar" in r.stdout
    r = sincro(datos, "reintentar", "--todas")
    assert r.returncode == 0, r.stderr
    assert "vuelven a la cola" in r.stdout
    with Agente.abrir(datos) as agente:
        assert agente.operaciones.obtener(grande.uuid).estado == PENDIENTE
    r = sincro(datos, "sincronizar", "--una-vez")
    assert r.returncode == 0, r.stderr + r.stdout
    with Agente.abrir(datos) as agente:
        assert agente.operaciones.obtener(grande.uuid).estado == COMPLETADO
    r = sincro(datos, "reintentar", grande.uuid)
    assert r.returncode == 2 and "ERROR" in r.stderr


def test_sincronizar_una_vez_vuelve_con_hay_mas_sin_fin(central, proxy, tmp_path):
    """``sincro sincronizar --una-vez`` contra una central cuyo ``hay_mas`` nunca termina
    vuelve (antes no volvía nunca) y las ventas nuevas se envían."""
    datos = tmp_path / "terminal"
    with Agente.abrir(datos) as agente:
        agente.configurar(proxy.url, central.tienda, central.terminal, central.token)
    r = sincro(datos, "sincronizar", "--una-vez")
    assert r.returncode == 0, r.stderr
    with Agente.abrir(datos) as agente:
        venta = agente.ajustar(EXISTENCIA, existencia(3), "cantidad", -1)
    proxy.fallar("hay_mas_sin_fin", "/v1/cambios", fallos=100_000)
    r = sincro(datos, "sincronizar", "--una-vez", timeout=60)
    assert r.returncode == 0, r.stderr
    assert "repite el mismo cursor" in r.stdout
    with Agente.abrir(datos) as agente:
        assert agente.operaciones.obtener(venta.uuid).estado == COMPLETADO


del json, threading, NuevaOperacion


def test_el_bucle_respeta_un_retry_after_mayor_que_su_espera_maxima(central, proxy, tmp_path):
    """Con ``backoff_maximo`` de 1 s, un 503 con ``Retry-After: 12`` (más de lo que el cliente
    espera por dentro) hace que el bucle real espere al menos 12 s (y como mucho un 20 % más)
    antes de volver a llamar a la central."""
    datos = tmp_path / "terminal"
    with Agente.abrir(datos) as agente:
        agente.configurar(
            proxy.url, central.tienda, central.terminal, central.token, backoff_maximo=1.0
        )
        proxy.retry_after = "12"
        proxy.fallar("retry_after", "/v1/salud", fallos=1)
        agente.iniciar_sincronizacion()
        try:
            limite = time.monotonic() + 40
            while time.monotonic() < limite:
                saludes = [t for t, ruta in proxy.momentos if ruta.endswith("/v1/salud")]
                if len(saludes) >= 2:
                    break
                time.sleep(0.05)
        finally:
            agente.detener_sincronizacion()
    assert len(saludes) >= 2
    espera = saludes[1] - saludes[0]
    assert 12.0 <= espera <= 12.0 * 1.2 + 1.0, espera
