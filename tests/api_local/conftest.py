"""Fixtures de la API local: una terminal real (configurada contra la central real y
sincronizada una vez) y un proceso real que sirve la API (``sincro servir-local`` o el bucle
``sincro sincronizar``). Los clientes hablan HTTP de verdad por el bucle local."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api_local import contrato
from tests.sincronizacion.terminales import SINCRO, configurar, sincro

ARRANQUE_MAX_S = 60.0


class ProcesoApi:
    """Un proceso ``sincro`` que sirve la API local; ``url`` y ``token`` para hablarle."""

    def __init__(self, datos: Path, *argumentos: str, marca: str = "URL=") -> None:
        self.datos = datos
        self.lineas: queue.Queue[str] = queue.Queue()
        self.salida: list[str] = []
        self.proceso = subprocess.Popen(
            [*SINCRO, "--datos", str(datos), *argumentos],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            env=dict(os.environ),
        )
        threading.Thread(target=self._leer, daemon=True).start()
        self.url = ""
        listo = False
        limite = time.monotonic() + ARRANQUE_MAX_S
        while time.monotonic() < limite:
            try:
                linea = self.lineas.get(timeout=0.5)
            except queue.Empty:
                if self.proceso.poll() is not None:
                    break
                continue
            # stdout y stderr van al mismo tubo: una línea de aviso puede quedar pegada delante.
            posicion = linea.find(marca)
            if posicion >= 0:
                listo = True
                self.url = linea[posicion:].strip().split("=", 1)[1] if "=" in marca else ""
                # ... o detrás: la URL acaba en el número de puerto.
                self.url = re.match(r"(?:https?://[^\s]*:\d+)?", self.url).group(0)
                break
        if not listo:
            self.parar()
            raise RuntimeError(f"no salió «{marca}»:\n" + "".join(self.salida))
        self.puerto = int(self.url.rsplit(":", 1)[1]) if self.url else 0

    def _leer(self) -> None:
        for linea in self.proceso.stdout:
            self.salida.append(linea)
            self.lineas.put(linea)

    @property
    def token(self) -> str:
        return (self.datos / "api-local.token").read_text().strip()

    def pedir(
        self,
        metodo: str,
        ruta: str,
        cuerpo=None,
        *,
        token: str | None = "",
        cabeceras: dict[str, str] | None = None,
        crudo: bytes | None = None,
        timeout: float = 30,
        validar: bool = True,
    ) -> tuple[int, dict[str, str], Any]:
        """Una petición HTTP real; devuelve (estado, cabeceras, JSON o texto). Con
        ``validar`` la respuesta se comprueba contra docs/api-local.yaml."""
        conexion = http.client.HTTPConnection("127.0.0.1", self.puerto, timeout=timeout)
        todas = dict(cabeceras or {})
        if token == "":
            token = self.token
        if token is not None:
            todas["Authorization"] = f"Bearer {token}"
        datos = crudo
        if cuerpo is not None:
            datos = json.dumps(cuerpo).encode()
            todas["Content-Type"] = "application/json"
        conexion.request(metodo, ruta, body=datos, headers=todas)
        respuesta = conexion.getresponse()
        texto = respuesta.read()
        conexion.close()
        tipo = respuesta.getheader("Content-Type") or ""
        valor = json.loads(texto) if tipo.startswith("application/json") and texto else texto
        if validar:
            contrato.comprobar(metodo, ruta, respuesta.status, valor)
            if cuerpo is not None and respuesta.status in (200, 201):
                contrato.comprobar_peticion(metodo, ruta, cuerpo)
        return respuesta.status, dict(respuesta.getheaders()), valor

    def eventos(self, token: str | None = "") -> LectorEventos:
        return LectorEventos(self.puerto, self.token if token == "" else token)

    def parar(self) -> None:
        if self.proceso.poll() is None:
            self.proceso.send_signal(signal.SIGTERM)
            try:
                self.proceso.wait(30)
            except subprocess.TimeoutExpired:
                self.proceso.kill()
                self.proceso.wait(10)

    def matar(self) -> None:
        if self.proceso.poll() is None:
            self.proceso.kill()
            self.proceso.wait(10)


class LectorEventos:
    """Cliente SSE real de ``GET /v1/eventos``: un hilo lee el flujo y deja cada evento
    ``(nombre, datos)`` en una cola; los datos se comprueban contra el contrato."""

    def __init__(self, puerto: int, token: str | None) -> None:
        self.conexion = http.client.HTTPConnection("127.0.0.1", puerto, timeout=120)
        cabeceras = {"Accept": "text/event-stream"}
        if token is not None:
            cabeceras["Authorization"] = f"Bearer {token}"
        self.conexion.request("GET", "/v1/eventos", headers=cabeceras)
        self.respuesta = self.conexion.getresponse()
        self.estado = self.respuesta.status
        self.tipo = self.respuesta.getheader("Content-Type") or ""
        self.eventos: queue.Queue[tuple[str, dict]] = queue.Queue()
        self.historial: list[tuple[str, dict]] = []
        if self.estado == 200:
            threading.Thread(target=self._leer, daemon=True).start()

    def _leer(self) -> None:
        nombre, datos = "message", []
        try:
            for crudo in self.respuesta:
                linea = crudo.decode("utf-8").rstrip("\n")
                if linea.startswith("event: "):
                    nombre = linea[len("event: ") :]
                elif linea.startswith("data: "):
                    datos.append(linea[len("data: ") :])
                elif linea == "" and datos:
                    valor = json.loads("\n".join(datos))
                    contrato.comprobar_evento(nombre, valor)
                    self.eventos.put((nombre, valor))
                    nombre, datos = "message", []
        except (OSError, ValueError):
            return

    def esperar(
        self, condicion, limite_s: float = 60.0, *, ya_vistos: bool = False
    ) -> tuple[str, dict]:
        """El primer evento nuevo que cumple ``condicion(nombre, datos)``; con ``ya_vistos``
        vale también uno que llegó antes (mientras se esperaba otro)."""
        if ya_vistos:
            for evento in self.historial:
                if condicion(*evento):
                    return evento
        fin = time.monotonic() + limite_s
        vistos = []
        while time.monotonic() < fin:
            try:
                evento = self.eventos.get(timeout=0.5)
            except queue.Empty:
                continue
            vistos.append(evento)
            self.historial.append(evento)
            if condicion(*evento):
                return evento
        raise AssertionError(f"no llegó el evento esperado; llegaron {vistos}")

    def cerrar(self) -> None:
        self.conexion.close()


def terminal_sincronizada(datos: Path, central, tienda: str, terminal: str, **opciones) -> Path:
    """Configura la terminal contra la central real y hace un pase: caché completa."""
    configurar(
        datos, central, tienda, terminal, central.crear_terminal(tienda, terminal), **opciones
    )
    r = sincro(datos, "sincronizar", "--una-vez")
    assert r.returncode == 0, r.stderr
    return datos


@pytest.fixture(scope="module")
def terminal(central, tmp_path_factory) -> Path:
    """Una terminal de T001 con el catálogo de la central (para todo el módulo)."""
    return terminal_sincronizada(tmp_path_factory.mktemp("terminal"), central, "T001", "caja-api")


@pytest.fixture(scope="module")
def api(terminal) -> Iterator[ProcesoApi]:
    """``sincro servir-local --puerto 0`` sobre esa terminal."""
    proceso = ProcesoApi(terminal, "servir-local", "--puerto", "0")
    yield proceso
    proceso.parar()
