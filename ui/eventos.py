"""Descripción para personas de las líneas del registro (eventos ``agente.soporte.registro``).

``describir(entrada)`` recibe el dict de ``ui.trabajos.interpretar_linea`` y devuelve una frase
traducible. Los eventos sin descripción propia se muestran como «tipo: clave=valor…». Sólo
hilo de la GUI (traduce).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

translate = QCoreApplication.translate


def _c(campos: dict[str, Any], clave: str, defecto: Any = "?") -> Any:
    return campos.get(clave, defecto)


def describir(entrada: dict[str, Any]) -> str:
    evento = entrada.get("evento")
    if not evento:
        return str(entrada.get("mensaje", ""))
    c = entrada.get("campos") or {}
    if evento == "pase":
        return translate(
            "Eventos", "Sincronización completa: {enviadas} operaciones enviadas "
            "({completadas} confirmadas, {conflictos} en conflicto, {rechazadas} rechazadas), "
            "{filas} filas descargadas en {segundos} s.").format(
                enviadas=_c(c, "enviadas", 0), completadas=_c(c, "completadas", 0),
                conflictos=_c(c, "conflictos", 0), rechazadas=_c(c, "rechazadas", 0),
                filas=_c(c, "filas", 0), segundos=_c(c, "segundos", 0))
    if evento == "sincronizacion_fallida":
        return translate(
            "Eventos", "La sincronización falló: {mensaje}").format(mensaje=_c(c, "mensaje"))
    if evento == "operacion_rechazada":
        return translate(
            "Eventos", "La central rechazó la operación {uuid}: {motivo}").format(
                uuid=_c(c, "uuid"), motivo=_c(c, "motivo"))
    if evento == "resincronizacion":
        return translate(
            "Eventos", "Se vuelve a descargar entero el modelo {modelo} ({motivo}).").format(
                modelo=_c(c, "modelo"), motivo=_c(c, "motivo"))
    if evento == "descarga_completa":
        return translate(
            "Eventos", "Descarga completa del modelo {modelo} ({motivo}).").format(
                modelo=_c(c, "modelo"), motivo=_c(c, "motivo"))
    detalle = " ".join(f"{k}={v}" for k, v in c.items())
    return f"{evento}: {detalle}".strip()
