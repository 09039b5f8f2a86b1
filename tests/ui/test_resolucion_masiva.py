"""Resolución en bloque («Aplicar la misma elección a los parecidos») con conflictos REALES.

Dos cajas de tiendas distintas cambian el nombre de los productos 20 y 21 a la vez (central real
en un proceso, cachés y colas SQLite reales). El encargado de esta caja escribe un nombre a mano
para el 20 y marca «aplicar a los parecidos»: el nombre escrito no debe llegar nunca al 21 (otro
producto, otro código). Sólo se copian lados por campo, y antes de aplicar se enseña, objeto por
objeto, el antes y el después.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from agente.fachada import Agente
from agente.sincronizacion.cliente import Cliente
from tests.sincronizacion.terminales import cambio
from ui import trabajos
from ui.dialogo_conflicto import DialogoConflicto

PRODUCTO = "productos.Producto"
NOMBRE_ESCRITO = "Snack de pollo para perros 100 g"


@pytest.fixture(scope="module")
def dos_conflictos_preparados(central, tmp_path_factory) -> Path:
    directorio = tmp_path_factory.mktemp("masiva") / "datos"
    otra = Cliente(central.url, central.crear_terminal("T002", "caja-1"))
    with Agente.abrir(directorio) as agente:
        agente.configurar(central.url, central.tienda, central.terminal, central.token)
        agente.sincronizar_una_vez()
        for objeto in ("20", "21"):
            antes = agente.obtener(PRODUCTO, objeto)
            version = agente.cache.fila(PRODUCTO, objeto)[1]
            agente.encolar(
                PRODUCTO, "actualizar", {"nombre": f"{antes['nombre']} (caja 1)"}, objeto
            )
            uuid = f"6a1f0f3e-0000-4000-8000-0000000000{objeto}"
            datos = {"nombre": f"{antes['nombre']} (T002)"}
            otra.operaciones([cambio(objeto, datos, version, antes, uuid=uuid)])
        agente.sincronizar_una_vez()
        assert sorted(c["objeto_id"] for c in agente.conflictos()) == ["20", "21"]
    return directorio


@pytest.fixture
def agente(dos_conflictos_preparados, tmp_path):
    destino = tmp_path / "datos"
    shutil.copytree(dos_conflictos_preparados, destino)
    with Agente.abrir(destino) as agente:
        yield agente


def _dialogo(qtbot, agente) -> DialogoConflicto:
    conflictos = sorted(agente.conflictos(), key=lambda c: c["objeto_id"])
    d = DialogoConflicto(
        conflictos, tipos_por_modelo=trabajos.tipos_por_modelo(agente), encargado="Ana"
    )
    qtbot.addWidget(d)
    assert d.conflicto["objeto_id"] == "20"
    return d


def _elegir(dialogo: DialogoConflicto, campo: str, texto: str) -> None:
    combo = dialogo.combo(campo)
    indice = combo.findText(texto)
    assert indice >= 0, texto
    combo.setCurrentIndex(indice)


def _pendiente(agente, objeto: str) -> dict:
    ops = [
        op
        for op in agente.cola(estado="PENDIENTE")
        if op.modelo == PRODUCTO and op.objeto_id == objeto
    ]
    return ops[-1].datos if ops else {}


def test_un_valor_escrito_nunca_se_copia_a_otro_producto(agente, qtbot, monkeypatch):
    """Regresión: el nombre escrito para el 20 renombraba también el 21."""
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    nombre_21 = agente.obtener(PRODUCTO, "21")["nombre"]
    d = _dialogo(qtbot, agente)
    _elegir(d, "nombre", "Otro valor…")
    d.editor("nombre").setText(NOMBRE_ESCRITO)
    d.editor("nombre").editingFinished.emit()
    assert not d.aplicar_parecidos.isEnabled()
    d.aplicar_parecidos.setChecked(True)  # aunque se marque por programa, no se copia
    d.motivo.setText("nombre de la etiqueta")
    emitidas: list[list[dict]] = []
    d.resolver_pedido.connect(emitidas.append)
    d.aplicar()
    for lista in emitidas:
        trabajos.resolver_varios(agente, lista)
    resueltas = {r["id"]: r for lista in emitidas for r in lista}
    id_21 = next(c["id"] for c in d._conflictos if c["objeto_id"] == "21")
    assert id_21 not in resueltas
    assert NOMBRE_ESCRITO not in str(_pendiente(agente, "21"))
    assert agente.obtener(PRODUCTO, "21")["nombre"] != NOMBRE_ESCRITO
    assert agente.obtener(PRODUCTO, "21")["nombre"] == nombre_21
    assert {c["objeto_id"] for c in agente.conflictos()} == {"21"}


def test_vista_previa_nombra_cada_objeto_y_cada_uno_usa_sus_valores(agente, qtbot):
    centrales = {c["objeto_id"]: c["central"] for c in agente.conflictos()}
    d = _dialogo(qtbot, agente)
    _elegir(d, "nombre", "Central")
    assert d.aplicar_parecidos.isEnabled()
    d.aplicar_parecidos.setChecked(True)
    d.motivo.setText("vale lo de la otra tienda")
    vista = []

    def responder():
        vista.append(
            [(nombre, d.vista_previa.filas(i)) for i, nombre in enumerate(d.vista_previa.objetos())]
        )
        d.vista_previa.accept()

    QTimer.singleShot(0, responder)
    with qtbot.waitSignal(d.resolver_pedido) as senal:
        d.aplicar()
    assert [nombre for nombre, _ in vista[0]] == [
        f"Producto «{centrales[o]['nombre']}» ({centrales[o]['codigo']})" for o in ("20", "21")
    ]
    assert all(filas == [] or all(f[1] == f[2] for f in filas) for _, filas in vista[0])
    resultado = trabajos.resolver_varios(agente, senal.args[0])
    assert len(resultado["resueltos"]) == 2 and not resultado["errores"]
    for objeto in ("20", "21"):
        assert agente.obtener(PRODUCTO, objeto)["nombre"] == centrales[objeto]["nombre"]
    assert agente.conflictos() == []
