"""Conflictos y auditoría sobre una cola SQLite real (sin red: los resultados de la central se
dan como datos, igual que los entrega el cliente ya validado)."""

import json
from pathlib import Path

import pytest

from agente.almacen.cola import Cola, ErrorCola, NuevaOperacion
from agente.almacen.conflictos import Conflictos, ErrorConflicto
from agente.operacion import COMPLETADO, CONFLICTO, DESCARTADO, ERROR, PENDIENTE
from protocolo.esquema import esquema_desde_dict

ESQUEMA = esquema_desde_dict(
    json.loads((Path(__file__).parents[1] / "datos" / "esquema_demo.json").read_text())
)
PRODUCTO = ESQUEMA.modelo("productos.Producto")


@pytest.fixture
def cola(tmp_path):
    c = Cola(tmp_path / "cola.sqlite")
    c.configurar_modelos(ESQUEMA.modelos.values())
    yield c
    c.cerrar()


def enviada(cola, datos, base):
    cola.encolar(
        NuevaOperacion(
            modelo=PRODUCTO.nombre,
            objeto_id="1",
            tipo="actualizar",
            datos=datos,
            version_base=5,
            valores_base=base,
        )
    )
    (op,) = cola.preparar_envio(10)
    return op


def test_fusion_automatica_reencola_con_uuid_nuevo_y_audita(cola):
    op = enviada(cola, {"nombre": "B", "stock": 3}, {"nombre": "A", "stock": 10})
    estado, nueva = Conflictos(cola).tratar(
        op, PRODUCTO, version=9, central={"nombre": "A", "stock": 8}, modificado_en=None
    )
    assert estado == "reencolada"
    assert nueva.uuid != op.uuid and nueva.seq == op.seq and nueva.estado == PENDIENTE
    assert nueva.datos == {"nombre": "B", "stock": 3} and nueva.version_base == 9
    assert nueva.valores_base == {"nombre": "A", "stock": 8}
    (entrada,) = Conflictos(cola).auditoria()
    assert entrada["accion"] == "fusion_automatica" and "menor_valor" in entrada["regla_o_motivo"]
    assert entrada["antes"]["operacion"]["uuid"] == op.uuid


def test_fusion_que_coincide_con_la_central_completa_sin_enviar(cola):
    op = enviada(cola, {"precio": "2.00"}, {"precio": "1.00"})
    estado, nueva = Conflictos(cola).tratar(
        op, PRODUCTO, version=9, central={"precio": "3.00"}, modificado_en=None
    )
    assert estado == "completada" and nueva.estado == COMPLETADO  # prioridad_central


def test_conflicto_para_el_encargado_y_resolucion_por_campo(cola):
    conflictos = Conflictos(cola)
    op = enviada(
        cola,
        {"nombre": "Local", "categoria": "x", "stock": 1},
        {"nombre": "Base", "categoria": "y", "stock": 5},
    )
    central = {"nombre": "Central", "categoria": "z", "stock": 2, "precio": "1"}
    estado, en_conflicto = conflictos.tratar(
        op, PRODUCTO, version=12, central=central, modificado_en="2026-01-01T00:00:00+00:00"
    )
    assert estado == "conflicto" and en_conflicto.estado == CONFLICTO
    (c,) = conflictos.listar()
    assert sorted(c.campos_en_disputa) == ["categoria", "nombre"]
    assert c.propuesta == {"stock": 1}
    assert c.operacion["uuid"] == op.uuid and c.operacion["datos"] == op.datos
    with pytest.raises(ErrorConflicto, match="categoria"):
        conflictos.resolver(c.id, PRODUCTO, {"nombre": "local"})
    with pytest.raises(ErrorConflicto, match="espera texto"):
        conflictos.resolver(c.id, PRODUCTO, {"nombre": 5, "categoria": "central"})
    nueva = conflictos.resolver(
        c.id, PRODUCTO, {"nombre": "Editado", "categoria": "central"}, quien="encargada"
    )
    assert nueva.estado == PENDIENTE and nueva.uuid != op.uuid
    assert nueva.datos == {"nombre": "Editado", "stock": 1} and nueva.version_base == 12
    assert conflictos.listar() == []
    (cerrado,) = conflictos.listar(estado=None)
    assert cerrado.estado == "RESUELTO" and cerrado.resuelto_por == "encargada"
    acciones = [e["accion"] for e in conflictos.auditoria()]
    assert acciones == ["resolucion_manual", "conflicto_abierto"]
    with pytest.raises(ErrorConflicto, match="RESUELTO"):
        conflictos.resolver(c.id, PRODUCTO, {}, usar="local")


def test_descartar_conflicto_y_error_exigen_motivo(cola):
    conflictos = Conflictos(cola)
    op = enviada(cola, {"nombre": "L"}, {"nombre": "B"})
    conflictos.tratar(op, PRODUCTO, version=3, central={"nombre": "C"}, modificado_en=None)
    (c,) = conflictos.listar()
    with pytest.raises(ErrorConflicto):
        conflictos.descartar(c.id, " ")
    assert conflictos.descartar(c.id, "precio viejo", quien="ana").estado == DESCARTADO

    cola.encolar(
        NuevaOperacion(
            modelo=PRODUCTO.nombre, objeto_id="2", tipo="actualizar", datos={"nombre": "x"}
        )
    )
    (otra,) = cola.preparar_envio(10)
    cola.registrar_resultados([], [(otra.uuid, "No se puede")])
    assert cola.obtener(otra.uuid).estado == ERROR
    assert conflictos.reintentar_error(otra.uuid, {"nombre": "y"}).datos == {"nombre": "y"}
    (otra,) = cola.preparar_envio(10)
    cola.registrar_resultados([], [(otra.uuid, "No se puede")])
    with pytest.raises(ErrorCola, match="Indique por qué"):
        conflictos.descartar_error(otra.uuid, "")
    assert cola.obtener(otra.uuid).estado == ERROR
    assert conflictos.descartar_error(otra.uuid, "duplicado", quien="ana").estado == DESCARTADO
    assert [e["accion"] for e in conflictos.auditoria()][:3] == [
        "descartar",
        "reintentar",
        "descartar_conflicto",
    ]


def test_descartar_una_operacion_en_conflicto_cierra_su_conflicto(cola):
    conflictos = Conflictos(cola)
    op = enviada(cola, {"nombre": "L"}, {"nombre": "B"})
    conflictos.tratar(op, PRODUCTO, version=3, central={"nombre": "C"}, modificado_en=None)
    assert cola.obtener(op.uuid).estado == CONFLICTO
    assert conflictos.descartar_operacion(op.uuid, "gana la central", "ana").estado == DESCARTADO
    assert conflictos.listar() == []
    assert [e["accion"] for e in conflictos.auditoria()][:1] == ["descartar_conflicto"]


def test_el_estado_cambiado_por_otro_no_se_toca(cola):
    op = enviada(cola, {"nombre": "L"}, {"nombre": "B"})
    cola.registrar_resultados([(op.uuid, 7)])
    estado, actual = Conflictos(cola).tratar(
        op, PRODUCTO, version=8, central={"nombre": "C"}, modificado_en=None
    )
    assert estado == "ignorada" and actual.estado == COMPLETADO
