"""Registro (logs) de Sincro: ficheros rotativos acotados, sin secretos ni datos personales.

- Dónde: ``platformdirs.user_log_dir("sincro")`` (Windows ``%LOCALAPPDATA%\\sincro\\Logs``,
  Linux ``~/.local/state/sincro/log``), o ``SINCRO_REGISTRO`` si está definida. Cada directorio
  de datos que no sea el de por defecto tiene su subdirectorio (``<nombre>-<hash>``) para que
  varias terminales en una máquina no se pisen.
- Un fichero por programa (``sincro.log`` la CLI/caja, ``bandeja.log`` la UI…): dos procesos
  nunca rotan el mismo fichero. Cada uno rota a ``TAMANO_MAXIMO`` bytes y guarda ``COPIAS``
  copias: el total está acotado.
- Una línea por registro: la fecha ISO, el nivel, el logger y el mensaje; los saltos de línea
  (también los de las trazas) se escriben como ``\\n``. Un evento de sincronización
  (:func:`registrar_evento`) es una línea ``evento=<tipo> clave=valor …``.
- Redacción: el formateador pasa la línea ENTERA (mensaje, argumentos y traza) por
  :func:`redactar` antes de escribirla: quita tokens (``Authorization``, ``Token …``,
  ``Bearer …`` y cualquier secreto registrado con :func:`registrar_secreto`), correos,
  teléfonos, NIF/NIE/CIF, IBAN y los valores de los campos declarados personales.
  Tiempo lineal en el largo de la línea: los secretos se quitan primero (``str.replace``),
  la línea se recorta a ``LARGO_MAXIMO_LINEA`` caracteres (sin dejar media palabra al final)
  y cada patrón tiene sus repeticiones acotadas, así que ningún intento de coincidencia
  recorre más de unos pocos miles de caracteres (un motivo de rechazo de 2 MB no cuesta
  horas de CPU).

Hilos: ``logging`` ya serializa cada manejador con su cerrojo; :func:`registrar_evento` y
:func:`redactar` se pueden llamar desde cualquier hilo. :func:`configurar` se llama una vez al
arrancar un programa (es idempotente: reconfigurar sustituye el manejador anterior).
Durabilidad: el registro no es precioso; un ``kill -9`` puede perder la última línea.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import json
import logging
import logging.handlers
import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import platformdirs

from agente.soporte import privado

VARIABLE_ENTORNO = "SINCRO_REGISTRO"
TAMANO_MAXIMO = 1_000_000
COPIAS = 4
LOGGER_EVENTOS = "agente.eventos"

_SECRETO = "***"
_PERSONAL = "<personal>"
LARGO_MAXIMO_LINEA = 16_000
_FIN_DE_PALABRA = re.compile(r"[\s,;]")

# Nombres de campo cuyos valores nunca se escriben (en eventos y en «campo=valor» de mensajes).
CAMPOS_PERSONALES_BASE = frozenset(
    {
        "email",
        "correo",
        "telefono",
        "movil",
        "nif",
        "dni",
        "nie",
        "cif",
        "iban",
        "direccion",
        "domicilio",
        "cliente",
        "nombre_cliente",
        "apellidos",
        "cp",
        "codigo_postal",
        "tarjeta",
        "token",
        "password",
        "contrasena",
    }
)

_cerrojo = threading.Lock()
_secretos: set[str] = set()
_campos_personales: set[str] = set(CAMPOS_PERSONALES_BASE)
_patron_campos: re.Pattern[str] | None = None
_manejadores: list[logging.Handler] = []

# Todas las repeticiones acotadas: el coste de cada intento de coincidencia tiene un máximo
# fijo, así que redactar es lineal en el largo del texto (sin retroceso catastrófico).
_PATRONES_FIJOS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Cabecera Authorization entera, en texto o en el repr de un dict de cabeceras.
    (
        re.compile(
            r"(?i)(authorization['\"]?[ \t]{0,20}[:=][ \t]{0,20}['\"]?)"
            r"(?:token|bearer|basic)?[ \t]{0,20}[^\s'\",}]{1,4096}"
        ),
        r"\1" + _SECRETO,
    ),
    (re.compile(r"(?i)\b(token|bearer)(\s{1,20})[A-Za-z0-9._~+/=-]{16,4096}"), r"\1\2" + _SECRETO),
    (
        re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,10}"),
        "<email>",
    ),
    (re.compile(r"(?i)\b[A-Z]{2}\d{2}(?:\s?\d{4}){5}\b"), "<iban>"),
    (re.compile(r"(?i)\b[XYZ]-?\d{7}-?[A-Z]\b"), "<nif>"),
    (re.compile(r"(?i)\b\d{8}-?[A-Z]\b"), "<nif>"),
    (re.compile(r"\b[ABCDEFGHJNPQRSUVW]-?\d{7}[0-9A-J]\b"), "<nif>"),
    (re.compile(r"(?<![\w+-])(?:\+|00)\d{1,3}[\s.-]?\d(?:[\s.-]?\d){6,11}\b"), "<telefono>"),
    (re.compile(r"(?<![\w.-])[6789]\d{2}[\s.-]?\d{3}[\s.-]?\d{3}(?![\w.-])"), "<telefono>"),
    (re.compile(r"(?<![\w.-])[6789]\d{2}(?:[\s.-]\d{2}){3}(?![\w.-])"), "<telefono>"),
)


def registrar_secreto(valor: str | None) -> None:
    """Añade un valor (p. ej. el token leído del llavero) que se tachará en cualquier contexto."""
    if valor and len(valor) >= 4:
        with _cerrojo:
            _secretos.add(valor)


def declarar_campos_personales(nombres: Iterable[str]) -> None:
    """Declara nombres de campo personales (p. ej. los de un modelo de clientes): sus valores no
    se escriben nunca en el registro."""
    global _patron_campos
    with _cerrojo:
        _campos_personales.update(n.lower() for n in nombres if n)
        _patron_campos = None


def _patron_de_campos() -> re.Pattern[str]:
    global _patron_campos
    with _cerrojo:
        if _patron_campos is None:
            ordenados = sorted(_campos_personales, key=len, reverse=True)
            nombres = "|".join(re.escape(n) for n in ordenados)
            _patron_campos = re.compile(
                rf"(?i)(['\"]?\b(?:{nombres})\b['\"]?[ \t]{{0,20}}[:=][ \t]{{0,20}})"
                r"(\"(?:[^\"\\]|\\.){0,4096}\"|'(?:[^'\\]|\\.){0,4096}'|[^\s,;}\])]{1,4096})"
            )
        return _patron_campos


def redactar(texto: str) -> str:
    """Devuelve ``texto`` sin tokens ni datos personales. Pura y segura desde cualquier hilo."""
    with _cerrojo:
        secretos = sorted(_secretos, key=len, reverse=True)
    for secreto in secretos:
        texto = texto.replace(secreto, _SECRETO)
    texto = _recortar(texto)
    for patron, reemplazo in _PATRONES_FIJOS:
        texto = patron.sub(reemplazo, texto)
    return _patron_de_campos().sub(lambda m: m.group(1) + _PERSONAL, texto)


def _recortar(texto: str) -> str:
    """``texto`` con como mucho ``LARGO_MAXIMO_LINEA`` caracteres. El corte retrocede hasta
    el último separador para no dejar al final medio dato (un correo o un NIF cortado ya no
    lo reconocerían los patrones)."""
    if len(texto) <= LARGO_MAXIMO_LINEA:
        return texto
    corte = LARGO_MAXIMO_LINEA
    ventana = texto[corte - 200 : corte]
    separadores = [m.start() for m in _FIN_DE_PALABRA.finditer(ventana)]
    corte = corte - 200 + separadores[-1] if separadores else corte - 200
    return f"{texto[:corte]} …[línea recortada: {len(texto) - corte} caracteres omitidos]"


class FormateadorRedactado(logging.Formatter):
    """Una línea por registro, ya redactada (mensaje, argumentos y traza incluidos)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="microseconds")

    def format(self, record: logging.LogRecord) -> str:
        linea = super().format(record)
        linea = linea.replace("\r", "").replace("\n", "\\n")
        return redactar(linea)


def directorio_registro(datos: str | os.PathLike[str] | None = None) -> Path:
    """Directorio de registro para el directorio de datos ``datos`` (sin crearlo).

    - ``SINCRO_REGISTRO`` definida: esa raíz (y ``<nombre>-<hash>`` por cada directorio de datos
      que no sea el de por defecto).
    - Directorio de datos por defecto (o ``None``): ``platformdirs.user_log_dir("sincro")``.
    - Otro directorio de datos (``--datos``/``SINCRO_DATOS``: varias terminales en una
      máquina): ``<datos>/registro``, junto a los datos de esa terminal.
    """
    base = os.environ.get(VARIABLE_ENTORNO)
    raiz = (
        Path(base).expanduser()
        if base
        else Path(platformdirs.user_log_dir("sincro", appauthor=False))
    )
    if datos is None:
        return raiz
    datos_abs = Path(datos).expanduser().resolve()
    por_defecto = Path(platformdirs.user_data_dir("sincro", appauthor=False)).resolve()
    if datos_abs == por_defecto:
        return raiz
    if not base:
        return datos_abs / "registro"
    huella = hashlib.sha256(str(datos_abs).encode()).hexdigest()[:8]
    nombre = re.sub(r"[^A-Za-z0-9_-]", "_", datos_abs.name)[:40] or "datos"
    return raiz / f"{nombre}-{huella}"


class _ManejadorPrivado(logging.handlers.RotatingFileHandler):
    """Ficheros rotativos creados sólo para el usuario actual (``agente.soporte.privado``)."""

    def _open(self):
        flujo = super()._open()
        privado.proteger(self.baseFilename)
        return flujo

    def handleError(self, record: logging.LogRecord) -> None:
        """Un fallo al escribir el registro (disco lleno, sin permiso) nunca llega a la
        persona como traza: el registro no es precioso; la orden sigue y da su propio error."""
        try:
            if self.stream is not None:
                self.stream.close()
        except OSError:
            pass
        self.stream = None  # el siguiente registro vuelve a intentar abrir el fichero


def configurar(
    datos: str | os.PathLike[str] | None = None,
    *,
    programa: str = "sincro",
    directorio: str | os.PathLike[str] | None = None,
    nivel: int = logging.INFO,
    tamano_maximo: int = TAMANO_MAXIMO,
    copias: int = COPIAS,
) -> Path:
    """Instala el manejador de ficheros rotativos en el logger raíz y devuelve la ruta del
    fichero. ``directorio`` fuerza el directorio (pruebas); si no, :func:`directorio_registro`.
    """
    if not re.fullmatch(r"[a-z0-9_-]{1,32}", programa):
        raise ValueError(f"Nombre de programa no válido para el registro: {programa!r}.")
    carpeta = Path(directorio) if directorio is not None else directorio_registro(datos)
    privado.crear_carpeta(carpeta)
    fichero = carpeta / f"{programa}.log"
    manejador = _ManejadorPrivado(
        fichero, maxBytes=tamano_maximo, backupCount=copias, encoding="utf-8", delay=True
    )
    manejador.setFormatter(FormateadorRedactado())
    manejador.setLevel(nivel)
    raiz = logging.getLogger()
    with _cerrojo:
        for anterior in _manejadores:
            raiz.removeHandler(anterior)
            anterior.close()
        _manejadores[:] = [manejador]
    raiz.addHandler(manejador)
    # Ningún manejador imprime «--- Logging error ---» con su traza si no puede escribir.
    logging.raiseExceptions = False
    if raiz.level == logging.NOTSET or raiz.level > nivel:
        raiz.setLevel(nivel)
    # urllib3 registra URLs completas en DEBUG; nunca por debajo de WARNING en el fichero.
    logging.getLogger("urllib3").setLevel(max(nivel, logging.WARNING))
    return fichero


def configurar_sin_fallar(datos: str | os.PathLike[str] | None, programa: str) -> Path | None:
    """:func:`configurar` para la CLI: si no se puede escribir el registro (permisos, disco),
    la orden sigue sin registro a fichero en vez de fallar. Devuelve el fichero o ``None``."""
    try:
        return configurar(datos, programa=programa)
    except OSError:
        # Sin fichero de registro, los avisos tampoco van a la pantalla (logging los
        # imprimiría en stderr): la orden dará su propio error si el disco le impide trabajar.
        logging.raiseExceptions = False
        logging.getLogger().addHandler(logging.NullHandler())
        return None


def desconfigurar() -> None:
    """Quita y cierra el manejador instalado por :func:`configurar` (pruebas, salida)."""
    raiz = logging.getLogger()
    with _cerrojo:
        for anterior in _manejadores:
            raiz.removeHandler(anterior)
            anterior.close()
        _manejadores.clear()


def fichero_actual() -> Path | None:
    """El fichero en el que se está escribiendo, o ``None`` si no se ha configurado."""
    with _cerrojo:
        for manejador in _manejadores:
            if isinstance(manejador, logging.FileHandler):
                return Path(manejador.baseFilename)
    return None


def _valor_de_evento(campo: str, valor: Any) -> str:
    if campo.lower() in _campos_personales:
        return _PERSONAL
    if isinstance(valor, str) and re.fullmatch(r"[\w.:/@+-]{1,200}", valor):
        return valor
    if isinstance(valor, bool | int | float) or valor is None:
        return json.dumps(valor)
    if isinstance(valor, str):
        return json.dumps(valor, ensure_ascii=False)
    return json.dumps(valor, ensure_ascii=False, default=str, sort_keys=True)


def registrar_evento(tipo: str, nivel: int = logging.INFO, **campos: Any) -> None:
    """Escribe un evento de sincronización en una línea: ``evento=<tipo> clave=valor …``.

    Los valores de campos personales se sustituyen por ``<personal>``; los textos se escriben
    entre comillas JSON (sin saltos de línea). Nunca pasar el token: igualmente se tacharía.
    """
    if not re.fullmatch(r"[a-z0-9_.-]{1,64}", tipo):
        raise ValueError(f"Tipo de evento no válido: {tipo!r} (minúsculas, dígitos, _ . -).")
    partes = [f"evento={tipo}"]
    for campo, valor in campos.items():
        partes.append(f"{campo}={_valor_de_evento(campo, valor)}")
    logging.getLogger(LOGGER_EVENTOS).log(nivel, " ".join(partes))


def ficheros_de_registro(directorio: str | os.PathLike[str]) -> list[Path]:
    """Ficheros de registro de un directorio (actuales y rotados), del más antiguo al más nuevo."""
    carpeta = Path(directorio)
    if not carpeta.is_dir():
        return []

    def orden(ruta: Path) -> tuple[int, str]:
        sufijo = ruta.name.rsplit(".", 1)[-1]
        return (-int(sufijo) if sufijo.isdigit() else 0, ruta.name)

    patron = re.compile(r"\.log(\.\d+)?$")
    ficheros = [p for p in carpeta.iterdir() if p.is_file() and patron.search(p.name)]
    return sorted(ficheros, key=orden)


def leer_recientes(
    n: int = 50,
    directorio: str | os.PathLike[str] | None = None,
    *,
    solo_eventos: bool = False,
) -> list[str]:
    """Las ``n`` líneas más recientes de todos los ficheros del directorio (todos los
    programas), en orden cronológico. Sólo lee: se puede llamar desde cualquier hilo."""
    if directorio is None:
        actual = fichero_actual()
        directorio = actual.parent if actual else directorio_registro()
    lineas: list[str] = []
    for ruta in ficheros_de_registro(directorio):
        try:
            with open(ruta, encoding="utf-8", errors="replace") as fichero:
                for linea in fichero:
                    linea = linea.rstrip("\n")
                    if not linea or (solo_eventos and " evento=" not in linea):
                        continue
                    lineas.append(linea)
        except OSError:
            continue
    # La fecha ISO UTC al principio de cada línea ordena entre programas; sort es estable.
    lineas.sort(key=lambda linea: linea.split(" ", 1)[0])
    return list(collections.deque(lineas, maxlen=max(n, 0)))
