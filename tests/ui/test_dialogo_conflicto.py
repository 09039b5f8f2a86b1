"""Diálogo de conflictos: columnas, elecciones, navegación y aplicar a parecidos."""

import pytest
from PySide6.QtCore import Qt, QTimer

from ui.dialogo_conflicto import (
    COL_BASE,
    COL_CAMPO,
    COL_CENTRAL,
    COL_TERMINAL,
    RESALTADO,
    DialogoConflicto,
)
from ui.resolucion import CENTRAL, VALOR

TIPOS = {
    "productos.Producto": {
        "id": "entero",
        "nombre": "texto",
        "precio": "decimal",
        "stock": "entero",
    }
}


def conflicto(id_, objeto, precio_local="2.50", precio_central="3.10"):
    return {
        "id": id_,
        "modelo": "productos.Producto",
        "objeto_id": objeto,
        "tipo": "actualizar",
        "uuid_operacion": f"u-{id_}",
        "campos_en_disputa": ["nombre", "precio"],
        "propuesta": {},
        "operacion": {"intentos": 2, "ultimo_error": None},
        "base": {"nombre": "base-nombre", "precio": "2.00", "stock": 5},
        "local": {"nombre": "terminal-nombre", "precio": precio_local, "stock": 3},
        "central": {"nombre": "central-nombre", "precio": precio_central, "stock": 4},
    }


@pytest.fixture
def dialogo(qtbot):
    conflictos = [conflicto(1, "7"), conflicto(2, "8", "1.00", "1.20"), conflicto(3, "9")]
    d = DialogoConflicto(conflictos, tipos_por_modelo=TIPOS, encargado="Ana")
    qtbot.addWidget(d)
    return d


def elegir(d, campo, origen):
    d.combo(campo).setCurrentIndex(d.combo(campo).findData(origen))


def responder_vista_previa(d, aceptar, vista=None):
    """Acepta o cancela la vista previa modal en cuanto se abre (y la guarda en ``vista``)."""

    def responder():
        if vista is not None:
            vista.append((d.vista_previa.objetos(), d.vista_previa.filas(0)))
        (d.vista_previa.accept if aceptar else d.vista_previa.reject)()

    QTimer.singleShot(0, responder)


def celdas(d, campo):
    """Las celdas de ``campo``, cuya fila se rotula con su etiqueta («Nombre»), no «nombre»."""
    for fila in range(d.tabla.rowCount()):
        if d.tabla.item(fila, COL_CAMPO).text() == campo[:1].upper() + campo[1:]:
            return {c: d.tabla.item(fila, c) for c in (COL_BASE, COL_TERMINAL, COL_CENTRAL)}
    raise AssertionError(campo)


def test_cada_columna_muestra_el_lado_que_nombra(dialogo):
    cabecera = [
        dialogo.tabla.horizontalHeaderItem(c).text() for c in (COL_BASE, COL_TERMINAL, COL_CENTRAL)
    ]
    assert cabecera == ["Base", "Esta terminal", "Central"]
    nombre = celdas(dialogo, "nombre")
    assert nombre[COL_BASE].text() == "base-nombre"
    assert nombre[COL_TERMINAL].text() == "terminal-nombre"
    assert nombre[COL_CENTRAL].text() == "central-nombre"
    precio = celdas(dialogo, "precio")
    assert [precio[c].text() for c in (COL_BASE, COL_TERMINAL, COL_CENTRAL)] == [
        "2.00",
        "2.50",
        "3.10",
    ]


def test_campos_distintos_resaltados_e_iguales_no(qtbot):
    c = conflicto(1, "7")
    c["local"]["stock"] = 4  # terminal y central coinciden en stock
    c["central"]["categoria"] = "panes"  # la operación no lo cambia
    d = DialogoConflicto([c], tipos_por_modelo=TIPOS)
    qtbot.addWidget(d)
    assert celdas(d, "precio")[COL_TERMINAL].background().color() == RESALTADO
    assert celdas(d, "stock")[COL_TERMINAL].background().color() != RESALTADO
    assert celdas(d, "categoria")[COL_TERMINAL].background().color() != RESALTADO
    assert d.tabla.cellWidget(d._fila_de("categoria"), 4) is None


def test_elecciones_en_el_dialogo_producen_la_resolucion(dialogo, qtbot):
    elegir(dialogo, "precio", CENTRAL)
    elegir(dialogo, "stock", VALOR)
    dialogo.editor("stock").setText("11")
    dialogo.motivo.setText("precio nuevo de la central")
    with qtbot.waitSignal(dialogo.resolver_pedido) as senal:
        qtbot.mouseClick(dialogo.boton_aplicar, Qt.MouseButton.LeftButton)
    assert senal.args[0] == [
        {
            "id": 1,
            "quien": "Ana",
            "motivo": "precio nuevo de la central",
            "usar": None,
            "elecciones": {"nombre": "local", "precio": "central", "stock": 11},
        }
    ]
    assert dialogo.posicion.text() == "[2 de 3]"


def test_usar_todo_de_la_central_y_de_la_terminal(dialogo):
    dialogo.boton_todo_central.click()
    assert dialogo.editor("nombre").text() == "central-nombre"
    elecciones = dialogo.resolucion.para_motor("A", "m")["elecciones"]
    assert {elecciones[c] for c in ("nombre", "precio")} == {"central"}
    dialogo.boton_todo_terminal.click()
    assert dialogo.editor("precio").text() == "2.50"


def test_sin_motivo_no_resuelve_y_lo_dice(dialogo, qtbot):
    with qtbot.assertNotEmitted(dialogo.resolver_pedido):
        dialogo.boton_aplicar.click()
    assert "motivo" in dialogo.error.text()


def test_valor_escrito_invalido_se_explica(dialogo, qtbot):
    elegir(dialogo, "stock", VALOR)
    dialogo.editor("stock").setText("muchos")
    dialogo.motivo.setText("x")
    with qtbot.assertNotEmitted(dialogo.resolver_pedido):
        dialogo.boton_aplicar.click()
    assert "entero" in dialogo.error.text()


def test_navegacion_con_botones_y_atajos(dialogo, qtbot):
    dialogo.show()
    qtbot.waitExposed(dialogo)
    dialogo.activateWindow()
    qtbot.waitUntil(dialogo.isActiveWindow)
    assert dialogo.posicion.text() == "[1 de 3]"
    assert not dialogo.boton_anterior.isEnabled()
    qtbot.keyClick(dialogo, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert dialogo.posicion.text() == "[2 de 3]"
    assert celdas(dialogo, "precio")[COL_TERMINAL].text() == "1.00"
    dialogo.boton_siguiente.click()
    assert dialogo.posicion.text() == "[3 de 3]"
    assert not dialogo.boton_siguiente.isEnabled()
    qtbot.keyClick(dialogo, Qt.Key.Key_PageUp)
    assert dialogo.posicion.text() == "[2 de 3]"


def test_aplicar_a_los_parecidos_restantes(dialogo, qtbot):
    assert dialogo.aplicar_parecidos.isEnabled()
    assert "2" in dialogo.aplicar_parecidos.text()
    elegir(dialogo, "precio", CENTRAL)
    dialogo.aplicar_parecidos.setChecked(True)
    dialogo.motivo.setText("tarifa nueva")
    vista = []
    responder_vista_previa(dialogo, True, vista)
    with qtbot.waitSignal(dialogo.resolver_pedido) as senal:
        dialogo.boton_aplicar.click()
    lista = senal.args[0]
    assert [r["id"] for r in lista] == [1, 2, 3]
    assert all(r["elecciones"]["precio"] == "central" for r in lista)
    assert dialogo.result() == DialogoConflicto.DialogCode.Accepted
    objetos, filas_primero = vista[0]
    assert objetos == ["Producto «central-nombre»"] * 3
    assert ("Nombre", "central-nombre", "terminal-nombre") in filas_primero
    assert not any(f[0] == "precio" for f in filas_primero)  # la central se queda igual


def test_un_valor_escrito_desactiva_aplicar_a_parecidos(dialogo):
    elegir(dialogo, "nombre", VALOR)
    dialogo.editor("nombre").setText("Solo para este")
    dialogo.editor("nombre").editingFinished.emit()
    assert not dialogo.aplicar_parecidos.isEnabled()
    assert "sólo vale para este objeto" in dialogo.aviso_parecidos.text()
    elegir(dialogo, "nombre", CENTRAL)
    assert dialogo.aplicar_parecidos.isEnabled()
    assert dialogo.aviso_parecidos.text() == ""


def test_aplicar_a_parecidos_cancelado_no_resuelve_nada(dialogo, qtbot):
    responder_vista_previa(dialogo, False)
    dialogo.aplicar_parecidos.setChecked(True)
    dialogo.motivo.setText("x")
    with qtbot.assertNotEmitted(dialogo.resolver_pedido):
        dialogo.boton_aplicar.click()
    assert dialogo.posicion.text() == "[1 de 3]"


def test_borrado_en_la_central_se_muestra_y_se_resuelve_entero(qtbot):
    c = conflicto(5, "11")
    c["central"] = None
    d = DialogoConflicto([c], tipos_por_modelo=TIPOS, encargado="Ana")
    qtbot.addWidget(d)
    assert celdas(d, "precio")[COL_CENTRAL].text() == "(borrado en la central)"
    assert celdas(d, "precio")[COL_TERMINAL].text() == "2.50"
    d.motivo.setText("ya no se vende")
    with qtbot.waitSignal(d.resolver_pedido) as senal:
        d.boton_aplicar.click()
    assert senal.args[0][0]["usar"] == "central"
