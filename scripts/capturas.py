"""Capturas de pantalla de la interfaz para el README y docs/interfaz.md.

Uso (desde la raíz del repositorio)::

    .venv/bin/python scripts/capturas.py            # se relanza dentro de xvfb-run si hace falta

Arranca una central de referencia real (``sincro-central``, demo de 200 productos) en un
directorio temporal, prepara una terminal real contra ella (sincronizada, con dos conflictos de
verdad con otra caja, una operación rechazada y ventas pendientes) y después la deja sin central
(un pase real que falla), y abre la aplicación de Sincro en este proceso, bajo Xvfb (plataforma
xcb) con una bandeja del sistema real (``trayer``) para que el icono viva en una bandeja de
verdad. Guarda en ``docs/capturas/``: la pantalla con la bandeja (``import`` de ImageMagick),
el menú de la bandeja sin conexión con ventas pendientes (y la hora de cierre ya pasada), cada
pestaña (con la franja sin conexión), el diálogo de conflicto, la vista previa de la resolución
en bloque, Actividad, el cierre de caja (forzado: la central aún no tiene las ventas), la
interfaz en inglés (también el cierre) y la tira de iconos por estado (16–64 px).

Requisitos: ``apt-get install -y xvfb trayer imagemagick``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
SALIDA = RAIZ / "docs" / "capturas"
PRODUCTO = "productos.Producto"


def bandeja_del_sistema() -> subprocess.Popen | None:
    """Una bandeja del sistema real en el Xvfb (``trayer``), si está instalada."""
    if not shutil.which("trayer"):
        print("Sin trayer: el icono no tendrá bandeja donde vivir.", file=sys.stderr)
        return None
    proceso = subprocess.Popen(
        [
            "trayer",
            "--edge",
            "top",
            "--align",
            "right",
            "--width",
            "10",
            "--height",
            "28",
            "--transparent",
            "false",
            "--tint",
            "0x404040",
            "--SetDockType",
            "true",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proceso


def pantalla(nombre: str) -> Path | None:
    """Toda la pantalla del Xvfb (con la bandeja) con ``import`` de ImageMagick."""
    if not shutil.which("import"):
        return None
    ruta = SALIDA / f"{nombre}.png"
    subprocess.run(["import", "-window", "root", str(ruta)], check=True)
    return ruta


def relanzar_en_xvfb() -> None:
    if os.environ.get("DISPLAY") or os.environ.get("SINCRO_CAPTURAS_XVFB"):
        return
    if not shutil.which("xvfb-run"):
        sys.exit("Falta xvfb-run (Debian/Ubuntu: apt-get install xvfb).")
    entorno = {**os.environ, "SINCRO_CAPTURAS_XVFB": "1", "QT_QPA_PLATFORM": "xcb"}
    orden = ["xvfb-run", "-a", "-s", "-screen 0 1280x900x24", sys.executable, *sys.argv]
    sys.exit(subprocess.call(orden, env=entorno))


def preparar_terminal(central, directorio: Path) -> None:
    from agente.fachada import Agente
    from agente.sincronizacion.cliente import Cliente

    with Agente.abrir(directorio) as agente:
        agente.configurar(central.url, central.tienda, central.terminal, central.token)
        agente.sincronizar_una_vez()
        for objeto, nombre_central in (
            ("9", "Tomate triturado (central)"),
            ("12", "Aceite de oliva 1 l (central)"),
        ):
            antes = agente.obtener(PRODUCTO, objeto)
            version = agente.cache.fila(PRODUCTO, objeto)[1]
            agente.encolar(PRODUCTO, "actualizar", {"nombre": antes["nombre"] + " (caja)"}, objeto)
            otro = central.crear_terminal("T001", f"caja-otra-{objeto}")
            Cliente(central.url, otro).operaciones(
                [
                    {
                        "uuid": f"6a1f0f3e-0000-4000-8000-0000000000{int(objeto):02d}",
                        "modelo": PRODUCTO,
                        "tipo": "actualizar",
                        "objeto_id": objeto,
                        "datos": {"nombre": nombre_central},
                        "version_base": version,
                        "valores_base": {"nombre": antes["nombre"]},
                        "hora_terminal": "2026-11-28T04:00:00+00:00",
                        "desfase_ms": 0,
                    }
                ]
            )
        agente.encolar("productos.Existencia", "ajustar", {"cantidad": -1}, "T001:999999")
        agente.sincronizar_una_vez()
        # Ventas sin conexión: la central deja de responder (un pase real que falla).
        for producto, cantidad, precio in (
            (3, 2, "12.45"),
            (4, 1, "3.20"),
            (5, 6, "0.95"),
            (7, 1, "149.00"),
        ):
            agente.vender([{"producto": producto, "cantidad": cantidad, "precio_unitario": precio}])
        agente.configurar(
            "http://127.0.0.1:9/sincro",
            central.tienda,
            central.terminal,
            central.token,
            permitir_http=True,
            hora_cierre="00:00",  # ya pasó: la bandeja ofrece cerrar la caja
        )
        try:
            agente.sincronizar_una_vez()
        except Exception as error:  # esperado: la central no responde
            print(f"sin central (esperado): {type(error).__name__}")


def capturar(directorio: Path) -> list[Path]:
    from PySide6.QtCore import QEventLoop, QPoint, QTimer
    from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPixmap
    from PySide6.QtWidgets import QApplication

    from ui import traduccion
    from ui.app import Aplicacion
    from ui.iconos import TAMANOS, icono
    from ui.notificaciones import Aviso
    from ui.resolucion import TERMINAL
    from ui.resumen import ESTADOS_BANDEJA
    from ui.ventana import ACTIVIDAD, CATALOGO, COLA, CONFIGURACION, CONFLICTOS, ESTADO, REGISTRO

    app = QApplication.instance() or QApplication(["sincro"])

    def esperar(ms: int) -> None:
        bucle = QEventLoop()
        QTimer.singleShot(ms, bucle.quit)
        bucle.exec()

    guardadas: list[Path] = []

    def guardar(pixmap: QPixmap, nombre: str) -> None:
        ruta = SALIDA / f"{nombre}.png"
        if not pixmap.save(str(ruta), "PNG"):
            raise RuntimeError(f"No se pudo guardar {ruta}")
        guardadas.append(ruta)

    traduccion.instalar("es")
    aplicacion = Aplicacion(directorio, sincronizar=False, con_bandeja=True)
    aplicacion.avisos._temporizador.setInterval(300)
    aplicacion.arrancar()
    esperar(1500)
    aplicacion.avisos.encolar(Aviso("conflictos", 2))
    aplicacion.avisos.encolar(
        Aviso(
            "sin_conexion",
            aplicacion.puente.ultimo_resumen.ventas_pendientes,
            900,
            aplicacion.puente.ultimo_resumen.importe_pendiente,
            aplicacion.puente.ultimo_resumen.ultimo_exito,
        )
    )
    esperar(800)
    ventana = aplicacion.ventana
    ventana.resize(1100, 700)
    ventana.mostrar()
    esperar(500)
    for indice, nombre in (
        (ESTADO, "estado"),
        (COLA, "cola"),
        (CONFLICTOS, "conflictos"),
        (CATALOGO, "catalogo"),
        (REGISTRO, "registro"),
        (CONFIGURACION, "configuracion"),
        (ACTIVIDAD, "actividad"),
    ):
        ventana.pestanas.setCurrentIndex(indice)
        if indice == COLA:
            esperar(600)
            ventana.cola.tabla.selectRow(2)
        if indice == CATALOGO:
            esperar(600)
            ventana.catalogo.buscar.setText("ace")
        esperar(900)
        guardar(ventana.grab(), nombre)

    # Cierre de caja: las ventas aún no están en la central, así que sólo se puede forzar.
    ventana.cerrar_caja()
    esperar(900)
    cierre = ventana.cierre.dialogo
    cierre.efectivo.setText("150,00")
    cierre.forzar.setChecked(True)
    cierre.quien.setText("Marta (encargada)")
    cierre.motivo.setText("La red de la tienda está caída desde las 10:40")
    esperar(400)
    guardar(cierre.grab(), "cierre_caja")
    cierre.reject()

    ventana.pestanas.setCurrentIndex(CONFLICTOS)
    dialogo = ventana.conflictos.revisar(0)
    dialogo.resize(1000, 560)
    dialogo.encargado.setText("Marta")
    dialogo.motivo.setText("El nombre de la central es el del proveedor")
    esperar(800)
    guardar(dialogo.grab(), "dialogo_conflicto")
    # Vista previa de la resolución en bloque: «Esta terminal» para el nombre en los dos
    # parecidos (cada uno con su propio nombre).
    combo = dialogo.combo("nombre")
    combo.setCurrentIndex(combo.findData(TERMINAL))
    dialogo.aplicar_parecidos.setChecked(True)

    def capturar_vista() -> None:
        esperar(700)
        guardar(dialogo.vista_previa.grab(), "vista_previa_en_bloque")
        dialogo.vista_previa.reject()

    QTimer.singleShot(0, capturar_vista)
    dialogo.aplicar()
    # Un valor escrito a mano desactiva la casilla y lo dice.
    combo.setCurrentIndex(combo.findText("Otro valor…"))
    dialogo.editor("nombre").setText("Tomate triturado 400 g")
    dialogo.editor("nombre").editingFinished.emit()
    esperar(300)
    guardar(dialogo.grab(), "dialogo_valor_escrito")
    dialogo.reject()

    bandeja = aplicacion.bandeja
    bandeja.menu.popup(QPoint(900, 80))
    esperar(600)
    menu = bandeja.menu.grab()
    consejo = bandeja.icono.toolTip()
    bandeja.menu.hide()
    # El menú con el icono de estado y el texto del tooltip al lado (no hay bandeja en Xvfb).
    metrica = QFontMetrics(app.font())
    lineas = consejo.splitlines()
    ancho_consejo = max(metrica.horizontalAdvance(linea) for linea in lineas) + 24
    alto_consejo = 20 * len(lineas) + 16
    ancho = menu.width() + ancho_consejo + 40
    lienzo = QPixmap(ancho, max(menu.height(), alto_consejo) + 64)
    lienzo.fill(QColor("#eef1f4"))
    p = QPainter(lienzo)
    p.drawPixmap(8, 8, icono(bandeja.estado).pixmap(32, 32))
    p.drawText(48, 28, f"estado de la bandeja: {bandeja.estado}")
    p.drawPixmap(8, 48, menu)
    p.fillRect(menu.width() + 24, 48, ancho_consejo, alto_consejo, QColor("#ffffe1"))
    p.setPen(QColor("#202124"))
    for i, linea in enumerate(consejo.splitlines()):
        p.drawText(menu.width() + 32, 68 + 20 * i, linea)
    p.end()
    guardar(lienzo, "bandeja_menu")
    ventana.mostrar(ESTADO)
    esperar(600)
    ruta = pantalla("pantalla_con_bandeja")
    if ruta is not None:
        guardadas.append(ruta)

    # La interfaz en inglés (mismo estado: sin conexión, ventas pendientes, conflictos).
    aplicacion.cerrar()
    ventana.close()
    traduccion.instalar("en")
    ingles = Aplicacion(directorio, sincronizar=False, con_bandeja=True)
    ingles.arrancar()
    esperar(1500)
    ingles.ventana.resize(1100, 700)
    ingles.ventana.mostrar(ESTADO)
    esperar(900)
    guardar(ingles.ventana.grab(), "ingles_estado")
    ingles.ventana.cerrar_caja()
    esperar(900)
    ingles.ventana.cierre.dialogo.efectivo.setText("150.00")
    esperar(300)
    guardar(ingles.ventana.cierre.dialogo.grab(), "ingles_cierre_caja")
    ingles.ventana.cierre.dialogo.reject()
    ingles.bandeja.menu.aboutToShow.emit()
    ingles.bandeja.menu.popup(QPoint(900, 80))
    esperar(600)
    guardar(ingles.bandeja.menu.grab(), "ingles_bandeja_menu")
    ingles.bandeja.menu.hide()
    ingles.cerrar()
    ingles.ventana.close()
    traduccion.instalar("es")

    lado = 64 + 16
    tira = QPixmap(len(ESTADOS_BANDEJA) * lado * 2, sum(TAMANOS) + 8 * len(TAMANOS) + 40)
    tira.fill(QColor("white"))
    p = QPainter(tira)
    for columna, estado in enumerate(ESTADOS_BANDEJA):
        x = columna * lado * 2 + 8
        p.drawText(x, 16, estado)
        y = 28
        for tamano in TAMANOS:
            p.drawPixmap(x, y, icono(estado).pixmap(tamano, tamano))
            y += tamano + 8
    p.end()
    guardar(tira, "iconos")

    app.processEvents()
    return guardadas


def main() -> int:
    relanzar_en_xvfb()
    sys.path.insert(0, str(RAIZ))
    from tests.plugins.central import CentralEnMarcha

    SALIDA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sincro-capturas-") as temporal:
        base = Path(temporal)
        os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
        os.environ["XDG_DATA_HOME"] = str(base / "llavero")
        os.environ["SINCRO_REGISTRO"] = str(base / "registro")
        from agente.soporte import registro

        directorio = base / "terminal"
        registro.configurar(directorio, programa="bandeja")
        central = CentralEnMarcha(base / "central", demo=200).arrancar()
        bandeja = bandeja_del_sistema()
        try:
            preparar_terminal(central, directorio)
            guardadas = capturar(directorio)
        finally:
            central.detener()
            registro.desconfigurar()
            if bandeja is not None:
                bandeja.terminate()
    for ruta in guardadas:
        print(ruta.relative_to(RAIZ))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
