"""Pestaña Configuración: servidor, tienda, terminal, token (al llavero, nunca se muestra),
«Probar conexión», arranque con la sesión e idioma. Sólo hilo de la GUI.

El idioma es una preferencia de la interfaz: se guarda en ``QSettings`` (fichero INI en el
directorio de datos), no en ``config.json`` (que sólo acepta claves del motor)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui import trabajos
from ui.errores import EtiquetaError, frase
from ui.puente import Puente

translate = QCoreApplication.translate


class PestanaConfiguracion(QWidget):
    idioma_cambiado = Signal(str)
    umbral_sin_conexion_cambiado = Signal(int)  # segundos
    guardada = Signal()

    def __init__(self, puente: Puente, ajustes: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.puente = puente
        self.ajustes = ajustes
        self.servidor = QLineEdit()
        self.servidor.setPlaceholderText(
            translate("Configuracion", "https://central.ejemplo.com/sincro")
        )
        self.tienda = QLineEdit()
        self.terminal = QLineEdit()
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setObjectName("token")
        self.permitir_http = QCheckBox(
            translate("Configuracion", "Permitir http sin cifrar (sólo pruebas)")
        )
        self.autoarranque = QCheckBox(
            translate("Configuracion", "Arrancar Sincro al iniciar la sesión")
        )
        self.autoarranque.toggled.connect(self._al_autoarranque)
        self.avisar_sin_conexion = QSpinBox()
        self.avisar_sin_conexion.setRange(1, 24 * 60)
        self.avisar_sin_conexion.setSuffix(" min")
        self.avisar_sin_conexion.setValue(
            int(int(ajustes.value("avisar_sin_conexion_s", 600)) / 60)
        )
        self.avisar_sin_conexion.valueChanged.connect(self._al_umbral)
        self.idioma = QComboBox()
        self.idioma.addItem(translate("Configuracion", "El del sistema"), "sistema")
        self.idioma.addItem("Español", "es")
        self.idioma.addItem("English", "en")
        indice = self.idioma.findData(ajustes.value("idioma", "sistema"))
        self.idioma.setCurrentIndex(max(indice, 0))
        self.idioma.currentIndexChanged.connect(self._al_idioma)
        self.llavero = QLabel()
        self.llavero.setObjectName("llavero")
        self.llavero.setWordWrap(True)
        self.resultado = EtiquetaError()
        self.resultado.setObjectName("resultado")

        self.boton_probar = QPushButton(translate("Configuracion", "&Probar conexión"))
        self.boton_guardar = QPushButton(translate("Configuracion", "&Guardar"))
        self.boton_probar.clicked.connect(self.probar)
        self.boton_guardar.clicked.connect(self.guardar)

        formulario = QFormLayout()
        formulario.addRow(translate("Configuracion", "Servidor central:"), self.servidor)
        formulario.addRow(translate("Configuracion", "Tienda:"), self.tienda)
        formulario.addRow(translate("Configuracion", "Terminal:"), self.terminal)
        formulario.addRow(translate("Configuracion", "Token:"), self.token)
        formulario.addRow("", self.llavero)
        formulario.addRow("", self.permitir_http)
        formulario.addRow("", self.autoarranque)
        formulario.addRow(
            translate("Configuracion", "Avisar si no hay conexión durante más de:"),
            self.avisar_sin_conexion,
        )
        formulario.addRow(translate("Configuracion", "Idioma:"), self.idioma)
        botones = QHBoxLayout()
        botones.addWidget(self.boton_probar)
        botones.addStretch(1)
        botones.addWidget(self.boton_guardar)
        capa = QVBoxLayout(self)
        capa.addLayout(formulario)
        capa.addLayout(botones)
        capa.addWidget(self.resultado)
        capa.addStretch(1)

    def cargar(self) -> None:
        self.puente.llamar(
            trabajos.leer_configuracion,
            al_terminar=self._mostrar,
            al_fallar=self.resultado.setText,
            que="configuración",
        )

    def _mostrar(self, datos: dict[str, Any]) -> None:
        self.servidor.setText(datos.get("servidor", ""))
        self.tienda.setText(datos.get("tienda", ""))
        self.terminal.setText(datos.get("terminal", ""))
        self.permitir_http.setChecked(bool(datos.get("permitir_http")))
        self.token.clear()
        self.token.setPlaceholderText(
            translate("Configuracion", "Guardado en el llavero (escribe uno nuevo para cambiarlo)")
            if datos.get("hay_token")
            else translate("Configuracion", "Pega el token que da la central")
        )
        self.llavero.setText(
            translate("Configuracion", "Llavero: {llavero}").format(
                llavero=datos.get("llavero", "")
            )
        )
        self.autoarranque.blockSignals(True)
        self.autoarranque.setChecked(bool(datos.get("autoarranque")))
        self.autoarranque.blockSignals(False)

    def guardar(self) -> None:
        """Primero prueba el servidor y el token escritos contra la central (hilo de red); sólo
        si la central los acepta se guardan (hilo del motor). Un token rechazado nunca
        sustituye al que funciona."""
        datos = (
            self.servidor.text().strip(),
            self.tienda.text().strip(),
            self.terminal.text().strip(),
            self.token.text().strip() or None,
            self.permitir_http.isChecked(),
        )
        servidor, _tienda, terminal, token, permitir_http = datos
        self.resultado.setText(translate("Configuracion", "Comprobando con la central…"))
        self.boton_guardar.setEnabled(False)
        self.puente.llamar(
            trabajos.comprobar_antes_de_guardar,
            servidor,
            token,
            permitir_http,
            terminal,
            red=True,
            al_terminar=lambda _ok: self._guardar_comprobado(datos),
            al_fallar=self._al_fallar,
            que="comprobar configuración",
        )

    def _guardar_comprobado(self, datos: tuple) -> None:
        self.resultado.setText(translate("Configuracion", "Guardando…"))
        self.puente.llamar(
            trabajos.guardar_configuracion,
            *datos,
            al_terminar=self._al_guardar,
            al_fallar=self._al_fallar,
            que="guardar configuración",
        )

    def _al_guardar(self, datos: dict[str, Any]) -> None:
        self.boton_guardar.setEnabled(True)
        self._mostrar(datos)
        self.resultado.setText(
            translate("Configuracion", "Configuración guardada; el token, en el llavero.")
        )
        self.guardada.emit()
        self.puente.refrescar()

    def _al_fallar(self, mensaje: str) -> None:
        self.boton_guardar.setEnabled(True)
        if mensaje == trabajos.TokenRechazado.RECHAZADO:
            self.resultado.fijar_frase(
                translate(
                    "Configuracion",
                    "La central rechaza ese token: no se ha guardado nada y se "
                    "sigue usando el anterior.",
                )
            )
        elif mensaje == trabajos.TokenRechazado.SIN_COMPROBAR:
            self.resultado.fijar_frase(
                translate(
                    "Configuracion",
                    "No se pudo comprobar el token nuevo porque la central no "
                    "responde: no se ha guardado nada y se sigue usando el anterior.",
                )
            )
        else:
            texto, detalle = frase(mensaje)
            self.resultado.fijar_frase(
                translate("Configuracion", "No se pudo: {mensaje}").format(mensaje=texto), detalle
            )

    def probar(self) -> None:
        self.resultado.setText(translate("Configuracion", "Probando la conexión…"))
        self.boton_probar.setEnabled(False)
        self.puente.llamar(
            trabajos.probar_conexion,
            self.servidor.text().strip(),
            self.token.text().strip() or None,
            self.permitir_http.isChecked(),
            self.terminal.text().strip(),
            red=True,
            al_terminar=self._al_probar,
            al_fallar=self._al_probar_fallo,
            que="probar conexión",
        )

    def _al_probar(self, r: dict[str, Any]) -> None:
        self.boton_probar.setEnabled(True)
        if r.get("autenticado"):
            texto = translate(
                "Configuracion",
                "Conexión correcta: token aceptado, {n} modelos, "
                "{ms} ms de ida y vuelta, desfase de reloj {desfase} ms.",
            )
        else:
            texto = translate(
                "Configuracion",
                "La central responde ({ms} ms, desfase {desfase} ms), pero "
                "falta el token para comprobar el acceso.",
            )
        self.resultado.setText(
            texto.format(
                n=r.get("modelos", 0), ms=r.get("ida_y_vuelta_ms"), desfase=r.get("desfase_ms")
            )
        )

    def _al_probar_fallo(self, mensaje: str) -> None:
        self.boton_probar.setEnabled(True)
        self._al_fallar(mensaje)

    def _al_autoarranque(self, activo: bool) -> None:
        self.puente.llamar(
            trabajos.fijar_autoarranque,
            activo,
            al_terminar=self._al_autoarranque_fijado,
            al_fallar=self._al_fallar,
            que="autoarranque",
        )

    def _al_autoarranque_fijado(self, activo: bool) -> None:
        self.autoarranque.blockSignals(True)
        self.autoarranque.setChecked(activo)
        self.autoarranque.blockSignals(False)
        self.resultado.setText(
            translate("Configuracion", "Sincro arrancará con la sesión.")
            if activo
            else translate("Configuracion", "Sincro no arrancará con la sesión.")
        )

    def _al_umbral(self, minutos: int) -> None:
        self.ajustes.setValue("avisar_sin_conexion_s", minutos * 60)
        self.ajustes.sync()
        self.umbral_sin_conexion_cambiado.emit(minutos * 60)

    def _al_idioma(self) -> None:
        idioma = self.idioma.currentData()
        self.ajustes.setValue("idioma", idioma)
        self.ajustes.sync()
        self.idioma_cambiado.emit(idioma)
        self.resultado.setText(
            translate("Configuracion", "El idioma se aplicará la próxima vez que abras Sincro.")
        )
