"""Propiedades del orden de envío y de la fusión al encolar (hypothesis).

- ``orden.elegir`` coincide con una implementación de referencia ingenua (cuadrática) y nunca
  entrega una operación antes que otra anterior del mismo objeto o de un modelo del que
  depende.
- Sobre una ``Cola`` real: para cualquier secuencia de encolados y cualquier intercalado de
  ``preparar_envio``/``confirmar``/``marcar_error``/``devolver``, ninguna operación sale antes
  de tiempo.
- Fusionar al encolar nunca cambia el estado optimista final de un objeto respecto a aplicar
  las operaciones una a una.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from agente import coalescer, optimista, orden
from agente.cola import Cola, NuevaOperacion
from agente.esquema import esquema_desde_dict
from agente.operacion import COMPLETADO, DESCARTADO, PENDIENTE, PROCESANDO, SIN_CONFIRMAR
from tests.agente.conftest import esquema_demo_dict

MODELOS = ["a.A", "a.B", "a.C", "a.D"]
DEPENDENCIAS = orden.dependencias_transitivas({"a.B": ["a.A"], "a.C": ["a.B"], "a.D": []})


def _referencia(piezas, dependencias, limite):
    elegidas: list[int] = []
    while len(elegidas) < limite:
        listas = []
        for i, p in enumerate(piezas):
            if p.estado != PENDIENTE or i in elegidas:
                continue
            bloqueada = any(
                j not in elegidas
                and (
                    (q.modelo, q.objeto_id) == (p.modelo, p.objeto_id)
                    or q.modelo in dependencias.get(p.modelo, ())
                )
                for j, q in enumerate(piezas[:i])
            )
            if not bloqueada:
                listas.append((p.clave, i))
        if not listas:
            break
        elegidas.append(min(listas)[1])
    return elegidas


piezas_st = st.lists(
    st.tuples(
        st.sampled_from(MODELOS),
        st.sampled_from(["1", "2", "3"]),
        st.sampled_from([PENDIENTE, PENDIENTE, PENDIENTE, PROCESANDO, "ERROR", "CONFLICTO"]),
        st.integers(0, 2),
    ),
    max_size=40,
)


@given(piezas_st, st.integers(0, 50))
@settings(max_examples=300, deadline=None)
def test_elegir_coincide_con_la_referencia(datos, limite):
    piezas = [
        orden.Pieza(seq, modelo, objeto, estado, (prioridad,))
        for seq, (modelo, objeto, estado, prioridad) in enumerate(datos, start=1)
    ]
    assert orden.elegir(piezas, DEPENDENCIAS, limite) == _referencia(piezas, DEPENDENCIAS, limite)


# --- sobre una Cola real --------------------------------------------------------------------

ESQUEMA = esquema_desde_dict(esquema_demo_dict())
DEPS_DEMO = orden.dependencias_transitivas(
    {m.nombre: m.dependencias for m in ESQUEMA.modelos.values()}
)
OBJETOS = [
    ("productos.Producto", "1"),
    ("productos.Producto", "2"),
    ("clientes.Cliente", "c1"),
    ("ventas.Venta", "v1"),
    ("ventas.Venta", "v2"),
    ("ventas.LineaVenta", "l1"),
]

accion_st = st.one_of(
    st.tuples(
        st.just("encolar"),
        st.sampled_from(OBJETOS),
        st.sampled_from(["actualizar", "ajustar", "crear", "borrar"]),
    ),
    st.tuples(st.just("preparar"), st.integers(1, 4)),
    st.tuples(st.just("confirmar"), st.integers(0, 10)),
    st.tuples(st.just("error"), st.integers(0, 10)),
    st.tuples(st.just("devolver"), st.integers(0, 10)),
    st.tuples(st.just("resolver"), st.integers(0, 10)),
)


@given(st.lists(accion_st, max_size=40))
# Casos mínimos que hypothesis no siempre encuentra en pocas pasadas: una operación en vuelo
# (cliente, producto) y después otra de un modelo dependiente o del mismo objeto.
@example([("encolar", OBJETOS[2], "crear"), ("preparar", 1),
          ("encolar", OBJETOS[3], "crear"), ("preparar", 4)])
@example([("encolar", OBJETOS[0], "ajustar"), ("preparar", 1),
          ("encolar", OBJETOS[0], "ajustar"), ("encolar", OBJETOS[5], "crear"),
          ("preparar", 4)])
@example([("encolar", OBJETOS[0], "ajustar"), ("preparar", 1), ("error", 0),
          ("encolar", OBJETOS[5], "crear"), ("preparar", 4)])
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_ninguna_operacion_sale_antes_de_tiempo(acciones):
    with tempfile.TemporaryDirectory() as directorio:
        cola = Cola(Path(directorio) / "cola.sqlite")
        cola.configurar_modelos(ESQUEMA.modelos.values())
        en_vuelo: list[str] = []
        for accion in acciones:
            if accion[0] == "encolar":
                (modelo, objeto), tipo = accion[1], accion[2]
                datos = {} if tipo == "borrar" else {"x": 1}
                cola.encolar(NuevaOperacion(modelo, objeto, tipo, datos))
            elif accion[0] == "preparar":
                antes = {o.uuid: o for o in cola.listar()}
                lote = cola.preparar_envio(limite=accion[1])
                _comprobar_lote(antes, lote)
                en_vuelo.extend(o.uuid for o in lote)
            elif en_vuelo:
                uuid = en_vuelo.pop(accion[1] % len(en_vuelo))
                if accion[0] == "confirmar":
                    cola.confirmar(uuid, 1)
                elif accion[0] == "error":
                    cola.marcar_error(uuid, "rechazada")
                elif accion[0] == "devolver":
                    cola.devolver([uuid], "red")
                else:
                    cola.marcar_conflicto(uuid, "conflicto")
                    cola.reintentar(uuid)
        cola.cerrar()


def _comprobar_lote(antes, lote):
    previas = sorted(antes.values(), key=lambda o: o.seq)
    entregadas: set[str] = set()
    for op in lote:
        assert antes[op.uuid].estado == PENDIENTE
        for anterior in previas:
            if anterior.seq >= op.seq or anterior.estado not in SIN_CONFIRMAR:
                continue
            mismo_objeto = (anterior.modelo, anterior.objeto_id) == (op.modelo, op.objeto_id)
            dependencia = anterior.modelo in DEPS_DEMO.get(op.modelo, ())
            if mismo_objeto or dependencia:
                assert anterior.uuid in entregadas, (anterior, op)
        entregadas.add(op.uuid)


# --- fusión y vista optimista ---------------------------------------------------------------

CAMPOS = ("nombre", "stock", "precio")
fila_st = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "nombre": st.sampled_from(["a", "b"]),
            "stock": st.integers(-5, 5),
            "precio": st.sampled_from(["1.00", "2.5", "0"]),
        }
    ),
)
paso_st = st.one_of(
    st.tuples(
        st.just("actualizar"),
        st.fixed_dictionaries(
            {},
            optional={
                "nombre": st.sampled_from(["x", "y"]),
                "stock": st.integers(-9, 9),
                "precio": st.sampled_from(["3.10", "4"]),
            },
        ).filter(bool),
    ),
    st.tuples(
        st.just("ajustar"), st.dictionaries(st.just("stock"), st.integers(-3, 3), min_size=1)
    ),
    st.tuples(
        st.just("ajustar"),
        st.dictionaries(st.just("precio"), st.sampled_from(["-0.25", "1.5", "2"]), min_size=1),
    ),
    st.tuples(st.just("crear"), st.fixed_dictionaries({"nombre": st.sampled_from(["n", "m"])})),
    st.tuples(st.just("borrar"), st.just({})),
)


@given(fila_st, st.lists(paso_st, max_size=12), st.lists(st.booleans(), max_size=12))
@settings(max_examples=500, deadline=None)
def test_fusionar_no_cambia_el_estado_optimista(fila, pasos, enviadas):
    """Simula la cola de un objeto: cada paso se fusiona (o no) con la última operación; algunas
    operaciones «ya se intentaron enviar» y no admiten fusión."""
    cola: list[dict] = []
    uno_a_uno: list[tuple[str, dict]] = []
    for i, (tipo, datos) in enumerate(pasos):
        estado_actual = optimista.aplicar(fila, uno_a_uno, CAMPOS)
        if tipo == "crear" and estado_actual is not None:
            continue  # el Agente rechaza crear un objeto que ya existe
        uno_a_uno.append((tipo, datos))
        ultima = cola[-1] if cola else None
        anterior = None
        if ultima is not None:
            anterior = coalescer.Anterior(
                ultima["tipo"], ultima["datos"], {}, ultima["estado"], ultima["intentos"]
            )
        decision = coalescer.decidir(anterior, tipo, datos, {})
        if decision.accion == coalescer.FUSIONAR:
            ultima["tipo"], ultima["datos"] = decision.tipo, decision.datos
        elif decision.accion == coalescer.ANULAR:
            cola.pop()
        else:
            intentada = i < len(enviadas) and enviadas[i]
            cola.append(
                {
                    "tipo": tipo,
                    "datos": dict(datos),
                    "estado": PENDIENTE,
                    "intentos": 1 if intentada else 0,
                }
            )
    fusionadas = [(o["tipo"], o["datos"]) for o in cola]
    assert optimista.aplicar(fila, fusionadas, CAMPOS) == optimista.aplicar(fila, uno_a_uno, CAMPOS)


def test_estados_finales_no_bloquean():
    piezas = [orden.Pieza(1, "a.A", "1", COMPLETADO), orden.Pieza(2, "a.A", "1", PENDIENTE)]
    # Las finales no se pasan a elegir (la Cola sólo lee las sin confirmar); si llegaran,
    # contarían como bloqueo: comprobamos que el contrato es explícito.
    assert orden.elegir(piezas[1:], {}, 10) == [0]
    assert DESCARTADO not in SIN_CONFIRMAR
