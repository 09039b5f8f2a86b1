"""Qué notificar y cuándo (lógica pura) y su texto.

``Avisador.revisar(resumen)`` compara cada ``Resumen`` con el anterior y devuelve los avisos:

- conflictos nuevos (el número de abiertos sube);
- sin conexión durante más de ``umbral_sin_conexion_s`` contado desde el último contacto
  correcto con la central (``Resumen.ultimo_exito``), no desde el último reintento: una vez por
  corte; los reintentos («sincronizando» entre dos fallos) no cortan ni reinician el corte;
- fallo de autenticación (al entrar en ese estado);
- conexión recuperada con las ventas que se enviaron durante el corte (al volver a «al día»);
- la hora de cierre de caja configurada ha llegado y la caja sigue abierta (una vez cada vez
  que pasa a pendiente).

Los avisos no se muestran aquí: van a
``ui.actividad.ColaAvisos``, que los pone en fila (nunca uno tapa a otro) y los guarda en la
lista Actividad.

``Avisador`` es puro (sin Qt más que ``translate``): seguro de probar con relojes falsos. Sólo
hilo de la GUI.
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
    tipo: str  # conflictos | sin_conexion | autenticacion | recuperada | cierre
    numero: int = 0
    segundos: float = 0.0
    importe: str = "0"
    desde: dt.datetime | None = None


class Avisador:
    def __init__(self, umbral_sin_conexion_s: float = UMBRAL_SIN_CONEXION_S) -> None:
        self.umbral_sin_conexion_s = umbral_sin_conexion_s
        self._anterior: Resumen | None = None
        self._corte_desde: dt.datetime | None = None
        self._corte_avisado = False
        self._ventas_en_corte = 0

    def revisar(self, r: Resumen, ahora: dt.datetime | None = None) -> list[Aviso]:
        ahora = ahora or dt.datetime.now(dt.UTC)
        avisos: list[Aviso] = []
        anterior = self._anterior
        self._anterior = r
        if r.cierre_pendiente and (anterior is None or not anterior.cierre_pendiente):
            avisos.append(Aviso("cierre"))
        if anterior is not None and r.conflictos > anterior.conflictos:
            avisos.append(Aviso("conflictos", r.conflictos - anterior.conflictos))
        if r.conexion == "error_autenticacion" and (
            anterior is None or anterior.conexion != "error_autenticacion"
        ):
            avisos.append(Aviso("autenticacion"))
        # Un reintento («sincronizando» tras el fallo) no cierra el corte: sólo «al día» lo
        # cierra, y la duración se cuenta desde el último contacto correcto.
        if r.conexion == "sin_conexion":
            if self._corte_desde is None:
                self._corte_desde = r.ultimo_exito or ahora
                self._corte_avisado = False
                self._ventas_en_corte = r.ventas_pendientes
            self._ventas_en_corte = max(self._ventas_en_corte, r.ventas_pendientes)
            segundos = (ahora - self._corte_desde).total_seconds()
            if not self._corte_avisado and segundos >= self.umbral_sin_conexion_s:
                avisos.append(
                    Aviso(
                        "sin_conexion",
                        r.ventas_pendientes,
                        segundos,
                        r.importe_pendiente,
                        self._corte_desde,
                    )
                )
                self._corte_avisado = True
            return avisos
        if self._corte_desde is not None and r.conexion == "al_dia":
            avisos.append(Aviso("recuperada", max(0, self._ventas_en_corte - r.ventas_pendientes)))
            self._corte_desde = None
        return avisos


def texto(aviso: Aviso) -> tuple[str, str]:
    """(título, mensaje) traducidos de un aviso."""
    if aviso.tipo == "conflictos":
        return (
            translate("Notificaciones", "Conflictos nuevos"),
            formato.plural(
                aviso.numero,
                translate("Notificaciones", "%n cambio necesita que un encargado lo revise."),
                translate("Notificaciones", "%n cambios necesitan que un encargado los revise."),
            ),
        )
    if aviso.tipo == "sin_conexion":
        return (
            translate("Notificaciones", "Sin conexión con la central"),
            formato.plural(
                aviso.numero,
                translate(
                    "Notificaciones",
                    "La central no responde desde las {hora}. Puedes seguir "
                    "vendiendo: %n venta ({importe}) está guardada y se enviará sola.",
                ),
                translate(
                    "Notificaciones",
                    "La central no responde desde las {hora}. Puedes seguir "
                    "vendiendo: %n ventas ({importe}) están guardadas y se enviarán solas.",
                ),
            ).format(hora=formato.hora_corta(aviso.desde), importe=formato.dinero(aviso.importe)),
        )
    if aviso.tipo == "cierre":
        return (
            translate("Notificaciones", "Hora de cerrar la caja"),
            translate(
                "Notificaciones",
                "Ha llegado la hora de cierre y la caja sigue abierta: ciérrala desde Sincro.",
            ),
        )
    if aviso.tipo == "autenticacion":
        return (
            translate("Notificaciones", "La central rechaza el token"),
            translate(
                "Notificaciones",
                "La sincronización está parada (nada se pierde). Pide un "
                "token nuevo y guárdalo en Configuración.",
            ),
        )
    if aviso.numero:
        mensaje = formato.plural(
            aviso.numero,
            translate("Notificaciones", "De nuevo en línea: %n venta enviada a la central."),
            translate("Notificaciones", "De nuevo en línea: %n ventas enviadas a la central."),
        )
    else:
        mensaje = translate("Notificaciones", "De nuevo en línea: todo enviado a la central.")
    return (translate("Notificaciones", "Conexión recuperada"), mensaje)


def accion(aviso: Aviso) -> str:
    """Qué debe hacer alguien (una línea; vacío si nada)."""
    if aviso.tipo == "conflictos":
        return translate("Notificaciones", "Un encargado debe revisarlos en Conflictos.")
    if aviso.tipo == "autenticacion":
        return translate("Notificaciones", "Pide un token nuevo y guárdalo en Configuración.")
    if aviso.tipo == "sin_conexion":
        return translate("Notificaciones", "Nada: sigue vendiendo; revisa la red si dura.")
    if aviso.tipo == "cierre":
        return translate("Notificaciones", "Elige «Cerrar caja…» en el menú de Sincro.")
    return ""
