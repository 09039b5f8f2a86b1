"""Autodiagnóstico de una terminal y paquete de soporte para IT.

Autodiagnóstico (``sincro autodiagnostico``): comprobaciones pequeñas que devuelven una
:class:`Comprobacion` (nombre, ok, detalle, pista). Ninguna lanza: un fallo inesperado es un
FAIL con su mensaje. Cubren: directorio de datos escribible, ``quick_check`` de la cola y la
caché, la cadena del diario de ventas (nombra el registro que no cuadra), llavero usable (ida
y vuelta real) y token presente, la central responde (``/v1/salud`` y
una petición con token), desfase de reloj, y que Qt carga su plugin de plataforma. Qt se prueba
en un **proceso aparte** (``python -c …`` o, congelado, ``<exe> --comprobar-qt``): el motor no
importa Qt.

Paquete de soporte (:func:`crear_paquete`): un zip con los registros, la configuración (sin
secretos), ``estado --json``, el autodiagnóstico, los avisos de recuperación y las versiones. El
token de la terminal se busca en cada miembro: se tacha, y si aun así apareciera en el zip
final, el zip se borra y se lanza ``ErrorDiagnostico``.

Hilos: funciones sin estado, para un hilo de trabajo (hacen E/S de disco, red y subprocesos;
nunca desde el hilo de la GUI). No escriben en la cola ni en la caché.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import agente
from agente.almacen import recuperacion
from agente.soporte import privado, registro, rutas

DESFASE_MAXIMO_MS = 60_000
ARGUMENTO_QT = "--comprobar-qt"
_CODIGO_QT = (
    "import sys\n"
    "try:\n"
    "    from ui.bibliotecas import explicar_faltan\n"
    "except ImportError:\n"
    "    explicar_faltan = str\n"
    "if explicar_faltan():\n"
    "    sys.exit(print(explicar_faltan(), file=sys.stderr) or 1)\n"
    "from PySide6.QtGui import QGuiApplication\n"
    "app = QGuiApplication(sys.argv[:1])\n"
    "print(QGuiApplication.platformName())\n"
)


class ErrorDiagnostico(RuntimeError):
    """No se pudo crear el paquete de soporte. El mensaje dice qué hacer."""


@dataclass(frozen=True)
class Comprobacion:
    nombre: str
    ok: bool
    detalle: str
    pista: str = ""

    def linea(self) -> str:
        texto = f"[{'OK' if self.ok else 'FAIL'}] {self.nombre}: {self.detalle}"
        if not self.ok and self.pista:
            texto += f"\n       → {self.pista}"
        return texto


def _fallo(nombre: str, error: BaseException, pista: str) -> Comprobacion:
    return Comprobacion(nombre, False, registro.redactar(f"{type(error).__name__}: {error}"), pista)


# --- comprobaciones ---------------------------------------------------------------------------


def comprobar_directorio(datos: Path) -> Comprobacion:
    nombre = "directorio de datos"
    try:
        rutas.asegurar_directorio(datos)
        with tempfile.NamedTemporaryFile(dir=datos, prefix=".autodiagnostico-") as prueba:
            prueba.write(b"sincro")
            prueba.flush()
            os.fsync(prueba.fileno())
        return Comprobacion(nombre, True, f"{datos} es escribible")
    except OSError as error:
        return _fallo(
            nombre,
            error,
            f"Dé permiso de escritura al usuario sobre {datos}, libere espacio en disco, o use "
            "--datos/SINCRO_DATOS con otra carpeta.",
        )


def comprobar_permisos(datos: Path, registro_dir: Path | None = None) -> Comprobacion:
    """La carpeta de datos (y la del registro) y sus ficheros sólo para este usuario."""
    nombre = "permisos"
    if os.name == "nt":
        return Comprobacion(nombre, True, "Windows: ACL sólo para este usuario al crear")
    carpetas = [datos] + ([registro_dir] if registro_dir is not None else [])
    abiertos = privado.permisos_abiertos(
        ruta for carpeta in carpetas for ruta in privado.todo_bajo(carpeta)
    )
    if not abiertos:
        return Comprobacion(nombre, True, f"{datos} y su contenido sólo para este usuario")
    detalle = f"otros usuarios pueden leer {len(abiertos)}: " + ", ".join(abiertos[:5])
    return Comprobacion(
        nombre,
        False,
        detalle + (" …" if len(abiertos) > 5 else ""),
        f"Guardan datos de clientes: ejecute «chmod -R go-rwx {datos}» (Sincro también los "
        "corrige al abrir la terminal).",
    )


def comprobar_base(ruta: Path, preciosa: bool) -> Comprobacion:
    nombre = f"integridad {ruta.name}"
    try:
        estado = recuperacion.diagnosticar(ruta)
    except Exception as error:
        return _fallo(nombre, error, "Compruebe los permisos del fichero y de su carpeta.")
    if estado.ok:
        return Comprobacion(nombre, True, f"quick_check {estado.detalle}")
    pista = (
        "NO borre el fichero: al arrancar Sincro lo copia aparte y rescata las operaciones; "
        "después envíe a soporte el resultado de «sincro diagnostico»."
        if preciosa
        else "Al arrancar Sincro se aparta y se reconstruye desde la central; no hace falta nada."
    )
    return Comprobacion(nombre, False, f"quick_check: {estado.detalle}", pista)


def comprobar_llavero(datos: Path, terminal: str | None) -> Comprobacion:
    """Ida y vuelta real en el llavero con una entrada de prueba, y el token de la terminal."""
    from agente.sincronizacion import credenciales

    nombre = "llavero"
    try:
        backend = credenciales.describir_llavero()
        prueba = f"autodiagnostico-{os.getpid()}"
        credenciales.guardar_token(datos, prueba, "prueba-de-llavero")
        try:
            if credenciales.leer_token(datos, prueba) != "prueba-de-llavero":
                return Comprobacion(
                    nombre, False, f"{backend} no devuelve lo guardado", credenciales.ARREGLO
                )
        finally:
            credenciales.borrar_token(datos, prueba)
    except Exception as error:
        return _fallo(nombre, error, credenciales.ARREGLO)
    if terminal is None:
        return Comprobacion(
            nombre,
            False,
            f"{backend} funciona, pero la terminal no está configurada",
            "Ejecute «sincro configurar --servidor URL --tienda CODIGO --terminal NOMBRE».",
        )
    try:
        credenciales.leer_token(datos, terminal)
    except Exception as error:
        return _fallo(
            nombre,
            error,
            "Ejecute «sincro configurar» y pegue el token que da la central para esta terminal.",
        )
    return Comprobacion(nombre, True, f"{backend}; token de «{terminal}» presente")


def comprobar_central(config: Any, token: str | None) -> tuple[Comprobacion, Any]:
    """``/v1/salud`` y una petición autenticada (``/v1/esquema``). Devuelve la salud medida
    (o ``None``) para la comprobación de reloj."""
    from agente.sincronizacion.cliente import Cliente, ErrorAutenticacion

    nombre = "central"
    if config is None:
        return Comprobacion(
            nombre, False, "terminal sin configurar", "Ejecute «sincro configurar»."
        ), None
    cliente = Cliente(
        config.servidor, token, timeout=min(float(config.timeout), 15.0), reintentos=1
    )
    try:
        salud = cliente.salud()
        if token:
            try:
                cliente.esquema()
            except ErrorAutenticacion as error:
                return _fallo(
                    nombre,
                    error,
                    "El token fue revocado o es de otra terminal: pida "
                    "uno nuevo en la central y ejecute «sincro configurar».",
                ), salud
        return Comprobacion(
            nombre,
            True,
            f"{config.servidor} responde en {salud.ida_y_vuelta_ms} ms"
            + ("" if token else " (sin token: no se probó la autenticación)"),
        ), salud
    except Exception as error:
        return _fallo(
            nombre,
            error,
            f"Compruebe la red y el cortafuegos hacia {config.servidor}, y que la central está "
            "en marcha. Las ventas siguen encolándose sin conexión.",
        ), None
    finally:
        cliente.cerrar()


def comprobar_reloj(salud: Any) -> Comprobacion:
    nombre = "reloj"
    if salud is None:
        return Comprobacion(
            nombre,
            False,
            "no se pudo medir (la central no respondió)",
            "Resuelva primero la conexión con la central.",
        )
    desfase = int(salud.desfase_ms)
    detalle = f"desfase con la central {desfase / 1000:+.1f} s"
    if abs(desfase) <= DESFASE_MAXIMO_MS:
        return Comprobacion(nombre, True, detalle)
    return Comprobacion(
        nombre,
        False,
        detalle,
        "Sincronice la hora del sistema (Windows: Configuración > Hora > Sincronizar ahora; "
        "Linux: timedatectl set-ntp true).",
    )


def orden_qt() -> list[str]:
    """La orden que carga Qt en otro proceso: el ejecutable congelado con su bandera oculta, o
    este intérprete con un ``-c``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, ARGUMENTO_QT]
    return [sys.executable, "-c", _CODIGO_QT]


def comprobar_qt(timeout: float = 60.0) -> Comprobacion:
    nombre = "Qt (plugin de plataforma)"
    pista = (
        "Linux: instale las bibliotecas de Qt (libegl1 libxkbcommon0 libxkbcommon-x11-0 "
        "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 "
        "libxcb-randr0 libxcb-shape0 libxcb-xkb1 libfontconfig1 libdbus-1-3) o pruebe "
        "QT_QPA_PLATFORM=xcb/wayland; Windows: reinstale Sincro (falta platforms/qwindows.dll)."
    )
    try:
        proceso = subprocess.run(
            orden_qt(), capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        return _fallo(nombre, error, pista)
    plataforma = proceso.stdout.strip().splitlines()[-1:] if proceso.stdout.strip() else []
    if proceso.returncode == 0:
        # Un .exe de ventana puede no tener salida estándar: el código 0 basta.
        cual = f"«{plataforma[0]}»" if plataforma else "de Qt"
        return Comprobacion(nombre, True, f"plataforma {cual} cargada")
    error = (proceso.stderr.strip().splitlines() or [f"código {proceso.returncode}"])[-1]
    return Comprobacion(nombre, False, error[:300], pista)


def _config_y_token(datos: Path) -> tuple[Any, str | None, Comprobacion | None]:
    from agente.sincronizacion import credenciales
    from agente.soporte import configuracion

    try:
        config = configuracion.cargar(datos)
    except Exception as error:
        return None, None, _fallo("configuración", error, "Ejecute «sincro configurar».")
    if config is None:
        return None, None, None
    try:
        token = credenciales.leer_token(datos, config.terminal)
    except Exception:
        token = None
    return config, token, None


def comprobar_diario(ruta: Path) -> Comprobacion:
    """La cadena del diario de ventas (en sólo lectura): nombra el primer registro que no
    cuadra. Nunca repara nada."""
    from agente.almacen import diario

    nombre = "diario de ventas"
    try:
        incidencias = diario.verificar_fichero(ruta) if ruta.exists() else []
    except sqlite3.Error as error:
        return _fallo(nombre, error, "Ejecute «sincro verificar-diario» y avise a soporte.")
    faltan = [] if not ruta.exists() else diario.disparadores_ausentes(ruta)
    if not incidencias and faltan:
        return Comprobacion(
            nombre,
            False,
            f"la cadena cuadra, pero faltan los disparadores que lo protegen: {', '.join(faltan)}",
            "Alguien ha tocado cola.sqlite a mano: avise a soporte con «sincro diagnostico».",
        )
    if not incidencias:
        return Comprobacion(nombre, True, "cadena de huellas y numeración correctas")
    mas = f" (y {len(incidencias) - 1} incidencias más)" if len(incidencias) > 1 else ""
    return Comprobacion(
        nombre,
        False,
        incidencias[0].texto() + mas,
        "NO toque cola.sqlite: avise a soporte con «sincro diagnostico»; «sincro "
        "verificar-diario» lista cada registro afectado.",
    )


def ejecutar(datos: str | os.PathLike[str], *, con_qt: bool = True) -> list[Comprobacion]:
    """Todas las comprobaciones, en orden. No modifica la cola ni la caché."""
    datos = Path(datos)
    resultado = [comprobar_directorio(datos)]
    actual = registro.fichero_actual()
    resultado.append(comprobar_permisos(datos, actual.parent if actual else None))
    resultado.append(comprobar_base(rutas.ruta_cola(datos), preciosa=True))
    resultado.append(comprobar_base(rutas.ruta_cache(datos), preciosa=False))
    resultado.append(comprobar_diario(rutas.ruta_cola(datos)))
    config, token, error_config = _config_y_token(datos)
    if error_config is not None:
        resultado.append(error_config)
    resultado.append(comprobar_llavero(datos, config.terminal if config else None))
    central, salud = comprobar_central(config, token)
    resultado.append(central)
    resultado.append(comprobar_reloj(salud))
    if con_qt:
        resultado.append(comprobar_qt())
    avisos = recuperacion.avisos_pendientes(datos)
    if avisos:
        resultado.append(
            Comprobacion(
                "avisos de recuperación",
                False,
                " | ".join(avisos),
                "Lea el aviso, envíe «sincro diagnostico» a soporte y confírmelo desde la ventana.",
            )
        )
    return resultado


# --- paquete de soporte -----------------------------------------------------------------------


def versiones() -> dict[str, Any]:
    """Versiones de todo lo que importa para soporte (sin importar Qt)."""

    def version_de(paquete: str) -> str | None:
        try:
            return metadata.version(paquete)
        except metadata.PackageNotFoundError:
            return None

    from agente.sincronizacion import credenciales

    return {
        "sincro": agente.__version__,
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "pyside6": version_de("PySide6-Essentials") or version_de("PySide6"),
        "requests": version_de("requests"),
        "keyring": version_de("keyring"),
        "llavero": credenciales.describir_llavero(),
        "sistema": platform.platform(),
        "congelado": bool(getattr(sys, "frozen", False)),
        "ejecutable": sys.executable,
    }


def _limpio(texto: str, secretos: list[str]) -> str:
    for secreto in secretos:
        texto = texto.replace(secreto, "***")
    return registro.redactar(texto)


def crear_paquete(
    datos: str | os.PathLike[str],
    salida: str | os.PathLike[str],
    *,
    obtener_estado: Callable[[], Any] | None = None,
    con_qt: bool = True,
) -> Path:
    """Escribe el zip de soporte en ``salida`` y devuelve su ruta. Nada secreto dentro."""
    datos = Path(datos)
    salida = Path(salida)
    if salida.suffix.lower() != ".zip":
        raise ErrorDiagnostico(f"El paquete debe terminar en .zip: {salida}")
    config, token, _ = _config_y_token(datos)
    secretos = [token] if token else []
    miembros: dict[str, str] = {}

    carpeta_registro = registro.directorio_registro(datos)
    for fichero in registro.ficheros_de_registro(carpeta_registro):
        texto = fichero.read_text(encoding="utf-8", errors="replace")
        miembros[f"registro/{fichero.name}"] = _limpio(texto, secretos)
    if config is not None:
        miembros["config.json"] = _limpio(
            json.dumps(config.a_dict(), indent=2, ensure_ascii=False, sort_keys=True), secretos
        )
    else:
        miembros["config.json"] = "null  (terminal sin configurar)\n"
    if obtener_estado is not None:
        try:
            estado_texto = json.dumps(
                obtener_estado(), indent=2, ensure_ascii=False, default=str, sort_keys=True
            )
        except Exception as error:
            estado_texto = json.dumps({"error": f"{type(error).__name__}: {error}"})
        miembros["estado.json"] = _limpio(estado_texto, secretos)
    comprobaciones = ejecutar(datos, con_qt=con_qt)
    miembros["autodiagnostico.txt"] = _limpio(
        "\n".join(c.linea() for c in comprobaciones) + "\n", secretos
    )
    miembros["autodiagnostico.json"] = _limpio(
        json.dumps([asdict(c) for c in comprobaciones], indent=2, ensure_ascii=False), secretos
    )
    avisos = datos / recuperacion.FICHERO_AVISOS
    if avisos.exists():
        miembros["recuperaciones.json"] = _limpio(avisos.read_text(encoding="utf-8"), secretos)
    ficheros = sorted(p.name for p in datos.iterdir()) if datos.is_dir() else []
    miembros["directorio_datos.txt"] = _limpio(f"{datos}\n" + "\n".join(ficheros) + "\n", secretos)
    miembros["versiones.json"] = _limpio(json.dumps(versiones(), indent=2), secretos)
    miembros["LEAME.txt"] = (
        f"Paquete de soporte de Sincro creado el {dt.datetime.now(dt.UTC).isoformat()}.\n"
        "Sin token ni datos personales (se tachan). La cola y la caché no se incluyen.\n"
    )

    salida.parent.mkdir(parents=True, exist_ok=True)
    temporal = salida.with_name(salida.name + ".tmp")
    with zipfile.ZipFile(temporal, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for nombre, texto in miembros.items():
            zf.writestr(nombre, texto)
    # Comprobación final sobre lo escrito de verdad: si el token aparece, no hay paquete.
    with zipfile.ZipFile(temporal) as zf:
        for nombre in zf.namelist():
            contenido = zf.read(nombre)
            if any(s.encode() in contenido for s in secretos):
                temporal.unlink()
                raise ErrorDiagnostico(
                    f"El token apareció en {nombre}: no se creó el paquete. Avise a desarrollo."
                )
    os.replace(temporal, salida)
    return salida
