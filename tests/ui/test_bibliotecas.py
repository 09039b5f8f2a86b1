"""``sincro autodiagnostico`` nombra los paquetes del sistema que le faltan a Qt (no el
engañoso «xcb-cursor0» de Qt). Con ``ldd`` real sobre el plugin real y, para fijar la salida,
con un ``ldd`` del sistema sustituido en el PATH."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from agente.soporte import diagnostico
from ui import bibliotecas

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sólo Linux")


def test_con_ldd_real_nombra_exactamente_lo_que_falta():
    qt = bibliotecas.carpeta_qt()
    plugin = qt / "plugins" / "platforms" / "libqxcb.so"
    salida = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True).stdout
    esperados = {
        bibliotecas.PAQUETES.get(s, s)
        for s in re.findall(r"^\s*(\S+) => not found", salida, re.MULTILINE)
        if not s.startswith("libQt6")
    }
    faltan = bibliotecas.paquetes_que_faltan()
    assert len(faltan) == len(set(faltan))  # sin repetir
    assert esperados <= set(faltan)


@pytest.fixture
def ldd_falso(tmp_path, monkeypatch):
    ldd = tmp_path / "bin" / "ldd"
    ldd.parent.mkdir()
    ldd.write_text(
        "#!/bin/sh\n"
        "echo '\tlibxcb-cursor.so.0 => /lib/libxcb-cursor.so.0 (0x1)'\n"
        "echo '\tlibxcb-icccm.so.4 => not found'\n"
        "echo '\tlibxcb-keysyms.so.1 => not found'\n"
        "echo '\tlibrara.so.7 => not found'\n"
    )
    ldd.chmod(0o755)
    monkeypatch.setenv("PATH", f"{ldd.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    return ldd


def test_paquetes_por_nombre_y_orden_para_instalar(ldd_falso):
    assert bibliotecas.paquetes_que_faltan() == ["libxcb-icccm4", "libxcb-keysyms1", "librara.so.7"]
    texto = bibliotecas.explicar_faltan()
    assert "libxcb-icccm4 libxcb-keysyms1" in texto
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 librara.so.7" in texto
    assert "xcb-cursor0" not in texto


def test_autodiagnostico_lo_dice_en_su_comprobacion_de_qt(ldd_falso):
    comprobacion = diagnostico.comprobar_qt()
    assert not comprobacion.ok
    assert "libxcb-icccm4 libxcb-keysyms1" in comprobacion.detalle


def test_sin_xcb_no_se_mira(ldd_falso, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert bibliotecas.explicar_faltan() == ""
    assert Path(bibliotecas.carpeta_qt(), "plugins").is_dir()
