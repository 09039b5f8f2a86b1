"""Envío del diario (``agente.sincronizacion.diario``) contra la central real, con el proxy de
fallos delante: trozos de como mucho 500 en orden, cortes y respuestas ajenas sin marcar nada
como confirmado, y una central sin diario (404) que no para la sincronización."""

from __future__ import annotations

import json

import pytest

from agente.almacen import diario as almacen_diario
from agente.almacen.cola import Cola
from agente.sincronizacion.cliente import Cliente, RespuestaInvalida, SinConexion
from agente.sincronizacion.diario import EnvioDiario

REGISTRO = {
    "tipo": "venta",
    "venta": "00000000-0000-4000-8000-000000000001",
    "lineas": [{"producto": 1, "cantidad": 1, "precio_unitario": "1.00", "importe": "1.00"}],
    "total": "1.00",
    "pagos": [{"metodo": "efectivo", "importe": "1.00"}],
}


@pytest.fixture
def caja(central, tmp_path, request):
    """Una cola con su terminal propia en la central (cada prueba, una cadena nueva)."""
    terminal = f"diario-{request.node.name[-20:].strip('_')}"[:40]
    token = central.crear_terminal(central.tienda, terminal)
    cola = Cola(tmp_path / "cola.sqlite")
    cola.guardar_terminal(terminal)
    cola.fijar_ajuste(almacen_diario.TIENDA, central.tienda)
    yield cola, token
    cola.cerrar()


def _anotar(cola: Cola, n: int) -> None:
    with cola.transaccion() as s:
        for _ in range(n):
            almacen_diario.anotar(s, REGISTRO)


def _cliente(proxy, token) -> Cliente:
    return Cliente(proxy.url, token, espera_base=0.01, reintentos=1)


def test_en_orden_y_en_trozos_de_500(caja, proxy):
    cola, token = caja
    _anotar(cola, 1201)
    resumen = EnvioDiario(cola, _cliente(proxy, token)).enviar()
    assert (resumen.enviados, resumen.confirmados, resumen.incidencias) == (1201, 1201, [])
    assert [r for r in proxy.vistas if "/v1/diario" in r] == ["/sincro/v1/diario"] * 3
    assert almacen_diario.sin_confirmar(cola) == (0, None)
    # Nada más que enviar: ninguna petición.
    assert EnvioDiario(cola, _cliente(proxy, token)).enviar().enviados == 0
    assert len([r for r in proxy.vistas if "/v1/diario" in r]) == 3


def test_corte_o_respuesta_ajena_no_marca_nada(caja, proxy):
    cola, token = caja
    _anotar(cola, 3)
    proxy.fallar("reset", "/v1/diario", fallos=5)
    with pytest.raises(SinConexion):
        EnvioDiario(cola, _cliente(proxy, token)).enviar()
    assert almacen_diario.sin_confirmar(cola)[0] == 3
    ajena = {
        "recibidos": [{"serie": "x", "numero": 1, "huella": "0" * 64, "resultado": "aceptado"}]
    }
    proxy.texto = json.dumps(ajena)
    proxy.fallar("responder", "/v1/diario")
    with pytest.raises(RespuestaInvalida, match=r"respondió por 1 registros .* se le enviaron 3"):
        EnvioDiario(cola, _cliente(proxy, token)).enviar()
    ajena["recibidos"] *= 3
    proxy.texto = json.dumps(ajena)
    proxy.fallar("responder", "/v1/diario")
    with pytest.raises(RespuestaInvalida, match="no se le envió"):
        EnvioDiario(cola, _cliente(proxy, token)).enviar()
    assert almacen_diario.sin_confirmar(cola)[0] == 3
    resumen = EnvioDiario(cola, _cliente(proxy, token)).enviar()
    assert (resumen.confirmados, resumen.incidencias) == (3, [])


def test_central_sin_diario_no_es_un_error(caja, proxy):
    cola, token = caja
    _anotar(cola, 2)
    proxy.fallar("404", "/v1/diario")
    resumen = EnvioDiario(cola, _cliente(proxy, token)).enviar()
    assert resumen.central_sin_diario and resumen.enviados == 0
    assert almacen_diario.sin_confirmar(cola)[0] == 2
    assert EnvioDiario(cola, _cliente(proxy, token)).enviar().confirmados == 2


def test_incidencia_de_la_central_se_anota_y_el_registro_queda_confirmado(caja, proxy):
    """Un registro que nunca llega (aquí: el nº 2 marcado como confirmado sin enviarlo, como
    si lo hubieran borrado) lo ve la central como hueco en el siguiente, nombrando el número."""
    cola, token = caja
    _anotar(cola, 3)
    segundo = almacen_diario.apuntes(cola)[1]
    almacen_diario.confirmar(cola, [(segundo.pos, "aceptado", [])])
    resumen = EnvioDiario(cola, _cliente(proxy, token)).enviar()
    assert resumen.confirmados == 2
    assert len(resumen.incidencias) >= 1
    assert all(f"{segundo.serie} nº 3" in texto for texto in resumen.incidencias)
    assert any("faltan los números 2" in texto for texto in resumen.incidencias)
    assert almacen_diario.sin_confirmar(cola)[0] == 0


def test_el_envio_no_recorre_lo_ya_confirmado(caja, proxy):
    cola, token = caja
    _anotar(cola, 5)
    apuntes = almacen_diario.apuntes(cola)
    almacen_diario.confirmar(cola, [(apuntes[1].pos, "aceptado", [])])
    assert almacen_diario.confirmados_hasta(cola) == 0  # el nº 1 aún no
    almacen_diario.confirmar(cola, [(apuntes[0].pos, "aceptado", [])])
    assert almacen_diario.confirmados_hasta(cola) == apuntes[1].pos
    EnvioDiario(cola, _cliente(proxy, token)).enviar()
    assert almacen_diario.confirmados_hasta(cola) == apuntes[-1].pos
