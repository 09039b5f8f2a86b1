"""Fixtures que arrancan la central de referencia como proceso real.

API (la usan también las pruebas de integración del motor)::

    def test_algo(central):            # módulo: una central con --demo 50, SQLite
        central.url                    # "http://127.0.0.1:PUERTO/sincro"
        central.token                  # token de T001/caja-1 (nunca se escribe en logs)
        central.tienda, central.terminal, central.datos (Path), central.log (Path)
        central.cabeceras()            # {"Authorization": "Token …"}
        token = central.crear_terminal("T002", "caja-1")   # vía `sincro-central crear-terminal`
        central.detener()              # SIGTERM y espera
        central.matar()                # SIGKILL
        central.reiniciar()            # vuelve a arrancar en el mismo puerto y datos

    def test_otro(central_factory):
        c = central_factory(demo=10, entorno={"DATABASE_URL": "postgresql://…"})

Cada central escucha en 127.0.0.1 con un puerto libre que elige el propio servidor
(``--puerto 0``) y usa un directorio de datos temporal. La salida del servidor va a
``<datos>/central.log`` con la línea del token tapada.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

_BIN = Path(sys.executable).parent
ARRANQUE_MAX_S = 60.0


def _orden() -> list[str]:
    ejecutable = _BIN / "sincro-central"
    if ejecutable.exists():
        return [str(ejecutable)]
    return [sys.executable, "-m", "servidor_demo.cli"]


class CentralEnMarcha:
    """Una central de referencia en un subproceso real."""

    def __init__(
        self,
        datos: Path,
        demo: int | None = 50,
        entorno: dict[str, str] | None = None,
        hilos: int = 8,
        trabajadores: int = 1,
    ):
        self.datos = Path(datos)
        self.datos.mkdir(parents=True, exist_ok=True)
        self.log = self.datos / "central.log"
        self.demo = demo
        self.hilos = hilos
        self.trabajadores = trabajadores
        self.entorno = {**os.environ, **(entorno or {})}
        self.entorno.pop("SINCRO_CENTRAL_DATOS", None)
        self.url = ""
        self.puerto = 0
        self.token = ""
        self.tienda = "T001"
        self.terminal = "caja-1"
        self.proceso: subprocess.Popen | None = None
        self._lector: threading.Thread | None = None

    # -- ciclo de vida ----------------------------------------------------------------------

    def arrancar(self) -> CentralEnMarcha:
        orden = [
            *_orden(),
            "iniciar",
            "--datos",
            str(self.datos),
            "--puerto",
            str(self.puerto),
            "--hilos",
            str(self.hilos),
            "--trabajadores",
            str(self.trabajadores),
        ]
        if self.demo is not None:
            orden += ["--demo", str(self.demo)]
        self.proceso = subprocess.Popen(
            orden,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=self.entorno,
            text=True,
            bufsize=1,
            preexec_fn=_morir_con_el_padre,
        )
        listo = threading.Event()
        self._lector = threading.Thread(target=self._leer, args=(self.proceso, listo), daemon=True)
        self._lector.start()
        if not listo.wait(ARRANQUE_MAX_S) or not self.url:
            self.matar()
            raise RuntimeError(f"La central no arrancó; mira {self.log}:\n{self._cola_log()}")
        self._esperar_salud()
        return self

    def _leer(self, proceso: subprocess.Popen, listo: threading.Event) -> None:
        with open(self.log, "a", encoding="utf-8") as log:
            for linea in proceso.stdout:
                if linea.startswith("TOKEN="):
                    self.token = linea.strip().split("=", 1)[1]
                    log.write("TOKEN=<oculto>\n")
                    log.flush()
                    continue
                log.write(linea)
                log.flush()
                if linea.startswith("URL="):
                    self.url = linea.strip().split("=", 1)[1]
                    self.puerto = int(self.url.rsplit(":", 1)[1].split("/")[0])
                    listo.set()
        listo.set()

    def _cola_log(self) -> str:
        try:
            return "".join(self.log.read_text(encoding="utf-8").splitlines(True)[-30:])
        except OSError:
            return ""

    def _esperar_salud(self) -> None:
        limite = time.monotonic() + ARRANQUE_MAX_S
        while time.monotonic() < limite:
            try:
                with urllib.request.urlopen(self.url + "/v1/salud", timeout=5) as r:
                    if json.load(r).get("estado") == "ok":
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("La central no respondió a /v1/salud")

    def vivo(self) -> bool:
        return self.proceso is not None and self.proceso.poll() is None

    def detener(self, espera: float = 20.0) -> None:
        """SIGTERM (parada ordenada de gunicorn) y espera a que termine."""
        if self.vivo():
            self.proceso.send_signal(signal.SIGTERM)
            try:
                self.proceso.wait(espera)
            except subprocess.TimeoutExpired:
                self.proceso.kill()
                self.proceso.wait(10)
        self._fin_lector()

    def matar(self) -> None:
        """SIGKILL al proceso maestro y a su trabajador (sin parada ordenada)."""
        if self.proceso is not None and self.proceso.poll() is None:
            hijos = _hijos(self.proceso.pid)
            self.proceso.kill()
            for pid in hijos:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.proceso.wait(10)
        self._fin_lector()

    def _fin_lector(self) -> None:
        if self._lector is not None:
            self._lector.join(5)
            self._lector = None

    def reiniciar(self) -> CentralEnMarcha:
        """Detiene (si sigue viva) y arranca otra vez en el mismo puerto y datos; el token de la
        terminal de demo sigue valiendo."""
        self.detener()
        token = self.token
        self.url = ""
        self.arrancar()
        self.token = self.token or token
        return self

    # -- ayudas -----------------------------------------------------------------------------

    def crear_terminal(self, tienda: str, terminal: str) -> str:
        """Token nuevo para TIENDA/TERMINAL (crea la tienda si falta)."""
        salida = subprocess.run(
            [*_orden(), "crear-terminal", tienda, terminal, "--datos", str(self.datos)],
            env=self.entorno,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        for linea in salida.splitlines():
            if linea.startswith("TOKEN="):
                return linea.split("=", 1)[1].strip()
        raise RuntimeError("crear-terminal no imprimió el token")

    def orden(
        self, *argumentos: str, entorno: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess:
        """``sincro-central ARGUMENTOS`` sobre los datos de esta central (también para
        ``manage``, que los toma de ``SINCRO_CENTRAL_DATOS``); ``entorno`` se añade al suyo."""
        return subprocess.run(
            [*_orden(), *argumentos],
            env={**self.entorno, "SINCRO_CENTRAL_DATOS": str(self.datos), **(entorno or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def cabeceras(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Token {token or self.token}"}

    def __repr__(self) -> str:  # nunca el token
        return f"<CentralEnMarcha {self.url or 'parada'} datos={self.datos}>"


def _morir_con_el_padre() -> None:
    """En Linux, SIGTERM a la central si muere el proceso de pruebas (p. ej. por un timeout que
    lo mata sin ejecutar los finalizadores): no quedan servidores huérfanos."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _hijos(pid: int) -> list[int]:
    try:
        texto = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in texto.split()]


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralEnMarcha]:
    """Una central SQLite con demo pequeña (50 productos) para todo el módulo."""
    c = CentralEnMarcha(tmp_path_factory.mktemp("central"), demo=50).arrancar()
    try:
        yield c
    finally:
        c.detener()


@pytest.fixture
def central_factory() -> Iterator[Callable[..., CentralEnMarcha]]:
    """Fábrica: ``central_factory(demo=N, entorno={...}, datos=None)`` arranca una central; todas
    se detienen al acabar la prueba y sus datos temporales se borran."""
    creadas: list[CentralEnMarcha] = []
    temporales: list[str] = []

    def fabricar(
        demo: int | None = 50,
        entorno: dict[str, str] | None = None,
        datos: Path | None = None,
        hilos: int = 8,
    ) -> CentralEnMarcha:
        if datos is None:
            datos = Path(tempfile.mkdtemp(prefix="sincro-central-"))
            temporales.append(str(datos))
        c = CentralEnMarcha(datos, demo=demo, entorno=entorno, hilos=hilos)
        creadas.append(c)
        return c.arrancar()

    yield fabricar
    for c in creadas:
        c.detener()
    for t in temporales:
        shutil.rmtree(t, ignore_errors=True)
