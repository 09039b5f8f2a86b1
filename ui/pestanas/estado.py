"""Pestaña Estado: conexión, lista para vender sin conexión, frescura por modelo, cola por
estado, antigüedad de lo pendiente, desfase de reloj y gráfico de las últimas horas.
Sólo hilo de la GUI; se alimenta de ``Puente.estado_cambiado``."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ui import formato
from ui.errores import EtiquetaError
from ui.historial import Historial
from ui.modelos.frescura import ModeloFrescura
from ui.pestanas.grafico import GraficoActividad
from ui.pestanas.tabla import tabla_de
from ui.resumen import ESTADOS_COLA, Resumen

translate = QCoreApplication.translate


def texto_conexion(conexion: str) -> str:
    textos = {
        "al_dia": translate("Estado", "al día"),
        "sincronizando": translate("Estado", "sincronizando"),
        "sin_conexion": translate("Estado", "sin conexión"),
        "error_autenticacion": translate("Estado", "error de autenticación"),
        "error_servidor": translate("Estado", "error del servidor"),
        "sin_configurar": translate("Estado", "sin configurar"),
    }
    return textos.get(conexion, conexion)


def texto_estado_cola(estado: str) -> str:
    textos = {
        "pendiente": translate("Estado", "Por enviar"),
        "procesando": translate("Estado", "Enviándose"),
        "conflicto": translate("Estado", "En conflicto"),
        "error": translate("Estado", "Rechazado por la central"),
        "completado": translate("Estado", "Confirmado"),
        "descartado": translate("Estado", "Descartado"),
    }
    return textos.get(estado, estado)


def texto_clases(clases: dict[str, int] | None) -> str:
    """«4 ventas · 8 ajustes de stock · 1 cambio del catálogo» (sólo lo que no es cero) o
    «nada». Lo mismo que cuenta «Ventas sin confirmar»: ventas, no operaciones."""
    clases = clases or {}
    partes = []
    for clase, singular, plural in (
        ("ventas", translate("Estado", "%n venta"), translate("Estado", "%n ventas")),
        (
            "ajustes",
            translate("Estado", "%n ajuste de stock"),
            translate("Estado", "%n ajustes de stock"),
        ),
        (
            "cambios",
            translate("Estado", "%n cambio del catálogo"),
            translate("Estado", "%n cambios del catálogo"),
        ),
    ):
        n = int(clases.get(clase, 0))
        if n:
            partes.append(formato.plural(n, singular, plural))
    return " · ".join(partes) if partes else translate("Estado", "nada")


def texto_ventas_estado(r: Resumen) -> str:
    """«12 ventas (184,30 €), la más antigua de hace 25 min» o «ninguna: todo enviado»."""
    if not r.ventas_pendientes:
        return translate("Estado", "ninguna: todas las ventas están en la central")
    return formato.plural(
        r.ventas_pendientes,
        translate("Estado", "%n venta ({importe}), de hace {tiempo}"),
        translate("Estado", "%n ventas ({importe}), la más antigua de hace {tiempo}"),
    ).format(
        importe=formato.dinero(r.importe_pendiente), tiempo=formato.duracion(r.antiguedad_ventas_s)
    )


class PestanaEstado(QWidget):
    def __init__(self, historial: Historial, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.historial = historial
        self.conexion = QLabel()
        self.conexion.setObjectName("conexion")
        self.mensaje = EtiquetaError()
        self.lista = QLabel()
        self.lista.setObjectName("lista_para_vender")
        self.antiguedad = QLabel()
        self.ventas = QLabel()
        self.ventas.setObjectName("ventas_pendientes")
        self.desfase = QLabel()
        self.ultima_subida = QLabel()
        self.ultima_bajada = QLabel()

        general = QFormLayout()
        general.addRow(translate("Estado", "Conexión:"), self.conexion)
        general.addRow("", self.mensaje)
        general.addRow(translate("Estado", "Lista para vender sin conexión:"), self.lista)
        general.addRow(translate("Estado", "Ventas sin confirmar:"), self.ventas)
        general.addRow(translate("Estado", "Lo más antiguo por enviar:"), self.antiguedad)
        general.addRow(translate("Estado", "Última subida correcta:"), self.ultima_subida)
        general.addRow(translate("Estado", "Última bajada correcta:"), self.ultima_bajada)
        general.addRow(translate("Estado", "Desfase del reloj:"), self.desfase)

        self.etiquetas_cola: dict[str, QLabel] = {}
        cola = QFormLayout()
        for estado in ESTADOS_COLA:
            etiqueta = QLabel()
            etiqueta.setWordWrap(True)
            etiqueta.setObjectName(f"cola_{estado}")
            self.etiquetas_cola[estado] = etiqueta
            cola.addRow(texto_estado_cola(estado) + ":", etiqueta)
        caja_cola = QGroupBox(translate("Estado", "Cola de envío a la central"))
        caja_cola.setLayout(cola)

        arriba = QHBoxLayout()
        arriba.addLayout(general, 2)
        arriba.addWidget(caja_cola, 1)

        self.modelo_frescura = ModeloFrescura(self)
        self.tabla = tabla_de(self.modelo_frescura)
        self.grafico = GraficoActividad(historial.horas)

        capa = QVBoxLayout(self)
        capa.addLayout(arriba)
        capa.addWidget(QLabel(translate("Estado", "Catálogo local por modelo:")))
        capa.addWidget(self.tabla, 1)
        capa.addWidget(self.grafico)

    def mostrar(self, r: Resumen) -> None:
        texto = texto_conexion(r.conexion)
        if r.pausado:
            texto += " · " + translate("Estado", "en pausa")
        self.conexion.setText(f"<b>{texto}</b>")
        if r.conexion in ("al_dia", "sincronizando"):
            self.mensaje.fijar_frase(
                translate("Estado", "Todo enviado y al día.")
                if r.conexion == "al_dia"
                else translate("Estado", "Hablando con la central…")
            )
        else:
            self.mensaje.fijar(
                r.mensaje_error or texto_conexion(r.conexion),
                formato.hora_corta(r.ultimo_exito) if r.ultimo_exito else None,
            )
        self.lista.setText(
            translate("Estado", "sí: los modelos críticos están completos")
            if r.lista_para_vender
            else translate("Estado", "NO: faltan datos de modelos críticos")
        )
        self.lista.setStyleSheet("color: #1e6e34" if r.lista_para_vender else "color: #b3261e")
        self.antiguedad.setText(formato.duracion(r.antiguedad_pendiente_s))
        self.ventas.setText(texto_ventas_estado(r))
        self.ultima_subida.setText(formato.hora(r.ultimo_empuje))
        self.ultima_bajada.setText(formato.hora(r.ultima_descarga))
        self.desfase.setText(
            formato.VACIO
            if r.desfase_ms is None
            else translate("Estado", "{ms} ms").format(ms=r.desfase_ms)
        )
        for estado, etiqueta in self.etiquetas_cola.items():
            etiqueta.setText(texto_clases(r.clases_cola.get(estado)))
        self.modelo_frescura.fijar_modelos(r.modelos)
        self.historial.anotar(r)
        self.grafico.fijar(self.historial.muestras())
