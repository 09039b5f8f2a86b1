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
        "composeplatforminputcontextplugin",
        "ibusplatforminputcontextplugin",
    ),
}
# Bibliotecas de Qt que la interfaz no usa y que pueden arrastrar los plugins.
BIBLIOTECAS_QT_SOBRANTES = (
    "Qt6Quick",
    "Qt6Qml",
    "Qt6QmlModels",
    "Qt6QmlMeta",
    "Qt6QmlWorkerScript",
    "Qt6Pdf",
    "Qt6VirtualKeyboard",
    "Qt6Multimedia",
    "Qt6WebEngine",
    "Qt63D",
    "Qt6Charts",
    "Qt6Designer",
    "Qt6Help",
    "Qt6Sql",
    "Qt6Test",
    "Qt6Positioning",
    "Qt6QuickControls2",
    "Qt6QuickTemplates2",
    "Qt6ShaderTools",
    "Qt6Labs",
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
    (e_shoff,) = struct.unpack_from("<Q", datos, 0x28)
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
                necesarias.append(datos[cadenas + valor : fin].decode())
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
    raices = [f for f in ficheros if not es_biblioteca.match(f.name) or "/plugins/" in f.as_posix()]
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
        if (
            es_biblioteca.match(fichero.name)
            and fichero not in vistas
            and "/plugins/" not in fichero.as_posix()
            and not CARGADAS_CON_DLOPEN.match(fichero.name)
        ):
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


# --- ICU (Linux) -------------------------------------------------------------------------------
# Qt6Core enlaza libicuuc/libicui18n, que exigen libicudata: un paquete de datos ICU ("CmnD") de
# ~30 MiB con los datos de TODAS las lenguas. Qt sólo llama a ICU para comparar texto (ucol_*),
# nombres de zonas horarias (ucal_*), conversiones de codificación (ucnv_*) y mayúsculas
# (u_strTo*, sin datos): lo comprueba tests/bundle (símbolos ICU que importa Qt). Se reconstruye
# la biblioteca con los datos de las lenguas IDIOMAS_QT más la raíz y todo lo que no es de una
# lengua (conversores, normalización, datos suplementarios, zonas). Para las demás lenguas ICU
# cae a la raíz (orden Unicode por defecto, nombres de zona en inglés), como con cualquier
# locale sin datos. Fuera también lo que sólo usan APIs de ICU que Qt no llama: segmentación
# (brkitr/, con los diccionarios de chino/japonés, tailandés, jemer, lao y birmano; ubrk_*) y
# transliteración (translit/; utrans_*).
ARBOLES_ICU_SIN_USO = ("brkitr", "translit")
# Prefijos de las funciones de ICU que Qt puede llamar con los datos reducidos.
APIS_ICU_USADAS = ("ucol_", "ucal_", "ucnv_", "UCNV_", "u_strToUpper", "u_strToLower")
_LOCALE_ICU = re.compile(r"[a-z]{2,3}(?:_[A-Za-z0-9]*)*")


def conservar_dato_icu(nombre: str, idiomas: tuple[str, ...] = IDIOMAS_QT) -> bool:
    """¿Se queda el elemento ``nombre`` (p. ej. ``icudt73l/coll/es.res``) del paquete ICU?"""
    partes = nombre.split("/")
    if len(partes) > 2 and partes[1] in ARBOLES_ICU_SIN_USO:
        return False
    base = partes[-1]
    if base.endswith(".res") and _LOCALE_ICU.fullmatch(base[:-4]):
        return base[:-4].split("_")[0] in idiomas
    return True


def leer_paquete_icu(datos: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """Parte un paquete ICU común (``.dat``, formato "CmnD", little-endian) en su cabecera y la
    lista ordenada de ``(nombre, contenido)``."""
    tamano_cabecera, magia1, magia2 = struct.unpack_from("<HBB", datos, 0)
    if (magia1, magia2) != (0xDA, 0x27) or datos[12:16] != b"CmnD" or datos[8] != 0:
        raise ValueError("no es un paquete de datos ICU común little-endian")
    (cuenta,) = struct.unpack_from("<I", datos, tamano_cabecera)
    entradas = [
        struct.unpack_from("<II", datos, tamano_cabecera + 4 + 8 * i) for i in range(cuenta)
    ]
    inicios = [tamano_cabecera + d for _, d in entradas] + [len(datos)]
    elementos = []
    for i, (nombre_desplaz, _) in enumerate(entradas):
        n0 = tamano_cabecera + nombre_desplaz
        nombre = datos[n0 : datos.index(b"\0", n0)].decode("ascii")
        elementos.append((nombre, datos[inicios[i] : inicios[i + 1]]))
    return datos[:tamano_cabecera], elementos


def escribir_paquete_icu(cabecera: bytes, elementos: list[tuple[str, bytes]]) -> bytes:
    """Lo inverso de :func:`leer_paquete_icu` (como ``icupkg``): tabla de contenidos, nombres y
    elementos alineados a 16 bytes. ``elementos`` debe ir ordenado por nombre (ICU busca por
    bisección)."""
    nombres = b"".join(n.encode("ascii") + b"\0" for n, _ in elementos)
    tabla = 4 + 8 * len(elementos)
    datos_desplaz = tabla + len(nombres)
    datos_desplaz += -(len(cabecera) + datos_desplaz) % 16
    toc = bytearray(struct.pack("<I", len(elementos)))
    cuerpo = bytearray()
    nombre_desplaz = tabla
    for nombre, contenido in elementos:
        relleno = -(datos_desplaz + len(cuerpo)) % 16
        cuerpo += b"\xaa" * relleno
        toc += struct.pack("<II", nombre_desplaz, datos_desplaz + len(cuerpo))
        nombre_desplaz += len(nombre) + 1
        cuerpo += contenido
    relleno_nombres = datos_desplaz - tabla - len(nombres)
    return bytes(cabecera + toc + nombres + b"\xaa" * relleno_nombres + cuerpo)


def seccion_elf(datos: bytes, buscada: str) -> bytes | None:
    """El contenido de la sección ``buscada`` de un ELF de 64 bits little-endian, o ``None``."""
    if datos[:4] != b"\x7fELF" or datos[4] != 2 or datos[5] != 1:
        return None
    (e_shoff,) = struct.unpack_from("<Q", datos, 0x28)
    e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHH", datos, 0x3A)
    cabeceras = [
        struct.unpack_from("<IIQQQQ", datos, e_shoff + i * e_shentsize) for i in range(e_shnum)
    ]
    nombres = cabeceras[e_shstrndx][4]
    for nombre, _tipo, _f, _a, desplaz, tamano in cabeceras:
        fin = datos.index(b"\0", nombres + nombre)
        if datos[nombres + nombre : fin].decode() == buscada:
            return datos[desplaz : desplaz + tamano]
    return None


def biblioteca_de_datos_icu(paquete: bytes, soname: str, destino: Path) -> None:
    """Escribe en ``destino`` una biblioteca compartida ``soname`` (p. ej. ``libicudata.so.73``)
    que exporta ``icudtNN_dat`` con ``paquete``, como la de ICU. Usa ``as`` y ``ld`` (binutils)."""
    import subprocess
    import tempfile

    version = re.fullmatch(r"libicudata\.so\.(\d+)", soname)
    if not version:
        raise ValueError(f"soname inesperado para los datos de ICU: {soname}")
    simbolo = f"icudt{version.group(1)}_dat"
    with tempfile.TemporaryDirectory() as tmp:
        dat, fuente, objeto = Path(tmp, "datos.dat"), Path(tmp, "datos.s"), Path(tmp, "datos.o")
        dat.write_bytes(paquete)
        fuente.write_text(
            f"\t.section .rodata\n\t.balign 16\n\t.globl {simbolo}\n"
            f'\t.type {simbolo}, @object\n{simbolo}:\n\t.incbin "{dat}"\n'
            f'\t.size {simbolo}, . - {simbolo}\n\t.section .note.GNU-stack,"",@progbits\n',
            encoding="ascii",
        )
        subprocess.run(["as", "-o", str(objeto), str(fuente)], check=True)
        subprocess.run(
            [
                "ld",
                "-shared",
                "-s",
                "-soname",
                soname,
                "-z",
                "noexecstack",
                "-o",
                str(destino),
                str(objeto),
            ],
            check=True,
        )


def reducir_icu(carpeta: Path, idiomas: tuple[str, ...] = IDIOMAS_QT) -> int:
    """Linux: reconstruye cada ``libicudata.so.NN`` del bundle con sólo los datos de
    ``idiomas`` (ver :func:`conservar_dato_icu`). Devuelve los bytes liberados; 0 (con aviso)
    si no hay ``as``/``ld`` para reconstruirla."""
    liberado = 0
    for biblioteca in sorted(carpeta.rglob("libicudata.so.*")):
        if biblioteca.is_symlink() or not biblioteca.is_file():
            continue
        if not (shutil.which("as") and shutil.which("ld")):
            print(
                f"AVISO: sin «as»/«ld» (paquete binutils) no se reducen los datos de ICU: "
                f"{biblioteca} sigue con todas las lenguas"
            )
            return liberado
        original = biblioteca.read_bytes()
        rodata = seccion_elf(original, ".rodata")
        if rodata is None:
            raise ValueError(f"{biblioteca}: sin sección .rodata")
        cabecera, elementos = leer_paquete_icu(rodata)
        paquete = escribir_paquete_icu(
            cabecera, [(n, c) for n, c in elementos if conservar_dato_icu(n, idiomas)]
        )
        nueva = biblioteca.with_name(biblioteca.name + ".reducida")
        biblioteca_de_datos_icu(paquete, biblioteca.name, nueva)
        if seccion_elf(nueva.read_bytes(), ".rodata")[: len(paquete)] != paquete:
            raise RuntimeError(f"{nueva}: los datos de ICU no quedaron como se escribieron")
        liberado += len(original) - nueva.stat().st_size
        nueva.replace(biblioteca)
    return liberado


def simbolos_importados_elf(datos: bytes) -> list[str]:
    """Los símbolos dinámicos indefinidos (importados) de un ELF de 64 bits little-endian, sin
    versión. ``[]`` si no es un ELF así o no tiene ``.dynsym``."""
    tabla, cadenas = seccion_elf(datos, ".dynsym"), seccion_elf(datos, ".dynstr")
    if not tabla or cadenas is None:
        return []
    importados = []
    for i in range(0, len(tabla) - 23, 24):
        nombre, _info, _otro, seccion = struct.unpack_from("<IBBH", tabla, i)
        if nombre and seccion == 0:
            importados.append(cadenas[nombre : cadenas.index(b"\0", nombre)].decode())
    return importados
