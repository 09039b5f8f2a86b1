"""Reglas de importación entre capas, leídas del código (AST), no de lo que se cargó.

- ``protocolo``: sólo la biblioteca estándar (lo comparten terminal y central).
- ``agente`` (el motor): nunca ``ui``, ``central``, ``servidor_demo``, ``lanzador``, Qt ni Django.
- ``central`` (app reutilizable): nunca ``agente``, ``ui``, ``servidor_demo``, ``lanzador``, Qt.
- ``ui``: nunca ``central``, ``servidor_demo`` ni Django.
- Dentro de ``agente``: ``reglas`` es puro (ni SQLite ni red); ``almacen`` no hace red.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parents[1]

PROHIBIDOS = {
    "protocolo": {
        "agente",
        "central",
        "ui",
        "servidor_demo",
        "lanzador",
        "django",
        "PySide6",
        "requests",
        "sqlite_utils",
        "sqlite3",
    },
    "agente": {"ui", "central", "servidor_demo", "lanzador", "django", "PySide6"},
    "central": {"agente", "ui", "servidor_demo", "lanzador", "PySide6"},
    "ui": {"central", "servidor_demo", "django"},
    "agente/reglas": {
        "sqlite3",
        "sqlite_utils",
        "requests",
        "urllib3",
        "agente.almacen",
        "agente.sincronizacion",
    },
    "agente/almacen": {"requests", "urllib3", "agente.sincronizacion"},
}


def importados(fichero: Path) -> set[str]:
    """Módulos importados por un fichero (absolutos; los relativos se resuelven a su paquete)."""
    arbol = ast.parse(fichero.read_text(encoding="utf-8"), filename=str(fichero))
    paquete = ".".join(fichero.relative_to(RAIZ).with_suffix("").parts[:-1])
    nombres: set[str] = set()
    for nodo in ast.walk(arbol):
        if isinstance(nodo, ast.Import):
            nombres.update(a.name for a in nodo.names)
        elif isinstance(nodo, ast.ImportFrom):
            if nodo.level:
                base = paquete.rsplit(".", nodo.level - 1)[0] if nodo.level > 1 else paquete
                modulo = f"{base}.{nodo.module}" if nodo.module else base
            else:
                modulo = nodo.module or ""
            nombres.add(modulo)
            nombres.update(f"{modulo}.{a.name}" for a in nodo.names)
    return nombres


def _choca(nombre: str, prohibido: str) -> bool:
    return nombre == prohibido or nombre.startswith(prohibido + ".")


@pytest.mark.parametrize("capa", sorted(PROHIBIDOS))
def test_cada_capa_importa_solo_lo_permitido(capa):
    ficheros = sorted((RAIZ / capa).rglob("*.py"))
    assert ficheros, f"la capa {capa} no tiene módulos"
    violaciones = [
        f"{f.relative_to(RAIZ)} importa {n}"
        for f in ficheros
        for n in sorted(importados(f))
        for p in PROHIBIDOS[capa]
        if _choca(n, p)
    ]
    assert violaciones == []


def test_la_comprobacion_detecta_una_importacion_prohibida(tmp_path, monkeypatch):
    """La regla no puede pasar en vacío: un fichero que importa ``ui`` desde el motor se ve."""
    falso = RAIZ / "agente" / "_prueba_arquitectura_tmp.py"
    falso.write_text("def f():\n    from ui import app\n    from .almacen import cola\n")
    try:
        nombres = importados(falso)
    finally:
        falso.unlink()
    assert "ui" in nombres and "ui.app" in nombres and "agente.almacen.cola" in nombres
    assert any(_choca(n, "ui") for n in nombres)


def test_cada_paquete_dice_que_vive_en_el_y_que_exporta():
    for init in sorted(RAIZ.glob("*/__init__.py")) + sorted(RAIZ.glob("agente/*/__init__.py")):
        if init.parent.name in {"tests", "bench", "scripts", "resources", "docs"}:
            continue
        arbol = ast.parse(init.read_text(encoding="utf-8"))
        doc = ast.get_docstring(arbol)
        nombre = init.relative_to(RAIZ)
        assert doc and len(doc) > 80, f"{nombre} sin docstring que explique el paquete"
        if init.parent.parent == RAIZ / "agente" or init.parent.name in {"agente", "protocolo"}:
            tiene_all = any(
                isinstance(n, ast.Assign)
                and any(getattr(t, "id", "") == "__all__" for t in n.targets)
                for n in arbol.body
            )
            assert tiene_all, f"{init.relative_to(RAIZ)} sin __all__ explícito"


def _exportados_de_agente() -> set[str]:
    """``agente.__all__`` leído del AST (sin importar el motor)."""
    arbol = ast.parse((RAIZ / "agente" / "__init__.py").read_text(encoding="utf-8"))
    exportados: set[str] = set()
    for nodo in arbol.body:
        if isinstance(nodo, ast.Assign) and any(
            getattr(t, "id", "") in {"__all__", "_EXPORTADOS"} for t in nodo.targets
        ):
            if isinstance(nodo.value, ast.Dict):
                exportados.update(k.value for k in nodo.value.keys if isinstance(k, ast.Constant))
            elif isinstance(nodo.value, ast.List):
                exportados.update(e.value for e in nodo.value.elts if isinstance(e, ast.Constant))
    return exportados


def puertas_del_motor_violadas(fichero: Path, exportados: set[str]) -> list[str]:
    """Importaciones del motor en un fichero de la interfaz que no pasan por la puerta: sólo
    ``import agente`` y ``from agente import X`` con ``X`` exportado por ``agente``; nunca un
    submódulo (``agente.sincronizacion.cliente``, ``agente.soporte.configuracion``…)."""
    arbol = ast.parse(fichero.read_text(encoding="utf-8"), filename=str(fichero))
    malas = []
    for nodo in ast.walk(arbol):
        if isinstance(nodo, ast.Import):
            malas += [a.name for a in nodo.names if a.name.startswith("agente.")]
        elif isinstance(nodo, ast.ImportFrom) and not nodo.level and nodo.module:
            if nodo.module.startswith("agente."):
                malas.append(nodo.module)
            elif nodo.module == "agente":
                malas += [
                    f"agente.{a.name}"
                    for a in nodo.names
                    if a.name not in exportados and a.name != "__version__"
                ]
    return malas


def test_la_interfaz_solo_usa_la_puerta_del_motor():
    """``ui`` habla con el motor sólo por ``agente`` (la fachada ``Agente`` y lo que exporta el
    paquete) y con ``protocolo``: nunca por sus subpaquetes internos."""
    exportados = _exportados_de_agente()
    assert {"Agente", "TokenRechazado", "ESTADOS"} <= exportados
    violaciones = [
        f"{f.relative_to(RAIZ)} importa {m}"
        for f in sorted((RAIZ / "ui").rglob("*.py"))
        for m in puertas_del_motor_violadas(f, exportados)
    ]
    assert violaciones == []


def test_la_puerta_del_motor_detecta_un_atajo(tmp_path):
    """La regla no pasa en vacío: los atajos típicos se ven, la puerta no."""
    exportados = _exportados_de_agente()
    falso = tmp_path / "atajo.py"
    falso.write_text(
        "import agente\n"
        "from agente import Agente, TokenRechazado\n"
        "from protocolo.esquema import ErrorValor\n"
        "def f():\n"
        "    from agente.sincronizacion.cliente import Cliente\n"
        "    import agente.soporte.configuracion\n"
        "    from agente import credenciales\n"
    )
    assert puertas_del_motor_violadas(falso, exportados) == [
        "agente.sincronizacion.cliente",
        "agente.soporte.configuracion",
        "agente.credenciales",
    ]
