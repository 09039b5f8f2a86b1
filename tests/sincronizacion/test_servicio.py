"""Servicio de sincronización (lo que expone la fachada) con cola, caché, llavero y central
reales: configuración, un pase, estado, 401, y el bucle con empuje inmediato al encolar."""

import time

import keyring
import pytest
from keyring.backends import fail

from agente.almacen.cache import Cache
from agente.almacen.cola import Cola, NuevaOperacion
from agente.operacion import COMPLETADO, PENDIENTE
from agente.sincronizacion import credenciales
from agente.sincronizacion.cliente import ErrorAutenticacion
from agente.sincronizacion.servicio import ServicioSincronizacion
from agente.soporte.configuracion import ErrorConfiguracion

PRODUCTO = "productos.Producto"


def ajuste(producto: str, delta: int, tienda: str = "T001") -> NuevaOperacion:
    """Ajuste de la existencia de ``producto`` en ``tienda``."""
    return NuevaOperacion(
        modelo="productos.Existencia",
        objeto_id=f"{tienda}:{producto}",
        tipo="ajustar",
        datos={"cantidad": delta},
    )


@pytest.fixture
def servicio(tmp_path):
    cola = Cola(tmp_path / "cola.sqlite")
    cache = Cache(tmp_path / "cache.sqlite")
    s = ServicioSincronizacion(tmp_path, cola, cache)
    yield s
    s.cerrar()
    cache.cerrar()
    cola.cerrar()


def esperar(condicion, segundos=20.0):
    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        if condicion():
            return True
        time.sleep(0.05)
    return False


def test_configurar_valida_url_y_guarda_el_token_solo_en_el_llavero(servicio, central, tmp_path):
    with pytest.raises(ErrorConfiguracion, match="https"):
        servicio.configurar("http://central.ejemplo/sincro", "T001", "caja-1", "x")
    servicio.configurar(central.url, central.tienda, central.terminal, central.token)
    assert credenciales.leer_token(tmp_path, central.terminal) == central.token
    for fichero in tmp_path.iterdir():
        if fichero.is_file():
            assert central.token.encode() not in fichero.read_bytes(), fichero


def test_sin_llavero_lo_dice_y_como_arreglarlo(servicio, central):
    anterior = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(credenciales.SinLlavero, match="PYTHON_KEYRING_BACKEND"):
            servicio.configurar(central.url, central.tienda, central.terminal, central.token)
    finally:
        keyring.set_keyring(anterior)


def test_un_pase_deja_la_terminal_lista_y_al_dia(servicio, central):
    estado = servicio.estado()
    assert estado["conexion"]["estado"] == "sin configurar"
    servicio.configurar(central.url, central.tienda, central.terminal, central.token)
    resumen = servicio.sincronizar_una_vez()
    assert resumen.descarga.lista_para_vender_offline
    estado = servicio.estado()
    assert estado["conexion"]["estado"] == "al día"
    assert estado["lista_para_vender_offline"] is True
    assert estado["ultimo_empuje_ok"] and estado["ultima_descarga_ok"]
    assert estado["modelos"][PRODUCTO]["completo"] and estado["modelos"][PRODUCTO]["critico"]
    assert isinstance(estado["desfase_ms"], int)
    assert estado["cola"]["por_estado"][PENDIENTE] == 0


def test_401_para_y_conserva_la_cola(servicio, central):
    servicio.configurar(central.url, central.tienda, central.terminal, "token-revocado")
    op = servicio.cola.encolar(ajuste("1", -1))
    with pytest.raises(ErrorAutenticacion):
        servicio.sincronizar_una_vez()
    estado = servicio.estado()
    assert estado["conexion"]["estado"] == "error de autenticación"
    assert "token" in estado["conexion"]["mensaje"]
    assert servicio.cola.obtener(op.uuid).estado == PENDIENTE


def test_bucle_empuja_al_encolar_sin_esperar_a_la_descarga(servicio, central, tmp_path):
    servicio.configurar(
        central.url, central.tienda, central.terminal, central.token, intervalo_descarga=3600
    )
    cambios = []
    servicio.al_cambiar_estado(cambios.append)
    servicio.iniciar()
    assert esperar(lambda: servicio.estado()["lista_para_vender_offline"])
    assert esperar(lambda: servicio.conectividad.estado == "al día")
    # En este proceso (despertar) ...
    op = servicio.cola.encolar(ajuste("4", -1))
    servicio.despertar()
    assert esperar(lambda: servicio.cola.obtener(op.uuid).estado == COMPLETADO)
    # ... y desde otro proceso/conexión (PRAGMA data_version), sin despertar a nadie.
    with Cola(tmp_path / "cola.sqlite") as otra:
        otra_op = otra.encolar(ajuste("4", -1))
    assert esperar(lambda: servicio.cola.obtener(otra_op.uuid).estado == COMPLETADO)
    servicio.detener()
    assert not servicio.en_marcha()
    assert any(c["estado"] == "sincronizando" for c in cambios)


def test_bucle_con_401_se_para_y_sigue_al_configurar_un_token_nuevo(servicio, central):
    token = central.crear_terminal("T005", "caja-1")
    servicio.configurar(central.url, "T005", "caja-1", token, intervalo_descarga=3600)
    servicio.sincronizar_una_vez()
    nuevo = central.crear_terminal("T005", "caja-1")  # el anterior queda revocado
    op = servicio.cola.encolar(ajuste("2", 1, "T005"))
    servicio.iniciar()
    try:
        assert esperar(lambda: servicio.conectividad.estado == "error de autenticación")
        time.sleep(0.5)
        assert servicio.cola.obtener(op.uuid).estado == PENDIENTE
        servicio.configurar(central.url, "T005", "caja-1", nuevo, intervalo_descarga=3600)
        assert esperar(lambda: servicio.cola.obtener(op.uuid).estado == COMPLETADO)
        assert esperar(lambda: servicio.conectividad.estado == "al día")
    finally:
        servicio.detener()


def test_bucle_sin_conexion_reintenta_y_empuja_al_volver(servicio, central):
    servicio.configurar(
        central.url,
        central.tienda,
        central.terminal,
        central.token,
        intervalo_descarga=3600,
        backoff_maximo=2.0,
    )
    servicio.sincronizar_una_vez()
    central.detener()
    try:
        op = servicio.cola.encolar(ajuste("3", -1))
        servicio.iniciar()
        assert esperar(lambda: servicio.conectividad.estado == "sin conexión")
        mensaje = servicio.estado()["conexion"]["mensaje"]
        assert "No se pudo hablar" in mensaje or "no respondió" in mensaje
        assert servicio.cola.obtener(op.uuid).estado == PENDIENTE
    finally:
        central.reiniciar()
    try:
        assert esperar(lambda: servicio.cola.obtener(op.uuid).estado == COMPLETADO, 30)
        assert esperar(lambda: servicio.conectividad.estado == "al día")
    finally:
        servicio.detener()
