"""Modelos de tabla de Cola y Conflictos probados sin vista, con datos del motor real."""

import contextlib

from PySide6.QtCore import Qt

from agente.fachada import Agente
from ui import eventos, trabajos
from ui.modelos.cola import COL_ERROR, COL_ESTADO, COL_MODELO, COL_OBJETO, COL_TIPO, ModeloCola
from ui.modelos.conflictos import COL_CAMPOS, ModeloConflictos
from ui.modelos.conflictos import COL_OBJETO as COL_OBJ_CONFLICTO
from ui.modelos.tabla import ROL_DATOS


def test_modelo_cola_con_operaciones_reales(qapp, terminal):
    with Agente.abrir(terminal) as agente:
        operaciones = trabajos.listar_cola(agente, None, None)  # lo que lee la pestaña
        producto = agente.obtener("productos.Producto", "1")
    m = ModeloCola()
    m.fijar(operaciones)
    assert m.rowCount() == len(operaciones) == 5
    assert m.headerData(COL_ESTADO, Qt.Orientation.Horizontal) == "Estado"
    error = m.indice_de(next(o["uuid"] for o in operaciones if o["estado"] == "ERROR"))
    celda = lambda c: m.data(m.index(error, c))  # noqa: E731
    # En palabras de la tienda: ni «ERROR» ni «productos.Existencia» ni «ajustar».
    assert (celda(COL_ESTADO), celda(COL_MODELO), celda(COL_TIPO), celda(COL_OBJETO)) == (
        "rechazada",
        "Existencia",
        "ajuste",
        "Existencia T001:999999",
    )
    assert "no existe" in celda(COL_ERROR)
    # Una existencia que la caja conoce se nombra por su producto, no por «T001:1».
    ajuste = m.indice_de(next(o["uuid"] for o in operaciones if o["objeto_id"] == "T001:1"))
    assert m.data(m.index(ajuste, COL_OBJETO)) == (
        f"Existencia de Producto «{producto['nombre']}» ({producto['codigo']})"
    )
    conflicto = m.indice_de(next(o["uuid"] for o in operaciones if o["estado"] == "CONFLICTO"))
    assert m.data(m.index(conflicto, COL_ERROR)) == "Revísalo en la pestaña Conflictos."
    assert m.data(m.index(error, COL_ESTADO), Qt.ItemDataRole.ForegroundRole) is not None
    assert m.data(m.index(error, 0), ROL_DATOS)["datos"] == {"cantidad": -1}


def test_modelo_conflictos_con_conflicto_real(qapp, terminal):
    with Agente.abrir(terminal) as agente:
        conflictos = agente.conflictos()
    m = ModeloConflictos()
    m.fijar(conflictos)
    assert m.rowCount() == 1
    central = conflictos[0]["central"]
    assert m.data(m.index(0, COL_OBJ_CONFLICTO)) == (
        f"Producto «{central['nombre']}» ({central['codigo']})"
    )
    assert m.data(m.index(0, COL_CAMPOS)) == "Nombre"  # la etiqueta, no el campo técnico


@contextlib.contextmanager
def _caja_con_registro(tmp_path, central=None):
    """Una terminal nueva con su registro a fichero (donde lo lee ``registro_reciente``),
    configurada contra ``central`` y ya sincronizada, o contra una dirección sin central."""
    from agente.soporte import registro

    datos = tmp_path / "datos"
    registro.configurar(datos, programa="prueba")
    try:
        with Agente.abrir(datos) as agente:
            if central is None:
                agente.configurar("http://127.0.0.1:9", "T001", "caja-1", "token-de-prueba")
            else:
                token = central.crear_terminal(central.tienda, "caja-registro")
                agente.configurar(central.url, central.tienda, "caja-registro", token)
                agente.sincronizar_una_vez()
            yield agente
    finally:
        registro.desconfigurar()


def _rechazos(agente) -> list[str]:
    """Lo que la pestaña Registro dice de cada rechazo de la central."""
    return [
        eventos.describir(e)
        for e in trabajos.leer_registro(agente)
        if e.get("evento") == "operacion_rechazada"
    ]


def test_el_registro_nombra_el_objeto_de_un_rechazo(qapp, central, tmp_path):
    """Un rechazo de la central, leído del registro de la terminal como lo lee la pestaña
    Registro: el objeto y el tipo en palabras de la tienda, no el uuid ni «productos.…»."""
    with _caja_con_registro(tmp_path, central) as agente:
        agente.ajustar("productos.Existencia", "T001:888888", "cantidad", -1)
        agente.sincronizar_una_vez()
        mensajes = _rechazos(agente)
    assert mensajes == [
        "La central rechazó el ajuste de Existencia T001:888888: "
        "Existencia «T001:888888» no existe en tu tienda."
    ]


def test_el_registro_dice_un_fallo_de_red_en_una_frase(qapp, tmp_path):
    """Un pase que no llega a la central, leído del registro como lo lee la pestaña Registro:
    una frase para la tienda en la fila y el texto técnico sólo en su consejo."""
    from ui.modelos.registro import COL_MENSAJE, ModeloRegistro

    with _caja_con_registro(tmp_path) as agente:
        with contextlib.suppress(Exception):
            agente.sincronizar_una_vez()
        entradas = trabajos.leer_registro(agente)
    fallo = next(e for e in entradas if e.get("evento") == "sincronizacion_fallida")
    m = ModeloRegistro()
    m.fijar([{**fallo, "mensaje": eventos.describir(fallo), "detalle": eventos.detalle(fallo)}])
    celda = m.data(m.index(0, COL_MENSAJE))
    assert celda == (
        "La sincronización falló: La central no responde; las ventas se guardan y se "
        "enviarán solas."
    )
    consejo = m.data(m.index(0, COL_MENSAJE), Qt.ItemDataRole.ToolTipRole)
    assert consejo.startswith(celda) and "127.0.0.1:9" in consejo


def test_el_registro_nombra_un_alta_rechazada_por_los_datos_de_su_operacion(
    qapp, central, tmp_path
):
    """Un alta que la central rechazó y el encargado descartó ya no está en la vista de la
    caja: el Registro la nombra con los datos de su operación, no con su uuid."""
    import uuid

    from agente.soporte import registro

    with _caja_con_registro(tmp_path, central) as agente:
        cliente = str(uuid.uuid4())
        op = agente.encolar(
            "clientes.Cliente",
            "crear",
            {"id": cliente, "nombre": "Ferretería Ruiz", "nif": "B12345678"},
        )
        # Lo que hace el empuje al recibir el rechazo: anotarlo en la cola y en el registro.
        agente.operaciones.registrar_resultados([], [(op.uuid, "Motivo de la central.")])
        agente.descartar(op.uuid, "Datos mal escritos", quien="Ana")
        assert agente.obtener("clientes.Cliente", cliente) is None
        registro.registrar_evento(
            "operacion_rechazada",
            uuid=op.uuid,
            modelo=op.modelo,
            objeto_id=op.objeto_id,
            operacion=op.tipo,
            motivo="Motivo de la central.",
        )
        mensajes = _rechazos(agente)
    assert mensajes == [
        "La central rechazó el alta de Cliente «Ferretería Ruiz» (B12345678): Motivo de la central."
    ]
