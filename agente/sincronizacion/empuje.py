"""Empuje: la cola a la central, en lotes, con hasta K peticiones a la vez.

Antes de nada, ``Cola.recuperar`` devuelve a ``PENDIENTE`` lo que otra instancia muerta (la
caja caída a mitad de envío) dejó en vuelo: así el bucle de sincronización lo libera en su
siguiente empuje o pase, sin esperar a que alguien vuelva a abrir la cola. Si no hay nada en
vuelo sólo lee las filas ``PROCESANDO``.

Cada lote sale de ``Cola.preparar_envio`` (en orden: por objeto, dependencias, prioridad) ya
marcado ``PROCESANDO``. Llamarlo otra vez con lotes en vuelo sólo devuelve operaciones
independientes de ellos, así que las K peticiones simultáneas nunca llevan dos operaciones del
mismo objeto ni una dependencia adelantada.

Por resultado:

- ``aplicada``/``duplicada`` -> ``COMPLETADO`` (todas las del lote en UNA transacción);
- ``rechazada`` -> ``ERROR`` con el motivo de la central (no retiene a las independientes);
- ``conflicto`` -> fusión a tres bandas (``Conflictos.tratar``): resuelta se reencola con UUID
  nuevo; si no, queda en ``CONFLICTO`` para el encargado;
- K es un máximo: ``Limitador`` sube la concurrencia de 1 a K mientras el caudal mejore
  (ver su docstring);
- fallo de red, 5xx, 429, respuesta inválida -> el lote vuelve a ``PENDIENTE`` con el error
  anotado (``Cola.devolver``) y el empuje termina lanzando el error; reenviar los mismos UUID
  es seguro (la central deduplica). 413 parte el lote en dos hasta llegar a una operación;
  una sola que no cabe queda en ``ERROR`` con ``MOTIVO_413`` (reintentable a mano, la
  central no la aplicó) y no retiene a las demás.

Hilos: ``empujar`` se llama desde UN hilo (el del sincronizador); usa un ``ThreadPoolExecutor``
de K hilos para la red. La red va siempre fuera de los cerrojos de la cola; los resultados se
anotan en cuanto llegan (cada anotación es una transacción duradera).
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agente.almacen.cola import Cola, ErrorCola
from agente.almacen.conflictos import Conflictos
from agente.operacion import Operacion
from agente.sincronizacion.cliente import Cliente, ErrorSincro, LoteDemasiadoGrande, Resultado
from agente.soporte import registro
from protocolo.esquema import ErrorValor, Esquema

_log = logging.getLogger(__name__)

MOTIVO_413 = (
    "La central no admite esta operación por su tamaño (413) y no la aplicó. Cuando amplíen "
    "el límite, reinténtela con «sincro reintentar <uuid>» (o «sincro reintentar --todas»)."
)


@dataclass
class ResumenEmpuje:
    enviadas: int = 0
    completadas: int = 0
    rechazadas: int = 0
    conflictos: int = 0
    fusionadas: int = 0
    lotes: int = 0
    errores: list[str] = field(default_factory=list)

    def sumar(self, otro: ResumenEmpuje) -> None:
        for nombre in (
            "enviadas",
            "completadas",
            "rechazadas",
            "conflictos",
            "fusionadas",
            "lotes",
        ):
            setattr(self, nombre, getattr(self, nombre) + getattr(otro, nombre))
        self.errores.extend(otro.errores)


class Limitador:
    """Concurrencia adaptativa entre 1 y K (subir mientras compense).

    Con una central lejana (latencia de red) K peticiones a la vez multiplican el caudal; con
    una central cercana que serializa los lotes (SQLite, cerrojo de orden de commit), más
    peticiones simultáneas sólo añaden contención. Por eso se empieza con 1, se mide el caudal
    (operaciones/s) de cada nivel tras ``nivel`` lotes terminados y se sube un nivel mientras
    el caudal mejore al menos un 15 %; si no mejora, se vuelve al mejor nivel y se queda ahí
    durante este empuje. Sólo lo usa el hilo de ``empujar``.
    """

    MEJORA_MINIMA = 1.15

    def __init__(self, maximo: int) -> None:
        self.maximo = max(1, maximo)
        self.limite = 1
        self._mejor: tuple[float, int] | None = None
        self._fijo = self.maximo == 1
        self._inicio = time.monotonic()
        self._ops = 0
        self._lotes = 0

    def lote_terminado(self, operaciones: int) -> None:
        if self._fijo:
            return
        self._ops += operaciones
        self._lotes += 1
        if self._lotes < self.limite:
            return
        ahora = time.monotonic()
        caudal = self._ops / max(ahora - self._inicio, 1e-6)
        if self._mejor is None or caudal >= self._mejor[0] * self.MEJORA_MINIMA:
            self._mejor = (caudal, self.limite)
            if self.limite < self.maximo:
                self.limite += 1
            else:
                self._fijo = True
        else:
            self.limite = self._mejor[1]
            self._fijo = True
        self._inicio, self._ops, self._lotes = ahora, 0, 0


class Empuje:
    """Empuje de una terminal (ver docstring del módulo)."""

    def __init__(
        self,
        cola: Cola,
        conflictos: Conflictos,
        cliente: Cliente,
        esquema: Callable[[], Esquema | None],
        *,
        concurrencia: int = 4,
        tamano_lote: int = 1000,
    ) -> None:
        self.cola = cola
        self.conflictos = conflictos
        self.cliente = cliente
        self._esquema = esquema
        self.concurrencia = max(1, concurrencia)
        self.tamano_lote = max(1, min(1000, tamano_lote))

    def empujar(self, detener: threading.Event | None = None) -> ResumenEmpuje:
        """Envía todo lo listo. Lanza el primer ``ErrorSincro`` tras devolver a la cola lo que
        no llegó a confirmarse; lo ya anotado queda anotado."""
        total = ResumenEmpuje()
        error: ErrorSincro | None = None
        limitador = Limitador(self.concurrencia)
        recuperadas = self.cola.recuperar()
        if recuperadas:
            registro.registrar_evento(
                "operaciones_recuperadas", logging.WARNING, operaciones=recuperadas
            )
        with cf.ThreadPoolExecutor(self.concurrencia, thread_name_prefix="sincro-empuje") as ex:
            en_vuelo: set[cf.Future[ResumenEmpuje]] = set()
            while True:
                while (
                    error is None
                    and len(en_vuelo) < limitador.limite
                    and not (detener is not None and detener.is_set())
                ):
                    lote = self.cola.preparar_envio(self.tamano_lote)
                    if not lote:
                        break
                    en_vuelo.add(ex.submit(self._enviar, lote))
                if not en_vuelo:
                    break
                hechos, en_vuelo = cf.wait(en_vuelo, return_when=cf.FIRST_COMPLETED)
                for futuro in hechos:
                    try:
                        resumen = futuro.result()
                    except ErrorSincro as exc:
                        error = error or exc
                        total.errores.append(str(exc))
                    else:
                        total.sumar(resumen)
                        limitador.lote_terminado(resumen.enviadas)
        if error is not None:
            raise error
        return total

    def _enviar(self, lote: list[Operacion]) -> ResumenEmpuje:
        try:
            resultados = self.cliente.operaciones([op.a_protocolo() for op in lote])
        except LoteDemasiadoGrande:
            if len(lote) == 1:
                # Sola no cabe: a ERROR (no bloquea a las demás) con el motivo y cómo
                # reintentarla cuando la central admita más (la central no la aplicó).
                self.cola.registrar_resultados([], [(lote[0].uuid, MOTIVO_413)])
                registro.registrar_evento(
                    "operacion_demasiado_grande", logging.WARNING, uuid=lote[0].uuid
                )
                return ResumenEmpuje(enviadas=1, rechazadas=1, lotes=1)
            mitad = len(lote) // 2
            resumen = self._enviar(lote[:mitad])
            resumen.sumar(self._enviar(lote[mitad:]))
            return resumen
        except BaseException as exc:
            # Red caída, 5xx, respuesta cortada o inválida: quizá se aplicó, quizá no. Vuelve a
            # PENDIENTE con los mismos UUID; la central deduplica al reenviar.
            motivo = str(exc) if isinstance(exc, ErrorSincro) else type(exc).__name__
            self.cola.devolver([op.uuid for op in lote], motivo)
            raise
        return self._anotar(lote, resultados)

    def _anotar(self, lote: list[Operacion], resultados: list[Resultado]) -> ResumenEmpuje:
        resumen = ResumenEmpuje(enviadas=len(lote), lotes=1)
        confirmadas, rechazadas, conflictos = [], [], []
        for op, resultado in zip(lote, resultados, strict=True):
            if resultado.resultado in ("aplicada", "duplicada"):
                confirmadas.append((op.uuid, resultado.version))
            elif resultado.resultado == "rechazada":
                rechazadas.append((op, resultado.motivo or "Rechazada por la central."))
            else:
                conflictos.append((op, resultado))
        self.cola.registrar_resultados(confirmadas, [(op.uuid, m) for op, m in rechazadas])
        resumen.completadas += len(confirmadas)
        resumen.rechazadas += len(rechazadas)
        for op, motivo in rechazadas:
            registro.registrar_evento(
                "operacion_rechazada",
                logging.WARNING,
                uuid=op.uuid,
                modelo=op.modelo,
                objeto_id=op.objeto_id,
                operacion=op.tipo,
                motivo=motivo,
            )
        esquema = self._esquema()
        for op, resultado in conflictos:
            try:
                if esquema is None:
                    raise ErrorValor("No hay esquema local para fusionar.")
                config = esquema.modelo(op.modelo)
                estado, _ = self.conflictos.tratar(
                    op,
                    config,
                    version=resultado.version,
                    central=resultado.valores,
                    modificado_en=resultado.modificado_en,
                    campos_cambiados=resultado.campos_cambiados,
                    origen="empuje",
                    modificado_por=resultado.modificado_por,
                )
            except (ErrorValor, ErrorCola) as exc:
                self.cola.registrar_resultados([], [(op.uuid, f"Conflicto sin resolver: {exc}")])
                resumen.rechazadas += 1
                continue
            if estado == "conflicto":
                resumen.conflictos += 1
            elif estado in ("reencolada", "completada"):
                resumen.fusionadas += 1
        return resumen
