"""Empuje real: cola SQLite real -> central real en bucle local (y a través del proxy de fallos).

Cada prueba comprueba en la central (por el protocolo) que cada operación se aplicó
exactamente una vez.
"""

import datetime as dt
import uuid

import pytest

from agente.almacen.cola import NuevaOperacion
from agente.almacen.conflictos import Conflictos
from agente.operacion import COMPLETADO, CONFLICTO, ERROR, PENDIENTE, PROCESANDO
from agente.sincronizacion.cliente import Cliente, ErrorServidor, SinConexion
from agente.sincronizacion.empuje import Empuje
from tests.agente.conftest import cola_configurada

PRODUCTO = "productos.Producto"
EXISTENCIA = "productos.Existencia"
VENTA = "ventas.Venta"


@pytest.fixture
def esquema(central):
    return Cliente(central.url, central.token).esquema()[0]


@pytest.fixture
def cola(tmp_path, esquema):
    yield from cola_configurada(tmp_path / "cola.sqlite", esquema)


def empuje(cola, esquema, url, token, **extra):
    cliente = Cliente(url, token, reintentos=extra.pop("reintentos", 1), espera_base=0.01)
    return Empuje(cola, Conflictos(cola), cliente, lambda: esquema, **extra)


def filas(central, modelo):
    pagina = Cliente(central.url, central.token).cambios(modelo, None, 100000)
    return {c["id"]: c["datos"] for c in pagina.cambios}


def existencias(central) -> dict[str, int]:
    """{producto: cantidad} en T001 (la tienda del token de la demo), según la central."""
    return {str(d["producto"]): d["cantidad"] for d in filas(central, EXISTENCIA).values()}


def ajuste(producto: str, delta: int) -> NuevaOperacion:
    """Ajuste de la existencia de ``producto`` en T001."""
    return NuevaOperacion(
        modelo=EXISTENCIA, objeto_id=f"T001:{producto}", tipo="ajustar", datos={"cantidad": delta}
    )


def venta(total="3.00"):
    identificador = str(uuid.uuid4())
    return NuevaOperacion(
        modelo=VENTA,
        objeto_id=identificador,
        tipo="crear",
        datos={
            "id": identificador,
            "terminal": "caja-1",
            "cliente": None,
            "fecha": dt.datetime.now(dt.UTC).isoformat(),
            "total": total,
        },
    )


def test_sin_conexion_1000_operaciones_se_aplican_una_vez(central, cola, esquema):
    productos = [str(i) for i in range(1, 11)]
    inicial = existencias(central)
    central.detener()
    try:
        deltas = dict.fromkeys(productos, 0)
        ventas = []
        for i in range(500):
            producto = productos[i % len(productos)]
            delta = -(i % 3 + 1) if i % 5 else 4
            cola.encolar(ajuste(producto, delta))
            deltas[producto] += delta
            nueva = venta()
            cola.encolar(nueva)
            ventas.append(nueva.objeto_id)
            if i == 250:  # un intento sin conexión a mitad: lo enviado vuelve a PENDIENTE
                with pytest.raises(SinConexion):
                    empuje(cola, esquema, central.url, central.token, reintentos=0).empujar()
        assert cola.contar_por_estado()[PENDIENTE] > 500
    finally:
        central.reiniciar()
    resumen = empuje(cola, esquema, central.url, central.token, tamano_lote=100).empujar()
    assert resumen.rechazadas == 0 and resumen.conflictos == 0
    conteos = cola.contar_por_estado()
    assert conteos[PENDIENTE] == conteos[ERROR] == conteos[CONFLICTO] == 0
    final = existencias(central)
    assert {p: final[p] for p in productos} == {p: inicial[p] + deltas[p] for p in productos}
    en_central = filas(central, VENTA)
    assert set(ventas) <= set(en_central)


def test_respuestas_cortadas_y_html_no_pierden_ni_duplican(central, cola, esquema, proxy):
    productos = [str(i) for i in range(11, 41)]
    antes = existencias(central)
    for producto in productos:
        cola.encolar(ajuste(producto, -1))
    for modo in ("cortar", "html", "json_roto", "tipos", "cortar_antes"):
        proxy.fallar(modo, "/v1/operaciones")
        with pytest.raises((SinConexion, ErrorServidor)):
            empuje(
                cola, esquema, proxy.url, central.token, reintentos=0, tamano_lote=7, concurrencia=1
            ).empujar()
        assert cola.contar_por_estado()[PROCESANDO] == 0
    assert cola.contar_por_estado()[COMPLETADO] < 30
    empuje(cola, esquema, proxy.url, central.token, tamano_lote=7).empujar()
    assert cola.contar_por_estado()[COMPLETADO] == 30
    despues = existencias(central)
    assert {p: despues[p] for p in productos} == {p: antes[p] - 1 for p in productos}


def test_rechazada_no_bloquea_independientes_y_conflictos(central, cola, esquema):
    actual = filas(central, PRODUCTO)
    stock = existencias(central)
    malo = cola.encolar(
        NuevaOperacion(
            modelo=PRODUCTO, objeto_id="999999", tipo="actualizar", datos={"nombre": "no existe"}
        )
    )
    independiente = cola.encolar(ajuste("6", 1))
    # Cambios con valores base viejos: el nombre en disputa (campo_a_campo sin regla) y la
    # cantidad con menor_valor (la central tiene menos: gana la central).
    en_disputa = cola.encolar(
        NuevaOperacion(
            modelo=PRODUCTO,
            objeto_id="7",
            tipo="actualizar",
            datos={"nombre": "Nombre local"},
            version_base=1,
            valores_base={"nombre": "viejo"},
        )
    )
    resuelta = cola.encolar(
        NuevaOperacion(
            modelo=EXISTENCIA,
            objeto_id="T001:8",
            tipo="actualizar",
            datos={"cantidad": 999_999},
            version_base=1,
            valores_base={"cantidad": -1},
        )
    )
    resumen = empuje(cola, esquema, central.url, central.token).empujar()
    assert cola.obtener(malo.uuid).estado == ERROR
    assert "no existe" in cola.obtener(malo.uuid).ultimo_error
    # Una operación posterior sobre el mismo objeto espera detrás del error.
    detras = cola.encolar(
        NuevaOperacion(
            modelo=PRODUCTO, objeto_id="999999", tipo="actualizar", datos={"categoria": "otra"}
        )
    )
    empuje(cola, esquema, central.url, central.token).empujar()
    assert cola.obtener(detras.uuid).estado == PENDIENTE
    (bloqueada,) = Conflictos(cola).bloqueadas()
    assert bloqueada["uuid"] == detras.uuid and bloqueada["espera_a"] == malo.uuid
    assert "no existe" in bloqueada["motivo"]
    assert cola.obtener(independiente.uuid).estado == COMPLETADO
    assert cola.obtener(en_disputa.uuid).estado == CONFLICTO
    assert resumen.conflictos == 1 and resumen.fusionadas == 1
    assert cola.listar(COMPLETADO)[-1].seq == resuelta.seq  # menor_valor: nada que enviar
    final = filas(central, PRODUCTO)
    assert existencias(central)["8"] == stock["8"]
    assert final["7"]["nombre"] == actual["7"]["nombre"]
    (conflicto,) = Conflictos(cola).listar()
    assert conflicto.campos_en_disputa == ["nombre"]
    assert conflicto.central["nombre"] == actual["7"]["nombre"]
    nueva = Conflictos(cola).resolver(conflicto.id, esquema.modelo(PRODUCTO), {}, usar="local")
    assert nueva.datos == {"nombre": "Nombre local"}
    empuje(cola, esquema, central.url, central.token).empujar()
    assert filas(central, PRODUCTO)["7"]["nombre"] == "Nombre local"
    assert cola.obtener(nueva.uuid).estado == COMPLETADO


def test_central_muerta_a_mitad_de_lote_y_reiniciada(central, cola, esquema):
    import threading
    import time

    antes = existencias(central)
    productos = [str(i) for i in range(41, 51)]
    ventas = []
    for i in range(3000):
        nueva = venta()
        ventas.append(nueva.objeto_id)
        cola.encolar(nueva)
        if i % 300 == 0:
            for producto in productos:
                cola.encolar(ajuste(producto, -1))
    errores = []

    def empujar():
        try:
            empuje(
                cola, esquema, central.url, central.token, reintentos=0, tamano_lote=100
            ).empujar()
        except Exception as exc:
            errores.append(exc)

    hilo = threading.Thread(target=empujar)
    hilo.start()
    limite = time.monotonic() + 60
    while cola.contar_por_estado()[COMPLETADO] < 300 and time.monotonic() < limite:
        time.sleep(0.01)
    central.matar()
    hilo.join(60)
    assert errores and isinstance(errores[0], (SinConexion, ErrorServidor))
    assert cola.contar_por_estado()[PROCESANDO] == 0
    central.reiniciar()
    empuje(cola, esquema, central.url, central.token).empujar()
    conteos = cola.contar_por_estado()
    assert conteos[PENDIENTE] == conteos[ERROR] == 0
    despues = existencias(central)
    tandas = 10
    assert {p: despues[p] for p in productos} == {p: antes[p] - tandas for p in productos}
    assert set(ventas) <= set(filas(central, VENTA))


CLIENTE = "clientes.Cliente"


def _venta_de(cliente):
    op = venta()
    return NuevaOperacion(
        modelo=VENTA, objeto_id=op.objeto_id, tipo="crear", datos={**op.datos, "cliente": cliente}
    )


def test_cliente_rechazado_no_bloquea_ventas_ajenas(central, cola, esquema):
    """Con la central real: la creación de un cliente rechazada (NIF demasiado largo)
    sólo retiene la venta que lo nombra; la de otro cliente y la sin cliente se aplican."""
    assert esquema.modelo(VENTA).referencias == {"cliente": CLIENTE}  # servida por la central
    malo_id, bueno_id = str(uuid.uuid4()), str(uuid.uuid4())
    malo = cola.encolar(
        NuevaOperacion(
            modelo=CLIENTE,
            objeto_id=malo_id,
            tipo="crear",
            datos={"id": malo_id, "nombre": "Ana", "nif": "X" * 40},
        )
    )
    bueno = cola.encolar(
        NuevaOperacion(
            modelo=CLIENTE,
            objeto_id=bueno_id,
            tipo="crear",
            datos={"id": bueno_id, "nombre": "Luis", "nif": "12345678Z"},
        )
    )
    empuje(cola, esquema, central.url, central.token).empujar()
    assert cola.obtener(malo.uuid).estado == ERROR
    assert cola.obtener(bueno.uuid).estado == COMPLETADO

    del_malo = cola.encolar(_venta_de(malo_id))
    del_bueno = cola.encolar(_venta_de(bueno_id))
    sin_cliente = cola.encolar(_venta_de(None))
    empuje(cola, esquema, central.url, central.token).empujar()

    assert cola.obtener(del_malo.uuid).estado == PENDIENTE
    assert cola.obtener(del_bueno.uuid).estado == COMPLETADO
    assert cola.obtener(sin_cliente.uuid).estado == COMPLETADO
    en_central = filas(central, VENTA)
    assert del_bueno.objeto_id in en_central and sin_cliente.objeto_id in en_central
    assert del_malo.objeto_id not in en_central
    (bloqueada,) = Conflictos(cola).bloqueadas()
    assert bloqueada["uuid"] == del_malo.uuid and bloqueada["espera_a"] == malo.uuid
    assert f"{CLIENTE} {malo_id}, en ERROR" in bloqueada["motivo"]
    assert "caracteres" in bloqueada["motivo"]
