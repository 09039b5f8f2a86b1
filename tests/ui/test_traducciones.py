"""Traducciones: cada traducción conserva los huecos de su original, no falta ninguna, el .qm
se genera de su .ts (nunca se versiona) y la aplicación carga el inglés."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from ui import recursos, traduccion

RAIZ = Path(__file__).resolve().parents[2]
TS = RAIZ / "ui" / "datos" / "traducciones" / "sincro_en.ts"
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
            contexto,
            origen,
            destino,
        )
        assert len(ATAJO.findall(origen)) == len(ATAJO.findall(destino)), (contexto, origen)
        vistos += 1
    assert vistos > 150


def test_ninguna_traduccion_sin_terminar():
    pendientes = [
        (c, o)
        for c, o, t in mensajes()
        if t.get("type") in ("unfinished", "vanished", "obsolete") or not t.text
    ]
    assert pendientes == []


def test_todos_los_textos_de_ui_estan_en_el_ts(tmp_path):
    copia = tmp_path / "sincro_en.ts"
    shutil.copy(TS, copia)
    fuentes = sorted(str(p) for p in (RAIZ / "ui").rglob("*.py"))
    subprocess.run(
        [str(BIN / "pyside6-lupdate"), *fuentes, "-ts", str(copia)], check=True, capture_output=True
    )
    nuevos = [(c, o) for c, o, t in mensajes(copia) if t.get("type") == "unfinished"]
    assert nuevos == [], "Textos sin traducir: ejecuta resources/generar.py y traduce el .ts"


def test_el_qm_se_genera_del_ts_y_no_se_versiona(tmp_path):
    """El .qm que carga Qt sale de su .ts: si el de junto al .ts falta o es más viejo, se
    compila en la caché con la huella del .ts; ningún .qm está en git."""
    versionados = subprocess.run(
        ["git", "ls-files", "*.qm", "ui/recursos_rc.py"],
        cwd=RAIZ,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert versionados == ""
    junto = TS.with_suffix(".qm")
    compilada = recursos.qm("en", cache=tmp_path)
    if compilada == junto:  # make setup lo compiló y sigue al día
        assert junto.stat().st_mtime >= TS.stat().st_mtime
    else:
        assert compilada.parent == tmp_path
    recompilada = recursos.compilar(TS, tmp_path / "otra.qm")
    assert recompilada.read_bytes() == compilada.read_bytes()
    assert recursos.qm("xx", cache=tmp_path) is None


def test_un_ts_mas_nuevo_que_su_qm_se_recompila(tmp_path, monkeypatch):
    traducciones = tmp_path / "traducciones"
    traducciones.mkdir()
    ts = traducciones / "sincro_en.ts"
    ts.write_bytes(TS.read_bytes())
    viejo = ts.with_suffix(".qm")
    viejo.write_bytes(b"viejo")
    os.utime(viejo, (1, 1))
    monkeypatch.setattr(recursos, "TRADUCCIONES", traducciones)
    compilada = recursos.qm("en", cache=tmp_path / "cache")
    assert compilada != viejo and compilada.read_bytes().startswith(b"\x3c\xb8\x64\x18")


def test_ingles_se_carga_desde_los_recursos(qapp):
    try:
        assert traduccion.instalar("en") == "en"
        assert QCoreApplication.translate("Bandeja", "Abrir Sincro") == "Open Sincro"
        assert QCoreApplication.translate("DialogoConflicto", "Esta terminal") == "This terminal"
        assert (
            QCoreApplication.translate("Bandeja", "%n ventas ({importe}) pendientes")
            .format(importe="€1.00")
            .replace("%n", "3")
            == "3 sales (€1.00) pending"
        )
    finally:
        traduccion.instalar("es")
    assert QCoreApplication.translate("Bandeja", "Abrir Sincro") == "Abrir Sincro"
    with pytest.raises(ValueError, match="no soportado"):
        traduccion.instalar("fr")


def test_etiquetas_de_campo_y_recuento_de_la_cola_en_ingles(qapp):
    """Las etiquetas que sirve la central (en su idioma) y la cola contada en ventas pasan por
    la traducción; una etiqueta desconocida se muestra tal cual, nunca el nombre técnico."""
    from ui import etiquetas
    from ui.pestanas.estado import texto_clases

    servidas = {"codigo": "Código EAN-13", "precio_unitario": "Precio unitario"}
    try:
        traduccion.instalar("en")
        assert etiquetas.etiqueta("codigo", servidas) == "EAN-13 code"
        assert etiquetas.etiqueta("precio_unitario", servidas) == "Unit price"
        assert etiquetas.etiqueta("color_preferido", {}) == "Color preferido"
        assert texto_clases({"ventas": 2, "ajustes": 1}) == "2 sales · 1 stock adjustment"
        assert texto_clases({}) == "nothing"
    finally:
        traduccion.instalar("es")
    assert etiquetas.etiqueta("codigo", servidas) == "Código EAN-13"
    assert etiquetas.etiqueta("codigo", {}) == "Codigo"
    assert texto_clases({"ventas": 1, "cambios": 3}) == "1 venta · 3 cambios del catálogo"
