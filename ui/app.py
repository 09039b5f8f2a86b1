"""Aplicación de bandeja de Sincro: ``sincro`` sin argumentos llama a ``main()``.

Orden de arranque (el icono aparece antes de abrir el motor; nada pesado en la GUI):

1. ``QApplication`` con ``setQuitOnLastWindowClosed(False)`` (vive en la bandeja).
2. Instancia única: si otra bandeja del mismo directorio de datos responde, se le pide que
   muestre su ventana y se sale.
3. Traducción (preferencia en ``ui.ini`` del directorio de datos) y registro ``bandeja.log``.
4. Bandeja visible (o, sin bandeja en el escritorio, la ventana principal).
5. El puente abre el ``Agente`` en su hilo (lecturas, resolver, cola) y la sincronización
   arranca en un proceso aparte (``ui.proceso_sincro``: la GUI no comparte el GIL con ella).

Salir con operaciones sin confirmar pide confirmación diciendo cuántas ventas esperarán.

El estado siempre es el de ahora: la aplicación vigila ``config.json`` (``QFileSystemWatcher``)
y, si cambia (``sincro configurar`` con la bandeja abierta, token nuevo), relanza la
sincronización y relee el estado sin reiniciar. Los avisos pasan por ``ui.actividad.ColaAvisos``
(en fila, nunca uno encima de otro) y quedan en la pestaña Actividad.
Sólo hilo de la GUI; el motor se usa sólo a través de ``ui.puente`` y ``ui.trabajos``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import logging
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QFileSystemWatcher,
    QObject,
    QSettings,
    QTimer,
)
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon, QWidget
from shiboken6 import Shiboken

from ui import bandeja as acciones
from ui import formato, trabajos, traduccion
from ui.actividad import Actividad, ColaAvisos
from ui.bandeja import Bandeja
from ui.iconos import icono
from ui.instancia import InstanciaUnica, nombre_servidor
from ui.notificaciones import UMBRAL_SIN_CONEXION_S, Avisador
from ui.proceso_sincro import ProcesoSincronizacion
from ui.puente import Puente
from ui.resumen import Resumen
from ui.ventana import ACTIVIDAD, CONFIGURACION, CONFLICTOS, VentanaPrincipal

translate = QCoreApplication.translate

log = logging.getLogger(__name__)

_REINTENTO = re.compile(r"Reintento en (\d+) s")


class TrasPrimerPintado(QObject):
    """Llama ``funcion`` (una vez) en cuanto ``widget`` termina su primer pintado, o a los
    ``espera_max_ms`` si no llega a pintarse (minimizado, sin pantalla). Sólo hilo de la GUI."""

    def __init__(
        self,
        widget: QWidget,
        funcion: Callable[[], None],
        parent: QObject | None = None,
        espera_max_ms: int = 1000,
    ) -> None:
        super().__init__(parent)
        self._widget = widget
        self._funcion: Callable[[], None] | None = funcion
        widget.installEventFilter(self)
        QTimer.singleShot(espera_max_ms, self._llamar)

    def eventFilter(self, objeto: QObject, evento: QEvent) -> bool:
        if objeto is self._widget and evento.type() == QEvent.Type.Paint:
            # El evento aún no se ha pintado: la función va en cola, detrás del pintado.
            QTimer.singleShot(0, self._llamar)
        return False

    def _llamar(self) -> None:
        funcion, self._funcion = self._funcion, None
        if funcion is not None:
            self._widget.removeEventFilter(self)
            funcion()


def abrir_agente(directorio: Path) -> Callable[[], Any]:
    def abrir() -> Any:
        from agente import Agente

        return Agente.abrir(directorio)

    return abrir


class Aplicacion(QObject):
    """Une puente, ventana, bandeja y notificaciones. Sólo hilo de la GUI."""

    def __init__(
        self,
        directorio: Path,
        abrir: Callable[[], Any] | None = None,
        con_bandeja: bool | None = None,
        sincronizar: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.directorio = directorio
        self.ajustes = QSettings(str(directorio / "ui.ini"), QSettings.Format.IniFormat)
        self.puente = Puente(abrir or abrir_agente(directorio), parent=self)
        self.sincronizar = sincronizar
        self.sincro: ProcesoSincronizacion | None = None
        if sincronizar:
            self.sincro = ProcesoSincronizacion(directorio, parent=self)
            self.sincro.estado_cambiado.connect(self._al_linea_sincro)
            self.sincro.en_marcha_cambiado.connect(lambda _m: self.puente.refrescar())
        self.actividad = Actividad(directorio, self)
        self.avisos = ColaAvisos(self.actividad, parent=self)
        self.ventana = VentanaPrincipal(self.puente, self.ajustes, actividad=self.actividad)
        self.ventana.salir_pedido.connect(self.salir)
        self.ventana.caja_cerrada.connect(
            lambda texto: self.actividad.anotar(
                "cierre", translate("Aplicacion", "Caja cerrada"), texto
            )
        )
        self.ventana.configuracion.guardada.connect(self._al_guardar_configuracion)
        self.ventana.configuracion.umbral_sin_conexion_cambiado.connect(self._al_umbral)
        self.avisador = Avisador(
            float(self.ajustes.value("avisar_sin_conexion_s", UMBRAL_SIN_CONEXION_S))
        )
        if con_bandeja is None:
            con_bandeja = QSystemTrayIcon.isSystemTrayAvailable()
        self.bandeja: Bandeja | None = None
        if con_bandeja:
            self.bandeja = Bandeja(self)
            self.bandeja.accion.connect(self._al_accion)
            self.avisos.mostrar.connect(self.bandeja.notificar)
        else:
            self.ventana.ocultar_al_cerrar = False
        self.puente.estado_cambiado.connect(self._al_estado)
        self.saliendo = False
        self._motor_arrancado = False
        self._sincronizacion_lanzada = False
        self._tras_pintar: TrasPrimerPintado | None = None
        self._huella_config = self._huella()
        self.vigilante: QFileSystemWatcher | None = QFileSystemWatcher([str(directorio)], self)
        self.vigilante.directoryChanged.connect(self._revisar_config)
        self.vigilante.fileChanged.connect(self._revisar_config)
        self._vigilar_fichero()

    def arrancar(self) -> None:
        """Enseña el icono (o la ventana) y, después, arranca lo pesado por etapas para que la
        GUI nunca se pare: el motor se abre (hilo ``motor``: importar, abrir SQLite) cuando la
        ventana visible ya se ha pintado una vez, y el proceso de sincronización (otro
        intérprete que compite por los núcleos) cuando el motor ya está abierto."""
        if self.bandeja is not None:
            self.bandeja.mostrar()
        else:
            log.info("No hay bandeja del sistema: se abre la ventana principal.")
            self.ventana.mostrar()
        if os.environ.get("SINCRO_UI_MARCAR"):  # bench/ui_arranque.py mide hasta aquí
            print("sincro-ui: visible", file=sys.stderr, flush=True)
        if self.ventana.isVisible():
            self._tras_pintar = TrasPrimerPintado(self.ventana, self._arrancar_motor, self)
        else:
            QTimer.singleShot(0, self._arrancar_motor)

    def _arrancar_motor(self) -> None:
        if self.saliendo or self._motor_arrancado:
            return
        self._motor_arrancado = True
        if self.sincro is not None:
            self.puente.abierto.connect(self._lanzar_sincronizacion)
            self.puente.fallo.connect(self._al_fallo_al_abrir)
        self.puente.iniciar()

    def _al_fallo_al_abrir(self, que: str, _mensaje: str) -> None:
        if que == "abrir":  # sin motor en la GUI, la sincronización puede seguir sola
            self._lanzar_sincronizacion()

    def _lanzar_sincronizacion(self) -> None:
        if self.sincro is not None and not self.saliendo and not self._sincronizacion_lanzada:
            self._sincronizacion_lanzada = True
            if not self.sincro.pausado:
                self.sincro.iniciar()

    # -- estado y avisos -------------------------------------------------------------------

    def _al_estado(self, r: Resumen) -> None:
        if self.bandeja is not None:
            self.bandeja.actualizar(r)
        for aviso in self.avisador.revisar(r):
            self.avisos.encolar(aviso)

    def _al_linea_sincro(self, linea: str) -> None:
        """Cada línea del hijo: anota el próximo reintento que anuncia (o lo quita) y relee."""
        m = _REINTENTO.search(linea)
        self.puente.proximo_intento = (
            dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(m.group(1))) if m else None
        )
        self.puente.refrescar()

    # -- configuración cambiada fuera (o dentro) -------------------------------------------

    def _huella(self) -> tuple[int, int] | None:
        try:
            datos = (self.directorio / "config.json").stat()
        except OSError:
            return None
        return (datos.st_mtime_ns, datos.st_size)

    def _vigilar_fichero(self) -> None:
        if self.vigilante is None:  # cerrada
            return
        ruta = str(self.directorio / "config.json")
        if (self.directorio / "config.json").exists() and ruta not in self.vigilante.files():
            self.vigilante.addPath(ruta)

    def _revisar_config(self, _ruta: str = "") -> None:
        """``config.json`` creado o reescrito (``sincro configurar``, Guardar): la
        sincronización se relanza con la configuración y el token nuevos, sin reiniciar."""
        self._vigilar_fichero()
        huella = self._huella()
        if huella == self._huella_config:
            return
        self._huella_config = huella
        log.info("La configuración cambió: se relanza la sincronización.")
        if self.sincro is not None and not self.sincro.pausado and huella is not None:
            self.sincro.sincronizar_ahora()
        self.puente.refrescar()

    # -- acciones del menú -------------------------------------------------------------------

    def _al_accion(self, accion: str) -> None:
        if accion == acciones.ABRIR:
            self.ventana.mostrar()
        elif accion == acciones.CERRAR_CAJA:
            self.ventana.mostrar()
            self.ventana.cerrar_caja()
        elif accion == acciones.CONFLICTOS:
            self.ventana.mostrar(CONFLICTOS)
        elif accion == acciones.CONFIGURACION:
            self.ventana.mostrar(CONFIGURACION)
        elif accion == acciones.ACTIVIDAD:
            self.ventana.mostrar(ACTIVIDAD)
        elif accion == acciones.SINCRONIZAR:
            if self.sincro is not None:
                self.sincro.sincronizar_ahora()
        elif accion in (acciones.PAUSAR, acciones.REANUDAR):
            self.pausar(accion == acciones.PAUSAR)
        elif accion == acciones.SALIR:
            self.salir()

    def pausar(self, pausado: bool) -> None:
        """Pausa = parar el proceso de sincronización; la caja sigue encolando."""
        if self.sincro is not None:
            if pausado:
                self.sincro.pausar()
            else:
                self.sincro.iniciar()
        self.puente.pausado = pausado
        self.puente.refrescar()

    def _al_umbral(self, segundos: int) -> None:
        self.avisador.umbral_sin_conexion_s = float(segundos)

    def _al_guardar_configuracion(self) -> None:
        self._revisar_config()

    # -- salir -------------------------------------------------------------------------------

    def salir(self) -> None:
        """Pregunta si queda algo sin confirmar (cuenta en el hilo del motor) y sale."""
        if self.saliendo:
            return
        if not self.puente.llamar(
            trabajos.contar_sin_enviar,
            al_terminar=self._al_contar,
            al_fallar=lambda _m: self.terminar(),
            que="salir",
        ):
            self.terminar()

    def _al_contar(self, cuenta: dict[str, int]) -> None:
        if self.saliendo:
            return
        if cuenta["total"] and not self.confirmar_salida(cuenta):
            return
        self.terminar()

    def confirmar_salida(self, cuenta: dict[str, Any]) -> bool:
        ventas = int(cuenta.get("ventas", 0))
        if ventas:
            texto = formato.plural(
                ventas,
                translate(
                    "Aplicacion",
                    "Hay %n venta ({importe}) sin enviar a la central. Está guardada "
                    "y no se pierde, pero esperará hasta que Sincro vuelva a abrirse. ¿Salir de "
                    "todos modos?",
                ),
                translate(
                    "Aplicacion",
                    "Hay %n ventas ({importe}) sin enviar a la central. Están "
                    "guardadas y no se pierden, pero esperarán hasta que Sincro vuelva a abrirse. "
                    "¿Salir de todos modos?",
                ),
            ).format(importe=formato.dinero(cuenta.get("importe", "0")))
        else:
            texto = translate(
                "Aplicacion",
                "Hay cambios sin enviar a la central (ninguna venta). Están "
                "guardados y no se pierden, pero esperarán hasta que Sincro vuelva a abrirse. "
                "¿Salir de todos modos?",
            )
        respuesta = QMessageBox.warning(
            self.ventana if self.ventana.isVisible() else None,
            translate("Aplicacion", "Salir de Sincro"),
            texto,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return respuesta == QMessageBox.StandardButton.Yes

    def terminar(self) -> None:
        self.saliendo = True
        self.cerrar()
        QCoreApplication.quit()

    def cerrar(self) -> None:
        """Para la sincronización y cierra el motor (espera a los hilos; sólo al salir).

        El vigilante de ``config.json`` se destruye aquí, en el hilo de la GUI: su
        ``QSocketNotifier`` (el descriptor de inotify) no puede destruirse desde otro hilo. Si
        esta aplicación la destruyera después el recolector de ciclos de Python desde un hilo
        de trabajo, Qt no podría desactivar el aviso, cerraría el descriptor y el hilo de la
        GUI se quedaría en un bucle de «QSocketNotifier: Invalid socket … disabling»."""
        self.saliendo = True
        self.ventana.ocultar_al_cerrar = True
        if self.bandeja is not None:
            self.bandeja.ocultar()
        if self.sincro is not None:
            self.sincro.cerrar()
        self.puente.cerrar()
        if self.vigilante is not None:
            self.vigilante.blockSignals(True)
            Shiboken.delete(self.vigilante)
            self.vigilante = None


def _argumentos(argv: list[str]) -> argparse.Namespace:
    analizador = argparse.ArgumentParser(prog="sincro", description="Bandeja de Sincro.")
    analizador.add_argument("--datos", help="directorio de datos de la terminal")
    analizador.add_argument(
        "--permitir-http",
        action="store_true",
        help="aceptar una central con http sin cifrar que no es local (y pasarlo a la "
        "sincronización)",
    )
    analizador.add_argument(
        "--sin-bandeja",
        action="store_true",
        help="abrir la ventana principal en lugar del icono de bandeja",
    )
    return analizador.parse_args(argv)


def preparar_argumentos(argv: list[str] | argparse.Namespace | None) -> argparse.Namespace:
    """Los argumentos de la bandeja (de su línea de órdenes o del ``Namespace`` de ``sincro``)
    y, con ``--permitir-http``, lo permite en este proceso (y así en su hijo)."""
    if isinstance(argv, argparse.Namespace):
        args = argparse.Namespace(
            datos=getattr(argv, "datos", None),
            sin_bandeja=getattr(argv, "sin_bandeja", False),
            permitir_http=bool(
                getattr(argv, "permitir_http_global", False)
                or getattr(argv, "permitir_http", False)
            ),
        )
    else:
        args = _argumentos(sys.argv[1:] if argv is None else argv)
    if args.permitir_http:
        import agente

        agente.permitir_http_en_este_proceso()
    return args


def main(argv: list[str] | argparse.Namespace | None = None) -> int:
    """Arranca la bandeja. ``argv``: lista de argumentos, o el ``Namespace`` ya analizado por
    la CLI ``sincro`` (usa su ``datos``). Devuelve el código de salida."""
    args = preparar_argumentos(argv)
    import agente

    directorio = agente.preparar_directorio(args.datos)
    try:
        from ui.plataforma import preparar_aplicacion_qt

        preparar_aplicacion_qt()
    except ImportError:
        pass
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Sincro")
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(icono("sincro"))

    instancia = InstanciaUnica(nombre_servidor(directorio))
    if instancia.avisar_a_otra():
        print("Sincro ya está abierto: se muestra su ventana.", file=sys.stderr)
        return 0
    instancia.escuchar()

    agente.configurar_registro(directorio, programa="bandeja")
    ajustes = QSettings(str(directorio / "ui.ini"), QSettings.Format.IniFormat)
    try:
        traduccion.instalar(str(ajustes.value("idioma", "sistema")))
    except (RuntimeError, ValueError) as error:
        log.warning("Sin traducción: %s", error)

    aplicacion = Aplicacion(directorio, con_bandeja=False if args.sin_bandeja else None)
    instancia.mostrar_pedido.connect(aplicacion.ventana.mostrar)
    QTimer.singleShot(0, aplicacion.arrancar)
    if os.environ.get("SINCRO_UI_SALIR_TRAS_MS"):  # benches y capturas
        QTimer.singleShot(int(os.environ["SINCRO_UI_SALIR_TRAS_MS"]), aplicacion.terminar)
    try:
        codigo = app.exec()
    finally:
        if not aplicacion.saliendo:
            aplicacion.cerrar()
        instancia.cerrar()
        # La aplicación (con sus temporizadores y la bandeja) muere aquí, en el hilo de la GUI
        # y antes que la QApplication, no al azar durante el cierre del intérprete.
        del aplicacion, instancia
        gc.collect()
    return int(codigo)


if __name__ == "__main__":
    raise SystemExit(main())
