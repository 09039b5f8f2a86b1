"""Errores de red, de la central y del sistema como frases para la tienda, con el detalle
técnico aparte (detrás de «Detalles»).

``frase(mensaje)`` reconoce los mensajes técnicos que llegan del motor o de las bibliotecas
(«HTTPConnectionPool… Failed to establish a new connection», «CERTIFICATE_VERIFY_FAILED»,
«[Errno 28] No space left on device», pistas de la línea de órdenes…) y devuelve
``(frase, detalle)``: una línea en el idioma de la interfaz que dice qué pasa y qué hacer, y el
texto original entero. Un mensaje que ya es una frase de una línea sin jerga se respeta.

``EtiquetaError`` muestra la frase con un enlace «Detalles» que abre el texto técnico. Sólo
hilo de la GUI (traduce y crea widgets).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

translate = QCoreApplication.translate

_RED = re.compile(
    r"HTTPConnectionPool|HTTPSConnectionPool|Failed to establish|Connection refused|"
    r"Max retries exceeded|timed out|Name or service not known|Temporary failure in name|"
    r"getaddrinfo|Connection reset|Connection aborted|RemoteDisconnected|no responde|"
    r"NewConnectionError|ConnectTimeout|ReadTimeout|Network is unreachable",
    re.IGNORECASE,
)
_TLS = re.compile(r"CERTIFICATE_VERIFY_FAILED|SSLError|SSL:|certificate verify", re.IGNORECASE)
_TOKEN = re.compile(
    r"\b401\b|token (?:caducado|revocado|desconocido)|rechaza (?:el|ese) token|"
    r"autenticaci[oó]n",
    re.IGNORECASE,
)
_SIN_CONFIG = re.compile(r"sincro configurar|sin configurar|No hay token", re.IGNORECASE)
_HTTP_PLANO = re.compile(r"--permitir-http|debe usar https|https://", re.IGNORECASE)
_DISCO = re.compile(r"No space left|Errno 28|disk is full|disco lleno", re.IGNORECASE)
_PERMISO = re.compile(r"Permission denied|PermissionError|Errno 13|Acceso denegado", re.IGNORECASE)
_BLOQUEO = re.compile(r"database is locked", re.IGNORECASE)
_SERVIDOR = re.compile(r"\b5\d\d\b|Internal Server Error|error del servidor", re.IGNORECASE)
_JERGA = re.compile(
    r"Error\(|Exception|Traceback|<[a-zA-Z]|object at 0x|\bErrno\b|\bHTTP\b|"
    r"«sincro |--[a-z]",
    re.IGNORECASE,
)


def _generica() -> str:
    return translate(
        "Errores", "Algo falló; se volverá a intentar. El detalle técnico está en «Detalles»."
    )


def es_generica(texto: str, detalle: str) -> bool:
    """Si ``frase`` no reconoció el error y sólo dice que algo falló (el detalle, aparte)."""
    return texto == _generica() and detalle != texto


def frase(mensaje: str | None, desde: str | None = None) -> tuple[str, str]:
    """``(frase para personas, detalle técnico)``. ``desde``: hora del último contacto correcto
    («10:42»), para decir desde cuándo no responde la central."""
    detalle = str(mensaje or "").strip()
    if not detalle:
        return "", ""
    if _SIN_CONFIG.search(detalle):
        texto = translate(
            "Errores",
            "Esta terminal aún no está configurada: abre Configuración "
            "y pega el token que da la central.",
        )
    elif _HTTP_PLANO.search(detalle) and not _RED.search(detalle):
        texto = translate(
            "Errores",
            "La dirección de la central debe empezar por https:// "
            "(http sin cifrar sólo para pruebas, marcándolo en "
            "Configuración).",
        )
    elif _TLS.search(detalle):
        texto = translate(
            "Errores",
            "La conexión con la central no es segura (su certificado no "
            "es válido): no se envía nada. Avisa a quien mantiene la "
            "central; las ventas siguen guardadas.",
        )
    elif _TOKEN.search(detalle):
        texto = translate(
            "Errores",
            "La central rechaza el token de esta terminal: pide uno "
            "nuevo y guárdalo en Configuración. Nada se pierde.",
        )
    elif _RED.search(detalle):
        texto = (
            translate(
                "Errores",
                "La central no responde desde las {hora}; las ventas se "
                "guardan y se enviarán solas.",
            ).format(hora=desde)
            if desde
            else translate(
                "Errores", "La central no responde; las ventas se guardan y se enviarán solas."
            )
        )
    elif _DISCO.search(detalle):
        texto = translate(
            "Errores", "El disco está lleno: libera espacio. Lo ya guardado no se pierde."
        )
    elif _PERMISO.search(detalle):
        texto = translate(
            "Errores",
            "Sincro no tiene permiso para escribir en su carpeta de "
            "datos: avisa a quien mantiene este equipo.",
        )
    elif _BLOQUEO.search(detalle):
        texto = translate(
            "Errores", "Otro programa está usando los datos de Sincro; se volverá a intentar."
        )
    elif _SERVIDOR.search(detalle):
        texto = translate(
            "Errores",
            "La central tiene un problema y no acepta envíos ahora; se volverá a intentar sola.",
        )
    elif "\n" in detalle or _JERGA.search(detalle) or len(detalle) > 200:
        texto = _generica()
    else:
        return detalle, detalle
    return texto, detalle


class EtiquetaError(QLabel):
    """Una frase y, si hay detalle técnico distinto, un enlace «Detalles» que lo enseña."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(self.textFormat().RichText)
        self.linkActivated.connect(self.mostrar_detalles)
        self.frase = ""
        self.detalle = ""

    def fijar(self, mensaje: str | None, desde: str | None = None) -> None:
        self.frase, self.detalle = frase(mensaje, desde)
        self.fijar_frase(self.frase, self.detalle)

    def fijar_frase(self, texto: str, detalle: str = "") -> None:
        from html import escape

        self.frase, self.detalle = texto, detalle
        enlace = (
            f' <a href="detalles">{escape(translate("Errores", "Detalles"))}</a>'
            if detalle and detalle != texto
            else ""
        )
        self.setText(escape(texto) + enlace)

    def mostrar_detalles(self, _enlace: str = "") -> QMessageBox:
        caja = QMessageBox(
            QMessageBox.Icon.Information,
            translate("Errores", "Detalles"),
            self.frase,
            QMessageBox.StandardButton.Close,
            self,
        )
        caja.setDetailedText(self.detalle)
        caja.open()
        return caja
