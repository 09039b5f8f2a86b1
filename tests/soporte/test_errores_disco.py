"""Disco lleno, de sólo lectura o sin permiso: una línea en castellano que nombra la carpeta y
dice qué hacer, sin trazas (tampoco del registro), y nada perdido ni dado por hecho.

Con un tmpfs pequeño de verdad (hace falta ser root para montarlo; si no, se saltan) y un
proceso real sin privilegios (``setpriv``) para el permiso denegado."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sincronizacion.terminales import (
    EXISTENCIA,
    SINCRO,
    existencia,
    existencias_central,
    orden_ajustar,
    orden_configurar,
)

ESQUEMA = Path(__file__).resolve().parents[1] / "datos" / "esquema_demo.json"


def _sincro(
    datos: Path, *argumentos: str, usuario: int | None = None, entrada: str | None = None
) -> subprocess.CompletedProcess:
    entorno = {**os.environ, "SINCRO_REGISTRO": str(datos.parent / "registro")}
    entorno.pop("SINCRO_TRAZA", None)
    prefijo = []
    if usuario is not None:
        entorno["HOME"] = str(datos.parent)
        prefijo = ["setpriv", f"--reuid={usuario}", f"--regid={usuario}", "--clear-groups"]
    return subprocess.run(
        [*prefijo, *SINCRO, "--datos", str(datos), *argumentos],
        input=entrada,
        capture_output=True,
        text=True,
        timeout=120,
        env=entorno,
    )


def _una_linea_sin_trazas(r: subprocess.CompletedProcess, esperado: str, datos: Path) -> None:
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert r.stdout == ""  # ni UUID ni nada que parezca confirmado
    lineas = r.stderr.strip().splitlines()
    assert len(lineas) == 1, r.stderr
    assert esperado in lineas[0] and str(datos) in lineas[0], lineas[0]
    assert "Traceback" not in r.stderr and "Logging error" not in r.stderr


@pytest.fixture
def tmpfs(tmp_path):
    if os.name == "nt" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("montar un tmpfs requiere root en Linux")
    punto = tmp_path / "disco"
    punto.mkdir()
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(punto)],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        pytest.skip(f"no se puede montar un tmpfs aquí: {r.stderr.strip()}")
    yield punto
    subprocess.run(["umount", "-l", str(punto)], capture_output=True)


def _vender_uno(datos: Path, producto: str) -> subprocess.CompletedProcess:
    """``sincro encolar`` de un ajuste de stock de -1 sobre ``producto``."""
    return _sincro(datos, *orden_ajustar(producto, -1))


def _terminal_con_una_venta(datos: Path) -> str:
    r = _sincro(datos, "esquema", "--cargar", str(ESQUEMA))
    assert r.returncode == 0, r.stderr
    r = _vender_uno(datos, "1")
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def _llenar(disco: Path) -> Path:
    relleno = disco / "relleno"
    with open(relleno, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    return relleno


def test_disco_lleno(tmpfs):
    datos = tmpfs / "terminal"
    primera = _terminal_con_una_venta(datos)
    relleno = _llenar(tmpfs)

    r = _vender_uno(datos, "2")
    _una_linea_sin_trazas(r, "No queda espacio en el disco", datos)
    _una_linea_sin_trazas(_sincro(datos, "cola"), "No queda espacio en el disco", datos)

    relleno.unlink()
    r = _sincro(datos, "cola", "--json")
    assert r.returncode == 0, r.stderr
    assert [op["uuid"] for op in json.loads(r.stdout)] == [primera]  # nada perdido ni de más


def test_disco_de_solo_lectura(tmpfs):
    datos = tmpfs / "terminal"
    primera = _terminal_con_una_venta(datos)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)

    r = _vender_uno(datos, "2")
    _una_linea_sin_trazas(r, "sólo lectura", datos)

    subprocess.run(["mount", "-o", "remount,rw", str(tmpfs)], check=True)
    r = _sincro(datos, "cola", "--json")
    assert [op["uuid"] for op in json.loads(r.stdout)] == [primera]


def test_sin_permiso(tmp_path):
    if os.name == "nt" or os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("hace falta root y setpriv para probar con otro usuario")
    if not os.access(sys.executable, os.X_OK):
        pytest.skip("el intérprete no es ejecutable por otros usuarios")
    tmp_path.chmod(0o755)
    datos = tmp_path / "terminal"
    _terminal_con_una_venta(datos)  # de root, 0700

    r = _sincro(datos, "cola", usuario=65534)
    _una_linea_sin_trazas(r, "Sin permiso para escribir", datos)


def test_disco_lleno_al_sincronizar_no_pierde_ni_duplica(tmpfs, central):
    """Con el disco lleno, sincronizar falla con una línea; al liberar espacio, cada venta
    llega a la central exactamente una vez."""
    datos = tmpfs / "terminal"
    r = _sincro(
        datos,
        *orden_configurar(central.url, central.tienda, central.terminal),
        entrada=central.token,
    )
    assert r.returncode == 0, r.stderr
    assert _sincro(datos, "sincronizar", "--una-vez").returncode == 0
    stock = existencias_central(central)["1"]
    for _ in range(3):  # contra la central de la demo el stock es la existencia de la tienda
        r = _sincro(datos, *orden_ajustar(existencia("1"), -1, EXISTENCIA, "cantidad"))
        assert r.returncode == 0, r.stderr
    relleno = _llenar(tmpfs)
    r = _sincro(datos, "sincronizar", "--una-vez")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    relleno.unlink()
    for _ in range(2):
        r = _sincro(datos, "sincronizar", "--una-vez")
        assert r.returncode == 0, r.stderr
    assert existencias_central(central)["1"] == stock - 3
