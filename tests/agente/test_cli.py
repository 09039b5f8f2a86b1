"""CLI ``sincro`` (órdenes del motor): salida, ``--json``, ``--datos``/``SINCRO_DATOS`` y
entradas malas (una línea, código distinto de cero, nada encolado)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agente.cli import main
from agente.fachada import Agente
from tests.sincronizacion.terminales import orden_ajustar

RAIZ = Path(__file__).resolve().parents[2]
DEMO = RAIZ / "tests" / "datos" / "esquema_demo.json"
PRODUCTO = "productos.Producto"
CODIGO = "import sys; from agente.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.fixture(autouse=True)
def traza_completa(monkeypatch):
    """En estas pruebas un fallo interno de la CLI sale con su traza (``SINCRO_TRAZA``), no
    convertido en la línea de error para el usuario. Los procesos hijos lo heredan salvo que
    la prueba lo quite."""
    monkeypatch.setenv("SINCRO_TRAZA", "1")


@pytest.fixture
def datos(datos_dir):
    assert main(["--datos", str(datos_dir), "esquema", "--cargar", str(DEMO)]) == 0
    with Agente.abrir(datos_dir) as agente:
        agente.cache.aplicar_pagina(
            "productos.Producto",
            [
                {
                    "id": "1",
                    "version": 1,
                    "datos": {
                        "id": 1,
                        "nombre": "Agua mineral",
                        "codigo": "8401",
                        "precio": "0.60",
                        "stock": 10,
                        "categoria": None,
                    },
                },
            ],
            "1",
            completo=True,
        )
    return datos_dir


def sincro(datos, *argumentos):
    return main(["--datos", str(datos), *argumentos])


def test_encolar_imprime_el_uuid_y_la_cola_lo_muestra(datos, capsys):
    capsys.readouterr()
    assert sincro(datos, *orden_ajustar("1", -2)) == 0
    uuid = capsys.readouterr().out.strip()
    assert len(uuid) == 36
    assert sincro(datos, "cola", "--json") == 0
    (op,) = json.loads(capsys.readouterr().out)
    assert (op["uuid"], op["estado"], op["datos"], op["valores_base"]) == (
        uuid,
        "PENDIENTE",
        {"stock": -2},
        {"stock": 10},
    )
    assert sincro(datos, "cola", "--estado", "completado") == 0
    assert "No hay operaciones COMPLETADO" in capsys.readouterr().out
    assert sincro(datos, "obtener", "productos.Producto", "1", "--json") == 0
    assert json.loads(capsys.readouterr().out)["stock"] == 8


def test_buscar_y_estado(datos, capsys):
    capsys.readouterr()
    assert sincro(datos, "buscar", "agu", "--json") == 0
    (resultado,) = json.loads(capsys.readouterr().out)
    assert resultado["id"] == "1" and resultado["datos"]["nombre"] == "Agua mineral"
    assert sincro(datos, "buscar", "8401") == 0
    assert "Agua mineral" in capsys.readouterr().out
    assert sincro(datos, "estado", "--json") == 0
    estado = json.loads(capsys.readouterr().out)
    assert estado["directorio"] == str(datos)
    assert estado["modelos"]["productos.Producto"]["filas"] == 1
    assert sincro(datos, "estado") == 0
    salida = capsys.readouterr().out
    assert "Lista para vender sin conexión: no" in salida and "productos.Producto" in salida


def _op(tipo: str, datos: str, modelo: str = PRODUCTO, objeto: str | None = "1") -> list[str]:
    """Argumentos de ``sincro encolar`` para una operación."""
    objeto_args = [] if objeto is None else ["--objeto", objeto]
    return ["--modelo", modelo, "--tipo", tipo, *objeto_args, "--datos", datos]


@pytest.mark.parametrize(
    ("argumentos", "mensaje"),
    [
        (_op("ajustar", '{"stock": 1}', modelo="productos.Nada"), "Modelo desconocido"),
        (_op("actualizar", '{"id": 3}'), "no se puede escribir"),
        (_op("ajustar", "{stock: 1}"), "no es JSON válido"),
        (_op("ajustar", "[1]"), "objeto JSON"),
        (_op("ajustar", '{"stock": "dos"}'), "espera un entero"),
        (_op("vender", '{"stock": 1}'), "Tipo de operación desconocido"),
        (_op("ajustar", '{"stock": 1}', objeto=None), "Indique el objeto"),
        (_op("ajustar", "[" * 100000), "--datos anida más de 100 listas u objetos"),
        (
            _op("actualizar", '{"nombre": ' + "[" * 101 + "]" * 101 + "}"),
            "--datos anida más de 100 listas u objetos",
        ),
        (_op("actualizar", '{"nombre": "agua \\ud800"}'), "«nombre»"),
    ],
)
def test_entrada_mala(datos, capsys, argumentos, mensaje):
    capsys.readouterr()
    assert sincro(datos, "encolar", *argumentos) == 2
    salida = capsys.readouterr()
    assert salida.out == ""
    lineas = salida.err.strip().splitlines()
    assert len(lineas) == 1 and lineas[0].startswith("sincro: error: ") and mensaje in lineas[0]
    with Agente.abrir(datos) as agente:
        assert agente.cola() == []


def test_esquema_malo_desde_fichero(datos_dir, tmp_path, capsys):
    malo = tmp_path / "malo.json"
    malo.write_text('{"version_protocolo": 1, "modelos": {"a.B": {"campos_esenciales": []}}}')
    assert main(["--datos", str(datos_dir), "esquema", "--cargar", str(malo)]) == 2
    assert "campos_esenciales" in capsys.readouterr().err
    assert main(["--datos", str(datos_dir), "esquema", "--cargar", str(tmp_path / "no")]) == 2
    capsys.readouterr()
    for contenido, mensaje in (
        (b"[" * 100000, "anida más de 100"),
        (b'{"version_protocolo": 1, "modelos": {"\\udfff": {}}}', "\\udfff"),
        ('{"modelos": "café"}'.encode("latin-1"), "no está en UTF-8 (byte 0xe9"),
    ):
        malo.write_bytes(contenido)
        assert main(["--datos", str(datos_dir), "esquema", "--cargar", str(malo)]) == 2
        (linea,) = capsys.readouterr().err.splitlines()
        assert linea.startswith(f"sincro: error: {malo}") and mensaje in linea
    with Agente.abrir(datos_dir) as agente:
        assert agente.esquema() is None


def _sincro_real(*argumentos, entorno=None, **opciones):
    """La CLI en un proceso aparte (con este árbol en PYTHONPATH). Los argumentos pueden ser
    bytes (se pasan tal cual a la línea de órdenes)."""
    return subprocess.run(
        [sys.executable, "-c", CODIGO, *argumentos],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(RAIZ), **(entorno or {})},
        **opciones,
    )


def _una_linea_de_error(resultado, codigo: int) -> str:
    stderr = resultado.stderr.decode("utf-8", "backslashreplace")
    assert resultado.returncode == codigo, stderr
    assert resultado.stdout == b""
    lineas = stderr.splitlines()
    assert len(lineas) == 1, stderr
    assert lineas[0].startswith("sincro: error: ")
    return lineas[0]


def _encolar(*extra):
    return ["encolar", "--modelo", PRODUCTO, "--objeto", "1", *extra]


@pytest.mark.parametrize(
    ("argumentos", "mensaje"),
    [
        pytest.param(
            _encolar("--tipo", "ajustar", "--datos", "[" * 100000),
            "--datos anida más de 100 listas u objetos",
            id="json-anidado",
        ),
        pytest.param(
            _encolar("--tipo", "actualizar", "--datos", '{"nombre": "\\ud800"}'),
            "(\\ud800, un sustituto UTF-16 suelto) en «nombre»",
            id="sustituto-suelto",
        ),
        pytest.param(
            _encolar("--tipo", "actualizar", "--datos", '{"nombre": ["ok", {"\\udfff": 1}]}'),
            "(\\udfff, un sustituto UTF-16 suelto) en «nombre[1].\\udfff»",
            id="sustituto-en-clave",
        ),
        pytest.param(
            _encolar("--tipo", "actualizar", "--datos", b'{"nombre": "caf\xe9"}'),
            "--datos: no es UTF-8 válido (byte 0xe9)",
            id="datos-no-utf8",
        ),
        pytest.param(
            ["buscar", b"caf\xe9"],
            "texto: no es UTF-8 válido (byte 0xe9)",
            id="texto-no-utf8",
        ),
        pytest.param(
            _encolar("--tipo", "ajustar", "--datos", '{"stock": 1}', "--prioridad", "x"),
            "--prioridad: 'x' no es un entero — use «sincro encolar --help»",
            id="prioridad-no-entera",
        ),
        pytest.param(
            ["cola", "--estado", "foo"],
            "--estado: 'FOO' no es una opción válida (elija entre 'PENDIENTE',",
            id="estado-desconocido",
        ),
        pytest.param(
            ["encolar", "--tipo", "ajustar"],
            "faltan argumentos obligatorios: --modelo — use «sincro encolar --help»",
            id="falta-modelo",
        ),
        pytest.param(
            ["facturar"],
            "ORDEN: 'facturar' no es una opción válida (elija entre 'encolar',",
            id="orden-desconocida",
        ),
        pytest.param(
            ["--nada", "cola"],
            "argumentos no reconocidos: --nada — use «sincro --help»",
            id="opcion-desconocida",
        ),
    ],
)
def test_entrada_mala_en_un_proceso_real(datos, argumentos, mensaje):
    """Lo que teclea el encargado, tal cual: una línea que dice qué corregir, código 2, nada
    encolado (ni trazas de Python ni el «usage» de argparse)."""
    resultado = _sincro_real("--datos", str(datos), *argumentos)
    assert mensaje in _una_linea_de_error(resultado, 2)
    with Agente.abrir(datos) as agente:
        assert agente.cola() == []


def test_la_ayuda_sigue_entera():
    resultado = _sincro_real("encolar", "--help", text=True)
    assert resultado.returncode == 0 and resultado.stderr == ""
    assert resultado.stdout.startswith("usage: sincro encolar [-h] --modelo MODELO")
    assert "--prioridad PRIORIDAD" in resultado.stdout and "Ejemplo: sincro encolar" in (
        " ".join(resultado.stdout.split())
    )


def test_config_json_roto_da_una_linea(datos):
    (datos / "config.json").write_text("{", encoding="utf-8")
    linea = _una_linea_de_error(_sincro_real("--datos", str(datos), "estado"), 2)
    assert "config.json no es JSON válido" in linea and "sincro configurar" in linea


def test_fallo_interno_una_linea_y_la_traza_en_el_registro(datos):
    """Un fallo que la CLI no prevé (aquí: la salida estándar cerrada, así que ``sys.stdout``
    es ``None`` y escribir el JSON lanza AttributeError) da una línea con el tipo de error y
    dónde está la traza, código 1; la traza completa va al registro. Con ``SINCRO_TRAZA=1``
    sale la traza de Python."""
    from agente.soporte import registro

    cerrar_stdout = ["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-c", CODIGO]
    argumentos = ["--datos", str(datos), "estado", "--json"]
    sin_traza = {k: v for k, v in os.environ.items() if k != "SINCRO_TRAZA"}
    resultado = subprocess.run(
        [*cerrar_stdout, *argumentos],
        capture_output=True,
        env={**sin_traza, "PYTHONPATH": str(RAIZ)},
    )
    fichero = registro.directorio_registro(datos) / "sincro.log"
    linea = _una_linea_de_error(resultado, 1)
    assert "fallo interno en «sincro estado» (AttributeError:" in linea
    assert f"la traza está en {fichero}" in linea
    texto = fichero.read_text(encoding="utf-8")
    assert "Fallo interno en «sincro estado»" in texto
    assert "Traceback (most recent call last)" in texto and "in orden_estado" in texto

    con_traza = subprocess.run(
        [*cerrar_stdout, *argumentos],
        capture_output=True,
        text=True,
        env={**sin_traza, "PYTHONPATH": str(RAIZ), "SINCRO_TRAZA": "1"},
    )
    assert con_traza.returncode == 1
    assert "Traceback (most recent call last)" in con_traza.stderr
    assert con_traza.stderr.rstrip().endswith("'NoneType' object has no attribute 'write'")


def test_ejecutable_real_con_sincro_datos_y_version(datos, tmp_path):
    """``SINCRO_DATOS`` (sin ``--datos``) elige el directorio: lo encolado ahí se lista con la
    misma variable, no desde otro directorio ni desde el de usuario por defecto; ``--datos``
    manda sobre la variable."""
    otro = tmp_path / "otro"
    assert main(["--datos", str(otro), "esquema", "--cargar", str(DEMO)]) == 0
    usuario = tmp_path / "usuario"  # XDG_DATA_HOME: el directorio por defecto, si se ignorase
    entorno = {"SINCRO_DATOS": str(datos), "XDG_DATA_HOME": str(usuario)}

    def sincro_con(variable, *argumentos):
        resultado = _sincro_real(
            *argumentos, entorno={**entorno, "SINCRO_DATOS": str(variable)}, text=True
        )
        assert resultado.returncode == 0, resultado.stderr
        return resultado.stdout

    assert sincro_con(datos, "--version").startswith("sincro 0.")
    uuid = sincro_con(datos, *orden_ajustar("1", -2)).strip()
    assert len(uuid) == 36
    assert [op["uuid"] for op in json.loads(sincro_con(datos, "cola", "--json"))] == [uuid]
    assert json.loads(sincro_con(otro, "cola", "--json")) == []
    assert json.loads(sincro_con(datos, "--datos", str(otro), "cola", "--json")) == []
    with Agente.abrir(datos) as agente:
        assert [op.uuid for op in agente.cola()] == [uuid]
    with Agente.abrir(otro) as agente:
        assert agente.cola() == []
    assert not (usuario / "sincro").exists()
    nuevo = tmp_path / "nuevo"
    assert "La cola está vacía." in sincro_con(nuevo, "cola")
    assert (nuevo / "cola.sqlite").is_file() and (nuevo / "cache.sqlite").is_file()
    assert not (usuario / "sincro").exists()

    malo = _sincro_real(
        "encolar", "--modelo", "x", "--tipo", "ajustar", "--datos", "{", entorno=entorno
    )
    assert "no es JSON válido" in _una_linea_de_error(malo, 2)
