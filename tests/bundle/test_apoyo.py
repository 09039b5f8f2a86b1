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
        "bundle_apoyo.generar_ico(Path(sys.argv[1]) / 'ui/datos/iconos/sincro.svg', "
        "Path(sys.argv[2]));"
        "from PySide6.QtGui import QImage; i = QImage(sys.argv[2]);"
        "print(i.width(), i.pixelColor(128, 128).alpha())"
    )
    salida = subprocess.run(
        [sys.executable, "-c", codigo, str(raiz), str(ico)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert ico.read_bytes()[:4] == b"\x00\x00\x01\x00"  # cabecera ICO
    ancho, alfa = map(int, salida.stdout.split())
    assert ancho == 256 and alfa > 0  # el dibujo está ahí, no un cuadro vacío


def test_poda_con_la_disposicion_de_windows(tmp_path):
    """En Windows PySide6 deja plugins/ y translations/ directamente bajo PySide6/."""
    pyside = tmp_path / "_internal" / "PySide6"
    for relativo in (
        "plugins/platforms/qwindows.dll",
        "plugins/platforms/qdirect2d.dll",
        "plugins/sqldrivers/qsqlite.dll",
        "translations/qtbase_es.qm",
        "translations/qtbase_de.qm",
        "Qt6Quick.dll",
        "Qt6Core.dll",
    ):
        (pyside / relativo).parent.mkdir(parents=True, exist_ok=True)
        (pyside / relativo).write_bytes(b"x" * 10)
    liberado = bundle_apoyo.podar(tmp_path)
    quedan = sorted(p.relative_to(pyside).as_posix() for p in pyside.rglob("*") if p.is_file())
    assert quedan == ["Qt6Core.dll", "plugins/platforms/qwindows.dll", "translations/qtbase_es.qm"]
    assert liberado == {"traducciones": 10, "plugins": 20, "bibliotecas": 10}


def _elemento_icu(carga: bytes) -> bytes:
    """Un elemento de datos ICU mínimo (cabecera con la magia y carga) con el relleno hasta 16
    bytes que le pone ``icupkg`` (ICU lee cada elemento desde su propia cabecera)."""
    import struct

    elemento = struct.pack("<HBB", 32, 0xDA, 0x27) + bytes(28) + carga
    return elemento + b"\xaa" * (-len(elemento) % 16)


def test_paquete_icu_filtrado_se_lee_igual():
    import struct

    cabecera = struct.pack("<HBB", 32, 0xDA, 0x27) + struct.pack("<HHBBBB", 20, 0, 0, 0, 2, 0)
    cabecera += b"CmnD" + bytes(8) + b"x" * 8
    elementos = [
        ("icudt73l/brkitr/cjdict.dict", _elemento_icu(b"d" * 50)),
        ("icudt73l/coll/de__PHONEBOOK.res", _elemento_icu(b"p")),
        ("icudt73l/coll/es.res", _elemento_icu(b"e" * 7)),
        ("icudt73l/coll/root.res", _elemento_icu(b"r" * 3)),
        ("icudt73l/coll/ucadata.icu", _elemento_icu(b"u" * 99)),
        ("icudt73l/en_GB.res", _elemento_icu(b"g")),
        ("icudt73l/ibm-943_P15A-2003.cnv", _elemento_icu(b"c" * 17)),
        ("icudt73l/metaZones.res", _elemento_icu(b"m")),
        ("icudt73l/sr_Latn_BA.res", _elemento_icu(b"s")),
        ("icudt73l/translit/root.res", _elemento_icu(b"t")),
        ("icudt73l/zh.res", _elemento_icu(b"z" * 5)),
        ("icudt73l/zone/es_MX.res", _elemento_icu(b"x" * 2)),
    ]
    paquete = bundle_apoyo.escribir_paquete_icu(cabecera, elementos)
    assert bundle_apoyo.leer_paquete_icu(paquete) == (cabecera, elementos)
    conservados = [(n, c) for n, c in elementos if bundle_apoyo.conservar_dato_icu(n)]
    assert [n.split("/", 1)[1] for n, _ in conservados] == [
        "coll/es.res",
        "coll/root.res",
        "coll/ucadata.icu",
        "en_GB.res",
        "ibm-943_P15A-2003.cnv",
        "metaZones.res",
        "zone/es_MX.res",
    ]
    reducido = bundle_apoyo.escribir_paquete_icu(cabecera, conservados)
    assert bundle_apoyo.leer_paquete_icu(reducido) == (cabecera, conservados)
    for _, contenido in conservados:  # ICU exige los elementos alineados a 16 bytes
        assert reducido.index(contenido) % 16 == 0
    with pytest.raises(ValueError, match="no es un paquete"):
        bundle_apoyo.leer_paquete_icu(b"\x90\x00\xda\x27" + bytes(200))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="lector ELF sólo en Linux")
def test_simbolos_importados_de_un_modulo_real():
    import _sqlite3

    importados = bundle_apoyo.simbolos_importados_elf(Path(_sqlite3.__file__).read_bytes())
    assert "sqlite3_open_v2" in importados
    assert "PyInit__sqlite3" not in importados  # lo define, no lo importa
    assert bundle_apoyo.simbolos_importados_elf(b"no es un elf") == []
