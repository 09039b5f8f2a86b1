"""Arranque automático de la bandeja al iniciar sesión, con un retardo para que el área de
notificación (tray host) esté lista.

- Linux (XDG): ``$XDG_CONFIG_HOME/autostart/sincro.desktop`` (por defecto ``~/.config``), con
  ``X-GNOME-Autostart-Delay`` y además ``Exec=sh -c "sleep N; exec …"`` para los escritorios que
  no entienden esa clave (KDE, XFCE…).
- Windows: un ``sincro.vbs`` en la carpeta Inicio del usuario
  (``%APPDATA%\\Microsoft\\Windows\\Start Menu\\Programs\\Startup``) que espera N segundos y
  lanza el ejecutable sin ventana de consola. Se eligió la carpeta Inicio frente a la clave
  ``HKCU\\...\\Run`` porque IT la ve y la quita con el Explorador, y porque el retardo cabe en el
  propio guion. (Un ``.lnk`` no admite retardo.)

La orden lanzada es el ejecutable congelado (``sys.executable``) o, sin congelar, el script
``sincro`` junto al intérprete; si hay un directorio de datos explícito se añade ``--datos``.

Sin estado; escribe ficheros atómicamente (temporal + rename). Cualquier hilo.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

RETARDO_S = 15
NOMBRE = "sincro"


@dataclass(frozen=True)
class Estado:
    activo: bool
    ruta: Path


def orden_por_defecto(datos: str | os.PathLike[str] | None = None) -> list[str]:
    """La orden que arranca la bandeja de esta instalación."""
    if getattr(sys, "frozen", False):
        orden = [sys.executable]
    else:
        script = Path(sys.executable).with_name("sincro.exe" if os.name == "nt" else "sincro")
        orden = [str(script)] if script.exists() else [sys.executable, "-m", "lanzador"]
    if datos is not None:
        orden += ["--datos", str(Path(datos).expanduser().resolve())]
    return orden


# --- XDG --------------------------------------------------------------------------------------


def ruta_xdg(entorno: dict[str, str] | None = None) -> Path:
    entorno = os.environ if entorno is None else entorno
    base = entorno.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / f"{NOMBRE}.desktop"


def _escapar_exec(argumento: str) -> str:
    """Escapado de un argumento de ``Exec`` según la especificación Desktop Entry."""
    if not any(c in argumento for c in " \t\n\"'\\><~|&;$*?#()`"):
        return argumento
    escapado = argumento.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`")
    escapado = escapado.replace("$", "\\$")
    return f'"{escapado}"'


def contenido_desktop(orden: list[str], retardo: int = RETARDO_S) -> str:
    interna = f"sleep {int(retardo)}; exec {shlex.join(orden)}"
    exec_ = " ".join(_escapar_exec(a) for a in ["sh", "-c", interna])
    # Regla general de las cadenas .desktop, que se aplica antes que la de comillas: «\\».
    exec_ = exec_.replace("\\", "\\\\")
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Sincro\n"
        "Comment=Sincronización de la caja con la central\n"
        f"Exec={exec_}\n"
        "Icon=sincro\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
        f"X-GNOME-Autostart-Delay={int(retardo)}\n"
        "X-KDE-autostart-after=panel\n"
    )


# --- Windows ----------------------------------------------------------------------------------


def ruta_windows(entorno: dict[str, str] | None = None) -> Path:
    entorno = os.environ if entorno is None else entorno
    appdata = entorno.get("APPDATA")
    if not appdata:
        raise RuntimeError("No está definida APPDATA: no se encuentra la carpeta Inicio.")
    return (
        Path(appdata)
        / "Microsoft"
        / "Windows"
        / "Start Menu"
        / "Programs"
        / "Startup"
        / f"{NOMBRE}.vbs"
    )


def _comillas_vbs(argumento: str) -> str:
    # Cada argumento va entre comillas, dobladas porque la línea entera es una cadena VBScript.
    # Las rutas de Windows no pueden contener comillas: se rechazan en vez de escaparlas.
    if '"' in argumento:
        raise ValueError(f"Argumento con comillas no admitido en Windows: {argumento!r}")
    return f'""{argumento}""'


def contenido_vbs(orden: list[str], retardo: int = RETARDO_S) -> str:
    linea = " ".join(_comillas_vbs(a) for a in orden)
    return (
        "' Sincro: arranque al iniciar sesión (creado por «sincro autoarranque activar»).\r\n"
        f"WScript.Sleep {int(retardo) * 1000}\r\n"
        f'CreateObject("WScript.Shell").Run "{linea}", 0, False\r\n'
    )


# --- API --------------------------------------------------------------------------------------


def _plataforma() -> str:
    return "windows" if sys.platform == "win32" else "xdg"


def ruta(plataforma: str | None = None) -> Path:
    return ruta_windows() if (plataforma or _plataforma()) == "windows" else ruta_xdg()


def _escribir(destino: Path, texto: str) -> None:
    destino.parent.mkdir(parents=True, exist_ok=True)
    temporal = destino.with_name(destino.name + ".tmp")
    with open(temporal, "w", encoding="utf-8", newline="") as fichero:
        fichero.write(texto)
        fichero.flush()
        os.fsync(fichero.fileno())
    os.replace(temporal, destino)


def activar(
    datos: str | os.PathLike[str] | None = None,
    *,
    retardo: int = RETARDO_S,
    orden: list[str] | None = None,
    plataforma: str | None = None,
) -> Path:
    """Crea (o sustituye) la entrada de arranque y devuelve su ruta."""
    if not 0 <= int(retardo) <= 600:
        raise ValueError("El retardo debe estar entre 0 y 600 segundos.")
    orden = orden or orden_por_defecto(datos)
    plataforma = plataforma or _plataforma()
    destino = ruta(plataforma)
    texto = (
        contenido_vbs(orden, retardo)
        if plataforma == "windows"
        else contenido_desktop(orden, retardo)
    )
    _escribir(destino, texto)
    return destino


def desactivar(plataforma: str | None = None) -> bool:
    """Quita la entrada; ``True`` si existía."""
    destino = ruta(plataforma)
    try:
        destino.unlink()
    except FileNotFoundError:
        return False
    return True


def estado(plataforma: str | None = None) -> Estado:
    destino = ruta(plataforma)
    return Estado(activo=destino.exists(), ruta=destino)
