"""Una sola definición de las reglas de negocio en los dos lados, contra la central real (proceso
gunicorn en loopback) y terminales reales (CLI como proceso, fachada sobre ficheros SQLite)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from agente.fachada import Agente
from agente.sincronizacion import credenciales
from agente.sincronizacion.conectividad import Conectividad
from agente.sincronizacion.errores import IdentidadAjena
from agente.sincronizacion.sincronizador import Sincronizador
from agente.soporte import configuracion
from protocolo.esquema import ErrorValor

from .terminales import EXISTENCIA, configurar, existencia, orden_configurar, sincro

PRODUCTO = "productos.Producto"
CLIENTE = "clientes.Cliente"
VENTA = "ventas.Venta"
LINEA = "ventas.LineaVenta"


def enviar(central, token: str, *ops: dict) -> list[dict]:
    """``POST /v1/operaciones`` tal cual, como lo haría una terminal hostil o descuidada."""
    cuerpo = {
        "operaciones": [
            {"uuid": str(uuid.uuid4()), "hora_terminal": "", "desfase_ms": 0, **o} for o in ops
        ]
    }
    r = requests.post(
        central.url + "/v1/operaciones",
        data=json.dumps(cuerpo),
        timeout=60,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text[:300]
    return r.json()["resultados"]


def descargar(central, modelo: str) -> dict[str, dict]:
    r = requests.get(
        central.url + "/v1/cambios",
        params={"modelos": modelo, "limite": 5000},
        headers={"Authorization": f"Token {central.token}"},
        timeout=60,
    )
    return {c["id"]: c.get("datos") for c in r.json()["cambios"]}


@pytest.fixture(scope="module")
def terminal(central, tmp_path_factory) -> Path:
    datos = tmp_path_factory.mktemp("terminal")
    configurar(datos, central, "T001", "caja-1", central.token)
    r = sincro(datos, "sincronizar", "--una-vez")
    assert r.returncode == 0, r.stderr
    return datos


def _cola(datos: Path) -> list:
    r = sincro(datos, "cola", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


# Lo que la central rechaza se rechaza al encolar, con el mismo texto.
MALAS = [
    (CLIENTE, "crear", None, {"nombre": "Ana"}, "Falta el campo obligatorio «nif»"),
    (CLIENTE, "crear", None, {"nombre": "A\x00na", "nif": "1"}, "carácter nulo"),
    (CLIENTE, "crear", None, {"nombre": "x" * 201, "nif": "1"}, "como mucho 200 caracteres"),
    (CLIENTE, "crear", None, {"nombre": "x" * 70_000, "nif": "1"}, "el máximo es 64 KiB"),
    (
        PRODUCTO,
        "actualizar",
        "3",
        {"precio": "2.00"},
        "«precio» de productos.Producto no se puede escribir desde las tiendas",
    ),
    (LINEA, "crear", None, {"precio_unitario": "1e999"}, "fuera de rango"),
    (LINEA, "crear", None, {"precio_unitario": "NaN"}, "decimal finito"),
    (LINEA, "crear", None, {"precio_unitario": "-5.00"}, "no puede ser menor que 0"),
    (LINEA, "crear", None, {"precio_unitario": "1.999"}, "como mucho 2 decimales"),
    (EXISTENCIA, "ajustar", "T001:3", {"cantidad": 2**63 - 1}, "no puede ser mayor que 10000"),
    (EXISTENCIA, "ajustar", "T001:3", {"producto": 4}, "no se puede escribir"),
    (PRODUCTO, "ajustar", "3", {"precio": "1.00"}, "«ajustar»"),
    (PRODUCTO, "actualizar", "3", {"codigo": "12345678901234"}, "como mucho 13 caracteres"),
]


@pytest.mark.parametrize(("modelo", "tipo", "objeto", "datos", "fragmento"), MALAS)
def test_lo_que_la_central_rechaza_no_se_encola(
    central, terminal, modelo, tipo, objeto, datos, fragmento
):
    antes = _cola(terminal)
    argumentos = ["encolar", "--modelo", modelo, "--tipo", tipo, "--datos", json.dumps(datos)]
    r = sincro(terminal, *argumentos, *(["--objeto", objeto] if objeto else []))
    assert r.returncode == 2, r.stdout
    assert fragmento in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert _cola(terminal) == antes
    # La misma operación, enviada cruda a la central, queda rechazada con el mismo motivo.
    if tipo == "crear":
        datos = {**datos, "id": str(uuid.uuid4())}
    resultado = enviar(
        central,
        central.token,
        {"modelo": modelo, "tipo": tipo, "objeto_id": objeto, "datos": datos, "version_base": 0},
    )[0]
    assert resultado["resultado"] == "rechazada" and fragmento in resultado["motivo"], resultado


def test_referencias_a_objetos_desconocidos_no_se_encolan(central, terminal):
    with Agente.abrir(terminal) as agente:
        with pytest.raises(
            ErrorValor, match=r": «Producto» apunta a Producto 999999, que esta terminal no"
        ):
            agente.vender([{"producto": 999999, "cantidad": 1, "precio_unitario": "1.00"}])
        with pytest.raises(ErrorValor, match=r"«Cliente» apunta a Cliente [0-9a-f-]{36}, que"):
            agente.vender(
                [{"producto": 1, "cantidad": 1, "precio_unitario": "1.00"}],
                cliente=str(uuid.uuid4()),
            )
        assert agente.cola() == []
        # Un cliente creado aquí (aún sin enviar) sí vale como referencia, y la venta también
        # en el mismo lote para sus líneas.
        nuevo = agente.encolar(CLIENTE, "crear", {"nombre": "Nueva", "nif": "X9"})
        agente.vender(
            [{"producto": 1, "cantidad": 1, "precio_unitario": "1.00"}], cliente=nuevo.objeto_id
        )
        assert len(agente.cola()) == 4
    r = sincro(terminal, "sincronizar", "--una-vez")
    assert r.returncode == 0 and "rechazadas 0" in r.stdout, r.stdout + r.stderr
    # Y la central los rechaza igual (con su propio texto: no existen).
    r = enviar(
        central,
        central.token,
        {
            "modelo": LINEA,
            "tipo": "crear",
            "objeto_id": None,
            "datos": {
                "id": str(uuid.uuid4()),
                "venta": str(uuid.uuid4()),
                "producto": 999999,
                "cantidad": 1,
                "precio_unitario": "1.00",
            },
        },
    )
    assert r[0]["resultado"] == "rechazada" and "no existe" in r[0]["motivo"]


def test_ajustar_fuera_de_limites_con_el_valor_optimista(central, terminal):
    """La terminal comprueba el resultado de un ajuste con su valor optimista (caché + sus
    operaciones sin confirmar) y la central otra vez con el suyo: los dos lo rechazan."""
    with Agente.abrir(terminal) as agente:
        agente.encolar(EXISTENCIA, "actualizar", {"cantidad": 999_995_000}, objeto_id="T001:12")
        agente.ajustar(EXISTENCIA, existencia(12), "cantidad", 4_000)
        with pytest.raises(ErrorValor, match="tras el ajuste no puede ser mayor que 1000000000"):
            agente.ajustar(EXISTENCIA, existencia(12), "cantidad", 4_000)
        assert agente.existencia(12)["cantidad"] == 999_999_000
    r = sincro(terminal, "sincronizar", "--una-vez")
    assert r.returncode == 0 and "rechazadas 0" in r.stdout, r.stdout + r.stderr
    r = enviar(
        central,
        central.token,
        {
            "modelo": EXISTENCIA,
            "tipo": "ajustar",
            "objeto_id": "T001:12",
            "datos": {"cantidad": 4_000},
        },
    )
    assert r[0]["resultado"] == "rechazada" and "fuera de sus límites" in r[0]["motivo"]


def test_actualizar_y_borrar_sin_version_base_se_rechazan(central):
    """La comprobación de conflictos no se puede saltar: sin ``version_base`` nada se aplica;
    con base 0 (la terminal no conoce la versión) y sin valores base, es un conflicto."""
    antes = descargar(central, PRODUCTO)["5"]
    r = enviar(
        central,
        central.token,
        {"modelo": PRODUCTO, "tipo": "actualizar", "objeto_id": "5", "datos": {"nombre": "Pisado"}},
        {"modelo": CLIENTE, "tipo": "borrar", "objeto_id": str(uuid.uuid4()), "datos": {}},
        {
            "modelo": PRODUCTO,
            "tipo": "actualizar",
            "objeto_id": "5",
            "datos": {"nombre": "Pisado"},
            "version_base": 0,
        },
    )
    assert [x["resultado"] for x in r] == ["rechazada", "rechazada", "conflicto"], r
    assert "sin «version_base»" in r[0]["motivo"]
    assert descargar(central, PRODUCTO)["5"] == antes


def test_sin_version_de_la_central_la_base_son_los_valores_que_ve_la_terminal(central, tmp_path):
    """Un cliente creado aquí, ya enviado pero aún no descargado: actualizarlo viaja con base 0 y
    los valores que ve la terminal, y se aplica sin conflicto."""
    datos = tmp_path / "t"
    configurar(datos, central, "T001", "caja-1", central.token)
    assert sincro(datos, "sincronizar", "--una-vez").returncode == 0
    with Agente.abrir(datos) as agente:
        nuevo = agente.encolar(CLIENTE, "crear", {"nombre": "Efímero", "nif": "E1"})
        sincronizador = Sincronizador(
            datos, agente.operaciones, agente.cache, configuracion.cargar(datos), Conectividad()
        )
        try:
            sincronizador.empujar()  # sólo el envío: la caché aún no lo tiene
            assert agente.cache.fila(CLIENTE, nuevo.objeto_id) is None
            cambio = agente.encolar(CLIENTE, "actualizar", {"nif": "E2"}, objeto_id=nuevo.objeto_id)
            assert (cambio.version_base, cambio.valores_base) == (0, {"nif": "E1"})
            sincronizador.empujar()
        finally:
            sincronizador.cerrar()
        estados = {o.uuid: o.estado for o in agente.cola()}
    assert [estados[o.uuid] for o in (nuevo, cambio)] == ["COMPLETADO"] * 2
    assert descargar(central, CLIENTE)[nuevo.objeto_id]["nif"] == "E2"


def test_tienda_y_terminal_salen_del_token(central, terminal):
    """La central pone tienda y terminal desde el token; un valor distinto en los datos se
    rechaza con motivo (y la terminal ya no los envía)."""
    fecha = "2026-11-28T10:00:00+01:00"
    vid, otra = str(uuid.uuid4()), str(uuid.uuid4())
    r = enviar(
        central,
        central.token,
        {
            "modelo": VENTA,
            "tipo": "crear",
            "objeto_id": vid,
            "datos": {"id": vid, "cliente": None, "fecha": fecha, "total": "1.00"},
        },
        {
            "modelo": VENTA,
            "tipo": "crear",
            "objeto_id": otra,
            "datos": {
                "id": otra,
                "terminal": "caja-7",
                "cliente": None,
                "fecha": fecha,
                "total": "1.00",
            },
        },
        {
            "modelo": VENTA,
            "tipo": "crear",
            "objeto_id": otra,
            "datos": {
                "id": otra,
                "tienda": "T002",
                "cliente": None,
                "fecha": fecha,
                "total": "1.00",
            },
        },
    )
    assert [x["resultado"] for x in r] == ["aplicada", "rechazada", "rechazada"], r
    assert "«terminal» no es el de esta terminal (caja-1)" in r[1]["motivo"]
    assert "«tienda» no es el de esta tienda (T001)" in r[2]["motivo"]
    ventas = descargar(central, VENTA)
    assert ventas[vid]["terminal"] == "caja-1" and ventas[vid]["tienda"] == "T001"
    assert otra not in ventas
    # Una venta de la terminal real: la terminal la pone la central.
    with Agente.abrir(terminal) as agente:
        ops = agente.vender([{"producto": 2, "cantidad": 1, "precio_unitario": "2.00"}])
        assert "terminal" not in ops[0].datos
    assert sincro(terminal, "sincronizar", "--una-vez").returncode == 0
    assert descargar(central, VENTA)[ops[0].objeto_id]["terminal"] == "caja-1"


def test_configurar_rechaza_un_token_de_otra_terminal(central, tmp_path):
    token_otra = central.crear_terminal("T002", "caja-9")
    r = sincro(
        tmp_path, *orden_configurar(central.url, "T001", "caja-1"), entrada=token_otra + "\n"
    )
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Ese token es de T002/caja-9, no de T001/caja-1" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert configuracion.cargar(tmp_path) is None


def test_ninguna_sincronizacion_con_un_token_de_otra_terminal(central, tmp_path):
    """Terminal configurada como T001/caja-1 a la que le cambian el token del llavero por el de
    otra: ni el pase ni el empuje envían nada, y lo dicen."""
    datos = tmp_path / "t"
    configurar(datos, central, "T001", "caja-1", central.token)
    assert sincro(datos, "sincronizar", "--una-vez").returncode == 0
    with Agente.abrir(datos) as agente:
        op = agente.ajustar(EXISTENCIA, existencia(6), "cantidad", -1)
    credenciales.guardar_token(datos, "caja-1", central.crear_terminal("T003", "caja-2"))
    r = sincro(datos, "sincronizar", "--una-vez")
    assert r.returncode != 0
    assert "El token es de T003/caja-2, pero esta terminal está configurada como T001/caja-1" in (
        r.stderr
    ), r.stderr
    with Agente.abrir(datos) as agente:
        assert [o.estado for o in agente.cola()] == ["PENDIENTE"]
        sincronizador = Sincronizador(
            datos, agente.operaciones, agente.cache, configuracion.cargar(datos), Conectividad()
        )
        try:
            with pytest.raises(IdentidadAjena):
                sincronizador.empujar()
        finally:
            sincronizador.cerrar()
        assert [o.estado for o in agente.cola()] == ["PENDIENTE"]
    # La central nunca la recibió: reenviada con el token bueno se aplica (no «duplicada»).
    r = enviar(central, central.token, {**op.a_protocolo()})
    assert r[0]["resultado"] == "aplicada"


# -- propiedad: aceptada al encolar ⇔ no rechazada por la central ------------------------------

_TEXTO_VALIDO = st.text(
    st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=12
)
_TEXTOS = st.one_of(
    _TEXTO_VALIDO,
    _TEXTO_VALIDO,
    st.text(min_size=195, max_size=210),
    st.sampled_from(["con\x00nulo", "", " "]),
)
_DECIMALES = st.one_of(
    st.decimals(min_value=0, max_value=10**6, places=2).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.sampled_from(
        [
            "1e999",
            "NaN",
            "-Infinity",
            "-0.01",
            "0",
            "12.5",
            "12.505",
            " 3.10 ",
            "99999999.99",
            "100000000.00",
            "1E+2",
            "abc",
            "",
        ]
    ),
)
_ENTEROS = st.one_of(
    st.integers(-20_000, 20_000),
    st.integers(0, 100),
    st.integers(-50, 50),
    st.integers(-(2**64), 2**64),
    st.sampled_from([0, -1, 10_000, 10_001, -10_001, 10_000_000, 10_000_001]),
)
_CUALQUIERA = st.one_of(st.none(), st.booleans(), st.floats(), _TEXTOS, _ENTEROS)


@st.composite
def operaciones(draw) -> tuple[str, str, str | None, dict]:
    """Operaciones al azar, válidas o no por poco (tipos, nulos, longitudes, límites, campos
    desconocidos o de sólo lectura, operaciones no permitidas en el campo)."""
    eleccion = draw(
        st.sampled_from(
            ["cliente_crear", "cliente_actualizar", "producto_actualizar", "existencia_ajustar"]
        )
    )
    if eleccion.startswith("cliente"):
        campos = {
            "nombre": _TEXTOS,
            "nif": _TEXTOS,
            "email": st.one_of(st.none(), _TEXTOS),
            "puntos": _ENTEROS,
            "telefono": st.one_of(st.none(), _TEXTOS),
        }
    elif eleccion == "producto_actualizar":
        campos = {
            "nombre": _TEXTOS,
            "precio": _DECIMALES,
            "categoria": st.one_of(st.none(), _TEXTOS),
        }
    else:
        campos = {"cantidad": _ENTEROS, "cantidad ": _ENTEROS, "precio": _DECIMALES}
    if draw(st.booleans()):  # la mitad, válida a propósito: que haya de los dos lados
        campos = {
            n: _VALIDOS[(eleccion.split("_")[1], n.strip())]
            for n in campos
            if (eleccion.split("_")[1], n.strip()) in _VALIDOS
        }
        nombres = draw(
            st.lists(st.sampled_from(sorted(campos)), min_size=1, max_size=3, unique=True)
        )
        datos = {n: draw(campos[n]) for n in nombres}
        if eleccion == "cliente_crear":
            datos = {"nombre": draw(_TEXTO_VALIDO), "nif": draw(_TEXTO_VALIDO), **datos}
        return _operacion(draw, eleccion, datos)
    nombres = draw(
        st.lists(
            st.sampled_from([*campos, *campos, *campos, "color", "id"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    if eleccion == "cliente_crear" and draw(st.integers(0, 3)):
        nombres = ["nombre", "nif", *[n for n in nombres if n not in ("nombre", "nif")]]
    datos = {
        n.strip(): draw(campos[n] if n in campos and draw(st.integers(0, 6)) else _CUALQUIERA)
        for n in nombres
    }
    return _operacion(draw, eleccion, datos)


def _operacion(draw, eleccion: str, datos: dict) -> tuple[str, str, str | None, dict]:
    if eleccion == "cliente_crear":
        return CLIENTE, "crear", None, {"id": str(uuid.uuid4()), **datos}
    if eleccion == "cliente_actualizar":
        return CLIENTE, "actualizar", "cliente", datos
    if eleccion == "existencia_ajustar":
        return EXISTENCIA, "ajustar", existencia(draw(st.integers(10, 20))), datos
    return PRODUCTO, eleccion.split("_")[1], str(draw(st.integers(10, 20))), datos


_PRECIO_VALIDO = st.decimals(min_value=0, max_value=10**6, places=2).map(str)
_VALIDOS = {
    ("crear", "nombre"): _TEXTO_VALIDO,
    ("crear", "nif"): _TEXTO_VALIDO,
    ("crear", "email"): st.one_of(st.none(), _TEXTO_VALIDO),
    ("crear", "puntos"): st.integers(0, 5000),
    ("crear", "telefono"): st.one_of(st.none(), _TEXTO_VALIDO),
    ("actualizar", "nombre"): _TEXTO_VALIDO,
    ("actualizar", "nif"): _TEXTO_VALIDO,
    ("actualizar", "puntos"): st.integers(0, 5000),
    ("actualizar", "precio"): _PRECIO_VALIDO,
    ("actualizar", "categoria"): st.one_of(st.none(), _TEXTO_VALIDO),
    ("ajustar", "cantidad"): st.integers(-100, 100),
}


@pytest.fixture(scope="module")
def agente_propiedad(central, tmp_path_factory):
    datos = tmp_path_factory.mktemp("propiedad")
    configurar(datos, central, "T001", "caja-1", central.token)
    assert sincro(datos, "sincronizar", "--una-vez").returncode == 0
    with Agente.abrir(datos) as agente:
        yield agente


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operacion=operaciones())
def test_aceptada_al_encolar_si_y_solo_si_la_central_no_la_rechaza(
    central, agente_propiedad, operacion
):
    modelo, tipo, objeto, datos = operacion
    agente = agente_propiedad
    if objeto == "cliente":
        objeto = next(iter(descargar_clientes(central)))
    try:
        encolada = agente.encolar(modelo, tipo, datos, objeto_id=objeto)
        motivo_terminal = None
    except ErrorValor as exc:
        encolada, motivo_terminal = None, str(exc)
    resultado = enviar(
        central,
        central.token,
        {"modelo": modelo, "tipo": tipo, "objeto_id": objeto, "datos": datos, "version_base": 0},
    )[0]
    rechazada = resultado["resultado"] == "rechazada"
    event(f"{tipo}: {resultado['resultado']}")
    assert (encolada is not None) == (not rechazada), (motivo_terminal, resultado)
    if rechazada:  # el mismo texto en los dos lados
        assert resultado["motivo"] == motivo_terminal
    if tipo == "ajustar" and resultado["resultado"] == "aplicada":
        # La central lo aplicó y la caja no lo sabrá (no sincroniza aquí): se deshace en la
        # central para que las dos sigan viendo la misma cantidad en el ejemplo siguiente; si
        # no, la central se va alejando y un ajuste válido para la caja la sacaría de límites.
        deshacer = {"modelo": modelo, "tipo": tipo, "objeto_id": objeto, "version_base": 0}
        deshacer["datos"] = {campo: -valor for campo, valor in datos.items()}
        assert enviar(central, central.token, deshacer)[0]["resultado"] == "aplicada"
    if encolada is not None:
        # Fuera de la cola: que no se fusione con la siguiente del mismo objeto.
        agente.operaciones.registrar_resultados([], [(encolada.uuid, "prueba de propiedad")])
        agente.operaciones.descartar(encolada.uuid, "prueba de propiedad")


_CLIENTES: list[str] = []


def descargar_clientes(central) -> list[str]:
    if not _CLIENTES:
        _CLIENTES.extend(sorted(descargar(central, CLIENTE)))
    return _CLIENTES
