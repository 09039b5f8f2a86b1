"""Qué bibliotecas del sistema le faltan a Qt en Linux, por nombre de paquete.

Sin ellas, Qt aborta con un mensaje engañoso («could not load the Qt platform plugin "xcb"…
xcb-cursor0 is needed»), aunque la que falte sea otra. Aquí se mira con ``ldd`` qué
dependencias del plugin ``xcb`` (y de ``libQt6XcbQpa``) no se encuentran y se traducen a
paquetes de Debian/Ubuntu (``libxcb-icccm.so.4`` → ``libxcb-icccm4``). Lo usan
``sincro autodiagnostico`` (proceso de comprobación de Qt) y puede usarlo el arranque antes de
crear la aplicación.

Sin Qt (no importa PySide6: sólo busca sus ficheros) y sin estado: seguro desde cualquier hilo.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

#: soname → paquete de Debian/Ubuntu.
PAQUETES = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}
_NO_ENCONTRADA = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def carpeta_qt() -> Path | None:
    """``…/PySide6/Qt`` de esta instalación (también dentro del bundle), sin importar Qt."""
    candidatos = []
    if getattr(sys, "frozen", False):
        base = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
        candidatos.append(base / "PySide6" / "Qt")
    espec = importlib.util.find_spec("PySide6")
    if espec is not None and espec.submodule_search_locations:
        candidatos += [Path(p) / "Qt" for p in espec.submodule_search_locations]
    return next((c for c in candidatos if c.is_dir()), None)


def no_encontradas(ficheros: list[Path]) -> list[str]:
    """sonames que ``ldd`` no encuentra para ``ficheros`` (sin repetir, en orden)."""
    faltan: list[str] = []
    for fichero in ficheros:
        if not fichero.exists():
            continue
        try:
            salida = subprocess.run(
                ["ldd", str(fichero)], capture_output=True, text=True, timeout=20, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        for soname in _NO_ENCONTRADA.findall(salida):
            if soname not in faltan:
                faltan.append(soname)
    return faltan


def paquetes_que_faltan(qt: Path | None = None) -> list[str]:
    """Paquetes que faltan para el plugin ``xcb`` (vacío fuera de Linux o si no falta nada)."""
    if not sys.platform.startswith("linux"):
        return []
    qt = qt or carpeta_qt()
    if qt is None:
        return []
    ficheros = [
        qt / "plugins" / "platforms" / "libqxcb.so",
        *sorted((qt / "lib").glob("libQt6XcbQpa.so*"))[:1],
    ]
    sonames = [s for s in no_encontradas(ficheros) if not s.startswith("libQt6")]
    return [PAQUETES.get(s, s) for s in sonames]


def explicar_faltan() -> str:
    """Una línea para personas si faltan paquetes y se va a usar xcb; vacío si no."""
    plataforma = os.environ.get("QT_QPA_PLATFORM", "")
    if plataforma and not plataforma.startswith("xcb"):
        return ""
    faltan = paquetes_que_faltan()
    if not faltan:
        return ""
    return (
        "Faltan bibliotecas del sistema para la interfaz: "
        + " ".join(faltan)
        + ". En Debian/Ubuntu: sudo apt-get install "
        + " ".join(faltan)
        + "."
    )
