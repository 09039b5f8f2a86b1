"""De punta a punta: la CLI real configura y sincroniza contra la central real (procesos), y
el registro que deja tiene sus eventos en una línea y ni rastro del token."""

import os
import subprocess
import sys
from pathlib import Path

from agente.soporte import registro
from tests.sincronizacion.terminales import orden_configurar

SINCRO = Path(sys.executable).with_name("sincro")


def _sincro(*argumentos, entrada=None, entorno):
    orden = [str(SINCRO)] if SINCRO.exists() else [sys.executable, "-m", "agente.cli"]
    return subprocess.run(
        [*orden, *argumentos],
        input=entrada,
        capture_output=True,
        text=True,
        timeout=180,
        env=entorno,
        check=False,
    )


def test_sincronizar_deja_eventos_sin_token(central, tmp_path):
    datos = tmp_path / "caja"
    entorno = {**os.environ}
    entorno.pop(registro.VARIABLE_ENTORNO, None)
    r = _sincro(
        "--datos",
        str(datos),
        *orden_configurar(central.url, central.tienda, central.terminal),
        entrada=central.token + "\n",
        entorno=entorno,
    )
    assert r.returncode == 0, r.stderr
    r = _sincro("--datos", str(datos), "sincronizar", "--una-vez", entorno=entorno)
    assert r.returncode == 0, r.stderr
    # Una central caída también queda registrada, sin el token en el mensaje de error.
    central.detener()
    try:
        _sincro("--datos", str(datos), "sincronizar", "--una-vez", entorno=entorno)
    finally:
        central.reiniciar()

    carpeta = registro.directorio_registro(datos)
    assert carpeta == datos / "registro"
    textos = [p.read_text(encoding="utf-8") for p in registro.ficheros_de_registro(carpeta)]
    assert textos, f"no hay registro en {carpeta}"
    for texto in textos:
        assert central.token not in texto
    eventos = registro.leer_recientes(100, carpeta, solo_eventos=True)
    assert any(" evento=pase " in linea for linea in eventos), eventos
    assert any(" evento=sincronizacion_fallida " in linea for linea in eventos), eventos
    assert all(linea.count("\n") == 0 for linea in eventos)
    r = _sincro("--datos", str(datos), "registro", "--eventos", entorno=entorno)
    assert r.returncode == 0 and "evento=pase" in r.stdout
