"""La CLI ``sincro`` real con terminales reales contra la central real: configurar, un pase,
estado, 401 con cola intacta, y dos tiendas que editan el mismo producto (y cada una su stock)
sin conexión."""

import json

from agente.fachada import Agente
from tests.sincronizacion.terminales import (
    EXISTENCIA,
    PRODUCTO,
    configurar,
    estado_json,
    existencia,
    existencias_central,
    orden_configurar,
    productos_cache,
    productos_central,
    sincro,
)


def test_configurar_por_la_cli_y_un_pase(central, tmp_path):
    r = sincro(
        tmp_path, *orden_configurar("http://ejemplo.com/sincro", "T001", "caja-9"), entrada="x\n"
    )
    assert r.returncode == 2 and "https" in r.stderr
    token = central.crear_terminal("T001", "caja-9")
    r = sincro(tmp_path, *orden_configurar(central.url, "T001", "caja-9"), entrada=token + "\n")
    assert r.returncode == 0, r.stderr
    assert token not in r.stdout + r.stderr
    assert token not in (tmp_path / "config.json").read_text()
    r = sincro(tmp_path, "sincronizar", "--una-vez")
    assert r.returncode == 0, r.stderr
    assert "lista para vender offline" in r.stdout
    estado = estado_json(tmp_path)
    assert estado["conexion"]["estado"] == "al día"
    for clave in (
        "ultimo_empuje_ok",
        "ultima_descarga_ok",
        "antiguedad_pendiente_s",
        "desfase_ms",
        "modelos",
        "cola",
        "lista_para_vender_offline",
    ):
        assert clave in estado, clave
    assert estado["cola"]["por_estado"]["PENDIENTE"] == 0
    assert estado["modelos"][PRODUCTO]["completo"]
    assert productos_cache(tmp_path) == productos_central(central)


def test_401_para_sin_perder_nada(central, tmp_path):
    token = central.crear_terminal("T004", "caja-1")
    configurar(tmp_path, central, "T004", "caja-1", token)
    assert sincro(tmp_path, "sincronizar", "--una-vez").returncode == 0
    with Agente.abrir(tmp_path) as agente:
        op = agente.ajustar(EXISTENCIA, existencia(12, "T004"), "cantidad", -1)
    central.crear_terminal("T004", "caja-1")  # rota el token: el anterior queda revocado
    r = sincro(tmp_path, "sincronizar", "--una-vez")
    assert r.returncode == 3 and "autenticación" in r.stderr and "cola" in r.stderr
    estado = estado_json(tmp_path)
    assert estado["conexion"]["estado"] == "error de autenticación"
    assert estado["cola"]["por_estado"]["PENDIENTE"] == 1
    with Agente.abrir(tmp_path) as agente:
        assert agente.operaciones.obtener(op.uuid).estado == "PENDIENTE"


def test_dos_tiendas_editan_el_mismo_producto_sin_conexion(central, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    token_a, token_b = (
        central.crear_terminal("T002", "caja-1"),
        central.crear_terminal("T003", "caja-1"),
    )
    configurar(a, central, "T002", "caja-1", token_a)
    configurar(b, central, "T003", "caja-1", token_b)
    for datos in (a, b):
        assert sincro(datos, "sincronizar", "--una-vez").returncode == 0
    inicial = productos_central(central)["20"]
    stock_a, stock_b = (
        existencias_central(central, token_a)["20"],
        existencias_central(central, token_b)["20"],
    )
    # Sin conexión (nadie sincroniza), cada tienda cambia el producto 20:
    with Agente.abrir(a) as agente:
        agente.encolar(
            PRODUCTO, "actualizar", {"nombre": "Nombre A", "categoria": "Cat A"}, objeto_id="20"
        )
        agente.ajustar(EXISTENCIA, existencia(20, "T002"), "cantidad", -2)
    with Agente.abrir(b) as agente:
        agente.encolar(
            PRODUCTO, "actualizar", {"nombre": "Nombre B", "codigo": "B-1"}, objeto_id="20"
        )
        agente.ajustar(EXISTENCIA, existencia(20, "T003"), "cantidad", -3)
    assert sincro(a, "sincronizar", "--una-vez").returncode == 0
    r = sincro(b, "sincronizar", "--una-vez")
    assert r.returncode == 0, r.stderr
    r = sincro(b, "conflictos", "--json")
    (conflicto,) = json.loads(r.stdout)
    # nombre: los dos lo cambiaron y campo_a_campo no tiene regla -> para el encargado.
    assert conflicto["campos_en_disputa"] == ["nombre"]
    # codigo: sólo lo cambió B -> resuelto sin preguntar.
    assert conflicto["propuesta"] == {"codigo": "B-1"}
    assert conflicto["central"]["nombre"] == "Nombre A"
    texto = sincro(b, "conflictos")
    assert texto.returncode == 0 and "* nombre" in texto.stdout and "Nombre A" in texto.stdout
    r = sincro(b, "resolver", str(conflicto["id"]), "--campo", "codigo", "--json")
    assert r.returncode == 2 and "CAMPO=" in r.stderr
    r = sincro(b, "resolver", str(conflicto["id"]), "--campo", "nombre=Nombre acordado", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["operacion"]["datos"] == {
        "nombre": "Nombre acordado",
        "codigo": "B-1",
    }
    for datos in (b, a):
        assert sincro(datos, "sincronizar", "--una-vez").returncode == 0
    final = productos_central(central)["20"]
    assert final == {
        **inicial,
        "nombre": "Nombre acordado",
        "categoria": "Cat A",
        "codigo": "B-1",
    }
    assert productos_cache(a)["20"] == productos_cache(b)["20"] == final
    # El stock es de cada tienda: cada una ve el suyo, con sólo su ajuste.
    assert existencias_central(central, token_a)["20"] == stock_a - 2
    assert existencias_central(central, token_b)["20"] == stock_b - 3
    with Agente.abrir(a) as agente:
        assert agente.existencia(20)["cantidad"] == stock_a - 2
        assert agente.obtener(EXISTENCIA, existencia(20, "T003")) is None
    assert "resolucion_manual" in sincro(b, "auditoria").stdout
    assert sincro(b, "conflictos").stdout.startswith("No hay conflictos abiertos")
    r = sincro(b, "auditoria", "--json")
    acciones = [e["accion"] for e in json.loads(r.stdout)]
    assert "resolucion_manual" in acciones and "conflicto_abierto" in acciones
