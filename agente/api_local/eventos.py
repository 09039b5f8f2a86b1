"""Eventos de estado para ``GET /v1/eventos`` (Server-Sent Events).

``Vigia`` mira cada ``intervalo`` segundos (sólo mientras alguien escucha) una instantánea
barata del estado de la terminal y, cuando algo cambia, entrega un evento a cada suscriptor:

- ``conexion``: ``{"estado", "mensaje"}`` cuando cambia el estado de conexión (al día, sin
  conexión, error de autenticación…); «sincronizando» no cuenta como cambio (un pase cada
  minuto no debe encender y apagar el aviso de la caja): se avisa de cómo acaba el pase;
- ``conflicto``: ``{"nuevos": [{"id", "modelo", "objeto_id"}], "abiertos": n}`` cuando
  aparecen conflictos abiertos nuevos;
- ``catalogo``: ``{"modelos": [...], "lista_para_vender_offline"}`` cuando la caché recibe
  cambios de algún modelo (avanza su cursor) o pasa a estar completo.

El estado de conexión se lee de lo que el bucle de sincronización guarda en la cola (ajuste
``conectividad``), así que funciona igual si el bucle corre en este proceso (``sincro
sincronizar``, la bandeja) o en otro (``sincro servir-local`` junto a la bandeja). Un oyente
del bucle en este proceso despierta al vigía para que el cambio salga enseguida.

Hilos: un hilo propio (``api-local-vigia``) hace las lecturas; cada suscriptor es una
``queue.Queue`` acotada que lee el hilo de su conexión HTTP. Si un suscriptor no lee y su
cola se llena, se le descarta (su conexión se cierra); nunca bloquea al vigía.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from agente.sincronizacion.conectividad import CLAVE_AJUSTE, SINCRONIZANDO, Conectividad

_log = logging.getLogger(__name__)

INTERVALO_S = 0.5
MAX_PENDIENTES = 100
FIN = ("fin", {})


def instantanea(agente: Any) -> dict[str, Any]:
    """Conexión, conflictos abiertos y, por modelo, (cursor de descarga, completo): el cursor
    sólo avanza cuando llegan cambios, no con cada descarga vacía (unas pocas consultas)."""
    conexion = Conectividad.desde_json(agente.operaciones.ajuste(CLAVE_AJUSTE))
    conflictos = {
        c["id"]: {"id": c["id"], "modelo": c["modelo"], "objeto_id": c["objeto_id"]}
        for c in agente.conflictos()
    }
    catalogo: dict[str, Any] = {}
    esquema = agente.esquema()
    if esquema is not None:
        for nombre in esquema.modelos:
            try:
                estado = agente.cache.estado_modelo(nombre, contar=False)
            except Exception:  # la caché es desechable: un fallo suyo no calla el resto
                catalogo[nombre] = None
                continue
            catalogo[nombre] = (estado.get("cursor"), estado.get("completo"))
    return {
        "conexion": {
            "estado": conexion.get("estado") or "sin configurar",
            "mensaje": conexion.get("mensaje") or "",
        },
        "conflictos": conflictos,
        "catalogo": catalogo,
        "lista_para_vender_offline": bool(conexion.get("lista_para_vender_offline")),
    }


def diferencias(antes: dict[str, Any], despues: dict[str, Any]) -> list[tuple[str, dict]]:
    """Los eventos que llevan de ``antes`` a ``despues``."""
    eventos: list[tuple[str, dict]] = []
    if antes["conexion"]["estado"] != despues["conexion"]["estado"]:
        eventos.append(("conexion", dict(despues["conexion"])))
    nuevos = [c for i, c in despues["conflictos"].items() if i not in antes["conflictos"]]
    if nuevos:
        eventos.append(("conflicto", {"nuevos": nuevos, "abiertos": len(despues["conflictos"])}))
    cambiados = sorted(
        m for m, marca in despues["catalogo"].items() if marca and antes["catalogo"].get(m) != marca
    )
    if cambiados:
        eventos.append(
            (
                "catalogo",
                {
                    "modelos": cambiados,
                    "lista_para_vender_offline": despues["lista_para_vender_offline"],
                },
            )
        )
    return eventos


class Vigia:
    def __init__(self, agente: Any, intervalo: float = INTERVALO_S) -> None:
        self._agente = agente
        self._intervalo = intervalo
        self._cerrojo = threading.Lock()
        self._suscriptores: list[queue.Queue] = []
        self._despertar = threading.Event()
        self._parar = threading.Event()
        self._hay_suscriptores = threading.Event()
        self._ultima: dict[str, Any] = {}
        self._quitar_oyente = agente.al_cambiar_estado(lambda _estado: self._despertar.set())
        self._hilo = threading.Thread(target=self._bucle, name="api-local-vigia", daemon=True)
        self._hilo.start()

    def suscribir(self) -> tuple[queue.Queue, dict[str, Any]]:
        """Una cola de eventos nueva y la instantánea actual (para el evento inicial)."""
        cola: queue.Queue = queue.Queue(MAX_PENDIENTES)
        with self._cerrojo:
            if not self._suscriptores:  # sin nadie escuchando no se miraba: foto nueva
                self._ultima = instantanea(self._agente)
            self._suscriptores.append(cola)
            self._hay_suscriptores.set()
            return cola, self._ultima

    def suscrito(self, cola: queue.Queue) -> bool:
        with self._cerrojo:
            return cola in self._suscriptores

    def desuscribir(self, cola: queue.Queue) -> None:
        with self._cerrojo:
            if cola in self._suscriptores:
                self._suscriptores.remove(cola)
            if not self._suscriptores:
                self._hay_suscriptores.clear()

    def cerrar(self) -> None:
        self._quitar_oyente()
        self._parar.set()
        self._despertar.set()
        self._hay_suscriptores.set()
        self._hilo.join(5)
        with self._cerrojo:
            suscriptores, self._suscriptores = self._suscriptores, []
        for cola in suscriptores:
            _poner(cola, FIN)

    def _bucle(self) -> None:
        while not self._parar.is_set():
            if not self._hay_suscriptores.wait(1.0):
                continue  # nadie escucha: no se lee nada (la bandeja en reposo no gasta CPU)
            self._despertar.wait(self._intervalo)
            self._despertar.clear()
            if self._parar.is_set():
                return
            try:
                nueva = instantanea(self._agente)
            except Exception:
                _log.exception("No se pudo leer el estado para los eventos de la API local")
                continue
            with self._cerrojo:
                if not self._suscriptores:
                    continue
                if nueva["conexion"]["estado"] == SINCRONIZANDO:
                    # Un pase en curso no es un cambio de conexión: se espera a cómo acaba.
                    nueva["conexion"] = self._ultima["conexion"]
                eventos = diferencias(self._ultima, nueva)
                self._ultima = nueva
                suscriptores = list(self._suscriptores)
            for evento in eventos:
                for cola in suscriptores:
                    if not _poner(cola, evento):
                        self.desuscribir(cola)


def _poner(cola: queue.Queue, evento: tuple[str, dict]) -> bool:
    try:
        cola.put_nowait(evento)
    except queue.Full:
        return False
    return True
