"""Autodiagnóstico y paquete de soporte con ficheros, llavero y procesos reales."""

import datetime as dt
import json
import socket
import zipfile

import keyring
import pytest
from keyring.backends import fail

from agente.sincronizacion import credenciales
from agente.sincronizacion.cliente import Salud
from agente.soporte import configuracion, diagnostico, registro, rutas
from tests.soporte.corromper import crear_cola, estropear_paginas, paginas_de_tabla

TOKEN = "tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0ffee"


def _puerto_cerrado():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _configurar(datos, servidor, token=TOKEN, terminal="caja-1"):
    config = configuracion.Configuracion(servidor=servidor, tienda="T001", terminal=terminal)
    configuracion.guardar(datos, config)
    if token:
        credenciales.guardar_token(datos, terminal, token)
    return config


def _por_nombre(comprobaciones):
    return {c.nombre: c for c in comprobaciones}


def test_terminal_sin_configurar(tmp_path):
    datos = tmp_path / "datos"
    c = _por_nombre(diagnostico.ejecutar(datos))
    assert c["directorio de datos"].ok
    assert c["integridad cola.sqlite"].ok and c["integridad cache.sqlite"].ok
    assert not c["llavero"].ok and "no está configurada" in c["llavero"].detalle
    assert not c["central"].ok and "sincro configurar" in c["central"].pista
    assert not c["reloj"].ok
    assert c["Qt (plugin de plataforma)"].ok, c["Qt (plugin de plataforma)"].detalle
    assert "offscreen" in c["Qt (plugin de plataforma)"].detalle


def test_central_caida_da_fail_con_pista(tmp_path):
    datos = tmp_path / "datos"
    _configurar(datos, f"http://127.0.0.1:{_puerto_cerrado()}/sincro")
    c = _por_nombre(diagnostico.ejecutar(datos, con_qt=False))
    assert c["llavero"].ok and "caja-1" in c["llavero"].detalle
    assert not c["central"].ok and "cortafuegos" in c["central"].pista
    assert TOKEN not in c["central"].detalle


def test_sin_token_en_el_llavero(tmp_path):
    datos = tmp_path / "datos"
    _configurar(datos, "https://central.ejemplo/sincro", token=None)
    llavero = _por_nombre(diagnostico.ejecutar(datos, con_qt=False))["llavero"]
    assert not llavero.ok and "SinToken" in llavero.detalle


def test_llavero_inutilizable(tmp_path):
    anterior = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        llavero = diagnostico.comprobar_llavero(tmp_path, "caja-1")
    finally:
        keyring.set_keyring(anterior)
    assert not llavero.ok and "SinLlavero" in llavero.detalle
    assert "PYTHON_KEYRING_BACKEND" in llavero.pista


def test_cola_corrupta_da_fail_y_no_se_toca(tmp_path):
    cola = rutas.ruta_cola(tmp_path)
    crear_cola(cola, 1000)
    estropear_paginas(cola, paginas_de_tabla(cola, "operaciones")[4:6])
    antes = cola.read_bytes()
    c = _por_nombre(diagnostico.ejecutar(tmp_path, con_qt=False))
    assert not c["integridad cola.sqlite"].ok
    assert "NO borre" in c["integridad cola.sqlite"].pista
    assert cola.read_bytes() == antes  # el autodiagnóstico sólo mira


def test_directorio_imposible(tmp_path):
    fichero = tmp_path / "soy-un-fichero"
    fichero.write_text("x")
    directorio = diagnostico.comprobar_directorio(fichero / "datos")
    assert not directorio.ok and "permiso" in directorio.pista


def test_qt_con_plataforma_inexistente_falla(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "plataforma-que-no-existe")
    qt = diagnostico.comprobar_qt()
    assert not qt.ok and "libxcb-cursor0" in qt.pista


def test_reloj_desfasado():
    ahora = dt.datetime.now(dt.UTC)
    assert diagnostico.comprobar_reloj(Salud(ahora, 1200, 3)).ok
    lejos = diagnostico.comprobar_reloj(Salud(ahora, -5 * 60_000, 3))
    assert not lejos.ok and "-300.0 s" in lejos.detalle and "timedatectl" in lejos.pista


def test_lineas_ok_fail():
    assert diagnostico.Comprobacion("x", True, "bien").linea() == "[OK] x: bien"
    linea = diagnostico.Comprobacion("y", False, "mal", "haga z").linea()
    assert linea.startswith("[FAIL] y: mal") and "→ haga z" in linea


def test_central_real_todo_ok(tmp_path, request):
    central = request.getfixturevalue("central")
    datos = tmp_path / "datos"
    _configurar(datos, central.url, token=central.token, terminal=central.terminal)
    comprobaciones = diagnostico.ejecutar(datos)
    assert all(c.ok for c in comprobaciones), [c.linea() for c in comprobaciones if not c.ok]


def test_paquete_de_soporte_sin_secretos(tmp_path, monkeypatch):
    monkeypatch.setenv(registro.VARIABLE_ENTORNO, str(tmp_path / "logs"))
    datos = tmp_path / "datos"
    _configurar(datos, f"http://127.0.0.1:{_puerto_cerrado()}/sincro")
    registro.configurar(datos, programa="sincro")
    try:
        registro.registrar_evento("empuje", operaciones=2, email="cliente@ejemplo.es")
    finally:
        registro.desconfigurar()
    # Un registro antiguo escrito sin redacción (p. ej. por otra versión) también se limpia.
    viejo = registro.directorio_registro(datos) / "bandeja.log.1"
    viejo.write_text(f"2026-01-01T00:00:00 INFO x cabecera Token {TOKEN}\n", encoding="utf-8")

    zip_ruta = diagnostico.crear_paquete(
        datos,
        tmp_path / "soporte.zip",
        con_qt=False,
        obtener_estado=lambda: {"pendientes": 3, "terminal": "caja-1", "eco": TOKEN},
    )

    with zipfile.ZipFile(zip_ruta) as zf:
        nombres = set(zf.namelist())
        assert {
            "config.json",
            "estado.json",
            "versiones.json",
            "autodiagnostico.txt",
            "registro/sincro.log",
            "registro/bandeja.log.1",
        } <= nombres
        for nombre in nombres:
            contenido = zf.read(nombre)
            assert TOKEN.encode() not in contenido, nombre
            assert b"cliente@ejemplo.es" not in contenido, nombre
        config = json.loads(zf.read("config.json"))
        assert config["terminal"] == "caja-1" and "token" not in config
        assert json.loads(zf.read("estado.json"))["pendientes"] == 3
        versiones = json.loads(zf.read("versiones.json"))
        assert versiones["sincro"] and versiones["sqlite"] and versiones["python"]
        assert "evento=empuje" in zf.read("registro/sincro.log").decode()
        assert "[FAIL] central" in zf.read("autodiagnostico.txt").decode()
    assert not (tmp_path / "soporte.zip.tmp").exists()


def test_paquete_exige_zip(tmp_path):
    with pytest.raises(diagnostico.ErrorDiagnostico, match=r"\.zip"):
        diagnostico.crear_paquete(tmp_path, tmp_path / "soporte.tar", con_qt=False)
