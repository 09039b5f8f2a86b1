"""Ventana principal (encargados): pestañas Estado, Cola, Conflictos, Catálogo, Registro,
Configuración y Actividad. Sólo hilo de la GUI; todo lo que pide al motor pasa por el ``Puente``.

Cerrar la ventana la oculta si hay bandeja; sin bandeja, cerrar pide salir (``salir_pedido``)
y la aplicación decide (confirmación si queda algo sin enviar)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QWidget

from agente import __version__
from ui.actividad import Actividad
from ui.historial import Historial
from ui.iconos import icono
from ui.pestanas.actividad import PestanaActividad
from ui.pestanas.catalogo import PestanaCatalogo
from ui.pestanas.cola import PestanaCola
from ui.pestanas.configuracion import PestanaConfiguracion
from ui.pestanas.conflictos import PestanaConflictos
from ui.pestanas.estado import PestanaEstado, texto_conexion
from ui.pestanas.registro import PestanaRegistro
from ui.puente import Puente
from ui.resumen import Resumen

translate = QCoreApplication.translate

ESTADO, COLA, CONFLICTOS, CATALOGO, REGISTRO, CONFIGURACION, ACTIVIDAD = range(7)


class VentanaPrincipal(QMainWindow):
    salir_pedido = Signal()

    def __init__(self, puente: Puente, ajustes: QSettings,
                 parent: QWidget | None = None, actividad: Actividad | None = None) -> None:
        super().__init__(parent)
        self.puente = puente
        self.ocultar_al_cerrar = True
        self.setWindowTitle(f"Sincro {__version__}")
        self.setWindowIcon(icono("sincro"))
        self.resize(980, 640)
        self.estado = PestanaEstado(Historial())
        self.cola = PestanaCola(puente)
        self.conflictos = PestanaConflictos(puente)
        self.catalogo = PestanaCatalogo(puente)
        self.registro = PestanaRegistro(puente)
        self.configuracion = PestanaConfiguracion(puente, ajustes)
        self.actividad = PestanaActividad(actividad or Actividad(None, self))
        self.pestanas = QTabWidget()
        for pestana, titulo in (
            (self.estado, translate("Ventana", "Estado")),
            (self.cola, translate("Ventana", "Cola")),
            (self.conflictos, translate("Ventana", "Conflictos")),
            (self.catalogo, translate("Ventana", "Catálogo")),
            (self.registro, translate("Ventana", "Registro")),
            (self.configuracion, translate("Ventana", "Configuración")),
            (self.actividad, translate("Ventana", "Actividad")),
        ):
            self.pestanas.addTab(pestana, titulo)
        self.pestanas.currentChanged.connect(self._al_cambiar_pestana)
        self.setCentralWidget(self.pestanas)
        self.barra = QLabel()
        self.statusBar().addWidget(self.barra, 1)
        puente.abierto.connect(self._al_abrir)
        puente.estado_cambiado.connect(self._al_estado)
        puente.conflictos_cambiados.connect(self._al_conflictos)
        puente.fallo.connect(self._al_fallo)

    def _al_abrir(self) -> None:
        self.puente.llamar(_actividad, self.estado.historial.horas,
                           al_terminar=self._al_actividad, que="historial de actividad")
        self.catalogo.cargar()
        self.conflictos.cargar_tipos()
        self.configuracion.cargar()
        self._al_cambiar_pestana(self.pestanas.currentIndex())

    def _al_actividad(self, serie: list[dict]) -> None:
        self.estado.historial.sembrar(serie)
        self.estado.grafico.fijar(self.estado.historial.muestras())

    def _al_estado(self, r: Resumen) -> None:
        self.estado.mostrar(r)
        self.cola.fijar_modelos(r)
        self.barra.setText(translate(
            "Ventana", "{conexion} · {pendientes} pendientes · {conflictos} conflictos").format(
                conexion=texto_conexion(r.conexion), pendientes=r.pendientes,
                conflictos=r.conflictos))
        if self.isVisible() and self.pestanas.currentIndex() == COLA:
            self.cola.recargar()

    def _al_conflictos(self, conflictos: list) -> None:
        actuales = [c.get("id") for c in self.conflictos.modelo.filas()]
        if [c.get("id") for c in conflictos] != actuales:
            self.conflictos.mostrar(conflictos)
        self.pestanas.setTabText(CONFLICTOS, translate(
            "Ventana", "Conflictos ({n})").format(n=len(conflictos)) if conflictos else
            translate("Ventana", "Conflictos"))

    def _al_fallo(self, que: str, mensaje: str) -> None:
        self.barra.setText(translate("Ventana", "Error ({que}): {mensaje}")
                           .format(que=que, mensaje=mensaje))

    def _al_cambiar_pestana(self, indice: int) -> None:
        if indice == COLA:
            self.cola.recargar()
        elif indice == REGISTRO:
            self.registro.recargar()
        elif indice == CATALOGO:
            self.catalogo.cargar()

    def mostrar(self, pestana: int | None = None) -> None:
        """Muestra y trae al frente la ventana (también desde otra instancia)."""
        if pestana is not None:
            self.pestanas.setCurrentIndex(pestana)
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, evento: QCloseEvent) -> None:
        evento.ignore()
        if self.ocultar_al_cerrar:
            self.hide()
        else:
            self.salir_pedido.emit()


def _actividad(agente, horas: float) -> list[dict]:
    """Hilo del motor: la serie de las últimas ``horas`` reconstruida de la cola."""
    return agente.operaciones.actividad(horas)
