"""CLI ``sincro`` (órdenes del motor): salida, ``--json``, ``--datos``/``SINCRO_DATOS`` y
entradas malas (una línea, código distinto de cero, nada encolado)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agente.agente import Agente
from agente.cli import main

RAIZ = Path(__file__).resolve().parents[2]
DEMO = RAIZ / "tests" / "datos" / "esquema_demo.json"


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
    assert (
        sincro(
            datos,
            "encolar",
            "--modelo",
            "productos.Producto",
            "--tipo",
            "ajustar",
            "--objeto",
            "1",
            "--datos",
            '{"stock": -2}',
        )
        == 0
    )
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


@pytest.mark.parametrize(
    ("argumentos", "mensaje"),
    [
        (
            [
                "--modelo",
                "productos.Nada",
                "--tipo",
                "ajustar",
                "--objeto",
                "1",
                "--datos",
                '{"stock": 1}',
            ],
            "Modelo desconocido",
        ),
        (
            [
                "--modelo",
                "productos.Producto",
                "--tipo",
                "actualizar",
                "--objeto",
                "1",
                "--datos",
                '{"id": 3}',
            ],
            "no se puede escribir",
        ),
        (
            [
                "--modelo",
                "productos.Producto",
                "--tipo",
                "ajustar",
                "--objeto",
                "1",
                "--datos",
                "{stock: 1}",
            ],
            "no es JSON válido",
        ),
        (
            [
                "--modelo",
                "productos.Producto",
                "--tipo",
                "ajustar",
                "--objeto",
                "1",
                "--datos",
                "[1]",
            ],
            "objeto JSON",
        ),
        (
            [
                "--modelo",
                "productos.Producto",
                "--tipo",
                "ajustar",
                "--objeto",
                "1",
                "--datos",
                '{"stock": "dos"}',
            ],
            "espera un entero",
        ),
        (
            [
                "--modelo",
                "productos.Producto",
                "--tipo",
                "vender",
                "--objeto",
                "1",
                "--datos",
                '{"stock": 1}',
            ],
            "Tipo de operación desconocido",
        ),
        (
            ["--modelo", "productos.Producto", "--tipo", "ajustar", "--datos", '{"stock": 1}'],
            "Indique el objeto",
        ),
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


def test_ejecutable_real_con_sincro_datos_y_version(datos):
    entorno = {**os.environ, "SINCRO_DATOS": str(datos), "PYTHONPATH": str(RAIZ)}
    codigo = "import sys; from agente.cli import main; sys.exit(main(sys.argv[1:]))"
    version = subprocess.run(
        [sys.executable, "-c", codigo, "--version"],
        capture_output=True,
        text=True,
        env=entorno,
        check=True,
    )
    assert version.stdout.startswith("sincro 0.")
    cola = subprocess.run(
        [sys.executable, "-c", codigo, "cola"],
        capture_output=True,
        text=True,
        env=entorno,
        check=True,
    )
    assert "La cola está vacía." in cola.stdout
    malo = subprocess.run(
        [
            sys.executable,
            "-c",
            codigo,
            "encolar",
            "--modelo",
            "x",
            "--tipo",
            "ajustar",
            "--datos",
            "{",
        ],
        capture_output=True,
        text=True,
        env=entorno,
    )
    assert malo.returncode == 2 and malo.stderr.count("\n") == 1
