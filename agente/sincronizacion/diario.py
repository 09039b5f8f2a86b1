"""Envío del diario de ventas a la central (``POST /v1/diario``).

Los registros que la central aún no ha confirmado salen en el orden de la cadena, como mucho
``MAX_REGISTROS_POR_PETICION`` por petición. Cada resultado (``aceptado``, ``duplicado`` o
``incidencia``) significa que la central lo tiene: se anota en ``diario_confirmado`` (una
transacción por petición). Las incidencias que la central encuentre (un hueco, un registro
cambiado) se registran en el log y en el registro de eventos; nunca se toca el diario.

Fallos: red, 5xx, 429 o una respuesta que no es del protocolo lanzan ``ErrorSincro`` y nada
se marca (reenviar es seguro: la central responde ``duplicado``). Un 400 (p. ej. un registro
que la central no acepta como de esta terminal) también lanza, con una línea clara, y se
reintenta en el siguiente pase como cualquier otro error: ningún registro se descarta. Una
central sin diario (404) no es un error: se avisa en el log y los registros esperan.

Hilos: ``enviar`` se llama desde el hilo del sincronizador; la red va fuera de los cerrojos de
la cola.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from agente.almacen import diario as almacen_diario
from agente.almacen.cola import Cola
from agente.sincronizacion.cliente import Cliente
from agente.sincronizacion.errores import ErrorServidor, RespuestaInvalida
from agente.soporte import registro as eventos
from protocolo.diario import MAX_REGISTROS_POR_PETICION

_log = logging.getLogger(__name__)

RESULTADOS = ("aceptado", "duplicado", "incidencia")


@dataclass
class ResumenDiario:
    enviados: int = 0
    confirmados: int = 0
    incidencias: list[str] = field(default_factory=list)
    central_sin_diario: bool = False


def validar_respuesta(cuerpo: Any, enviados: list[almacen_diario.Apunte]) -> list[tuple]:
    """``(pos, resultado, incidencias)`` por registro enviado; ``RespuestaInvalida`` si la
    respuesta no es la del protocolo o no habla de los mismos registros."""
    if not isinstance(cuerpo, dict) or not isinstance(cuerpo.get("recibidos"), list):
        raise RespuestaInvalida("La central respondió al diario sin la lista «recibidos».")
    if len(cuerpo["recibidos"]) != len(enviados):
        raise RespuestaInvalida(
            f"La central respondió por {len(cuerpo['recibidos'])} registros del diario y se le"
            f" enviaron {len(enviados)}."
        )
    resultado = []
    # Un resultado por registro y en el mismo orden (dos registros pueden compartir serie y
    # número: una bifurcación; la huella los distingue).
    for item, apunte in zip(cuerpo["recibidos"], enviados, strict=True):
        if not isinstance(item, dict):
            raise RespuestaInvalida("Un resultado del diario no es un objeto.")
        if (item.get("serie"), item.get("numero"), item.get("huella")) != (
            apunte.serie,
            apunte.numero,
            apunte.huella,
        ):
            raise RespuestaInvalida(
                "La central respondió al diario por un registro que no se le envió."
            )
        estado = item.get("resultado")
        incidencias = item.get("incidencias") or []
        if estado not in RESULTADOS or not isinstance(incidencias, list):
            raise RespuestaInvalida(f"Resultado del diario desconocido: {str(estado)[:40]!r}.")
        resultado.append((apunte.pos, estado, [str(i)[:300] for i in incidencias]))
    return resultado


class EnvioDiario:
    """Empuja el diario sin confirmar de una terminal (ver docstring del módulo)."""

    def __init__(
        self, cola: Cola, cliente: Cliente, tamano: int = MAX_REGISTROS_POR_PETICION
    ) -> None:
        self.cola = cola
        self.cliente = cliente
        self.tamano = max(1, min(tamano, MAX_REGISTROS_POR_PETICION))

    def enviar(self, detener: threading.Event | None = None) -> ResumenDiario:
        resumen = ResumenDiario()
        desde = almacen_diario.confirmados_hasta(self.cola)
        while detener is None or not detener.is_set():
            pendientes = almacen_diario.apuntes(
                self.cola, desde_pos=desde, limite=self.tamano, sin_confirmar=True
            )
            if not pendientes:
                break
            desde = pendientes[-1].pos
            legibles, registros = [], []
            for apunte in pendientes:
                try:
                    registros.append(apunte.registro())
                    legibles.append(apunte)
                except ValueError:
                    # Fila dañada en disco: no se puede enviar ni se repara; la central verá
                    # el hueco y «sincro verificar-diario» la nombra.
                    _log.error(
                        "Registro del diario ilegible, no se envía: %s nº %s.",
                        apunte.serie,
                        apunte.numero,
                    )
            if registros:
                try:
                    cuerpo = self.cliente.diario(registros)
                except ErrorServidor as exc:
                    if exc.estado_http == 404:
                        _log.warning("La central no admite aún el diario de ventas (404).")
                        resumen.central_sin_diario = True
                        return resumen
                    raise
                resultados = validar_respuesta(cuerpo, legibles)
                almacen_diario.confirmar(self.cola, resultados)
                resumen.enviados += len(registros)
                resumen.confirmados += len(resultados)
                for pos, estado, incidencias in resultados:
                    if estado == "incidencia":
                        apunte = next(a for a in legibles if a.pos == pos)
                        for texto in incidencias or ["incidencia sin detalle"]:
                            linea = f"{apunte.serie} nº {apunte.numero}: {texto}"
                            resumen.incidencias.append(linea)
                            _log.warning("La central anota una incidencia del diario: %s", linea)
                            eventos.registrar_evento(
                                "diario_incidencia", logging.WARNING, registro=linea
                            )
            if len(pendientes) < self.tamano:
                break
        return resumen


__all__ = ["RESULTADOS", "EnvioDiario", "ResumenDiario", "validar_respuesta"]
