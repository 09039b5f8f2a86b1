"""Validación estricta del esquema (``protocolo.esquema``): nombres antes de tocar SQL,
estrategias y reglas desconocidas, tipos y valores."""

from __future__ import annotations

import copy
import uuid
from dataclasses import replace

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from protocolo.esquema import (
    ErrorEsquema,
    ErrorValor,
    comprobar_modelos,
    esquema_desde_dict,
    huella_de,
    normalizar_valor,
    tabla_de_modelo,
    validar_identificador,
)

PRODUCTO = "productos.Producto"


def con(esquema_dict, cambio):
    copia = copy.deepcopy(esquema_dict)
    cambio(copia)
    return copia


def test_el_esquema_de_demo_es_valido(esquema):
    assert set(esquema.modelos) == {
        PRODUCTO,
        "clientes.Cliente",
        "ventas.Venta",
        "ventas.LineaVenta",
    }
    producto = esquema.modelo(PRODUCTO)
    assert producto.tabla == "m_productos__producto"
    assert producto.campos_escribibles == {"nombre", "codigo", "precio", "stock", "categoria"}
    assert [m.nombre for m in esquema.criticos()] == [PRODUCTO, "clientes.Cliente"]
    assert esquema_desde_dict(esquema.a_dict()) == esquema  # ida y vuelta
    assert len(producto.huella) == 64


@pytest.mark.parametrize(
    ("cambio", "mensaje"),
    [
        (
            lambda e: e["modelos"][PRODUCTO].update(estrategia_conflicto="la_mia"),
            "estrategia_conflicto 'la_mia' desconocida",
        ),
        (
            lambda e: e["modelos"][PRODUCTO]["reglas_por_campo"].update(precio="al_azar"),
            "regla 'al_azar' desconocida",
        ),
        (
            lambda e: e["modelos"][PRODUCTO]["campos_esenciales"].append("x; DROP TABLE y"),
            "Nombre de campo .* no válido: .x; DROP TABLE y",
        ),
        (lambda e: e["modelos"].update({"productos.Pro ducto": {}}), "Nombre de modelo no válido"),
        (lambda e: e["modelos"].update({"sin_punto": {}}), "Nombre de modelo no válido"),
        (lambda e: e["modelos"][PRODUCTO]["tipos"].update(stock="flotante"), "tipo 'flotante'"),
        (lambda e: e["modelos"][PRODUCTO].update(clave="nombrex"), "debe estar entre"),
        (
            lambda e: e["modelos"][PRODUCTO].update(operaciones_permitidas=["volar"]),
            "operaciones_permitidas.*'volar'",
        ),
        (
            lambda e: e["modelos"][PRODUCTO].update(campos_excluidos=["precio"]),
            "esenciales y excluidos",
        ),
        (lambda e: e["modelos"][PRODUCTO].update(opcion_rara=1), "opciones desconocidas"),
        (
            lambda e: e["modelos"]["clientes.Cliente"].update(dependencias=["ventas.Venta"]),
            "circulares",
        ),
        (
            lambda e: e["modelos"]["ventas.Venta"].update(
                dependencias=["otros.Modelo"], referencias={}
            ),
            "no es sincronizable",
        ),
        (
            lambda e: e["modelos"]["ventas.Venta"].update(referencias={"nota": "clientes.Cliente"}),
            "no es un campo esencial",
        ),
        (
            lambda e: e["modelos"]["ventas.Venta"].update(
                referencias={"cliente": "productos.Producto"}
            ),
            "no está en sus «dependencias»",
        ),
        (
            lambda e: e["modelos"]["ventas.Venta"].update(referencias=["cliente"]),
            "«referencias» debe ser un objeto",
        ),
        (
            lambda e: e["modelos"]["ventas.Venta"].update(referencias={"id": "clientes.Cliente"}),
            "no puede ser una referencia",
        ),
        (lambda e: e.update(version_protocolo=2), "protocolo"),
        (
            lambda e: e["modelos"][PRODUCTO]["reglas_por_campo"].update(stock="concatenar"),
            "sólo se aplica a campos de texto",
        ),
        (lambda e: e["modelos"][PRODUCTO].update(prioridad="alta"), "prioridad"),
        (
            lambda e: e["modelos"][PRODUCTO].update(campos_indice=["descripcion"]),
            "no son esenciales",
        ),
    ],
)
def test_configuraciones_invalidas_se_rechazan_con_mensaje(esquema_dict, cambio, mensaje):
    with pytest.raises(ErrorEsquema, match=mensaje):
        esquema_desde_dict(con(esquema_dict, cambio))


def test_modelos_que_solo_difieren_en_mayusculas(esquema_dict):
    datos = con(
        esquema_dict, lambda e: e["modelos"].update({"Productos.producto": e["modelos"][PRODUCTO]})
    )
    with pytest.raises(ErrorEsquema, match="mayúsculas"):
        esquema_desde_dict(datos)


def test_comprobar_modelos_sin_envoltorio_de_protocolo(esquema):
    """Las reglas entre modelos se pueden comprobar sin la respuesta entera (la central las usa
    al arrancar): las mismas que aplica ``esquema_desde_dict``."""
    comprobar_modelos(esquema.modelos)
    cliente = esquema.modelo("clientes.Cliente")
    ciclo = {**esquema.modelos, cliente.nombre: replace(cliente, dependencias=("ventas.Venta",))}
    with pytest.raises(ErrorEsquema, match=r"circulares entre modelos: .*ventas\.Venta"):
        comprobar_modelos(ciclo)
    with pytest.raises(ErrorEsquema, match=r"depende de clientes\.Cliente"):
        comprobar_modelos({n: m for n, m in esquema.modelos.items() if n != cliente.nombre})


def test_huella_cambia_con_la_configuracion(esquema_dict):
    config = esquema_dict["modelos"][PRODUCTO]
    otra = copy.deepcopy(config)
    otra["campos_esenciales"] = [*otra["campos_esenciales"]]
    otra["prioridad"] = 11
    assert huella_de(config) != huella_de(otra)
    assert huella_de(config) == huella_de(copy.deepcopy(config))


@given(st.text(max_size=80))
@example("precio\n")
@example("_version\n")
def test_identificadores_aceptados_son_seguros_en_sql(texto):
    try:
        validar_identificador(texto)
    except ErrorEsquema:
        return
    assert texto.isascii() and texto.replace("_", "a").isalnum() and not texto[0].isdigit()
    assert tabla_de_modelo(f"app.{texto}").startswith("m_app__")


@pytest.mark.parametrize(
    ("tipo", "valor", "esperado"),
    [
        ("entero", 3, 3),
        ("decimal", "12.50", "12.50"),
        ("entero", 2**63 - 1, 2**63 - 1),
        ("entero", -(2**63), -(2**63)),
        ("texto", "Café ñ 🥛", "Café ñ 🥛"),
        ("decimal", 3, "3"),
        ("texto", "á", "á"),
        ("booleano", True, True),
        ("fecha", "2026-01-02", "2026-01-02"),
        ("fecha_hora", "2026-01-02T03:04:05+01:00", "2026-01-02T03:04:05+01:00"),
        ("uuid", "6F1C8A3E-0000-4000-8000-000000000001", "6f1c8a3e-0000-4000-8000-000000000001"),
        ("json", {"a": [1]}, {"a": [1]}),
    ],
)
def test_valores_validos(tipo, valor, esperado):
    assert normalizar_valor(tipo, valor) == esperado


@pytest.mark.parametrize(
    ("tipo", "valor"),
    [
        ("entero", "3"),
        ("entero", True),
        ("entero", 1.5),
        ("decimal", 1.5),
        ("decimal", "abc"),
        ("decimal", "NaN"),
        ("texto", 3),
        ("booleano", 1),
        ("fecha_hora", "2026-01-02T03:04:05"),
        ("fecha", "02/01/2026"),
        ("uuid", "no"),
        ("json", {1, 2}),
        ("entero", 2**63),
        ("entero", -(2**63) - 1),
        ("entero", 10**29),
        ("texto", "Leche \ud800"),
        ("json", {"nota": "\udfff"}),
    ],
)
def test_valores_invalidos(tipo, valor):
    with pytest.raises(ErrorValor):
        normalizar_valor(tipo, valor)


def test_validar_datos_de_operacion(esquema):
    producto = esquema.modelo(PRODUCTO)
    assert producto.validar_datos("ajustar", {"stock": -2}) == {"stock": -2}
    with pytest.raises(ErrorValor, match="no admite nulo"):
        producto.validar_datos("actualizar", {"nombre": None})
    assert producto.validar_datos("actualizar", {"categoria": None}) == {"categoria": None}
    cliente = esquema.modelo("clientes.Cliente")
    nuevo = str(uuid.uuid4())
    assert cliente.validar_datos("crear", {"id": nuevo, "nombre": "Ana", "nif": "1"})["id"] == nuevo
    with pytest.raises(ErrorValor, match="Falta el campo obligatorio «nombre»"):
        cliente.validar_datos("crear", {"id": nuevo})
    with pytest.raises(ErrorValor, match="al menos un campo"):
        cliente.validar_datos("actualizar", {})


def test_salto_de_linea_final_no_es_un_identificador():
    for malo in ("precio\n", "precio\r\n"):
        with pytest.raises(ErrorEsquema, match="no válido"):
            validar_identificador(malo)
    with pytest.raises(ErrorEsquema, match="Nombre de modelo no válido"):
        esquema_desde_dict(
            {
                **_sin_modelos(),
                "modelos": {
                    "otro.Modelo\n": {"campos_esenciales": ["id"], "tipos": {"id": "entero"}}
                },
            }
        )


def _sin_modelos() -> dict:
    return {"version_protocolo": 1, "modelos": {}}


@pytest.mark.parametrize("reservado", ["_version", "rowid", "ROWID", "oid", "_rowid_", "Rank"])
def test_campos_reservados_por_la_cache_se_rechazan(esquema_dict, reservado):
    """Sin esta comprobación, «_version» fallaba al guardar el esquema con un error crudo de
    SQLite, «rank» al crear la FTS y «rowid» al aplicar la primera página."""

    def cambio(e):
        config = e["modelos"][PRODUCTO]
        config["campos_esenciales"].append(reservado)
        config["tipos"][reservado] = "texto"

    with pytest.raises(ErrorEsquema, match="reservados por la caché"):
        esquema_desde_dict(con(esquema_dict, cambio))
