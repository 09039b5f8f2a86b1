"""Pestaña Registro: eventos de sincronización, lo que hicieron las personas (resoluciones,
descartes) y errores recientes, en lenguaje de personas, con cuántas operaciones confirmó la
central en las últimas 24 h (contadas en la cola, no en el registro). Lee en el hilo ``motor``.
Con «Sólo eventos…» se ocultan los reintentos internos de la biblioteca HTTP. Sólo hilo de la
GUI."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import formato, trabajos
from ui.eventos import describir, detalle
from ui.modelos.registro import ModeloRegistro
from ui.pestanas.tabla import tabla_de
from ui.puente import Puente

translate = QCoreApplication.translate


class PestanaRegistro(QWidget):
    def __init__(self, puente: Puente, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.puente = puente
        self.modelo = ModeloRegistro(self)
        self.tabla = tabla_de(self.modelo)
        self.tabla.setWordWrap(True)
        self.solo_importantes = QCheckBox(
            translate("Registro", "Sólo eventos de sincronización y errores")
        )
        self.solo_importantes.setChecked(True)
        self.solo_importantes.toggled.connect(self.recargar)
        self.boton = QPushButton(translate("Registro", "&Actualizar"))
        self.boton.clicked.connect(self.recargar)
        self.enviadas = QLabel()
        self.enviadas.setObjectName("enviadas")
        arriba = QHBoxLayout()
        arriba.addWidget(self.solo_importantes, 1)
        arriba.addWidget(self.boton)
        capa = QVBoxLayout(self)
        capa.addWidget(self.enviadas)
        capa.addLayout(arriba)
        capa.addWidget(self.tabla, 1)

    def recargar(self) -> None:
        self.puente.llamar(trabajos.leer_registro, al_terminar=self._al_cargar, que="registro")
        self.puente.llamar(
            trabajos.enviadas_recientes, al_terminar=self._al_enviadas, que="registro"
        )

    def _al_enviadas(self, n: int) -> None:
        self.enviadas.setText(
            formato.plural(
                n,
                translate("Registro", "La central confirmó %n operación en las últimas 24 h."),
                translate("Registro", "La central confirmó %n operaciones en las últimas 24 h."),
            )
        )

    def _al_cargar(self, entradas: list[dict[str, Any]]) -> None:
        filas = []
        for e in entradas:
            importante = e.get("evento") or (
                e.get("nivel") in ("WARNING", "ERROR", "CRITICAL")
                and not str(e.get("logger", "")).startswith(("urllib3", "requests"))
            )
            if self.solo_importantes.isChecked() and not importante:
                continue
            filas.append(
                {
                    **e,
                    "mensaje": describir(e),
                    "detalle": detalle(e),
                    "nivel_texto": _nivel(e.get("nivel")),
                }
            )
        self.modelo.fijar(filas)


def _nivel(nivel: Any) -> str:
    textos = {
        "INFO": translate("Registro", "info"),
        "WARNING": translate("Registro", "aviso"),
        "ERROR": translate("Registro", "error"),
        "CRITICAL": translate("Registro", "error grave"),
        "DEBUG": translate("Registro", "detalle"),
    }
    return textos.get(str(nivel), str(nivel))
