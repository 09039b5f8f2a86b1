"""Traducciones: cada traducción conserva los huecos de su original, no falta ninguna, el .qm
está al día con el .ts y la aplicación carga el inglés desde los recursos Qt."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from ui import traduccion

RAIZ = Path(__file__).resolve().parents[2]
TS = RAIZ / "resources" / "traducciones" / "sincro_en.ts"
BIN = Path(sys.executable).parent
HUECOS = re.compile(r"\{[a-z_]*\}|%n|%\d")
ATAJO = re.compile(r"&(?=\w)")


def mensajes(ruta: Path = TS):
    # Fichero propio del repositorio, no datos ajenos.
    for contexto in ET.parse(ruta).getroot().iter("context"):  # noqa: S314
        nombre = contexto.find("name").text
        for m in contexto.iter("message"):
            yield nombre, m.find("source").text, m.find("translation")


def test_cada_traduccion_conserva_los_huecos_y_el_atajo():
    vistos = 0
    for contexto, origen, traduccion_xml in mensajes():
        destino = traduccion_xml.text or ""
        assert sorted(HUECOS.findall(origen)) == sorted(HUECOS.findall(destino)), (
            contexto, origen, destino)
        assert len(ATAJO.findall(origen)) == len(ATAJO.findall(destino)), (contexto, origen)
        vistos += 1
    assert vistos > 150


def test_ninguna_traduccion_sin_terminar():
    pendientes = [(c, o) for c, o, t in mensajes()
                  if t.get("type") in ("unfinished", "vanished", "obsolete") or not t.text]
    assert pendientes == []


def test_todos_los_textos_de_ui_estan_en_el_ts(tmp_path):
    copia = tmp_path / "sincro_en.ts"
    shutil.copy(TS, copia)
    fuentes = sorted(str(p) for p in (RAIZ / "ui").rglob("*.py") if p.name != "recursos_rc.py")
    subprocess.run([str(BIN / "pyside6-lupdate"), *fuentes, "-ts", str(copia)], check=True,
                   capture_output=True)
    nuevos = [(c, o) for c, o, t in mensajes(copia) if t.get("type") == "unfinished"]
    assert nuevos == [], "Textos sin traducir: ejecuta resources/generar.py y traduce el .ts"


def test_qm_compilado_al_dia(tmp_path):
    qm = tmp_path / "sincro_en.qm"
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(qm)], check=True,
                   capture_output=True)
    assert qm.read_bytes() == (TS.with_suffix(".qm")).read_bytes()


def test_ingles_se_carga_desde_los_recursos(qapp):
    try:
        assert traduccion.instalar("en") == "en"
        assert QCoreApplication.translate("Bandeja", "Abrir Sincro") == "Open Sincro"
        assert QCoreApplication.translate("DialogoConflicto", "Esta terminal") == "This terminal"
        assert QCoreApplication.translate(
            "Bandeja", "%n ventas ({importe}) pendientes").format(
                importe="€1.00").replace("%n", "3") == "3 sales (€1.00) pending"
    finally:
        traduccion.instalar("es")
    assert QCoreApplication.translate("Bandeja", "Abrir Sincro") == "Abrir Sincro"
    with pytest.raises(ValueError, match="no soportado"):
        traduccion.instalar("fr")
