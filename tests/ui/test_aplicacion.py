"""La aplicación entera (ventana, pestañas, bandeja) sobre un directorio de datos REAL
preparado contra la central real (ver ``conftest.py``). Sin sincronizar durante la prueba."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from agente.fachada import Agente
from agente.sincronizacion import credenciales
from tests.ui.conftest import aplicacion_arrancada, cerrar
from ui.app import Aplicacion
from ui.dialogo_conflicto import COL_CENTRAL, COL_TERMINAL
from ui.ventana import CATALOGO, COLA, CONFIGURACION, CONFLICTOS


@pytest.fixture
def aplicacion(qtbot, terminal):
    yield from aplicacion_arrancada(qtbot, terminal, con_bandeja=False)


def test_sin_bandeja_se_abre_la_ventana_y_estado_refleja_el_motor(aplicacion):
    from importlib.metadata import version

    assert aplicacion.bandeja is None
    assert aplicacion.ventana.isVisible()
    assert aplicacion.ventana.windowTitle() == f"Sincro {version('sincro')}"
    estado = aplicacion.ventana.estado
    # La cola contada como la tienda: dos ajustes de stock por enviar, el que la central
    # rechazó (un producto que no tiene) y el cambio de nombre en conflicto.
    assert estado.etiquetas_cola["pendiente"].text() == "2 ajustes de stock"
    assert estado.etiquetas_cola["error"].text() == "1 ajuste de stock"
    assert estado.etiquetas_cola["conflicto"].text() == "1 cambio del catálogo"
    assert estado.etiquetas_cola["procesando"].text() == "nada"
    assert estado.lista.text().startswith("sí")
    assert "al día" in estado.conexion.text()
    modelos = estado.modelo_frescura
    filas = {modelos.fila(i)["nombre"]: modelos.fila(i) for i in range(modelos.rowCount())}
    assert filas["productos.Producto"]["filas"] == 50
    assert filas["productos.Producto"]["completo"] is True
    assert filas["productos.Producto"]["prioridad"] is not None  # rango dinámico del motor
    # Lo que entiende un encargado: hasta cuándo está al día; el cursor sólo en el detalle.
    cabeceras = [
        modelos.headerData(c, Qt.Orientation.Horizontal) for c in range(modelos.columnCount())
    ]
    assert "Actualizado hasta" in cabeceras and "Cursor" not in cabeceras
    fila = next(
        i for i in range(modelos.rowCount()) if modelos.fila(i)["nombre"] == "productos.Producto"
    )
    columna = cabeceras.index("Actualizado hasta")
    indice = modelos.index(fila, columna)
    assert "(hace " in modelos.data(indice)
    cursor = filas["productos.Producto"]["cursor"]
    assert cursor and f"Cursor de descarga: {cursor}" in modelos.data(
        indice, Qt.ItemDataRole.ToolTipRole
    )


def test_grafico_sembrado_desde_la_cola_al_abrir(aplicacion, qtbot):
    """El historial del gráfico no empieza en blanco: al abrir el motor se siembra con la
    serie que la cola reconstruye (las operaciones ya encoladas y enviadas del terminal)."""
    historial = aplicacion.ventana.estado.historial
    serie = aplicacion.puente.agente.operaciones.actividad(historial.horas)
    assert serie, "la terminal de prueba tiene operaciones: la serie no puede estar vacía"
    qtbot.waitUntil(
        lambda: sum(m.enviadas for m in historial.muestras()) >= sum(p["enviadas"] for p in serie),
        timeout=5000,
    )
    assert max(m.cola for m in historial.muestras()) >= max(p["cola"] for p in serie)


def test_cola_filtra_muestra_lo_capturado_y_reintenta(aplicacion, qtbot):
    ventana = aplicacion.ventana
    ventana.pestanas.setCurrentIndex(COLA)
    cola = ventana.cola
    qtbot.waitUntil(lambda: cola.modelo.rowCount() == 5)
    cola.filtro_estado.setCurrentIndex(cola.filtro_estado.findData("ERROR"))
    qtbot.waitUntil(lambda: cola.modelo.rowCount() == 1)
    cola.tabla.selectRow(0)
    assert '"cantidad": -1' in cola.detalle.toPlainText()
    assert "999999" in cola.detalle.toPlainText()
    assert "no existe" in cola.detalle.toPlainText()
    assert cola.boton_reintentar.isEnabled()
    uuid = cola.seleccionada()["uuid"]
    cola.boton_reintentar.click()
    qtbot.waitUntil(lambda: cola.modelo.rowCount() == 0)
    with Agente.abrir(aplicacion.directorio) as agente:
        assert agente.operaciones.obtener(uuid).estado == "PENDIENTE"


def test_descartar_pide_motivo_y_confirmacion(aplicacion, qtbot, monkeypatch):
    cola = aplicacion.ventana.cola
    aplicacion.ventana.pestanas.setCurrentIndex(COLA)
    cola.filtro_estado.setCurrentIndex(cola.filtro_estado.findData("ERROR"))
    qtbot.waitUntil(lambda: cola.modelo.rowCount() == 1)
    cola.tabla.selectRow(0)
    uuid = cola.seleccionada()["uuid"]
    # Sin motivo: nada.
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", True))
    cola.boton_descartar.click()
    assert "motivo" in cola.aviso.text()
    # Con motivo pero sin confirmar: nada.
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("producto dado de baja", True))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.No)
    cola.boton_descartar.click()
    with Agente.abrir(aplicacion.directorio) as agente:
        assert agente.operaciones.obtener(uuid).estado == "ERROR"
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Yes)
    cola.boton_descartar.click()
    qtbot.waitUntil(lambda: cola.modelo.rowCount() == 0)
    with Agente.abrir(aplicacion.directorio) as agente:
        op = agente.operaciones.obtener(uuid)
        assert op.estado == "DESCARTADO" and op.motivo_resolucion == "producto dado de baja"


def test_conflicto_real_se_revisa_y_resuelve_con_auditoria(aplicacion, qtbot):
    ventana = aplicacion.ventana
    ventana.pestanas.setCurrentIndex(CONFLICTOS)
    pestana = ventana.conflictos
    assert pestana.modelo.rowCount() == 1
    assert ventana.pestanas.tabText(CONFLICTOS) == "Conflictos (1)"
    dialogo = pestana.revisar(0)
    qtbot.waitExposed(dialogo)
    fila = dialogo._fila_de("nombre")
    assert dialogo.tabla.item(fila, COL_TERMINAL).text() == "Nombre de esta terminal"
    assert dialogo.tabla.item(fila, COL_CENTRAL).text() == "Nombre de la central"
    # Los campos por su etiqueta (verbose_name que sirve la central), no por su nombre técnico.
    campos = [dialogo.tabla.item(f, 0).text() for f in range(dialogo.tabla.rowCount())]
    assert campos[fila] == "Nombre"
    assert "Código EAN-13" in campos and "codigo" not in campos
    assert dialogo.objeto.text().startswith("Producto «Nombre de la central» (")
    detalle = dialogo.detalle.text()
    assert detalle.startswith("Cambio capturado en esta terminal: ")
    # Quién cambió el valor central: la otra caja (la central lo sirve con el conflicto).
    assert "la central lo cambió (T001 / caja-ui): " in detalle and "sincro" not in detalle
    fila_texto = [pestana.modelo.data(pestana.modelo.index(0, c)) for c in range(6)]
    assert fila_texto[1:4] == ["Producto", dialogo.objeto.text(), "cambio"]
    dialogo.combo("nombre").setCurrentIndex(1)  # Central
    dialogo.encargado.setText("Marta (encargada)")
    dialogo.motivo.setText("El nombre de la central es el oficial")
    dialogo.boton_aplicar.click()
    qtbot.waitUntil(lambda: pestana.modelo.rowCount() == 0, timeout=10000)
    assert "1 conflicto resuelto." in pestana.aviso.text()
    with Agente.abrir(aplicacion.directorio) as agente:
        assert agente.conflictos() == []
        (entrada,) = [a for a in agente.auditoria() if a["accion"] == "resolucion_manual"]
        assert entrada["quien"] == "Marta (encargada)"
        assert entrada["regla_o_motivo"] == "El nombre de la central es el oficial"


def test_catalogo_carga_perezosa_y_busca(aplicacion, qtbot):
    ventana = aplicacion.ventana
    ventana.pestanas.setCurrentIndex(CATALOGO)
    catalogo = ventana.catalogo
    qtbot.waitUntil(lambda: catalogo.selector.count() > 0, timeout=10000)
    catalogo.selector.setCurrentIndex(catalogo.selector.findData("productos.Producto"))
    qtbot.waitUntil(lambda: catalogo.modelo.total == 50, timeout=10000)
    assert catalogo.modelo.campos[:4] == ["id", "nombre", "codigo", "precio"]
    cabeceras = [
        catalogo.modelo.headerData(c, Qt.Orientation.Horizontal)
        for c in range(catalogo.modelo.columnCount())
    ]
    assert cabeceras[:4] == ["ID", "Nombre", "Código EAN-13", "Precio"]
    assert cabeceras[4:] == ["Categoría"]
    with Agente.abrir(aplicacion.directorio) as agente:
        producto = agente.obtener("productos.Producto", "1")
        existencia = agente.existencia(1)
    catalogo.buscar.setText(producto["codigo"])
    qtbot.waitUntil(lambda: catalogo.modelo.total == 1 and catalogo.modelo.rowCount() == 1)
    assert catalogo.modelo.fila(0)["id"] == 1
    assert catalogo.cuenta.text() == "1 fila"
    # El stock de esta tienda: sus existencias, optimistas (con el -2 pendiente aplicado).
    catalogo.buscar.setText("")
    catalogo.selector.setCurrentIndex(catalogo.selector.findData("productos.Existencia"))
    qtbot.waitUntil(lambda: catalogo.modelo.total == 50, timeout=10000)
    assert catalogo.modelo.campos == ["id", "tienda", "producto", "cantidad"]
    fila = next(
        catalogo.modelo.fila(i)
        for i in range(catalogo.modelo.rowCount())
        if catalogo.modelo.fila(i)["id"] == "T001:1"
    )
    assert fila["cantidad"] == existencia["cantidad"]
    with Agente.abrir(aplicacion.directorio) as agente:
        assert agente.cache.fila("productos.Existencia", "T001:1")[0]["cantidad"] == (
            existencia["cantidad"] + 2
        )


def test_configuracion_escribe_el_token_en_el_llavero_y_nunca_lo_muestra(
    aplicacion, qtbot, central
):
    ventana = aplicacion.ventana
    ventana.pestanas.setCurrentIndex(CONFIGURACION)
    conf = ventana.configuracion
    qtbot.waitUntil(lambda: conf.servidor.text() == central.url)
    assert conf.token.text() == ""
    assert conf.terminal.text() == central.terminal
    nuevo = central.crear_terminal(central.tienda, "caja-9")
    conf.terminal.setText("caja-9")
    conf.token.setText(nuevo)
    conf.guardar()
    qtbot.waitUntil(lambda: "guardada" in conf.resultado.text(), timeout=10000)
    assert conf.token.text() == ""
    assert "llavero" in conf.token.placeholderText()
    directorio = aplicacion.directorio
    assert credenciales.leer_token(directorio, "caja-9") == nuevo
    config = json.loads((directorio / "config.json").read_text())
    assert config["terminal"] == "caja-9"
    for fichero in directorio.rglob("*"):
        if fichero.is_file():
            assert nuevo.encode() not in fichero.read_bytes(), fichero


def test_un_token_que_la_central_rechaza_no_sustituye_al_que_funciona(aplicacion, qtbot, central):
    """Se prueba primero y sólo después se guarda: el token bueno sigue en el llavero y
    config.json no cambia (la central sólo guarda un resumen: el bueno no se recuperaría)."""
    conf = aplicacion.ventana.configuracion
    aplicacion.ventana.pestanas.setCurrentIndex(CONFIGURACION)
    qtbot.waitUntil(lambda: conf.servidor.text() == central.url)
    directorio = aplicacion.directorio
    credenciales.guardar_token(directorio, central.terminal, central.token)  # el que funciona
    config_antes = (directorio / "config.json").read_bytes()
    conf.token.setText("token-que-la-central-no-conoce-123")
    conf.guardar()
    qtbot.waitUntil(lambda: "rechaza" in conf.resultado.text(), timeout=15000)
    assert "\n" not in conf.resultado.text()
    assert credenciales.leer_token(directorio, central.terminal) == central.token
    assert (directorio / "config.json").read_bytes() == config_antes
    assert conf.boton_guardar.isEnabled()


def test_un_token_nuevo_sin_central_que_lo_compruebe_no_se_guarda(aplicacion, qtbot, central):
    conf = aplicacion.ventana.configuracion
    aplicacion.ventana.pestanas.setCurrentIndex(CONFIGURACION)
    qtbot.waitUntil(lambda: conf.servidor.text() == central.url)
    credenciales.guardar_token(aplicacion.directorio, central.terminal, central.token)
    conf.servidor.setText("http://127.0.0.1:9/sincro")  # nadie escucha
    conf.permitir_http.setChecked(True)
    conf.token.setText("token-sin-comprobar-456")
    conf.guardar()
    qtbot.waitUntil(lambda: "no responde" in conf.resultado.text(), timeout=20000)
    assert "guardada" not in conf.resultado.text()
    assert credenciales.leer_token(aplicacion.directorio, central.terminal) == central.token
    assert (
        json.loads((aplicacion.directorio / "config.json").read_text())["servidor"] == central.url
    )


def test_configuracion_invalida_se_explica_en_una_linea(aplicacion, qtbot):
    conf = aplicacion.ventana.configuracion
    aplicacion.ventana.pestanas.setCurrentIndex(CONFIGURACION)
    qtbot.waitUntil(lambda: conf.servidor.text() != "")
    conf.servidor.setText("http://central.ejemplo.com/sincro")
    conf.guardar()
    qtbot.waitUntil(lambda: conf.resultado.text().startswith("No se pudo"), timeout=10000)
    assert "https" in conf.resultado.text()
    assert "\n" not in conf.resultado.text()


def test_umbral_de_aviso_sin_conexion_configurable(aplicacion):
    conf = aplicacion.ventana.configuracion
    assert conf.avisar_sin_conexion.value() == 10
    conf.avisar_sin_conexion.setValue(3)
    assert aplicacion.avisador.umbral_sin_conexion_s == 180
    ajustes = QSettings(str(aplicacion.directorio / "ui.ini"), QSettings.Format.IniFormat)
    assert int(ajustes.value("avisar_sin_conexion_s")) == 180


def test_idioma_se_guarda_en_los_ajustes_de_la_ui(aplicacion):
    conf = aplicacion.ventana.configuracion
    conf.idioma.setCurrentIndex(conf.idioma.findData("en"))
    ajustes = QSettings(str(aplicacion.directorio / "ui.ini"), QSettings.Format.IniFormat)
    assert ajustes.value("idioma") == "en"


def test_bandeja_refleja_el_motor_y_salir_pide_confirmacion(qtbot, terminal, avisos_al_salir):
    app = Aplicacion(terminal, sincronizar=False, con_bandeja=True)
    try:
        with qtbot.waitSignal(app.puente.estado_cambiado, timeout=10000):
            app.arrancar()
        assert not app.ventana.isVisible()
        # Un conflicto (hay que revisarlo) pesa más que la operación rechazada (ERROR).
        assert app.bandeja.estado == "conflictos"
        app.bandeja.menu.aboutToShow.emit()
        assert "Conflictos (1)" in app.bandeja.textos_menu()
        assert app.bandeja.linea() == "1 conflicto por revisar · todas las ventas enviadas"
        assert "todas las ventas enviadas" in app.bandeja.icono.toolTip()
        app.salir()
        qtbot.waitUntil(lambda: bool(avisos_al_salir))
        assert avisos_al_salir[0].startswith("Hay cambios sin enviar a la central (ninguna venta)")
        assert not app.saliendo
    finally:
        cerrar(app)
