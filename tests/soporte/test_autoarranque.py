"""Arranque automático: el .desktop XDG real (y su Exec ejecutado de verdad), el .vbs de Windows."""

import configparser
import re
import subprocess
import sys

import pytest

from agente.soporte import autoarranque


@pytest.fixture
def xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "autostart" / "sincro.desktop"


def _leer_desktop(ruta):
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(ruta, encoding="utf-8")
    return parser["Desktop Entry"]


def test_activar_estado_desactivar_xdg(xdg, tmp_path):
    assert not autoarranque.estado("xdg").activo
    ruta = autoarranque.activar(tmp_path / "datos caja", retardo=20, plataforma="xdg")
    assert ruta == xdg and autoarranque.estado("xdg").activo
    entrada = _leer_desktop(xdg)
    assert entrada["Type"] == "Application" and entrada["X-GNOME-Autostart-Delay"] == "20"
    assert entrada["Exec"].startswith("sh -c ") and "sleep 20; exec " in entrada["Exec"]
    assert "--datos" in entrada["Exec"] and "datos caja" in entrada["Exec"]
    assert autoarranque.desactivar("xdg") is True
    assert not xdg.exists() and autoarranque.desactivar("xdg") is False


def test_exec_del_desktop_lanza_la_orden_de_verdad(xdg, tmp_path):
    """Se ejecuta la línea Exec tal como la leería el escritorio (con comillas y espacios)."""
    marca = tmp_path / "con espacio 'y comillas'" / "arrancado.txt"
    marca.parent.mkdir()
    orden = [
        sys.executable,
        "-c",
        "import sys; open(sys.argv[1], 'w').write('ok $HOME')",
        str(marca),
    ]
    autoarranque.activar(retardo=0, orden=orden, plataforma="xdg")
    linea = _leer_desktop(xdg)["Exec"]
    assert linea.startswith("sh -c ")
    # Regla de cadenas de la especificación (\\ -> \) y después las comillas, que siguen las
    # reglas de las comillas dobles de sh: se la damos a sh tal cual.
    linea = re.sub(
        r"\\([\\snrt])",
        lambda m: {"s": " ", "n": "\n", "r": "\r", "t": "\t"}.get(m.group(1), m.group(1)),
        linea,
    )
    subprocess.run(["sh", "-c", "exec " + linea], check=True, timeout=60)
    assert marca.read_text() == "ok $HOME"


def test_orden_por_defecto_incluye_datos(tmp_path):
    orden = autoarranque.orden_por_defecto(tmp_path / "d")
    assert orden[-2:] == ["--datos", str((tmp_path / "d").resolve())]
    assert "sincro" in orden[0] or orden[1:3] == ["-m", "lanzador"]


def test_retardo_fuera_de_rango(xdg):
    with pytest.raises(ValueError, match="retardo"):
        autoarranque.activar(retardo=-1, orden=["x"], plataforma="xdg")


def test_ruta_windows_en_la_carpeta_inicio():
    ruta = autoarranque.ruta_windows({"APPDATA": r"C:\Users\caja\AppData\Roaming"})
    assert ruta.parts[-4:] == ("Windows", "Start Menu", "Programs", "Startup", "sincro.vbs")[-4:]
    assert ruta.name == "sincro.vbs"
    with pytest.raises(RuntimeError, match="APPDATA"):
        autoarranque.ruta_windows({})


def test_vbs_espera_y_lanza_sin_ventana():
    texto = autoarranque.contenido_vbs(
        [r"C:\Program Files\Sincro\sincro.exe", "--datos", r"C:\Datos caja"], retardo=30
    )
    assert "WScript.Sleep 30000\r\n" in texto
    assert (
        'CreateObject("WScript.Shell").Run """C:\\Program Files\\Sincro\\sincro.exe"" '
        '""--datos"" ""C:\\Datos caja""", 0, False\r\n'
    ) in texto
    with pytest.raises(ValueError, match="comillas"):
        autoarranque.contenido_vbs(['C:\\a"b'])


def test_activar_windows_con_appdata_temporal(tmp_path, monkeypatch):
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    ruta = autoarranque.activar(orden=["C:\\sincro.exe"], retardo=5, plataforma="windows")
    assert ruta.read_bytes().count(b"\r\n") == 3
    assert autoarranque.estado("windows").activo
    assert autoarranque.desactivar("windows")
