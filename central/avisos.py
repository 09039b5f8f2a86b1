"""Aviso por webhook cuando una terminal entra en alerta (ámbar o rojo) o sale de ella.

Opcional: sólo funciona si ``settings.SINCRO_SALUD["webhook"]`` tiene una URL. Entonces cada
proceso de la central arranca, con su primera petición (``arrancar``), dos hilos de fondo:

- el **vigía** evalúa todas las terminales cada ``webhook_intervalo_s`` (60 s por defecto) con
  ``central.salud`` y, si el nivel de una cambió respecto a ``SaludTerminal.nivel_avisado``, lo
  anota con un ``UPDATE … WHERE nivel_avisado = <anterior>``: con varios procesos sólo uno gana
  cada cambio, así que cada cambio se avisa una vez;
- el **mensajero** envía cada aviso (``POST`` JSON) y, si falla (red, tiempo agotado, respuesta
  que no es 2xx), lo registra y reintenta con espera exponencial (1, 2, 4… s, hasta
  ``webhook_reintentos`` intentos; 5 por defecto). Un aviso que agota sus intentos se registra
  como perdido; el nivel ya anotado no se vuelve a avisar.

Nada de esto corre en el camino de una petición: la petición sólo comprueba una bandera. Una
``SaludTerminal`` no se bloquea nunca. Los hilos son ``daemon`` y se paran con el proceso.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import queue
import threading
import time
import urllib.parse
import urllib.request
from typing import Any

from . import salud

registro = logging.getLogger("central.avisos")

INTERVALO_S = 60.0
REINTENTOS = 5
TIEMPO_ESPERA_S = 10.0

_cerrojo = threading.Lock()
_arrancado_en_pid: int | None = None


def _ajustes() -> dict[str, Any]:
    from django.conf import settings

    return dict(getattr(settings, "SINCRO_SALUD", None) or {})


def arrancar() -> None:
    """Arranca el vigía y el mensajero de este proceso si hay webhook (una vez por proceso;
    tras un ``fork`` vuelve a arrancarlos en el hijo). Barato: casi siempre sólo mira el pid."""
    global _arrancado_en_pid
    pid = os.getpid()
    if _arrancado_en_pid == pid:
        return
    with _cerrojo:
        if _arrancado_en_pid == pid:
            return
        _arrancado_en_pid = pid
        try:
            _arrancar_hilos(_ajustes())
        except Exception:  # un ajuste mal puesto no tumba peticiones: queda en el registro
            registro.exception("Los avisos de salud por webhook no se pudieron arrancar")


def _arrancar_hilos(ajustes: dict[str, Any]) -> None:
    url = ajustes.get("webhook")
    if not url:
        return
    mensajero = Mensajero(
        url,
        reintentos=int(ajustes.get("webhook_reintentos", REINTENTOS)),
        espera_base=float(ajustes.get("webhook_espera_base_s", 1.0)),
    )
    vigia = Vigia(mensajero, float(ajustes.get("webhook_intervalo_s", INTERVALO_S)))
    threading.Thread(target=mensajero.bucle, name="avisos-mensajero", daemon=True).start()
    threading.Thread(target=vigia.bucle, name="avisos-vigia", daemon=True).start()
    registro.info("Avisos de salud por webhook activos (%s)", _sin_credenciales(url))


def _sin_credenciales(url: str) -> str:
    """La URL sin usuario ni clave, para los registros."""
    partes = urllib.parse.urlsplit(url)
    return partes._replace(netloc=partes.netloc.rsplit("@", 1)[-1]).geturl()


class Mensajero:
    """Envía los avisos uno a uno desde su propio hilo, con reintentos y espera exponencial."""

    def __init__(self, url: str, *, reintentos: int = REINTENTOS, espera_base: float = 1.0):
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("SINCRO_SALUD['webhook'] debe ser una URL http:// o https://.")
        self.url = url
        self.reintentos = max(1, reintentos)
        self.espera_base = espera_base
        self.cola: queue.Queue[dict[str, Any]] = queue.Queue()

    def encolar(self, aviso: dict[str, Any]) -> None:
        self.cola.put(aviso)

    def bucle(self) -> None:
        while True:
            self.enviar(self.cola.get())

    def enviar(self, aviso: dict[str, Any]) -> bool:
        cuerpo = json.dumps(aviso, ensure_ascii=False).encode()
        for intento in range(1, self.reintentos + 1):
            peticion = urllib.request.Request(  # noqa: S310 (esquema comprobado en __init__)
                self.url,
                data=cuerpo,
                method="POST",
                headers={"Content-Type": "application/json", "User-Agent": "sincro-central"},
            )
            try:
                with urllib.request.urlopen(  # noqa: S310 (esquema comprobado en __init__)
                    peticion, timeout=TIEMPO_ESPERA_S
                ) as respuesta:
                    if 200 <= respuesta.status < 300:
                        return True
                    motivo = f"HTTP {respuesta.status}"
            except Exception as exc:  # red, TLS, 4xx/5xx (HTTPError)
                motivo = str(exc)[:200] or type(exc).__name__
            registro.warning(
                "El webhook de salud falló (intento %d de %d) para %s/%s: %s",
                intento,
                self.reintentos,
                aviso.get("tienda"),
                aviso.get("terminal"),
                motivo,
            )
            if intento < self.reintentos:
                time.sleep(self.espera_base * 2 ** (intento - 1))
        registro.error(
            "Aviso de salud perdido tras %d intentos: %s/%s %s",
            self.reintentos,
            aviso.get("tienda"),
            aviso.get("terminal"),
            aviso.get("nivel"),
        )
        return False


class Vigia:
    """Evalúa las terminales cada ``intervalo`` segundos y encola los cambios de nivel."""

    def __init__(self, mensajero: Mensajero, intervalo: float = INTERVALO_S):
        self.mensajero = mensajero
        self.intervalo = max(0.1, intervalo)

    def bucle(self) -> None:
        while True:
            try:
                self.revisar()
            except Exception:
                registro.exception("El vigía de salud falló; se reintenta en el próximo ciclo")
            finally:
                from django.db import connection

                connection.close()
            time.sleep(self.intervalo)

    def revisar(self, evaluadas: list | None = None) -> int:
        """Una vuelta: anota y encola cada terminal cuyo nivel cambió. Devuelve cuántas.
        ``evaluadas``: lo que devolvió ``salud.evaluar_todas`` (por defecto, se evalúa ahora)."""
        from django.utils import timezone

        from .models import SaludTerminal

        ahora = timezone.now()
        cambios = 0
        for s, estado in salud.evaluar_todas(ahora) if evaluadas is None else evaluadas:
            anterior = s.nivel_avisado
            if estado.nivel == anterior:
                continue
            ganado = SaludTerminal.objects.filter(pk=s.pk, nivel_avisado=anterior).update(
                nivel_avisado=estado.nivel
            )
            if not ganado:  # otro proceso anotó este cambio (y lo avisa él)
                continue
            cambios += 1
            self.mensajero.encolar(aviso(s, estado, anterior, ahora))
        return cambios


def aviso(s: Any, estado: salud.Estado, anterior: str, ahora: dt.datetime) -> dict[str, Any]:
    """El JSON que recibe el webhook (documentado en docs/central.md)."""
    return {
        "evento": "alerta" if estado.nivel != salud.VERDE else "recuperada",
        "tienda": s.terminal.tienda.codigo,
        "terminal": s.terminal.codigo,
        "nivel": estado.nivel,
        "nivel_anterior": anterior,
        "motivos": list(estado.motivos),
        "texto": f"{s.terminal.tienda.codigo}/{s.terminal.codigo}: {estado.texto}",
        "momento": ahora.isoformat(),
    }
