"""Qué notificar y cuándo (lógica pura) y cómo mostrarlo (bandeja del sistema).

``Avisador.revisar(resumen)`` compara cada ``Resumen`` con el anterior y devuelve los avisos:

- conflictos nuevos (el número de abiertos sube);
- sin conexión durante más de ``umbral_sin_conexion_s`` (una vez por corte);
- fallo de autenticación (al entrar en ese estado);
- conexión recuperada con N operaciones enviadas (al volver a «al día» tras un corte; N = las
  que pasaron a COMPLETADO desde que empezó el corte).

``Avisador`` es puro (sin Qt): seguro de probar con relojes falsos. Sólo hilo de la GUI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from ui import formato
from ui.resumen import Resumen

translate = QCoreApplication.translate

UMBRAL_SIN_CONEXION_S = 600


@dataclass(frozen=True)
class Aviso:
    tipo: str  # conflictos | sin_conexion | autenticacion | recuperada
    numero: int = 0
    segundos: float = 0.0


class Avisador:
    def __init__(self, umbral_sin_conexion_s: float = UMBRAL_SIN_CONEXION_S) -> None:
        self.umbral_sin_conexion_s = umbral_sin_conexion_s
        self._anterior: Resumen | None = None
        self._corte_desde: dt.datetime | None = None
        self._completadas_al_cortar = 0
        self._corte_avisado = False
        self._recuperando = False

    def revisar(self, r: Resumen, ahora: dt.datetime | None = None) -> list[Aviso]:
        ahora = ahora or dt.datetime.now(dt.UTC)
        avisos: list[Aviso] = []
        anterior = self._anterior
        self._anterior = r
        completadas = int(r.cola.get("completado", 0))
        if anterior is not None and r.conflictos > anterior.conflictos:
            avisos.append(Aviso("conflictos", r.conflictos - anterior.conflictos))
        if r.conexion == "error_autenticacion" and (
                anterior is None or anterior.conexion != "error_autenticacion"):
            avisos.append(Aviso("autenticacion"))
        if r.conexion == "sin_conexion":
            if self._corte_desde is None:
                self._corte_desde = ahora
                self._completadas_al_cortar = completadas
                self._corte_avisado = False
            segundos = (ahora - self._corte_desde).total_seconds()
            if not self._corte_avisado and segundos >= self.umbral_sin_conexion_s:
                avisos.append(Aviso("sin_conexion", r.pendientes, segundos))
                self._corte_avisado = True
            self._recuperando = False
            return avisos
        if self._corte_desde is not None:
            self._recuperando = True
            self._corte_desde = None
        if self._recuperando and r.conexion == "al_dia":
            self._recuperando = False
            avisos.append(Aviso("recuperada",
                                max(0, completadas - self._completadas_al_cortar)))
        return avisos


def texto(aviso: Aviso) -> tuple[str, str]:
    """(título, mensaje) traducidos de un aviso."""
    if aviso.tipo == "conflictos":
        return (translate("Notificaciones", "Conflictos nuevos"),
                translate(
                    "Notificaciones", "{n} operaciones necesitan que un encargado las revise.")
                .format(n=aviso.numero))
    if aviso.tipo == "sin_conexion":
        return (translate("Notificaciones", "Sin conexión con la central"),
                translate(
                    "Notificaciones", "Sin conexión desde hace {tiempo}. Puedes seguir vendiendo: "
                    "{n} operaciones esperan en la cola.").format(
                        tiempo=formato.duracion(aviso.segundos), n=aviso.numero))
    if aviso.tipo == "autenticacion":
        return (translate("Notificaciones", "La central rechaza el token"),
                translate(
                    "Notificaciones", "La sincronización está parada (nada se pierde). Pide un "
                    "token nuevo y guárdalo en Configuración."))
    return (translate("Notificaciones", "Conexión recuperada"),
            translate(
                "Notificaciones", "De nuevo en línea: {n} operaciones enviadas a la central.")
            .format(n=aviso.numero))
