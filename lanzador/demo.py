"""``sincro demo``: arranca la central de demostración (``servidor_demo``) en un proceso hijo,
configura esta terminal contra ella (el token va al llavero, nunca a un fichero) y abre la
bandeja, o el bucle de sincronización en la terminal si no hay pantalla o con ``--sin-ventana``.

Vive fuera del motor porque junta las tres partes de una instalación de prueba: la central de
demo, el motor (``agente``) y la interfaz (``ui``). Hilo principal del proceso de la CLI.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from agente.cli import salida
from agente.cli.sincronizacion import SALIDA_FALLO, SALIDA_USO, datos_explicitos, sincronizar
from agente.sincronizacion import credenciales


def _hay_pantalla() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _arrancar_central(carpeta: Path, productos: int) -> tuple[subprocess.Popen, dict[str, str]]:
    orden = shutil.which("sincro-central")
    comando = ([orden] if orden else [sys.executable, "-m", "servidor_demo.cli"]) + [
        "iniciar",
        "--puerto",
        "0",
        "--datos",
        str(carpeta),
        "--demo",
        str(productos),
    ]
    proceso = subprocess.Popen(
        comando, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    valores: dict[str, str] = {}
    assert proceso.stdout is not None
    for linea in proceso.stdout:
        clave, separador, valor = linea.strip().partition("=")
        if separador and clave in ("TOKEN", "URL", "TIENDA", "TERMINAL"):
            valores[clave] = valor
            if clave == "URL":
                break
        elif not linea.startswith("TOKEN"):
            print(f"  central: {linea.rstrip()}", flush=True)
    if "URL" not in valores:
        proceso.wait(10)
        raise RuntimeError("La central de demo no arrancó (vea los mensajes de arriba).")
    # Vaciar su salida en segundo plano para que nunca se bloquee escribiendo.
    threading.Thread(target=lambda: [None for _ in proceso.stdout], daemon=True).start()
    return proceso, valores


def _demo(args: argparse.Namespace) -> int:
    carpeta = Path(args.carpeta).resolve()
    datos_central = carpeta / "central"
    explicito = datos_explicitos(args)
    datos_terminal = Path(explicito).resolve() if explicito else carpeta / "terminal"
    datos_central.mkdir(parents=True, exist_ok=True)
    print(
        f"Arrancando la central de demo ({args.productos} productos) en {datos_central}…",
        flush=True,
    )
    try:
        proceso, valores = _arrancar_central(datos_central, args.productos)
    except (OSError, RuntimeError) as exc:
        return salida.error(exc, SALIDA_FALLO)
    try:
        url = valores["URL"]
        tienda = valores.get("TIENDA", "T001")
        terminal = valores.get("TERMINAL", "caja-1")
        token = valores.get("TOKEN")
        if token is None:
            try:
                credenciales.leer_token(datos_terminal, terminal)
            except credenciales.SinToken:
                creada = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "servidor_demo.cli",
                        "crear-terminal",
                        tienda,
                        terminal,
                        "--datos",
                        str(datos_central),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                token = next(
                    linea.partition("=")[2]
                    for linea in creada.stdout.splitlines()
                    if linea.startswith("TOKEN=")
                )
        from agente.fachada import Agente

        agente = Agente.abrir(datos_terminal)
        try:
            agente.configurar(url, tienda, terminal, token)
        finally:
            agente.cerrar()
        print(
            f"Terminal {tienda}/{terminal} configurada en {datos_terminal} contra {url}.",
            flush=True,
        )
        if not args.sin_ventana and _hay_pantalla():
            try:
                from ui.app import main as main_ui
            except ImportError as exc:
                print(f"Sin interfaz gráfica ({exc}); sigo sin ventana.", flush=True)
            else:
                return int(main_ui(["--datos", str(datos_terminal)]) or 0)
        return sincronizar(argparse.Namespace(datos=str(datos_terminal), una_vez=False))
    except credenciales.SinLlavero as exc:
        return salida.error(exc, SALIDA_USO)
    finally:
        proceso.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proceso.wait(15)
        if proceso.poll() is None:
            proceso.kill()


def registrar(subparsers: argparse._SubParsersAction) -> None:
    """Añade ``demo`` a las órdenes de ``sincro``."""
    p = subparsers.add_parser("demo", help="central de demo + esta terminal sincronizando")
    p.add_argument("--productos", type=int, default=1000)
    p.add_argument("--sin-ventana", action="store_true", help="sin bandeja aunque haya pantalla")
    p.add_argument("--carpeta", default="sincro-demo", help="carpeta local de la demo")
    p.set_defaults(funcion=_demo)
