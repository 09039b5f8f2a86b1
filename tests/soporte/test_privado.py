"""Privado por defecto: carpeta de datos 0700 y ficheros 0600 (POSIX), ACL del usuario en
Windows (la orden icacls, comprobada sin Windows), la central igual, y «sincro
autodiagnostico» avisa si alguien los abrió."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from agente.fachada import Agente
from agente.soporte import privado, registro, rutas
from tests.sincronizacion.terminales import sincro

ESQUEMA = Path(__file__).resolve().parents[1] / "datos" / "esquema_demo.json"
pytestmark = pytest.mark.skipif(os.name == "nt", reason="permisos POSIX")


def _modo(ruta: Path) -> int:
    return stat.S_IMODE(ruta.stat().st_mode)


@pytest.fixture
def umask_abierta():
    anterior = os.umask(0o022)  # la de casi cualquier PC: ficheros 0644, carpetas 0755
    yield
    os.umask(anterior)


def test_terminal_nueva_es_privada(tmp_path, umask_abierta):
    datos = tmp_path / "terminal"
    with Agente.abrir(datos) as agente:
        agente.guardar_esquema(json.loads(ESQUEMA.read_text(encoding="utf-8")))
        agente.ajustar("productos.Producto", "1", "stock", -1)
    with Agente.abrir(datos):
        pass
    assert _modo(datos) == 0o700
    ficheros = [p for p in datos.rglob("*") if p.is_file()]
    assert {p.name for p in ficheros} >= {"cola.sqlite", "cache.sqlite", "cache.esquema.json"}
    for fichero in ficheros:
        assert _modo(fichero) & 0o077 == 0, fichero
    for carpeta in (p for p in datos.rglob("*") if p.is_dir()):
        assert _modo(carpeta) & 0o077 == 0, carpeta


def test_terminal_antigua_con_permisos_abiertos_se_cierra(tmp_path, umask_abierta):
    datos = tmp_path / "terminal"
    with Agente.abrir(datos):
        pass
    datos.chmod(0o755)
    for fichero in datos.iterdir():
        fichero.chmod(0o644 if fichero.is_file() else 0o755)
    assert privado.permisos_abiertos(privado.todo_bajo(datos))
    with Agente.abrir(datos):
        pass
    assert privado.permisos_abiertos(privado.todo_bajo(datos)) == []


def test_registro_privado(tmp_path, umask_abierta):
    carpeta = tmp_path / "registro"
    fichero = registro.configurar(directorio=carpeta, programa="pruebas")
    try:
        import logging

        logging.getLogger("prueba").warning("hola")
        assert _modo(carpeta) == 0o700 and _modo(fichero) == 0o600
    finally:
        registro.desconfigurar()


def test_autodiagnostico_avisa_de_permisos_abiertos(tmp_path, umask_abierta):
    datos = tmp_path / "terminal"
    with Agente.abrir(datos):
        pass
    r = sincro(datos, "autodiagnostico", "--sin-qt")
    assert "[OK] permisos" in r.stdout, r.stdout + r.stderr
    rutas.ruta_cola(datos).chmod(0o644)
    r = sincro(datos, "autodiagnostico", "--sin-qt")
    assert "[FAIL] permisos" in r.stdout and "cola.sqlite (0644)" in r.stdout, r.stdout
    assert "chmod -R go-rwx" in r.stdout


def test_camino_windows_pone_una_acl_solo_del_usuario(tmp_path, monkeypatch):
    """En Windows se llama a icacls (quitar herencia, control total sólo para el usuario y
    SYSTEM). Aquí se comprueba la orden sin Windows: el ejecutor recibe lo que se correría."""
    monkeypatch.setenv("USERDOMAIN", "TIENDA")
    monkeypatch.setenv("USERNAME", "caja")
    ordenes: list[list[str]] = []

    def ejecutar(orden):
        ordenes.append(list(orden))
        return 0

    carpeta = tmp_path / "datos"
    carpeta.mkdir()
    fichero = carpeta / "cola.sqlite"
    fichero.write_bytes(b"x")
    assert privado.proteger(carpeta, sistema="nt", ejecutar=ejecutar)
    assert privado.proteger(fichero, sistema="nt", ejecutar=ejecutar)
    assert ordenes[0] == [
        "icacls",
        str(carpeta),
        "/inheritance:r",
        "/grant:r",
        "TIENDA\\caja:(OI)(CI)F",
        "/grant:r",
        "*S-1-5-18:(OI)(CI)F",
    ]
    assert ordenes[1] == [
        "icacls",
        str(fichero),
        "/inheritance:r",
        "/grant:r",
        "TIENDA\\caja:F",
        "/grant:r",
        "*S-1-5-18:F",
    ]
    assert privado.proteger(fichero, sistema="nt", ejecutar=ejecutar)
    assert len(ordenes) == 2  # una vez por ruta y proceso
    otro = carpeta / "cache.sqlite"
    otro.write_bytes(b"x")
    assert not privado.proteger(otro, sistema="nt", ejecutar=lambda orden: 5)


def test_la_central_guarda_sus_datos_en_privado(central):
    assert _modo(central.datos) & 0o077 == 0
    base = central.datos / "central.sqlite3"
    if base.exists():  # con SQLite (sin DATABASE_URL)
        assert _modo(base) & 0o077 == 0
    clave = central.datos / "clave-secreta"
    if clave.exists():
        assert _modo(clave) == 0o600


def test_central_con_datos_antiguos_abiertos_los_cierra(central_factory, tmp_path):
    datos = tmp_path / "central"
    datos.mkdir(mode=0o755)
    datos.chmod(0o755)
    viejo = datos / "central.sqlite3"
    viejo.write_bytes(b"")
    viejo.chmod(0o644)
    central_factory(demo=5, datos=datos)
    assert _modo(datos) & 0o077 == 0 and _modo(viejo) & 0o077 == 0
