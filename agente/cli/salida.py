"""Ayudas comunes de la CLI: abrir el agente, imprimir (texto o ``--json``), errores de una
línea y códigos de salida.

Códigos: 0 bien; 1 fallo inesperado (E/S, base de datos, error interno: una línea en stderr y
la traza en el registro); 2 entrada incorrecta (el mensaje dice qué corregir y no se ha
cambiado nada), también los errores de argumentos de argparse.

``SINCRO_TRAZA=1`` deja que un error interno salga con su traza completa (desarrollo, pruebas).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sqlite3
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

from agente.almacen.cache import ErrorCache
from agente.almacen.cola import ErrorCola
from agente.soporte import errores_so
from agente.soporte.configuracion import ErrorConfiguracion
from protocolo.esquema import ErrorEsquema, ErrorValor

SALIDA_BIEN = 0
SALIDA_FALLO = 1
SALIDA_ENTRADA = 2

VARIABLE_TRAZA = "SINCRO_TRAZA"
MAX_ANIDAMIENTO = 100
"""Niveles de listas/objetos que admite un JSON de entrada (más es un error de entrada: el
analizador de JSON de Python agota la pila con unos pocos miles)."""

ARGUMENTOS_RUTA = frozenset({"datos", "cargar", "carpeta", "salida"})
"""``dest`` de los argumentos que son rutas: pueden traer bytes que no son UTF-8 (nombres de
fichero del sistema); los demás textos de la línea de órdenes deben ser UTF-8 válido."""

_registro = logging.getLogger(__name__)


class ErrorEntrada(ValueError):
    """Argumentos de la orden incorrectos. El mensaje dice qué corregir."""


ERRORES_DE_ENTRADA: tuple[type[BaseException], ...] = (
    ErrorEntrada,
    ErrorValor,
    ErrorEsquema,
    ErrorCache,
    ErrorCola,
    ErrorConfiguracion,
)


def abrir_agente(args: argparse.Namespace, **opciones: Any):
    """El ``Agente`` del directorio de ``--datos`` (o ``SINCRO_DATOS`` o el de usuario)."""
    from agente.fachada import Agente

    return Agente.abrir(getattr(args, "datos", None), **opciones)


def visible(texto: object) -> str:
    """``texto`` con los caracteres de control y de formato (escapes ANSI, C1, marcas de
    dirección U+202E…) escritos como ``\\uXXXX``: un texto de la central nunca mueve el
    cursor, cambia colores ni da la vuelta a la línea. Saltos de línea y tabuladores quedan."""
    texto = str(texto)
    if texto.isprintable():
        return texto
    return "".join(
        c if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf") else f"\\u{ord(c):04x}"
        for c in texto
    )


def una_linea(texto: object) -> str:
    return visible(" ".join(str(texto).split()))


class _SalidaVisible:
    """Envoltorio de ``sys.stdout``/``sys.stderr`` que pasa todo por :func:`visible` (la
    salida JSON sigue siendo JSON: ``\\uXXXX`` es un escape válido dentro de una cadena)."""

    def __init__(self, flujo: Any) -> None:
        self._flujo = flujo

    def write(self, texto: str) -> int:
        self._flujo.write(visible(texto))
        return len(texto)

    def __getattr__(self, nombre: str) -> Any:
        return getattr(self._flujo, nombre)


def salida_visible() -> None:
    """Todo lo que la CLI imprima a partir de aquí, con los caracteres de control escapados
    (lo llama ``agente.cli.main``)."""
    if sys.stdout is not None and not isinstance(sys.stdout, _SalidaVisible):
        sys.stdout = _SalidaVisible(sys.stdout)
    if sys.stderr is not None and not isinstance(sys.stderr, _SalidaVisible):
        sys.stderr = _SalidaVisible(sys.stderr)


def error(mensaje: object, codigo: int = SALIDA_ENTRADA) -> int:
    print(f"sincro: error: {una_linea(mensaje)}", file=sys.stderr)
    return codigo


def imprimir_json(valor: Any) -> None:
    json.dump(valor, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def opcion_json(analizador: argparse.ArgumentParser) -> None:
    analizador.add_argument("--json", action="store_true", help="salida en JSON")


def opcion_pagos(analizador: argparse.ArgumentParser, ayuda: str) -> None:
    """``--pago METODO:IMPORTE``, repetible (``args.pago``: lista o ``None``)."""
    analizador.add_argument("--pago", action="append", metavar="METODO:IMPORTE", help=ayuda)


# -- texto y JSON de entrada ---------------------------------------------------------------


def caracter_no_utf8(texto: str) -> str | None:
    """El primer carácter de ``texto`` que no se puede escribir en UTF-8 (un sustituto UTF-16
    suelto: ``\\ud800`` escapado en JSON, o un byte no UTF-8 de la línea de órdenes), escrito
    como ``\\uXXXX``; ``None`` si todo el texto es válido."""
    try:
        texto.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"\\u{ord(texto[exc.start]):04x}"
    return None


def _recorrer(valor: Any) -> Iterator[tuple[str, int, Any]]:
    """(ruta, profundidad, valor) de cada valor y clave anidados, sin recursión."""
    pendientes: list[tuple[str, int, Any]] = [("", 0, valor)]
    while pendientes:
        ruta, nivel, actual = pendientes.pop()
        yield ruta, nivel, actual
        if isinstance(actual, dict):
            for clave, hijo in actual.items():
                camino = f"{ruta}.{clave}" if ruta else str(clave)
                yield camino, nivel + 1, clave
                pendientes.append((camino, nivel + 1, hijo))
        elif isinstance(actual, list):
            pendientes.extend((f"{ruta}[{i}]", nivel + 1, h) for i, h in enumerate(actual))


def comprobar_json(valor: Any, que: str) -> Any:
    """Rechaza (``ErrorEntrada``) un JSON ya leído que anida más de ``MAX_ANIDAMIENTO``
    niveles o con textos que no son UTF-8 válido. Devuelve ``valor``."""
    for ruta, nivel, actual in _recorrer(valor):
        if nivel > MAX_ANIDAMIENTO:
            raise ErrorEntrada(
                f"{que} anida más de {MAX_ANIDAMIENTO} listas u objetos; simplifíquelo."
            )
        if isinstance(actual, str):
            malo = caracter_no_utf8(actual)
            if malo is not None:
                donde = f" en «{caracter_visible(ruta)}»" if ruta else ""
                raise ErrorEntrada(
                    f"{que} tiene un carácter que no es UTF-8 válido ({malo}, un sustituto "
                    f"UTF-16 suelto){donde}; quítelo o escriba el carácter completo."
                )
    return valor


def caracter_visible(texto: str) -> str:
    """``texto`` con los caracteres que no son UTF-8 escritos como ``\\uXXXX``."""
    return texto.encode("utf-8", "backslashreplace").decode("utf-8")


def leer_json(texto: str, que: str, ejemplo: str) -> Any:
    """JSON de la línea de órdenes o de un fichero: ``ErrorEntrada`` de una línea si no es
    JSON, anida demasiado o trae textos que no son UTF-8."""
    try:
        valor = json.loads(texto)
    except json.JSONDecodeError as exc:
        raise ErrorEntrada(f"{que} no es JSON válido ({exc.msg}); ejemplo: {ejemplo}") from None
    except RecursionError:
        raise ErrorEntrada(
            f"{que} anida más de {MAX_ANIDAMIENTO} listas u objetos; simplifíquelo."
        ) from None
    return comprobar_json(valor, que)


# -- argparse con errores de una línea -----------------------------------------------------

_TIPOS = {"int": "un entero", "float": "un número"}
_TRADUCCIONES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"argument (?P<a>.+?): invalid (?P<t>\w+) value: (?P<v>.*)", re.S),
        lambda m: f"{m['a']}: {m['v']} no es {_TIPOS.get(m['t'], 'un valor válido')}",
    ),
    (
        re.compile(
            r"argument (?P<a>.+?): invalid choice: (?P<v>.*?) \(choose from (?P<o>.*)\)", re.S
        ),
        lambda m: f"{m['a']}: {m['v']} no es una opción válida (elija entre {m['o']})",
    ),
    (
        re.compile(r"argument (?P<a>.+?): expected (?P<n>one|at least one) argument", re.S),
        lambda m: f"{m['a']} necesita un valor",
    ),
    (
        re.compile(r"the following arguments are required: (?P<a>.*)", re.S),
        lambda m: f"faltan argumentos obligatorios: {m['a']}",
    ),
    (
        re.compile(r"unrecognized arguments: (?P<a>.*)", re.S),
        lambda m: f"argumentos no reconocidos: {m['a']}",
    ),
    (
        re.compile(r"ambiguous option: (?P<o>\S+) could match (?P<c>.*)", re.S),
        lambda m: f"opción ambigua {m['o']}: puede ser {m['c']}",
    ),
]


def traducir_error_argparse(mensaje: str) -> str:
    """Los mensajes más comunes de argparse, en castellano (los demás, tal cual)."""
    for patron, traduccion in _TRADUCCIONES:
        encontrado = patron.fullmatch(mensaje)
        if encontrado:
            return traduccion(encontrado)
    return mensaje


class Analizador(argparse.ArgumentParser):
    """``ArgumentParser`` cuyos errores son una línea en stderr (código 2) que dice qué
    corregir y cómo ver la ayuda, sin repetir el uso. Las subórdenes lo heredan (argparse usa
    la clase del analizador padre). ``--help`` no cambia.

    También rechaza textos que no son UTF-8 (bytes no UTF-8 en la línea de órdenes) salvo en
    las rutas (``ARGUMENTOS_RUTA``)."""

    def error(self, message: str) -> NoReturn:
        mensaje = caracter_visible(una_linea(traducir_error_argparse(message)))
        self.exit(
            SALIDA_ENTRADA,
            f"sincro: error: {mensaje} — use «{self.prog} --help»\n",
        )

    def parse_known_args(
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        resultado, resto = super().parse_known_args(args, namespace)
        for accion in self._actions:
            if accion.dest in ARGUMENTOS_RUTA:
                continue
            valor = getattr(resultado, accion.dest, None)
            for texto in valor if isinstance(valor, list) else [valor]:
                malo = caracter_no_utf8(texto) if isinstance(texto, str) else None
                if malo is not None:
                    nombre = (accion.option_strings or [accion.metavar or accion.dest])[-1]
                    codigo = int(malo[2:], 16)  # los bytes no UTF-8 llegan como U+DC80..U+DCFF
                    byte = f"byte {codigo - 0xDC00:#04x}" if 0xDC80 <= codigo <= 0xDCFF else malo
                    self.error(f"{nombre}: no es UTF-8 válido ({byte}); escríbalo en UTF-8")
        return resultado, resto


# -- ejecutar una suborden -----------------------------------------------------------------


def _donde_esta_la_traza() -> str:
    from agente.soporte import registro

    fichero = registro.fichero_actual()
    if fichero is None:
        return f"sin registro a fichero: repita con {VARIABLE_TRAZA}=1 para ver la traza"
    return f"la traza está en {fichero}"


def _corto(texto: str, maximo: int = 300) -> str:
    texto = una_linea(texto)
    return texto if len(texto) <= maximo else texto[: maximo - 1] + "…"


def ejecutar(funcion: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Ejecuta una suborden traduciendo excepciones a un mensaje de una línea.

    Entrada incorrecta: código 2 y el mensaje. E/S o base de datos: código 1, el mensaje y la
    traza en el registro. Cualquier otra excepción es un fallo interno: código 1, una línea con
    su tipo y dónde está la traza (en el registro); con ``SINCRO_TRAZA=1`` se relanza.
    """
    orden = getattr(args, "orden", None) or "?"
    try:
        return int(funcion(args) or SALIDA_BIEN)
    except ERRORES_DE_ENTRADA as exc:
        return error(exc, SALIDA_ENTRADA)
    except Exception as exc:
        # Disco lleno, de sólo lectura o sin permiso (también como causa de otro error): una
        # línea que dice qué fichero y qué hacer, sin traza.
        explicado = errores_so.explicar(exc, _datos_de(args))
        if explicado is None:
            return _otro_error(exc, orden)
        _registro.warning("«sincro %s»: %s", orden, explicado)
        return error(explicado, SALIDA_FALLO)
    except KeyboardInterrupt:
        return error("interrumpido", 130)


def _datos_de(args: argparse.Namespace) -> str:
    from agente.soporte import rutas

    return str(rutas.directorio_datos(getattr(args, "datos", None)))


def _otro_error(exc: Exception, orden: str) -> int:
    if isinstance(exc, (sqlite3.Error, OSError)):
        _registro.exception("«sincro %s» falló", orden)
        return error(f"{type(exc).__name__}: {_corto(str(exc))}", SALIDA_FALLO)
    _registro.exception("Fallo interno en «sincro %s»", orden)
    if os.environ.get(VARIABLE_TRAZA):
        raise exc
    return error(
        f"fallo interno en «sincro {orden}» ({type(exc).__name__}: {_corto(str(exc))}); "
        f"{_donde_esta_la_traza()}. Es un error de Sincro: envíe «sincro diagnostico» a "
        "soporte.",
        SALIDA_FALLO,
    )
