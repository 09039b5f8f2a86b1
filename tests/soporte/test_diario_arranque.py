"""Un diario de ventas dañado en disco se detecta al arrancar y en el autodiagnóstico,
nombrando el registro, y nunca se repara; el rescate de una cola dañada se lleva el diario."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from agente.almacen import diario, recuperacion
from agente.fachada import Agente
from agente.soporte import rutas
from tests.agente.conftest import PRODUCTO, esquema_demo_dict, producto
from tests.soporte.corromper import estropear_paginas, paginas_de_tabla

RAIZ = Path(__file__).resolve().parents[2]
L1 = [{"producto": 1, "cantidad": 1, "precio_unitario": "1.95"}]


def _terminal(datos: Path, ventas: int) -> str:
    with Agente.abrir(datos) as agente:
        agente.guardar_esquema(esquema_demo_dict())
        agente.operaciones.guardar_terminal("T1")
        agente.cache.aplicar_pagina(PRODUCTO, [producto(i) for i in range(1, 4)], "3", True)
        for _ in range(ventas):
            agente.vender(L1)
        return agente.resumen_caja()["serie"]


def _sql(datos: Path, *sentencias: str) -> None:
    conexion = sqlite3.connect(rutas.ruta_cola(datos))
    try:
        for sentencia in sentencias:
            conexion.execute(sentencia)
        conexion.commit()
    finally:
        conexion.close()


def _sincro(datos: Path, *argumentos: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "agente.cli", "--datos", str(datos), *argumentos],
        capture_output=True,
        text=True,
        cwd=RAIZ,
        timeout=120,
    )


ALTERAR = (
    "DROP TRIGGER diario_sin_cambios",
    "UPDATE diario SET contenido = CAST(replace(CAST(contenido AS TEXT), '1.95', '0.95')"
    " AS BLOB) WHERE numero = 2",
)
BORRAR = ("DROP TRIGGER diario_sin_borrados", "DELETE FROM diario WHERE numero = 2")


@pytest.mark.parametrize(
    ("cambio", "esperado"),
    [
        (ALTERAR, "nº 2: su contenido no da su huella"),
        (BORRAR, "nº 3: no sigue al registro anterior"),
    ],
    ids=["alterado", "borrado"],
)
def test_diario_danado_se_avisa_al_arrancar_y_no_se_repara(tmp_path, cambio, esperado):
    datos = tmp_path / "terminal"
    serie = _terminal(datos, 3)
    _sql(datos, *cambio)
    with closing(sqlite3.connect(rutas.ruta_cola(datos))) as c:
        antes = c.execute("SELECT pos, contenido FROM diario ORDER BY pos").fetchall()

    r = _sincro(datos, "autodiagnostico", "--sin-qt", "--json")
    fallo = next(c for c in json.loads(r.stdout) if c["nombre"] == "diario de ventas")
    assert r.returncode == 1 and not fallo["ok"]
    assert f"registro {serie} {esperado}" in fallo["detalle"]

    with Agente.abrir(datos) as agente:  # el arranque lo comprueba y lo avisa
        avisos = agente.estado()["avisos"]
        assert any(f"terminal T1, registro {serie} {esperado}" in a for a in avisos), avisos
        agente.vender(L1)  # se sigue vendiendo: el diario dañado no para la caja
    with Agente.abrir(datos) as agente:  # el mismo aviso no se repite en cada arranque
        assert len([a for a in agente.estado()["avisos"] if "diario" in a]) == 1

    r = _sincro(datos, "verificar-diario")
    assert r.returncode == 1 and f"terminal T1, registro {serie} {esperado}" in r.stdout
    with closing(sqlite3.connect(rutas.ruta_cola(datos))) as c:  # nada reparado
        despues = c.execute("SELECT pos, contenido FROM diario ORDER BY pos").fetchall()
    assert despues[: len(antes)] == antes


def test_diario_sano_pasa_el_autodiagnostico(tmp_path):
    datos = tmp_path / "terminal"
    _terminal(datos, 2)
    r = _sincro(datos, "verificar-diario", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["registros"] == 2
    r = _sincro(datos, "autodiagnostico", "--sin-qt", "--json")
    comprobacion = next(c for c in json.loads(r.stdout) if c["nombre"] == "diario de ventas")
    assert comprobacion["ok"], comprobacion
    # Sin los disparadores la cadena aún cuadra, pero el autodiagnóstico lo dice.
    _sql(datos, "DROP TRIGGER diario_sin_borrados")
    r = _sincro(datos, "autodiagnostico", "--sin-qt", "--json")
    comprobacion = next(c for c in json.loads(r.stdout) if c["nombre"] == "diario de ventas")
    assert not comprobacion["ok"] and "diario_sin_borrados" in comprobacion["detalle"]


@pytest.mark.parametrize("con_cli", [True, False], ids=["recover", "fila-a-fila"])
def test_rescate_de_la_cola_se_lleva_el_diario(tmp_path, monkeypatch, con_cli):
    if not con_cli:
        monkeypatch.setenv("PATH", "")  # sin el programa sqlite3: fila a fila
    datos = tmp_path / "terminal"
    _terminal(datos, 150)
    cola = rutas.ruta_cola(datos)
    with closing(sqlite3.connect(cola)) as c:
        registros = c.execute("SELECT * FROM diario ORDER BY pos").fetchall()
    hojas = paginas_de_tabla(cola, "operaciones")
    estropear_paginas(cola, hojas[2:4])

    avisos = recuperacion.preparar_ficheros(datos)
    assert len(avisos) == 1 and f"y {len(registros)} registros del diario" in avisos[0]
    with closing(sqlite3.connect(cola)) as c:
        assert c.execute("SELECT * FROM diario ORDER BY pos").fetchall() == registros
        with pytest.raises(sqlite3.IntegrityError, match="sólo admite registros nuevos"):
            c.execute("DELETE FROM diario")
    with Agente.abrir(datos) as agente:
        assert agente.verificar_diario() == []
        assert diario.contar(agente.operaciones) == len(registros)


def test_rescate_sin_catalogo_lee_el_diario_pagina_a_pagina(tmp_path, monkeypatch):
    """Con la página 1 (cabecera y catálogo) destrozada, la base rescatada se crea con las
    migraciones y los registros del diario se leen de las hojas en bruto (cada uno se comprueba
    con su propia huella)."""
    monkeypatch.setenv("PATH", "")
    datos = tmp_path / "terminal"
    _terminal(datos, 150)
    cola = rutas.ruta_cola(datos)
    with closing(sqlite3.connect(cola)) as c:
        registros = c.execute("SELECT * FROM diario ORDER BY pos").fetchall()
    estropear_paginas(cola, [1])

    avisos = recuperacion.preparar_ficheros(datos)
    assert len(avisos) == 1 and f"y {len(registros)} registros del diario" in avisos[0]
    with closing(sqlite3.connect(cola)) as c:
        assert c.execute("SELECT * FROM diario ORDER BY pos").fetchall() == registros
    with Agente.abrir(datos) as agente:
        assert agente.verificar_diario() == []
