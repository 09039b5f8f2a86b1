"""Stock por tienda con procesos reales (central real, terminales reales): una venta de la tienda
A baja la existencia de A en la central y en la vista optimista de A, anularla la devuelve, y
nada de eso se sirve nunca a las cajas de la tienda B (ni una existencia de A ni un cambio del
producto). Una caja no puede ajustar la existencia de otra tienda: la central saca la tienda
del token."""

from __future__ import annotations

from agente.fachada import Agente
from agente.operacion import ERROR
from agente.sincronizacion.cliente import Cliente
from tests.sincronizacion.terminales import (
    EXISTENCIA,
    PRODUCTO,
    configurar,
    existencia,
    existencias_central,
)


def _caja(central, datos, tienda: str) -> str:
    token = central.crear_terminal(tienda, "caja-1")
    configurar(datos, central, tienda, "caja-1", token)
    with Agente.abrir(datos) as agente:
        agente.sincronizar_una_vez()
    return token


def _existencias_en_cache(agente: Agente) -> list[str]:
    config = agente.esquema().modelo(EXISTENCIA)
    return sorted(
        f[0]
        for f in agente.cache._lectora()
        .execute(f'SELECT "{config.clave}" FROM "{config.tabla}"')  # noqa: S608
        .fetchall()
    )


def _cursores(cliente: Cliente) -> dict[str, str]:
    """Cursor de cada modelo tras descargarlo entero."""
    cursores = {}
    for modelo in (PRODUCTO, EXISTENCIA):
        pagina = cliente.cambios(modelo, None, 100000)
        assert not pagina.hay_mas
        cursores[modelo] = pagina.cursor
    return cursores


def _cambios_desde(cliente: Cliente, cursores: dict[str, str]) -> list[dict]:
    return [c for m, cursor in cursores.items() for c in cliente.cambios(m, cursor, 100000).cambios]


def test_una_venta_de_a_solo_cambia_el_stock_de_a(central_factory, tmp_path):
    central = central_factory(demo=20)
    a, b = tmp_path / "a", tmp_path / "b"
    token_a, token_b = _caja(central, a, "TA"), _caja(central, b, "TB")
    cliente_b = Cliente(central.url, token_b)
    # Lo que B ya tiene: desde aquí, nada de lo que haga A debe llegarle.
    cursores_b = _cursores(cliente_b)
    inicial_a, inicial_b = (
        existencias_central(central, token_a),
        existencias_central(central, token_b),
    )

    with Agente.abrir(a) as agente:
        assert _existencias_en_cache(agente) == sorted(existencia(p, "TA") for p in inicial_a)
        precio = agente.obtener(PRODUCTO, "3")["precio"]
        (cabecera, *_resto) = agente.vender(
            [{"producto": 3, "cantidad": 2, "precio_unitario": precio}]
        )
        # La vista optimista de A ya lo descuenta, antes de enviar nada.
        assert agente.existencia(3)["cantidad"] == inicial_a["3"] - 2
        resumen = agente.sincronizar_una_vez()
        assert resumen.empuje.rechazadas == 0
        assert agente.existencia(3)["cantidad"] == inicial_a["3"] - 2
    assert existencias_central(central, token_a)["3"] == inicial_a["3"] - 2
    assert existencias_central(central, token_b) == inicial_b

    # B sincroniza: ni una existencia de A ni un cambio del producto por la venta.
    assert _cambios_desde(cliente_b, cursores_b) == []
    with Agente.abrir(b) as agente:
        agente.sincronizar_una_vez()
        assert _existencias_en_cache(agente) == sorted(existencia(p, "TB") for p in inicial_b)
        assert agente.obtener(EXISTENCIA, existencia(3, "TA")) is None
        assert agente.existencia(3)["cantidad"] == inicial_b["3"]

    # Anular la venta en A devuelve el stock de A (en la vista optimista y en la central).
    with Agente.abrir(a) as agente:
        agente.anular(cabecera.objeto_id)
        assert agente.existencia(3)["cantidad"] == inicial_a["3"]
        agente.sincronizar_una_vez()
    assert existencias_central(central, token_a)["3"] == inicial_a["3"]
    assert _cambios_desde(cliente_b, cursores_b) == []


def test_una_caja_no_ajusta_la_existencia_de_otra_tienda(central_factory, tmp_path):
    central = central_factory(demo=10)
    a, b = tmp_path / "a", tmp_path / "b"
    token_a, _token_b = _caja(central, a, "TA"), _caja(central, b, "TB")
    inicial_a = existencias_central(central, token_a)
    with Agente.abrir(b) as agente:
        # B no la tiene (es privada de A), pero una caja descuidada u hostil puede encolarla
        # con la clave de A: la central la rechaza porque la tienda sale del token.
        op = agente.ajustar(EXISTENCIA, existencia(4, "TA"), "cantidad", -5)
        agente.sincronizar_una_vez()
        rechazada = agente.operaciones.obtener(op.uuid)
        assert rechazada.estado == ERROR
        # En palabras de la tienda, no «productos.Existencia».
        assert f"Existencia «{existencia(4, 'TA')}» no existe en tu tienda." in (
            rechazada.ultimo_error
        )
        # Una caja no la puede nombrar por su producto (no tiene esa fila): su clave.
        assert agente.referido(EXISTENCIA, existencia(4, "TA"), op.datos) is None
    assert existencias_central(central, token_a) == inicial_a


def test_una_existencia_y_una_linea_se_nombran_por_su_producto(central_factory, tmp_path):
    """Ante personas, «Existencia de Producto «…»», no «Existencia TA:3»: ``referido`` da el
    producto de una existencia (de la caché: el ajuste sólo trae la cantidad) y el de una
    línea de venta (de sus datos); un modelo con título no lo necesita."""
    central = central_factory(demo=10)
    _caja(central, tmp_path / "a", "TA")
    with Agente.abrir(tmp_path / "a") as agente:
        producto = agente.obtener(PRODUCTO, "3")
        agente.vender([{"producto": 3, "cantidad": 1, "precio_unitario": producto["precio"]}])
        por_modelo = {op.modelo: op for op in agente.cola()}
        ajuste, linea = por_modelo[EXISTENCIA], por_modelo["ventas.LineaVenta"]
        assert ajuste.datos == {"cantidad": -1} and ajuste.objeto_id == existencia(3, "TA")
        esperado = {
            "modelo": PRODUCTO,
            "objeto_id": "3",
            "valores": producto,
            "nombre_visible": "Producto",
            "campo_titulo": "nombre",
        }
        assert agente.referido(EXISTENCIA, ajuste.objeto_id, ajuste.datos) == esperado
        assert agente.referido(linea.modelo, linea.objeto_id, linea.datos) == esperado
        assert agente.referido(PRODUCTO, "3") is None
        assert agente.referido(EXISTENCIA, "no-es-una-clave") is None
