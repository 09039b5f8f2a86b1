"""Icono de bandeja (cajeros): un icono por estado, tooltip con lo esencial y un menú que se
reconstruye cada vez que se abre (``aboutToShow``, como Vorta) con el estado de ese momento.

La bandeja sólo emite señales de lo que pide el cajero (``accion``); la aplicación decide
(``ui.app``). Sólo hilo de la GUI."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ui import formato
from ui.iconos import icono
from ui.notificaciones import Aviso, texto
from ui.pestanas.estado import texto_conexion
from ui.resumen import Resumen, estado_bandeja

translate = QCoreApplication.translate

ABRIR, SINCRONIZAR, PAUSAR, REANUDAR, CONFLICTOS, CONFIGURACION, SALIR = (
    "abrir", "sincronizar", "pausar", "reanudar", "conflictos", "configuracion", "salir")


def texto_tooltip(r: Resumen) -> str:
    """Estado, pendientes, antigüedad de la más antigua, última sincronización correcta y
    «precios a las …»."""
    estado = texto_conexion(r.conexion)
    if r.pausado:
        estado += " · " + translate("Bandeja", "en pausa")
    lineas = [
        translate("Bandeja", "Sincro: {estado}").format(estado=estado),
        translate("Bandeja", "{n} operaciones pendientes").format(
            n=r.pendientes),
    ]
    if r.antiguedad_pendiente_s is not None:
        lineas.append(translate(
            "Bandeja", "La más antigua espera desde hace {tiempo}").format(
                tiempo=formato.duracion(r.antiguedad_pendiente_s)))
    if r.conflictos:
        lineas.append(translate("Bandeja", "{n} conflictos por revisar")
                      .format(n=r.conflictos))
    lineas.append(translate("Bandeja", "Última sincronización: {hora}").format(
        hora=formato.hora(r.ultimo_exito)))
    lineas.append(translate("Bandeja", "Precios a las {hora}").format(
        hora=formato.hora(r.precios_a)))
    return "\n".join(lineas)


class Bandeja(QObject):
    accion = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.resumen = Resumen()
        self.estado = ""
        self.icono = QSystemTrayIcon(icono("sincro"), self)
        self.menu = QMenu()
        self.menu.aboutToShow.connect(self.reconstruir_menu)
        self.icono.setContextMenu(self.menu)
        self.icono.activated.connect(self._al_activar)
        self.icono.messageClicked.connect(lambda: self.accion.emit(ABRIR))
        self.actualizar(self.resumen)
        self.reconstruir_menu()

    def mostrar(self) -> None:
        self.icono.show()

    def ocultar(self) -> None:
        self.icono.hide()

    def actualizar(self, r: Resumen) -> None:
        self.resumen = r
        estado = estado_bandeja(r)
        if estado != self.estado:
            self.estado = estado
            self.icono.setIcon(icono(estado))
        self.icono.setToolTip(texto_tooltip(r))

    def reconstruir_menu(self) -> None:
        r = self.resumen
        self.menu.clear()

        def anadir(texto_accion: str, clave: str, activa: bool = True) -> QAction:
            accion = self.menu.addAction(texto_accion)
            accion.setObjectName(clave)
            accion.setEnabled(activa)
            accion.triggered.connect(lambda _=False, c=clave: self.accion.emit(c))
            return accion

        anadir(translate("Bandeja", "Abrir Sincro"), ABRIR)
        self.menu.addSeparator()
        anadir(translate("Bandeja", "Sincronizar ahora"), SINCRONIZAR,
               activa=not r.pausado and r.conexion != "sin_configurar")
        if r.pausado:
            anadir(translate("Bandeja", "Reanudar"), REANUDAR)
        else:
            anadir(translate("Bandeja", "Pausar"), PAUSAR)
        anadir(translate("Bandeja", "Conflictos ({n})").format(n=r.conflictos),
               CONFLICTOS, activa=r.conflictos > 0)
        anadir(translate("Bandeja", "Configuración"), CONFIGURACION)
        self.menu.addSeparator()
        anadir(translate("Bandeja", "Salir"), SALIR)

    def textos_menu(self) -> list[str]:
        return [a.text() for a in self.menu.actions() if not a.isSeparator()]

    def _al_activar(self, razon: QSystemTrayIcon.ActivationReason) -> None:
        if razon in (QSystemTrayIcon.ActivationReason.Trigger,
                     QSystemTrayIcon.ActivationReason.DoubleClick):
            self.accion.emit(ABRIR)

    def notificar(self, aviso: Aviso) -> None:
        titulo, mensaje = texto(aviso)
        tipo = (QSystemTrayIcon.MessageIcon.Warning
                if aviso.tipo in ("autenticacion", "sin_conexion", "conflictos")
                else QSystemTrayIcon.MessageIcon.Information)
        self.icono.showMessage(titulo, mensaje, tipo, 10000)
