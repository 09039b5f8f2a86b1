"""Piezas puras del bundle: versión de pyproject, recurso de versión de Windows, lector ELF."""

import sys
from pathlib import Path

import pytest

from scripts import bundle_apoyo


def test_version_de_pyproject_y_recurso_windows():
    version = bundle_apoyo.version_pyproject()
    import agente

    assert version == agente.__version__
    texto = bundle_apoyo.texto_version_windows(version)
    tupla = bundle_apoyo.tupla_version(version)
    assert f"filevers={tupla}" in texto and f"StringStruct('ProductVersion', '{version}')" in texto
    assert bundle_apoyo.tupla_version("1.2") == (1, 2, 0, 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="lector ELF sólo en Linux")
def test_dependencias_elf_de_un_modulo_real():
    import _sqlite3

    dependencias = bundle_apoyo.dependencias_elf(Path(_sqlite3.__file__))
    assert any(d.startswith("libsqlite3") for d in dependencias) or any(
        d.startswith("libc.so") for d in dependencias
    )
    assert bundle_apoyo.dependencias_elf(Path(__file__)) == []


def test_icono_de_windows_desde_el_svg(tmp_path):
    """En otro proceso (como en el build): crear aquí una QGuiApplication estropearía la
    QApplication de las pruebas de ui."""
    import subprocess

    raiz = Path(__file__).resolve().parents[2]
    ico = tmp_path / "sincro.ico"
    codigo = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1] + '/scripts');"
        "import bundle_apoyo;"
        "bundle_apoyo.generar_ico(Path(sys.argv[1]) / 'resources/iconos/sincro.svg', "
        "Path(sys.argv[2]));"
        "from PySide6.QtGui import QImage; i = QImage(sys.argv[2]);"
        "print(i.width(), i.pixelColor(128, 128).alpha())"
    )
    salida = subprocess.run([sys.executable, "-c", codigo, str(raiz), str(ico)],
                            capture_output=True, text=True, timeout=120, check=True)
    assert ico.read_bytes()[:4] == b"\x00\x00\x01\x00"  # cabecera ICO
    ancho, alfa = map(int, salida.stdout.split())
    assert ancho == 256 and alfa > 0  # el dibujo está ahí, no un cuadro vacío


def test_poda_con_la_disposicion_de_windows(tmp_path):
    """En Windows PySide6 deja plugins/ y translations/ directamente bajo PySide6/."""
    pyside = tmp_path / "_internal" / "PySide6"
    for relativo in ("plugins/platforms/qwindows.dll", "plugins/platforms/qdirect2d.dll",
                     "plugins/sqldrivers/qsqlite.dll", "translations/qtbase_es.qm",
                     "translations/qtbase_de.qm", "Qt6Quick.dll", "Qt6Core.dll"):
        (pyside / relativo).parent.mkdir(parents=True, exist_ok=True)
        (pyside / relativo).write_bytes(b"x" * 10)
    liberado = bundle_apoyo.podar(tmp_path)
    quedan = sorted(p.relative_to(pyside).as_posix() for p in pyside.rglob("*") if p.is_file())
    assert quedan == ["Qt6Core.dll", "plugins/platforms/qwindows.dll", "translations/qtbase_es.qm"]
    assert liberado == {"traducciones": 10, "plugins": 20, "bibliotecas": 10}
