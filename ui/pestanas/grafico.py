"""Gráfico pequeño de la cola y la actividad (QPainter, sin QtCharts). Sólo hilo de la GUI."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.historial import Muestra

translate = QCoreApplication.translate

COLOR_COLA = QColor("#1a73e8")
COLOR_ENVIADAS = QColor("#1e8e3e")


class GraficoActividad(QWidget):
    """Línea azul: operaciones en cola; barras verdes: operaciones enviadas por minuto."""

    def __init__(self, horas: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.horas = horas
        self._muestras: list[Muestra] = []
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._preparar_pintado()

    def _preparar_pintado(self) -> None:
        """Pinta una vez en un mapa de 1×1 al construir: PySide crea sus enumeraciones y Qt
        carga la fuente en el primer uso, y eso no debe caer en el primer pintado de la ventana
        (que ya cuesta lo suyo)."""
        mapa = QPixmap(1, 1)
        p = QPainter(mapa)
        p.fillRect(QRectF(0, 0, 1, 1), self.palette().base())
        p.setPen(QPen(self.palette().mid().color()))
        p.drawText(QRectF(0, 0, 1, 1), Qt.AlignmentFlag.AlignLeft, "0")
        p.end()

    def sizeHint(self) -> QSize:
        return QSize(480, 140)

    def fijar(self, muestras: list[Muestra]) -> None:
        self._muestras = muestras
        self.update()

    def paintEvent(self, _evento) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        marco = QRectF(self.rect()).adjusted(40, 18, -8, -20)
        p.fillRect(marco, self.palette().base())
        p.setPen(QPen(self.palette().mid().color()))
        p.drawRect(marco)
        leyenda = translate(
            "GraficoActividad",
            "Últimas {h} h · azul: operaciones en cola · verde: enviadas por minuto",
        ).format(h=self.horas)
        p.setPen(self.palette().text().color())
        p.drawText(QRectF(0, 0, self.width(), 16), Qt.AlignmentFlag.AlignLeft, leyenda)
        if not self._muestras:
            p.drawText(
                marco,
                Qt.AlignmentFlag.AlignCenter,
                translate("GraficoActividad", "Sin datos todavía"),
            )
            return
        fin = self._muestras[-1].minuto
        inicio = fin - dt.timedelta(hours=self.horas)
        ancho = (fin - inicio).total_seconds() or 1.0
        maximo = max(
            max(m.cola for m in self._muestras), max(m.enviadas for m in self._muestras), 1
        )
        p.drawText(QRectF(0, marco.top() - 6, 36, 14), Qt.AlignmentFlag.AlignRight, str(maximo))
        p.drawText(QRectF(0, marco.bottom() - 8, 36, 14), Qt.AlignmentFlag.AlignRight, "0")

        def x(m: Muestra) -> float:
            return marco.left() + marco.width() * (m.minuto - inicio).total_seconds() / ancho

        def y(valor: int) -> float:
            return marco.bottom() - marco.height() * valor / maximo

        barra = max(1.0, marco.width() / (self.horas * 60))
        for m in self._muestras:
            if m.enviadas:
                p.fillRect(
                    QRectF(x(m) - barra / 2, y(m.enviadas), barra, marco.bottom() - y(m.enviadas)),
                    COLOR_ENVIADAS,
                )
        camino = QPainterPath()
        for i, m in enumerate(self._muestras):
            punto = QPointF(x(m), y(m.cola))
            if i == 0:
                camino.moveTo(punto)
            else:
                camino.lineTo(punto)
        p.setPen(QPen(COLOR_COLA, 2))
        p.drawPath(camino)
        p.setBrush(COLOR_COLA)
        for m in self._muestras[-60:]:  # puntos de la última hora: se ve aunque haya uno
            p.drawEllipse(QPointF(x(m), y(m.cola)), 2.5, 2.5)
        p.setPen(self.palette().text().color())
        p.drawText(
            QRectF(marco.left(), marco.bottom() + 2, 80, 16),
            Qt.AlignmentFlag.AlignLeft,
            inicio.astimezone().strftime("%H:%M"),
        )
        p.drawText(
            QRectF(marco.right() - 80, marco.bottom() + 2, 80, 16),
            Qt.AlignmentFlag.AlignRight,
            fin.astimezone().strftime("%H:%M"),
        )
