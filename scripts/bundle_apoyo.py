"""Apoyo de ``build.spec``: versión desde pyproject, recurso de versión de Windows y poda.

Se importa desde ``build.spec`` (y desde las pruebas del bundle). Sin PyInstaller ni Qt: sólo
ficheros. La poda se ejecuta DESPUÉS de ``COLLECT`` sobre la carpeta ya construida.
"""

from __future__ import annotations

import re
import shutil
import struct
import tomllib
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent

# Traducciones de Qt que se conservan (el resto de idiomas se borra).
IDIOMAS_QT = ("es", "en")
# Plugins de Qt que usa la bandeja. Todo lo demás (sqldrivers, qmltooling, multimedia…) sobra.
PLUGINS_QT = {
    "platforms": ("qxcb", "qwayland", "qoffscreen", "qminimal", "qwindows", "qcocoa"),
    "platformthemes": ("qxdgdesktopportal",),
    "imageformats": ("qsvg", "qico"),
    "iconengines": ("qsvgicon",),
    "styles": ("qwindowsvistastyle", "qmodernwindowsstyle"),
    "wayland-shell-integration": ("xdg-shell",),
    "wayland-decoration-client": ("bradient",),
    "wayland-graphics-integration-client": ("qt-plugin-wayland-egl",),
    "xcbglintegrations": ("qxcb-egl-integration", "qxcb-glx-integration"),
    "tls": ("qopensslbackend", "qschannelbackend"),
    "platforminputcontexts": (
        "composeplatforminputcontextplugin", "ibusplatforminputcontextplugin",
    ),
}
# Bibliotecas de Qt que la interfaz no usa y que pueden arrastrar los plugins.
BIBLIOTECAS_QT_SOBRANTES = (
    "Qt6Quick", "Qt6Qml", "Qt6QmlModels", "Qt6QmlMeta", "Qt6QmlWorkerScript", "Qt6Pdf",
    "Qt6VirtualKeyboard", "Qt6Multimedia", "Qt6WebEngine", "Qt63D", "Qt6Charts",
    "Qt6Designer", "Qt6Help", "Qt6Sql", "Qt6Test", "Qt6Positioning", "Qt6QuickControls2",
    "Qt6QuickTemplates2", "Qt6ShaderTools", "Qt6Labs",
)


def version_pyproject(raiz: Path = RAIZ) -> str:
    """La versión de ``[project]`` en ``pyproject.toml`` (fuente única)."""
    with open(raiz / "pyproject.toml", "rb") as fichero:
        return tomllib.load(fichero)["project"]["version"]


def tupla_version(version: str) -> tuple[int, int, int, int]:
    numeros = [int(n) for n in re.findall(r"\d+", version)[:4]]
    return tuple([*numeros, 0, 0, 0, 0][:4])  # type: ignore[return-value]


def texto_version_windows(version: str) -> str:
    """Recurso de versión de Windows en el formato de texto que acepta ``EXE(version=…)``."""
    t = tupla_version(version)
    return f"""# Generado por scripts/bundle_apoyo.py desde pyproject.toml; no editar.
VSVersionInfo(
  ffi=FixedFileInfo(filevers={t}, prodvers={t}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([
      StringTable('0C0A04B0', [
        StringStruct('CompanyName', 'Sincro'),
        StringStruct('FileDescription', 'Sincro: agente de sincronización de la caja'),
        StringStruct('FileVersion', '{version}'),
        StringStruct('InternalName', 'sincro'),
        StringStruct('OriginalFilename', 'sincro.exe'),
        StringStruct('ProductName', 'Sincro'),
        StringStruct('ProductVersion', '{version}')])
    ]),
    VarFileInfo([VarStruct('Translation', [0x0C0A, 1200])])
  ]
)
"""


def _tamano(ruta: Path) -> int:
    return sum(p.stat().st_size for p in ruta.rglob("*") if p.is_file() and not p.is_symlink())


def podar(carpeta: Path) -> dict[str, int]:
    """Borra de un bundle ya construido las traducciones y plugins de Qt que no se usan.
    Devuelve los bytes liberados por categoría."""
    liberado = {"traducciones": 0, "plugins": 0, "bibliotecas": 0}
    # Linux/macOS: PySide6/Qt/{plugins,translations}; Windows: PySide6/{plugins,translations}.
    raices_qt = [*carpeta.rglob("PySide6/Qt"), *carpeta.rglob("PySide6")]
    for qt in [r for r in raices_qt if (r / "plugins").is_dir() or (r / "translations").is_dir()]:
        traducciones = qt / "translations"
        if traducciones.is_dir():
            for qm in traducciones.glob("*.qm"):
                idioma = re.search(r"_([a-z]{2})(?:_[A-Z]{2})?\.qm$", qm.name)
                if not idioma or idioma.group(1) not in IDIOMAS_QT:
                    liberado["traducciones"] += qm.stat().st_size
                    qm.unlink()
        plugins = qt / "plugins"
        if plugins.is_dir():
            for tipo in plugins.iterdir():
                conservar = PLUGINS_QT.get(tipo.name)
                if conservar is None:
                    liberado["plugins"] += _tamano(tipo)
                    shutil.rmtree(tipo)
                    continue
                for plugin in tipo.iterdir():
                    base = re.sub(r"^lib", "", plugin.name.split(".")[0])
                    if conservar and base not in conservar:
                        liberado["plugins"] += plugin.stat().st_size
                        plugin.unlink()
        for directorio in ("qml", "resources/qtwebengine_resources", "libexec"):
            sobra = qt / directorio
            if sobra.is_dir():
                liberado["plugins"] += _tamano(sobra)
                shutil.rmtree(sobra)
    patron = re.compile(
        r"^(?:lib)?(?:" + "|".join(BIBLIOTECAS_QT_SOBRANTES) + r")(?:\.so(?:\.\d+)*|\.dll)$"
    )
    for biblioteca in list(carpeta.rglob("*")):
        if biblioteca.is_file() and patron.match(biblioteca.name):
            liberado["bibliotecas"] += biblioteca.stat().st_size
            biblioteca.unlink()
    return liberado


# Bibliotecas que Qt o Python cargan con dlopen (no aparecen en DT_NEEDED): nunca se podan.
CARGADAS_CON_DLOPEN = re.compile(
    r"^lib(python|ssl|crypto|EGL|GL|GLX|OpenGL|vulkan|xcb-cursor)[.\d-]"
)


def dependencias_elf(ruta: Path) -> list[str]:
    """Los DT_NEEDED de un ELF de 64 bits little-endian (lo que usa Linux x86_64/aarch64).
    ``[]`` si no es un ELF así."""
    try:
        datos = ruta.read_bytes()
    except OSError:
        return []
    if datos[:4] != b"\x7fELF" or datos[4] != 2 or datos[5] != 1:
        return []
    e_shoff, = struct.unpack_from("<Q", datos, 0x28)
    e_shentsize, e_shnum = struct.unpack_from("<HH", datos, 0x3A)
    secciones = []
    for i in range(e_shnum):
        base = e_shoff + i * e_shentsize
        if base + 64 > len(datos):
            return []
        _n, tipo, _f, _a, desplaz, tamano, enlace = struct.unpack_from("<IIQQQQI", datos, base)
        secciones.append((tipo, desplaz, tamano, enlace))
    necesarias = []
    for tipo, desplaz, tamano, enlace in secciones:
        if tipo != 6 or enlace >= len(secciones):  # SHT_DYNAMIC
            continue
        cadenas = secciones[enlace][1]
        for j in range(0, tamano, 16):
            etiqueta, valor = struct.unpack_from("<qQ", datos, desplaz + j)
            if etiqueta == 0:
                break
            if etiqueta == 1:  # DT_NEEDED
                fin = datos.index(b"\0", cadenas + valor)
                necesarias.append(datos[cadenas + valor:fin].decode())
    return necesarias


def podar_huerfanas(carpeta: Path) -> int:
    """Linux: borra las bibliotecas compartidas del bundle que ya nadie necesita (las traían
    plugins podados, p. ej. GTK/cairo/pango del tema qgtk3). Raíces: el ejecutable, los módulos
    de extensión de Python y los plugins de Qt que quedan. Devuelve los bytes liberados."""
    ficheros = [p for p in carpeta.rglob("*") if p.is_file() and not p.is_symlink()]
    por_nombre: dict[str, list[Path]] = {}
    for fichero in ficheros:
        por_nombre.setdefault(fichero.name, []).append(fichero)
    es_biblioteca = re.compile(r"^lib.*\.so(\.\d+)*$")
    raices = [
        f for f in ficheros
        if not es_biblioteca.match(f.name) or "/plugins/" in f.as_posix()
    ]
    vistas: set[Path] = set()
    pendientes = list(raices)
    while pendientes:
        actual = pendientes.pop()
        if actual in vistas:
            continue
        vistas.add(actual)
        for nombre in dependencias_elf(actual):
            pendientes.extend(por_nombre.get(nombre, []))
    liberado = 0
    for fichero in ficheros:
        if (es_biblioteca.match(fichero.name) and fichero not in vistas
                and "/plugins/" not in fichero.as_posix()
                and not CARGADAS_CON_DLOPEN.match(fichero.name)):
            liberado += fichero.stat().st_size
            fichero.unlink()
    return liberado


def generar_ico(svg: Path, destino: Path, lado: int = 256) -> Path:
    """Icono de Windows (``.ico``) del ejecutable a partir del SVG de la aplicación, con Qt
    (plataforma offscreen). Sólo hace falta al construir en Windows."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])
    imagen = QImage(lado, lado, QImage.Format.Format_ARGB32)
    imagen.fill(Qt.GlobalColor.transparent)
    pintor = QPainter(imagen)
    QSvgRenderer(str(svg)).render(pintor)
    pintor.end()
    destino.parent.mkdir(parents=True, exist_ok=True)
    if not imagen.save(str(destino), "ICO"):
        raise RuntimeError(f"Qt no pudo escribir {destino} (¿falta el plugin imageformats/qico?)")
    del app
    return destino
