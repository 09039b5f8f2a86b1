"""Órdenes de soporte de la CLI, ejecutadas por su analizador real (sin la CLI del núcleo)."""

import argparse
import json
import zipfile
from pathlib import Path

import pytest

from agente.cli import soporte
from agente.sincronizacion import credenciales
from agente.soporte import configuracion, registro, rutas
from tests.soporte.corromper import crear_cola, estropear_paginas, paginas_de_tabla


def _ejecutar(*argumentos, datos):
    analizador = argparse.ArgumentParser(prog="sincro")
    analizador.add_argument("--datos")
    soporte.registrar(analizador.add_subparsers(dest="orden", required=True))
    args = analizador.parse_args(["--datos", str(datos), *argumentos])
    return args.funcion(args)


def test_autodiagnostico_sale_con_1_si_algo_falla(tmp_path, capsys):
    assert _ejecutar("autodiagnostico", "--sin-qt", datos=tmp_path) == 1
    salida = capsys.readouterr().out
    assert "[OK] directorio de datos" in salida and "[FAIL] central" in salida
    assert salida.rstrip().splitlines()[-1].endswith("FAIL")


def test_autodiagnostico_json(tmp_path, capsys):
    _ejecutar("autodiagnostico", "--sin-qt", "--json", datos=tmp_path)
    datos = json.loads(capsys.readouterr().out)
    assert {c["nombre"] for c in datos} >= {"llavero", "central", "reloj"}


def test_registro_muestra_las_ultimas_lineas(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(registro.VARIABLE_ENTORNO, str(tmp_path / "logs"))
    registro.configurar(tmp_path, programa="sincro")
    try:
        for i in range(5):
            registro.registrar_evento("ciclo", n=i)
    finally:
        registro.desconfigurar()
    assert _ejecutar("registro", "-n", "2", "--eventos", datos=tmp_path) == 0
    lineas = capsys.readouterr().out.splitlines()
    assert [linea.rsplit("=", 1)[1] for linea in lineas] == ["3", "4"]
    _ejecutar("registro", "--ruta", datos=tmp_path)
    assert capsys.readouterr().out.strip() == str(registro.directorio_registro(tmp_path))


def test_diagnostico_crea_el_zip_con_el_estado_real(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(registro.VARIABLE_ENTORNO, str(tmp_path / "logs"))
    token = "tok-cli-" + "c3" * 20
    configuracion.guardar(
        tmp_path,
        configuracion.Configuracion(
            servidor="http://127.0.0.1:9/sincro", tienda="T001", terminal="caja-3"
        ),
    )
    credenciales.guardar_token(tmp_path, "caja-3", token)
    zip_ruta = tmp_path / "s.zip"
    assert _ejecutar("diagnostico", "--salida", str(zip_ruta), "--sin-qt", datos=tmp_path) == 0
    with zipfile.ZipFile(zip_ruta) as zf:
        assert all(token.encode() not in zf.read(n) for n in zf.namelist())
        estado = json.loads(zf.read("estado.json"))
        assert estado["cola"]["sin_enviar"] == 0 and estado["avisos"] == []


def test_autoarranque_por_la_cli(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    if soporte.autoarranque._plataforma() != "xdg":
        pytest.skip("la ruta XDG se prueba en Linux; la de Windows en test_autoarranque")
    assert _ejecutar("autoarranque", "activar", "--retardo", "7", datos=tmp_path) == 0
    desktop = tmp_path / "cfg" / "autostart" / "sincro.desktop"
    assert "X-GNOME-Autostart-Delay=7" in desktop.read_text()
    _ejecutar("autoarranque", "estado", datos=tmp_path)
    assert "activado" in capsys.readouterr().out
    _ejecutar("autoarranque", "desactivar", datos=tmp_path)
    assert not desktop.exists()


def test_avisos_tras_rescate(tmp_path, capsys):
    cola = rutas.ruta_cola(tmp_path)
    crear_cola(cola, 600)
    estropear_paginas(cola, paginas_de_tabla(cola, "operaciones")[2:3])
    from agente.almacen import recuperacion

    recuperacion.preparar_ficheros(tmp_path)
    _ejecutar("avisos", datos=tmp_path)
    assert "Se rescataron" in capsys.readouterr().out
    _ejecutar("avisos", "--confirmar", datos=tmp_path)
    assert "1 avisos confirmados" in capsys.readouterr().out
    assert recuperacion.avisos_pendientes(tmp_path) == []


def test_desinstalar_se_niega_con_operaciones_sin_enviar(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    from agente.fachada import Agente

    configuracion.guardar(
        tmp_path,
        configuracion.Configuracion(
            servidor="https://central.ejemplo/sincro", tienda="T001", terminal="caja-9"
        ),
    )
    credenciales.guardar_token(tmp_path, "caja-9", "tok-desinstalar-" + "d4" * 10)
    with Agente.abrir(tmp_path) as agente:
        agente.guardar_esquema(
            json.loads(
                (Path(__file__).resolve().parents[1] / "datos" / "esquema_demo.json").read_text()
            )
        )
        agente.ajustar("productos.Producto", "1", "stock", -1)
    soporte.autoarranque.activar(tmp_path, orden=["sincro"], plataforma="xdg")

    assert _ejecutar("desinstalar", datos=tmp_path) == 2
    assert "1 operaciones sin enviar" in capsys.readouterr().err
    assert credenciales.leer_token(tmp_path, "caja-9")  # nada tocado
    assert soporte.autoarranque.estado("xdg").activo

    assert _ejecutar("desinstalar", "--forzar", datos=tmp_path) == 0
    salida = capsys.readouterr().out
    assert "Token de «caja-9» borrado" in salida and str(tmp_path) in salida
    with pytest.raises(credenciales.SinToken):
        credenciales.leer_token(tmp_path, "caja-9")
    assert not soporte.autoarranque.estado("xdg").activo
    assert rutas.ruta_cola(tmp_path).exists()  # los datos nunca se borran
