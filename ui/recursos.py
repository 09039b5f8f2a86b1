"""Recursos de la interfaz como datos del paquete ``ui``: iconos SVG y traducciones.

- Iconos: ``ui/datos/iconos/<estado>.svg``, cargados por ruta de fichero (el bundle los copia
  como datos: ``build.spec``).
- Traducciones: la fuente es ``ui/datos/traducciones/sincro_<idioma>.ts`` (Qt Linguist). El
  ``.qm`` que carga Qt se genera y nunca se versiona: ``make setup`` y ``build.spec`` lo compilan
  junto a su ``.ts`` con ``python -m ui.recursos`` (``pyside6-lrelease``). Si falta o es más
  viejo que su ``.ts`` (una instalación sin ``make``, un ``.ts`` recién editado), ``qm`` lo
  compila en la caché del usuario, con el nombre de la huella del ``.ts``.

Sin estado; se puede llamar desde cualquier hilo (compilar lanza un proceso y espera).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

DIRECTORIO = Path(__file__).resolve().parent / "datos"
ICONOS = DIRECTORIO / "iconos"
TRADUCCIONES = DIRECTORIO / "traducciones"


class SinCompilador(RuntimeError):
    """No hay ``lrelease`` para compilar una traducción (ni junto a PySide6 ni en el PATH)."""


def ruta_icono(nombre: str) -> Path:
    return ICONOS / f"{nombre}.svg"


def ts_de(idioma: str) -> Path:
    return TRADUCCIONES / f"sincro_{idioma}.ts"


def orden_lrelease() -> list[str]:
    """``lrelease`` de PySide6 (el que viene con la rueda instalada) o, si no, el del PATH."""
    junto = Path(sys.executable).with_name("pyside6-lrelease" + (".exe" if os.name == "nt" else ""))
    if junto.exists():
        return [str(junto)]
    en_path = shutil.which("pyside6-lrelease") or shutil.which("lrelease")
    if en_path is None:
        raise SinCompilador("No se encontró pyside6-lrelease para compilar las traducciones.")
    return [en_path]


def compilar(ts: Path, qm: Path) -> Path:
    """Compila ``ts`` a ``qm`` (escribe a un temporal y lo renombra: nunca queda a medias)."""
    qm.parent.mkdir(parents=True, exist_ok=True)
    temporal = qm.with_name(f".{qm.name}.{os.getpid()}.tmp")
    try:
        subprocess.run(
            [*orden_lrelease(), "-silent", str(ts), "-qm", str(temporal)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        os.replace(temporal, qm)
    finally:
        temporal.unlink(missing_ok=True)
    return qm


def _al_dia(qm: Path, ts: Path) -> bool:
    return qm.exists() and (not ts.exists() or qm.stat().st_mtime >= ts.stat().st_mtime)


def qm(idioma: str, cache: Path | None = None) -> Path | None:
    """Ruta de un ``.qm`` al día para ``idioma``, o ``None`` si no hay traducción a ese idioma."""
    ts = ts_de(idioma)
    junto = ts.with_suffix(".qm")
    if _al_dia(junto, ts):
        return junto
    if not ts.exists():
        return None
    if cache is None:
        import platformdirs

        cache = Path(platformdirs.user_cache_dir("sincro", appauthor=False))
    huella = hashlib.sha256(ts.read_bytes()).hexdigest()[:16]
    destino = cache / f"sincro_{idioma}-{huella}.qm"
    return destino if destino.exists() else compilar(ts, destino)


def compilar_todas() -> list[Path]:
    """Compila cada ``.ts`` junto a sí mismo (``make setup``, ``build.spec``)."""
    return [compilar(ts, ts.with_suffix(".qm")) for ts in sorted(TRADUCCIONES.glob("*.ts"))]


if __name__ == "__main__":
    for ruta in compilar_todas():
        print(f"compilada {ruta.relative_to(DIRECTORIO.parent.parent)}")
