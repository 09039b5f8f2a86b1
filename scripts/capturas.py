"""Capturas de pantalla de la interfaz para el README y docs/interfaz.md.

Uso (desde la raíz del repositorio)::

    .venv/bin/python scripts/capturas.py            # se relanza dentro de xvfb-run si hace falta

Arranca una central de referencia real (``sincro-central``, demo de 200 productos) en un
directorio temporal, prepara una terminal real contra ella (sincronizada, con un conflicto de
verdad, una operación rechazada y ventas pendientes) y abre la aplicación de Sincro en este
proceso, bajo Xvfb (plataforma xcb). Guarda en ``docs/capturas/``: el menú de la bandeja, cada
pestaña, el diálogo de conflicto y la tira de iconos por estado (16–64 px).
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
        for objeto, nombre_central in (("9", "Tomate triturado (central)"),
                                       ("12", "Aceite de oliva 1 l (central)")):
            antes = agente.obtener(PRODUCTO, objeto)
            version = agente.cache.fila(PRODUCTO, objeto)[1]
            agente.encolar(PRODUCTO, "actualizar",
                           {"nombre": antes["nombre"] + " (caja)"}, objeto)
            otro = central.crear_terminal("T001", f"caja-otra-{objeto}")
            Cliente(central.url, otro).operaciones([{
                "uuid": f"6a1f0f3e-0000-4000-8000-0000000000{int(objeto):02d}",
                "modelo": PRODUCTO, "tipo": "actualizar", "objeto_id": objeto,
                "datos": {"nombre": nombre_central}, "version_base": version,
                "valores_base": {"nombre": antes["nombre"]},
                "hora_terminal": "2026-11-28T04:00:00+00:00", "desfase_ms": 0}])
        agente.encolar(PRODUCTO, "ajustar", {"stock": -1}, "999999")
        agente.sincronizar_una_vez()
        for objeto, delta in (("1", -2), ("2", -1), ("3", -5), ("4", -1)):
            agente.ajustar(PRODUCTO, objeto, "stock", delta)


def capturar(directorio: Path) -> list[Path]:
    from PySide6.QtCore import QEventLoop, QPoint, QTimer
    from PySide6.QtGui import QColor, QPainter, QPixmap
    from PySide6.QtWidgets import QApplication

    from ui.app import Aplicacion
    from ui.iconos import TAMANOS, icono
    from ui.resumen import ESTADOS_BANDEJA
    from ui.ventana import CATALOGO, COLA, CONFIGURACION, CONFLICTOS, ESTADO, REGISTRO

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

    aplicacion = Aplicacion(directorio, sincronizar=False, con_bandeja=True)
    aplicacion.arrancar()
    esperar(1500)
    ventana = aplicacion.ventana
    ventana.resize(1100, 700)
    ventana.mostrar()
    esperar(500)
    for indice, nombre in ((ESTADO, "estado"), (COLA, "cola"), (CONFLICTOS, "conflictos"),
                           (CATALOGO, "catalogo"), (REGISTRO, "registro"),
                           (CONFIGURACION, "configuracion")):
        ventana.pestanas.setCurrentIndex(indice)
        if indice == COLA:
            esperar(600)
            ventana.cola.tabla.selectRow(2)
        if indice == CATALOGO:
            esperar(600)
            ventana.catalogo.buscar.setText("ace")
        esperar(900)
        guardar(ventana.grab(), nombre)

    ventana.pestanas.setCurrentIndex(CONFLICTOS)
    dialogo = ventana.conflictos.revisar(0)
    dialogo.resize(1000, 560)
    dialogo.encargado.setText("Marta")
    dialogo.motivo.setText("El nombre de la central es el del proveedor")
    esperar(800)
    guardar(dialogo.grab(), "dialogo_conflicto")
    dialogo.reject()

    bandeja = aplicacion.bandeja
    bandeja.menu.popup(QPoint(900, 80))
    esperar(600)
    menu = bandeja.menu.grab()
    consejo = bandeja.icono.toolTip()
    bandeja.menu.hide()
    # El menú con el icono de estado y el texto del tooltip al lado (no hay bandeja en Xvfb).
    ancho = menu.width() + 430
    lienzo = QPixmap(ancho, max(menu.height(), 190) + 16)
    lienzo.fill(QColor("#eef1f4"))
    p = QPainter(lienzo)
    p.drawPixmap(8, 8, icono(bandeja.estado).pixmap(32, 32))
    p.drawText(48, 28, f"estado de la bandeja: {bandeja.estado}")
    p.drawPixmap(8, 48, menu)
    p.fillRect(menu.width() + 24, 48, 400, 150, QColor("#ffffe1"))
    p.setPen(QColor("#202124"))
    for i, linea in enumerate(consejo.splitlines()):
        p.drawText(menu.width() + 32, 68 + 20 * i, linea)
    p.end()
    guardar(lienzo, "bandeja_menu")

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

    aplicacion.cerrar()
    ventana.close()
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
        try:
            preparar_terminal(central, directorio)
            guardadas = capturar(directorio)
        finally:
            central.detener()
            registro.desconfigurar()
    for ruta in guardadas:
        print(ruta.relative_to(RAIZ))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
