"""Modelo del Catálogo sin vista y con vista: carga perezosa por páginas y búsqueda al teclear,
sobre una caché SQLite real (``Agente.listar``/``contar``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableView

from agente.fachada import Agente
from tests.agente.conftest import producto
from ui import trabajos
from ui.modelos.catalogo import ModeloCatalogo

PRODUCTO = "productos.Producto"
ESQUEMA = Path(__file__).resolve().parents[1] / "datos" / "esquema_demo.json"
CAMPOS = ["id", "nombre", "codigo", "precio", "stock", "categoria"]


@pytest.fixture(scope="module")
def agente(tmp_path_factory):
    a = Agente.abrir(tmp_path_factory.mktemp("catalogo"))
    a.guardar_esquema(json.loads(ESQUEMA.read_text()))
    nombres = ["Pan", "Leche", "Aceite", "Arroz"]
    a.cache.aplicar_pagina(
        PRODUCTO,
        [
            producto(
                i, nombre=f"{nombres[i % 4]} {i}", codigo=f"84{i:011d}", precio="1.00", stock=5
            )
            for i in range(1, 1001)
        ],
        "1000",
        completo=True,
    )
    yield a
    a.cerrar()


def sincrono(agente):
    """Pide la página en el acto (el puente real la pediría en su hilo ``motor``)."""

    def pedir(modelo, texto, desde, limite, al_terminar):
        al_terminar(trabajos.pagina_catalogo(agente, modelo, texto, desde, limite))
        return True

    return pedir


def test_carga_por_paginas_hasta_el_total(qapp, agente):
    m = ModeloCatalogo(sincrono(agente), pagina=300)
    m.fijar_modelo(PRODUCTO, CAMPOS)
    assert (m.total, m.rowCount(), m.columnCount()) == (1000, 300, 6)
    assert m.canFetchMore()
    m.fetchMore()
    m.fetchMore()
    m.fetchMore()
    assert m.rowCount() == 1000 and not m.canFetchMore()
    assert [m.fila(i)["id"] for i in (0, 999)] == [1, 1000]


def test_buscar_al_teclear_reinicia_y_cuenta(qapp, agente):
    m = ModeloCatalogo(sincrono(agente), pagina=100)
    m.fijar_modelo(PRODUCTO, CAMPOS)
    m.filtrar("lec")
    assert m.total == 250 and m.rowCount() == 100
    assert all(m.fila(i)["nombre"].startswith("Leche") for i in range(m.rowCount()))
    m.filtrar("8400000000777")
    assert m.total == 1 and m.fila(0)["id"] == 777
    m.filtrar("")
    assert m.total == 1000


def _modelo_con_paginas_a_mano() -> tuple[list, ModeloCatalogo]:
    """Un ``ModeloCatalogo`` cuyas peticiones de página quedan en la lista (``texto``,
    ``desde``, ``al_terminar``) hasta que la prueba las responda, en el orden que quiera."""
    pendientes = []

    def diferido(modelo, texto, desde, limite, al_terminar):
        pendientes.append((texto, desde, al_terminar))
        return True

    return pendientes, ModeloCatalogo(diferido, pagina=50)


def test_respuestas_viejas_se_tiran_y_las_pulsaciones_se_funden(qapp, agente):
    pendientes, m = _modelo_con_paginas_a_mano()
    m.fijar_modelo(PRODUCTO, CAMPOS)
    m.filtrar("p")
    m.filtrar("pa")
    m.filtrar("pan")
    assert [p[0] for p in pendientes] == [""]  # sólo la primera en vuelo; el resto esperan
    texto, desde, responder = pendientes.pop(0)
    responder(trabajos.pagina_catalogo(agente, PRODUCTO, texto, desde, 50))
    assert m.rowCount() == 0  # la respuesta vieja no se muestra...
    assert [p[0] for p in pendientes] == ["pan"]  # ...y se pide sólo el último texto
    texto, desde, responder = pendientes.pop(0)
    responder(trabajos.pagina_catalogo(agente, PRODUCTO, texto, desde, 50))
    assert m.total == 250 and m.rowCount() == 50


def test_la_vista_pide_mas_al_bajar(qtbot, agente):
    m = ModeloCatalogo(sincrono(agente), pagina=100)
    vista = QTableView()
    qtbot.addWidget(vista)
    vista.setModel(m)
    vista.resize(600, 400)
    vista.show()
    m.fijar_modelo(PRODUCTO, CAMPOS)
    assert m.rowCount() == 100
    vista.scrollToBottom()
    qtbot.waitUntil(lambda: m.rowCount() >= 200)
    assert m.rowCount() < 1000


def test_las_filas_no_esperan_a_la_cuenta_y_un_filtro_es_un_solo_reinicio(qapp, agente):
    """Con ``contar`` aparte: la primera página se enseña en cuanto llega (la vista no se
    vacía antes: las filas viejas siguen hasta que llegan las nuevas, con un solo reinicio del
    modelo) y el total llega después; una cuenta de un filtro viejo se tira."""
    cuentas = []

    def contar(modelo, texto, al_terminar):
        cuentas.append((texto, al_terminar))
        return True

    m = ModeloCatalogo(
        lambda mo, t, d, li, fin: (
            fin(trabajos.pagina_catalogo(agente, mo, t, d, li, con_total=False)) or True
        ),
        pagina=100,
        contar=contar,
    )
    reinicios = []
    m.modelReset.connect(lambda: reinicios.append(m.texto))
    m.fijar_modelo(PRODUCTO, CAMPOS)
    texto, responder = cuentas.pop()
    responder(trabajos.contar_catalogo(agente, PRODUCTO, texto))
    assert m.total == 1000 and m.rowCount() == 100
    reinicios.clear()
    m.filtrar("lec")
    assert reinicios == ["lec"]  # uno, no vaciar + llenar
    assert m.rowCount() == 100 and m.total is None  # filas ya a la vista, la cuenta no
    assert all(m.fila(i)["nombre"].startswith("Leche") for i in range(m.rowCount()))
    assert m.canFetchMore()  # página llena: puede haber más aunque no se sepa el total
    viejo = cuentas.pop()
    m.filtrar("pan")
    viejo[1](trabajos.contar_catalogo(agente, PRODUCTO, viejo[0]))
    assert m.total is None  # la cuenta de «lec» no vale para «pan»
    texto, responder = cuentas.pop()
    responder(trabajos.contar_catalogo(agente, PRODUCTO, texto))
    assert (texto, m.total) == ("pan", 250)
    m.filtrar("8400000000777")  # cabe en una página: total sin pedir la cuenta
    assert m.total == 1 and cuentas == []


def test_mientras_llega_la_pagina_de_un_filtro_se_ven_las_filas_anteriores(qapp, agente):
    pendientes, m = _modelo_con_paginas_a_mano()
    m.fijar_modelo(PRODUCTO, CAMPOS)
    texto, desde, responder = pendientes.pop()
    responder(trabajos.pagina_catalogo(agente, PRODUCTO, texto, desde, 50))
    assert m.rowCount() == 50
    m.filtrar("arr")
    assert m.rowCount() == 50 and not m.canFetchMore()  # las de antes, sin pedir más
    texto, desde, responder = pendientes.pop()
    assert (texto, desde) == ("arr", 0)
    responder(trabajos.pagina_catalogo(agente, PRODUCTO, texto, desde, 50))
    assert m.rowCount() == 50 and m.fila(0)["nombre"].startswith("Arroz") and m.total == 250
