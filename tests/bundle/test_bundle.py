"""El bundle de PyInstaller se construye y el programa CONSTRUIDO funciona.

Construye ``build.spec`` en un directorio temporal (una vez por sesión), y ejecuta el
``sincro`` congelado: ``--version`` (debe coincidir con pyproject), ``autodiagnostico`` contra un
directorio de datos real (con la central de referencia si su fixture existe; Qt con
``QT_QPA_PLATFORM=offscreen``), ``registro`` y ``diagnostico``. Comprueba además el tamaño
contra el presupuesto y que la central (Django) no viaja dentro.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from scripts import bundle_apoyo

RAIZ = Path(__file__).resolve().parents[2]

# Presupuesto de tamaño del bundle de Linux: el objetivo de la issue, 120 MB = 120 * 10**6 bytes
# (114,4 MiB). Medido (PySide6 6.11, Python 3.11): ~117,3 MB; ICU reducido a es/en (9 MiB),
# cryptography (11 MiB, la exige secretstorage, el llavero Secret Service) y Qt. Ver
# docs/instalacion.md, «Tamaño». Subirlo exige explicar qué se añadió.
PRESUPUESTO_BYTES = 120 * 10**6

pytestmark = [pytest.mark.lento, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """Construye el bundle y devuelve la carpeta ``dist/sincro``."""
    base = tmp_path_factory.mktemp("bundle")
    inicio = time.monotonic()
    proceso = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(base / "dist"),
            "--workpath",
            str(base / "work"),
            "build.spec",
        ],
        cwd=RAIZ,
        capture_output=True,
        text=True,
        timeout=1100,
        check=False,
    )
    duracion = time.monotonic() - inicio
    assert proceso.returncode == 0, proceso.stdout[-4000:] + proceso.stderr[-4000:]
    carpeta = base / "dist" / "sincro"
    print(f"bundle construido en {duracion:.0f} s: {carpeta}")
    return carpeta


def _entorno(tmp_path: Path, datos: Path) -> dict[str, str]:
    entorno = dict(os.environ)
    entorno.update(
        QT_QPA_PLATFORM="offscreen",
        SINCRO_DATOS=str(datos),
        SINCRO_REGISTRO=str(tmp_path / "registro"),
    )
    return entorno


def _ejecutar(bundle: Path, *argumentos: str, entorno: dict[str, str]):
    ejecutable = bundle / ("sincro.exe" if os.name == "nt" else "sincro")
    return subprocess.run(
        [str(ejecutable), *argumentos],
        capture_output=True,
        text=True,
        timeout=180,
        env=entorno,
        check=False,
    )


def test_version_coincide_con_pyproject(bundle, tmp_path):
    salida = _ejecutar(bundle, "--version", entorno=_entorno(tmp_path, tmp_path / "d"))
    assert salida.returncode == 0, salida.stderr
    assert bundle_apoyo.version_pyproject() in salida.stdout + salida.stderr


def _configurar(datos: Path, servidor: str, terminal: str, token: str) -> None:
    from agente.sincronizacion import credenciales
    from agente.soporte import configuracion

    configuracion.guardar(
        datos, configuracion.Configuracion(servidor=servidor, tienda="T001", terminal=terminal)
    )
    credenciales.guardar_token(datos, terminal, token)


def test_autodiagnostico_congelado(bundle, tmp_path, request):
    """Con la central de referencia en marcha, todo OK; sin ella, las comprobaciones locales
    (datos, bases, llavero, Qt cargado por el ejecutable congelado) OK y la central FAIL."""
    datos = tmp_path / "datos"
    entorno = _entorno(tmp_path, datos)
    try:
        central = request.getfixturevalue("central")
    except pytest.FixtureLookupError:
        central = None
    if central is not None:
        _configurar(datos, central.url, central.terminal, central.token)
        salida = _ejecutar(bundle, "autodiagnostico", entorno=entorno)
        assert salida.returncode == 0, salida.stdout + salida.stderr
        assert "FAIL" not in salida.stdout.replace("0 FAIL", "")
    else:
        _configurar(datos, "http://127.0.0.1:9/sincro", "caja-1", "tok-" + "a1" * 20)
        salida = _ejecutar(bundle, "autodiagnostico", entorno=entorno)
        assert salida.returncode == 1, salida.stdout + salida.stderr
        assert "[FAIL] central" in salida.stdout
    lineas = salida.stdout
    for nombre in (
        "directorio de datos",
        "integridad cola.sqlite",
        "integridad cache.sqlite",
        "llavero",
        "Qt (plugin de plataforma)",
    ):
        assert f"[OK] {nombre}" in lineas, lineas
    assert "plataforma «offscreen» cargada" in lineas


def test_registro_y_diagnostico_congelados(bundle, tmp_path):
    datos = tmp_path / "datos"
    entorno = _entorno(tmp_path, datos)
    token = "tok-" + "b2" * 20
    _configurar(datos, "http://127.0.0.1:9/sincro", "caja-2", token)
    zip_ruta = tmp_path / "soporte.zip"
    salida = _ejecutar(bundle, "diagnostico", "--salida", str(zip_ruta), entorno=entorno)
    assert salida.returncode == 0, salida.stdout + salida.stderr
    with zipfile.ZipFile(zip_ruta) as zf:
        assert "versiones.json" in zf.namelist()
        assert '"congelado": true' in zf.read("versiones.json").decode()
        for nombre in zf.namelist():
            assert token.encode() not in zf.read(nombre), nombre
    salida = _ejecutar(bundle, "registro", "--ruta", entorno=entorno)
    assert salida.returncode == 0 and str(tmp_path / "registro") in salida.stdout


def _tamano(carpeta: Path) -> int:
    return sum(p.stat().st_size for p in carpeta.rglob("*") if p.is_file() and not p.is_symlink())


def test_tamano_y_contenido(bundle):
    tamano = _tamano(bundle)
    print(f"tamaño del bundle: {tamano / 1e6:.1f} MB (presupuesto {PRESUPUESTO_BYTES / 1e6} MB)")
    icu = [p for p in bundle.rglob("libicudata.so.*") if not p.is_symlink()]
    assert tamano <= PRESUPUESTO_BYTES, (
        f"{tamano / 1e6:.1f} MB; datos de ICU: {[p.stat().st_size for p in icu]} bytes (¿faltó "
        "binutils y no se redujeron? ver el AVISO en la salida del build)"
    )
    nombres = {p.name for p in bundle.rglob("*")}
    assert "django" not in nombres and "central" not in nombres
    assert not any(n.startswith(("libQt6Quick", "libQt6Qml", "libQt6Pdf")) for n in nombres)
    assert not any(n.startswith("qtbase_de") for n in nombres)  # traducciones podadas
    # Metadatos de sincro (dist-info, o egg-info si el build corre junto a uno) con la versión
    # de pyproject: de ahí lee ``sincro --version`` congelado.
    version = bundle_apoyo.version_pyproject()
    metadatos = [
        *bundle.rglob("sincro-*.dist-info/METADATA"),
        *bundle.rglob("sincro.egg-info/PKG-INFO"),
    ]
    assert metadatos, "faltan los metadatos de sincro en el bundle"
    assert f"\nVersion: {version}\n" in metadatos[0].read_text(encoding="utf-8")


def test_qt_xcb_real_bajo_xvfb(bundle, tmp_path):
    """La plataforma de escritorio de verdad (xcb) bajo un servidor X virtual."""
    import shutil

    if not sys.platform.startswith("linux"):
        pytest.skip("xcb sólo existe en Linux")
    if not shutil.which("Xvfb"):
        pytest.skip("sin Xvfb (.ci/run lo instala: apt-get install xvfb)")
    if not list(bundle.rglob("libxcb-icccm.so*")):
        pytest.skip(
            "la máquina de build no tiene libxcb-icccm4/libxcb-keysyms1, así que el bundle "
            "no las lleva (apt-get install libxcb-icccm4 libxcb-keysyms1 y reconstruir)"
        )
    pantalla = ":" + str(90 + os.getpid() % 100)
    xvfb = subprocess.Popen(
        ["Xvfb", pantalla, "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        entorno = _entorno(tmp_path, tmp_path / "d")
        entorno.update(DISPLAY=pantalla, QT_QPA_PLATFORM="xcb")
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{pantalla[1:]}").exists():
                break
            time.sleep(0.1)
        salida = _ejecutar(bundle, "--comprobar-qt", entorno=entorno)
        assert salida.returncode == 0, salida.stderr
        assert salida.stdout.strip() == "xcb"
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=30)


def test_bandeja_congelada_arranca(bundle, tmp_path):
    """``sincro`` sin orden abre la interfaz (Qt offscreen): sigue viva, escribe bandeja.log y
    no hay traza de error (p. ej. un módulo de ``ui`` o un recurso que no viajó)."""
    datos = tmp_path / "datos"
    entorno = _entorno(tmp_path, datos)
    entorno.pop("SINCRO_REGISTRO")
    ejecutable = bundle / ("sincro.exe" if os.name == "nt" else "sincro")
    proceso = subprocess.Popen(
        [str(ejecutable)], env=entorno, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    log = datos / "registro" / "bandeja.log"
    try:
        for _ in range(600):
            if proceso.poll() is not None or (log.exists() and "ui." in log.read_text()):
                break
            time.sleep(0.1)
        assert proceso.poll() is None, proceso.communicate()[1][-3000:]
    finally:
        proceso.terminate()
        _, errores = proceso.communicate(timeout=60)
    assert "Traceback" not in errores, errores[-3000:]
    assert log.exists() and "ERROR" not in log.read_text()


def _simbolos_icu_importados(bundle: Path) -> set[str]:
    """Las funciones de ICU que importan las bibliotecas del bundle que no son de ICU, sin el
    sufijo de versión (``ucol_open_73`` → ``ucol_open``)."""
    import re

    importados = set()
    for fichero in bundle.rglob("*.so*"):
        if fichero.is_symlink() or not fichero.is_file() or fichero.name.startswith("libicu"):
            continue
        for simbolo in bundle_apoyo.simbolos_importados_elf(fichero.read_bytes()):
            icu = re.fullmatch(r"(u[a-z]*_\w+|UCNV_\w+)_(\d{2,3})", simbolo)
            if icu:
                importados.add(icu.group(1))
    return importados


def test_qt_solo_llama_a_icu_lo_que_cubren_los_datos_reducidos(bundle):
    """Los datos de ICU del bundle se redujeron a es/en y sin segmentación ni transliteración,
    porque Qt sólo llama a colación, calendario/zonas, conversores y mayúsculas. Si otra versión de
    Qt (o un módulo nuevo) llama a otra API de ICU, hay que revisar ``conservar_dato_icu``."""
    if not sys.platform.startswith("linux"):
        pytest.skip("ICU sólo viaja en el bundle de Linux")
    importados = _simbolos_icu_importados(bundle)
    assert "ucol_open" in importados and "ucal_getTimeZoneDisplayName" in importados, importados
    ajenos = {s for s in importados if not s.startswith(bundle_apoyo.APIS_ICU_USADAS)}
    assert not ajenos, f"Qt llama a APIs de ICU cuyos datos se podan: {sorted(ajenos)}"


_CODIGO_ICU = """
import os, sys
from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone
from functools import cmp_to_key
mapas = open("/proc/self/maps").read()
print([l.split()[-1] for l in mapas.splitlines() if "libicudata" in l][0])
palabras = ["zorro", "Ñandú", "nube", "Árbol", "arbol", "oso", "chico", "cuna", "Ä", "ae"]
zona = QTimeZone(b"Europe/Madrid")
for nombre in ("es_ES", "es_MX", "en_US", "en_GB"):
    locale = QLocale(nombre)
    print(nombre, sorted(palabras, key=cmp_to_key(QCollator(locale).compare)))
    print(nombre, zona.displayName(QTimeZone.TimeType.StandardTime,
                                   QTimeZone.NameType.LongName, locale))
    print(nombre, locale.toUpper("straße"), QLocale("tr_TR").toUpper("i"))
for codificacion in ("Shift_JIS", "windows-1252", "IBM437", "GB18030", "Big5"):
    print(codificacion, QStringDecoder(codificacion).isValid())
print(len(QStringDecoder.availableCodecs()))
"""


def test_icu_reducido_responde_igual_en_es_y_en(bundle, tmp_path):
    """Qt con la ICU reducida del bundle (``LD_LIBRARY_PATH`` manda sobre el RUNPATH de PySide6)
    ordena, nombra zonas y convierte igual que con la ICU completa del wheel, en español e
    inglés."""
    if not sys.platform.startswith("linux"):
        pytest.skip("ICU sólo viaja en el bundle de Linux")
    icu = [p for p in bundle.rglob("libicudata.so.*") if not p.is_symlink()]
    assert len(icu) == 1, icu

    def ejecutar(entorno_extra: dict[str, str]) -> list[str]:
        entorno = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **entorno_extra}
        salida = subprocess.run(
            [sys.executable, "-c", _CODIGO_ICU],
            capture_output=True,
            text=True,
            timeout=120,
            env=entorno,
            check=False,
        )
        assert salida.returncode == 0, salida.stderr
        return salida.stdout.splitlines()

    completa = ejecutar({})
    reducida = ejecutar({"LD_LIBRARY_PATH": str(icu[0].parent)})
    assert Path(reducida[0]).resolve() == icu[0].resolve(), reducida[0]
    assert Path(completa[0]).resolve() != icu[0].resolve()
    assert reducida[1:] == completa[1:]
    assert "es_ES ['Ä', 'ae', 'arbol', 'Árbol', 'chico', 'cuna', 'nube', 'Ñandú'" in reducida[1]
    assert "hora estándar de Europa central" in reducida[2]
