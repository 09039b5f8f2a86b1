"""Icono de bandeja (cajeros): un icono por estado, tooltip con lo esencial y un menú que se
reconstruye cada vez que se abre (``aboutToShow``, como Vorta) con el estado de ese momento.

El menú empieza con una línea de estado en palabras de la tienda (como Nextcloud o Dropbox):
«Sin conexión desde 10:42 · 12 ventas (184,30 €) pendientes · reintento en 25 s». El icono, el
tooltip y esa línea salen del mismo estado visible (``ui.resumen.estado_bandeja`` con el
anterior, para que un reintento no lo haga parpadear): nunca se contradicen.

La bandeja sólo emite señales de lo que pide el cajero (``accion``); la aplicación decide
(``ui.app``). Sólo hilo de la GUI."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ui import formato
from ui.iconos import icono
from ui.notificaciones import Aviso, texto
from ui.resumen import Resumen, estado_bandeja

translate = QCoreApplication.translate

CERRAR_CAJA = "cerrar_caja"
ABRIR, SINCRONIZAR, PAUSAR, REANUDAR, CONFLICTOS, CONFIGURACION, ACTIVIDAD, SALIR = (
    "abrir",
    "sincronizar",
    "pausar",
    "reanudar",
    "conflictos",
    "configuracion",
    "actividad",
    "salir",
)


def texto_estado(estado: str, r: Resumen) -> str:
    """El estado visible en palabras (el mismo que el icono)."""
    if estado == "autenticacion":
        return (
            translate("Bandeja", "Sin configurar")
            if r.conexion == "sin_configurar"
            else translate("Bandeja", "La central rechaza el token")
        )
    textos = {
        "conflictos": translate("Bandeja", "Conflictos por revisar"),
        "sin_conexion": translate("Bandeja", "Sin conexión"),
        "error": translate("Bandeja", "Error al enviar"),
        "sincronizando": translate("Bandeja", "Enviando"),
        "al_dia": translate("Bandeja", "Al día"),
    }
    return textos.get(estado, estado)


def texto_ventas(r: Resumen) -> str:
    """«12 ventas (184,30 €) pendientes» o «todas las ventas enviadas»."""
    if not r.ventas_pendientes:
        return translate("Bandeja", "todas las ventas enviadas")
    return formato.plural(
        r.ventas_pendientes,
        translate("Bandeja", "%n venta ({importe}) pendiente"),
        translate("Bandeja", "%n ventas ({importe}) pendientes"),
    ).format(importe=formato.dinero(r.importe_pendiente))


def linea_estado(r: Resumen, estado: str, ahora: dt.datetime | None = None) -> str:
    """Primera línea del menú: estado, desde cuándo, ventas y dinero pendientes, reintento."""
    ahora = ahora or dt.datetime.now(dt.UTC)
    partes = []
    if estado == "conflictos":
        partes.append(
            formato.plural(
                r.conflictos,
                translate("Bandeja", "%n conflicto por revisar"),
                translate("Bandeja", "%n conflictos por revisar"),
            )
        )
    if estado == "sin_conexion" or (estado == "conflictos" and r.conexion == "sin_conexion"):
        partes.append(
            translate("Bandeja", "Sin conexión desde {hora}").format(
                hora=formato.hora_corta(r.ultimo_exito)
            )
            if r.ultimo_exito
            else translate("Bandeja", "Sin conexión")
        )
    elif estado != "conflictos":
        partes.append(texto_estado(estado, r))
    if r.pausado:
        partes.append(translate("Bandeja", "en pausa"))
    partes.append(texto_ventas(r))
    if r.proximo_intento is not None and estado in ("sin_conexion", "error", "conflictos"):
        segundos = (r.proximo_intento - ahora).total_seconds()
        if segundos > 0:
            partes.append(
                translate("Bandeja", "reintento en {tiempo}").format(
                    tiempo=formato.duracion(segundos)
                )
            )
    return " · ".join(partes)


def texto_tooltip(r: Resumen, estado: str | None = None) -> str:
    """Estado visible, ventas pendientes, antigüedad de la más antigua, conflictos, última
    sincronización correcta y «precios a las …»."""
    estado = estado or estado_bandeja(r)
    lineas = [translate("Bandeja", "Sincro: {estado}").format(estado=linea_estado(r, estado))]
    if r.antiguedad_ventas_s is not None and r.ventas_pendientes:
        lineas.append(
            translate("Bandeja", "La venta más antigua espera desde hace {tiempo}").format(
                tiempo=formato.duracion(r.antiguedad_ventas_s)
            )
        )
    lineas.append(
        translate("Bandeja", "Última sincronización: {hora}").format(
            hora=formato.hora(r.ultimo_exito)
        )
    )
    lineas.append(
        translate("Bandeja", "Precios a las {hora}").format(hora=formato.hora(r.precios_a))
    )
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
        self.ultimo_aviso = ""
        self.icono.messageClicked.connect(
            lambda: self.accion.emit(CERRAR_CAJA if self.ultimo_aviso == "cierre" else ABRIR)
        )
        # Hasta el primer estado del motor: el icono de la aplicación, sin suponer nada.
        self.icono.setToolTip(translate("Bandeja", "Sincro: abriendo…"))
        self.reconstruir_menu()

    def mostrar(self) -> None:
        self.icono.show()

    def ocultar(self) -> None:
        self.icono.hide()

    def actualizar(self, r: Resumen) -> None:
        self.resumen = r
        estado = estado_bandeja(r, self.estado or None)
        if estado != self.estado:
            self.estado = estado
            self.icono.setIcon(icono(estado))
        self.icono.setToolTip(texto_tooltip(r, estado))

    def reconstruir_menu(self) -> None:
        r = self.resumen
        self.menu.clear()

        def anadir(texto_accion: str, clave: str, activa: bool = True) -> QAction:
            accion = self.menu.addAction(texto_accion)
            accion.setObjectName(clave)
            accion.setEnabled(activa)
            accion.triggered.connect(lambda _=False, c=clave: self.accion.emit(c))
            return accion

        linea = self.menu.addAction(
            linea_estado(r, self.estado)
            if self.estado
            else translate("Bandeja", "Sincro: abriendo…")
        )
        linea.setObjectName("linea_estado")
        linea.setEnabled(False)
        self.menu.addSeparator()
        anadir(translate("Bandeja", "Abrir Sincro"), ABRIR)
        cierre = anadir(
            translate("Bandeja", "Cerrar caja… (es la hora)")
            if r.cierre_pendiente
            else translate("Bandeja", "Cerrar caja…"),
            CERRAR_CAJA,
        )
        if r.cierre_pendiente:
            fuente = cierre.font()
            fuente.setBold(True)
            cierre.setFont(fuente)
        self.menu.addSeparator()
        anadir(
            translate("Bandeja", "Sincronizar ahora"),
            SINCRONIZAR,
            activa=not r.pausado and r.conexion != "sin_configurar",
        )
        if r.pausado:
            anadir(translate("Bandeja", "Reanudar"), REANUDAR)
        else:
            anadir(translate("Bandeja", "Pausar"), PAUSAR)
        anadir(
            translate("Bandeja", "Conflictos ({n})").format(n=r.conflictos),
            CONFLICTOS,
            activa=r.conflictos > 0,
        )
        anadir(translate("Bandeja", "Actividad"), ACTIVIDAD)
        anadir(translate("Bandeja", "Configuración"), CONFIGURACION)
        self.menu.addSeparator()
        anadir(translate("Bandeja", "Salir"), SALIR)

    def textos_menu(self) -> list[str]:
        """Textos de las acciones (sin la línea de estado ni separadores)."""
        return [
            a.text()
            for a in self.menu.actions()
            if not a.isSeparator() and a.objectName() != "linea_estado"
        ]

    def linea(self) -> str:
        return self.menu.actions()[0].text()

    def _al_activar(self, razon: QSystemTrayIcon.ActivationReason) -> None:
        if razon in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.accion.emit(ABRIR)

    def notificar(self, aviso: Aviso) -> None:
        self.ultimo_aviso = aviso.tipo
        titulo, mensaje = texto(aviso)
        tipo = (
            QSystemTrayIcon.MessageIcon.Warning
            if aviso.tipo in ("autenticacion", "sin_conexion", "conflictos", "cierre")
            else QSystemTrayIcon.MessageIcon.Information
        )
        self.icono.showMessage(titulo, mensaje, tipo, 10000)
