"""Ventana principal (encargados): pestañas Estado, Cola, Conflictos, Catálogo, Registro,
Configuración y Actividad. Sólo hilo de la GUI; todo lo que pide al motor pasa por el ``Puente``.

Encima de las pestañas, una franja de color (como el modo sin conexión de Square) dice sin
conexión desde cuándo y cuántas ventas y cuánto dinero esperan; al volver, «todas las ventas
enviadas». La barra de estado repite la línea de estado de la bandeja (mismo estado visible).

Cerrar la ventana la oculta si hay bandeja; sin bandeja, cerrar pide salir (``salir_pedido``)
y la aplicación decide (confirmación si queda algo sin enviar)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from agente import __version__
from ui.actividad import Actividad
from ui.bandeja import linea_estado
from ui.errores import frase
from ui.historial import Historial
from ui.iconos import icono
from ui.pestanas.actividad import PestanaActividad
from ui.pestanas.catalogo import PestanaCatalogo
from ui.pestanas.cola import PestanaCola
from ui.pestanas.configuracion import PestanaConfiguracion
from ui.pestanas.conflictos import PestanaConflictos
from ui.pestanas.estado import PestanaEstado
from ui.pestanas.registro import PestanaRegistro
from ui.puente import Puente
from ui.resumen import Resumen, estado_bandeja

translate = QCoreApplication.translate

ESTADO, COLA, CONFLICTOS, CATALOGO, REGISTRO, CONFIGURACION, ACTIVIDAD = range(7)

COLORES_FRANJA = {  # fondo, texto
    "sin_conexion": ("#fde293", "#3c2a00"),
    "autenticacion": ("#f6d5d3", "#5a0f0b"),
    "error": ("#f6d5d3", "#5a0f0b"),
    "enviado": ("#d3ecd9", "#0d3b1e"),
}


def texto_franja(r: Resumen, estado: str, franja_anterior: str) -> tuple[str, str]:
    """(clave de color, texto) de la franja; ``("", "")`` si no hay nada que destacar."""
    if estado in ("sin_conexion", "autenticacion", "error") or (
        estado == "conflictos" and r.conexion == "sin_conexion"
    ):
        clave = "sin_conexion" if estado == "conflictos" else estado
        texto = linea_estado(r, estado)
        if clave == "sin_conexion" and r.ventas_pendientes:
            texto += " — " + translate("Ventana", "se guardan y se enviarán solas")
        return clave, texto
    if (
        franja_anterior in ("sin_conexion", "autenticacion", "error", "enviado")
        and not r.ventas_pendientes
    ):
        return "enviado", translate("Ventana", "Todas las ventas enviadas a la central.")
    return "", ""


class VentanaPrincipal(QMainWindow):
    salir_pedido = Signal()

    def __init__(
        self,
        puente: Puente,
        ajustes: QSettings,
        parent: QWidget | None = None,
        actividad: Actividad | None = None,
    ) -> None:
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
        self.franja = QLabel()
        self.franja.setObjectName("franja")
        self.franja.setWordWrap(True)
        self.franja.setVisible(False)
        self.clave_franja = ""
        self.estado_visible = ""
        centro = QWidget()
        capa = QVBoxLayout(centro)
        capa.setContentsMargins(0, 0, 0, 0)
        capa.addWidget(self.franja)
        capa.addWidget(self.pestanas, 1)
        self.setCentralWidget(centro)
        self.barra = QLabel()
        self.statusBar().addWidget(self.barra, 1)
        self.conflictos.presentacion_cargada.connect(self._al_presentacion)
        puente.abierto.connect(self._al_abrir)
        puente.estado_cambiado.connect(self._al_estado)
        puente.conflictos_cambiados.connect(self._al_conflictos)
        puente.fallo.connect(self._al_fallo)

    def _al_abrir(self) -> None:
        self.puente.llamar(
            _actividad,
            self.estado.historial.horas,
            al_terminar=self._al_actividad,
            que="historial de actividad",
        )
        self.catalogo.cargar()
        self.conflictos.cargar_tipos()
        self.configuracion.cargar()
        self._al_cambiar_pestana(self.pestanas.currentIndex())

    def _al_presentacion(self, presentaciones: dict) -> None:
        self.cola.modelo.presentaciones = dict(presentaciones)
        self.cola.modelo.fijar(self.cola.modelo.filas())
        self.estado.modelo_frescura.presentaciones = dict(presentaciones)
        self.estado.modelo_frescura.fijar(self.estado.modelo_frescura.filas())

    def _al_actividad(self, serie: list[dict]) -> None:
        self.estado.historial.sembrar(serie)
        self.estado.grafico.fijar(self.estado.historial.muestras())

    def _al_estado(self, r: Resumen) -> None:
        self.estado.mostrar(r)
        self.cola.fijar_modelos(r)
        self.estado_visible = estado_bandeja(r, self.estado_visible or None)
        self.barra.setText(linea_estado(r, self.estado_visible))
        anterior = self.clave_franja
        self.clave_franja, texto = texto_franja(r, self.estado_visible, anterior)
        if self.franja.text() != texto:
            self.franja.setText(texto)
        self.franja.setVisible(bool(texto))
        if self.clave_franja and self.clave_franja != anterior:  # volver a aplicar el estilo
            fondo, color = COLORES_FRANJA[self.clave_franja]  # cuesta: sólo si cambia
            self.franja.setStyleSheet(
                f"QLabel#franja {{ background: {fondo}; color: {color}; "
                "padding: 8px; font-weight: bold; }"
            )
        if self.isVisible() and self.pestanas.currentIndex() == COLA:
            self.cola.recargar()

    def _al_conflictos(self, conflictos: list) -> None:
        actuales = [c.get("id") for c in self.conflictos.modelo.filas()]
        if [c.get("id") for c in conflictos] != actuales:
            self.conflictos.mostrar(conflictos)
        self.pestanas.setTabText(
            CONFLICTOS,
            translate("Ventana", "Conflictos ({n})").format(n=len(conflictos))
            if conflictos
            else translate("Ventana", "Conflictos"),
        )

    def _al_fallo(self, que: str, mensaje: str) -> None:
        self.barra.setText(frase(mensaje)[0])
        self.barra.setToolTip(mensaje)

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
    return agente.actividad(horas)
