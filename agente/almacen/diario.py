"""El diario de ventas de esta terminal en ``cola.sqlite`` (tablas ``diario`` y
``diario_confirmado``; formato en ``protocolo.diario``).

Cada venta, anulación, devolución o cierre es UNA fila nueva de ``diario`` con sus bytes
canónicos (``contenido``) y su huella; ``pos`` es el orden de la cadena. Nunca se cambia ni se
borra una fila (dos disparadores lo rechazan). Lo que la central ya tiene va en
``diario_confirmado``.

Numeración: serie ``<terminal>-<año>`` con el año (local) de la hora corregida, pero nunca un
año anterior al de la última serie usada; número = último número guardado de la serie + 1 (nunca
del reloj: un salto atrás del reloj no rompe la numeración). ``fecha`` = hora de la terminal
corregida con el desfase medido con la central (ajuste ``desfase_ms`` de la cola).

Durabilidad: ``anotar`` escribe DENTRO de la transacción de la cola que le pasan (``Sesion``
de ``Cola.transaccion``): quien vende guarda en esa misma transacción los pagos y las
operaciones de la cola, así que tras un ``kill -9`` o un corte de luz está todo (diario +
pagos + cola) o nada. ``confirmar`` es su propia transacción duradera.

Hilos: seguro desde cualquier hilo (el cerrojo de la ``Cola``); numerar y sellar ocurre bajo
``BEGIN IMMEDIATE``, así que dos procesos que venden a la vez nunca repiten número.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agente.almacen.cola import Cola, Sesion, ahora_iso
from protocolo import diario as formato

TIENDA = "tienda"
"""Ajuste de la cola con el código de tienda (lo guarda ``sincro configurar``)."""
SIN_TIENDA = "sin-tienda"
SIN_TERMINAL = "sin-terminal"
"""Tienda y terminal de los registros de una terminal aún sin configurar (sólo pruebas: una
terminal de verdad no tiene esquema, y por tanto no vende, antes de configurarse)."""

CONFIRMADOS = "diario_confirmado_hasta"
"""Ajuste de la cola: ``pos`` hasta la que todo está confirmado (``confirmados_hasta``)."""

_COLUMNAS = (
    "d.pos, d.serie, d.numero, d.tipo, d.venta, d.fecha, d.huella_anterior, d.huella,"
    " d.contenido, c.confirmado_en"
)
_DESDE = "diario d LEFT JOIN diario_confirmado c ON c.pos = d.pos"


@dataclass(frozen=True)
class Apunte:
    """Una fila del diario tal como está en disco."""

    pos: int
    serie: str
    numero: int
    tipo: str
    venta: str | None
    fecha: str
    huella_anterior: str
    huella: str
    contenido: bytes
    confirmado_en: str | None

    def registro(self) -> dict[str, Any]:
        """El registro completo (``ValueError`` si ``contenido`` no es JSON)."""
        return {**json.loads(self.contenido), "huella": self.huella}

    def eslabon(self) -> formato.Eslabon:
        return formato.Eslabon(
            self.serie, self.numero, self.huella_anterior, self.huella, self.contenido
        )


def _apunte(fila: Sequence[Any]) -> Apunte:
    contenido = fila[8]
    if isinstance(contenido, str):
        contenido = contenido.encode()
    return Apunte(*fila[:8], bytes(contenido), fila[9])


def identidad(sesion: Sesion) -> tuple[str, str, int]:
    """(tienda, terminal, desfase_ms) de los ajustes, dentro de la transacción ``sesion``."""
    valores = dict(
        sesion.execute(
            "SELECT clave, valor FROM ajustes WHERE clave IN (?, ?, ?)",
            (TIENDA, "terminal", "desfase_ms"),
        ).fetchall()
    )
    return (
        valores.get(TIENDA) or SIN_TIENDA,
        valores.get("terminal") or SIN_TERMINAL,
        int(valores.get("desfase_ms") or 0),
    )


def _anio_de_serie(serie: str) -> int:
    _, _, anio = serie.rpartition("-")
    return int(anio) if anio.isdigit() else 0


def anotar(
    sesion: Sesion, datos: Mapping[str, Any], ahora: dt.datetime | None = None
) -> dict[str, Any]:
    """Numera, fecha, sella y guarda un registro (``datos``: ``tipo`` y las claves de su tipo)
    dentro de la transacción de escritura ``sesion``. Devuelve el registro sellado."""
    if not sesion.escritura:
        raise ValueError("Anotar en el diario necesita una transacción de la cola.")
    tienda, terminal, desfase = identidad(sesion)
    momento = (ahora or dt.datetime.now(dt.UTC)) + dt.timedelta(milliseconds=desfase)
    ultimo = sesion.execute("SELECT serie, huella FROM diario ORDER BY pos DESC LIMIT 1").fetchone()
    anio = momento.astimezone().year  # el año de la tienda (hora local), no el de UTC
    if ultimo is not None:
        anio = max(anio, _anio_de_serie(ultimo[0]))
    serie = formato.serie_de(terminal, anio)
    (maximo,) = sesion.execute(
        "SELECT MAX(numero) FROM diario WHERE serie = ?", (serie,)
    ).fetchone()
    registro = {
        **datos,
        "tienda": tienda,
        "terminal": terminal,
        "serie": serie,
        "numero": (maximo or 0) + 1,
        "fecha": momento.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "desfase_ms": desfase,
    }
    sellado = formato.sellar(registro, ultimo[1] if ultimo else formato.HUELLA_INICIAL)
    formato.validar_forma(sellado)
    sesion.execute(
        "INSERT INTO diario (serie, numero, tipo, venta, fecha, huella_anterior, huella,"
        " contenido, creado_en) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            serie,
            sellado["numero"],
            sellado["tipo"],
            sellado.get("venta"),
            sellado["fecha"],
            sellado["huella_anterior"],
            sellado["huella"],
            formato.canonico(sellado),
            ahora_iso(),
        ),
    )
    return sellado


# -- lectura -------------------------------------------------------------------------------


@contextlib.contextmanager
def _leer(origen: Cola | Sesion) -> Iterator[Sesion]:
    """Una sesión de lectura de la cola, o la transacción ``origen`` si ya es una."""
    if isinstance(origen, Sesion):
        yield origen
        return
    with origen.lectura() as s:
        yield s


def apuntes(
    cola: Cola | Sesion,
    *,
    desde_pos: int = 0,
    limite: int | None = None,
    sin_confirmar: bool = False,
) -> list[Apunte]:
    """Filas del diario en orden de cadena con ``pos > desde_pos``."""
    condicion = " AND c.pos IS NULL" if sin_confirmar else ""
    tope = f" LIMIT {int(limite)}" if limite is not None else ""
    with _leer(cola) as s:
        filas = s.execute(
            f"SELECT {_COLUMNAS} FROM {_DESDE} WHERE d.pos > ?{condicion}"  # noqa: S608
            f" ORDER BY d.pos{tope}",
            (desde_pos,),
        ).fetchall()
    return [_apunte(f) for f in filas]


def recorrer(cola: Cola, trozo: int = 5000) -> Iterator[Apunte]:
    """Todo el diario en orden, por trozos (sin cargarlo entero en memoria)."""
    pos = 0
    while True:
        bloque = apuntes(cola, desde_pos=pos, limite=trozo)
        yield from bloque
        if len(bloque) < trozo:
            return
        pos = bloque[-1].pos


def de_venta(cola: Cola | Sesion, venta: str) -> list[Apunte]:
    """Los registros de una venta (la venta y sus anulaciones/devoluciones), en orden."""
    with _leer(cola) as s:
        filas = s.execute(
            f"SELECT {_COLUMNAS} FROM {_DESDE} WHERE d.venta = ? ORDER BY d.pos",  # noqa: S608
            (venta,),
        ).fetchall()
    return [_apunte(f) for f in filas]


def por_numero(cola: Cola | Sesion, serie: str, numero: int) -> Apunte | None:
    return _uno(cola, "WHERE d.serie = ? AND d.numero = ?", (serie, numero))


def ultimo_cierre(cola: Cola | Sesion) -> Apunte | None:
    return _uno(cola, "WHERE d.tipo = 'cierre' ORDER BY d.pos DESC LIMIT 1")


def ultimo(cola: Cola | Sesion) -> Apunte | None:
    return _uno(cola, "ORDER BY d.pos DESC LIMIT 1")


def _uno(cola: Cola | Sesion, resto: str, parametros: tuple = ()) -> Apunte | None:
    """El primer registro (con su confirmación) que eligen ``resto`` (``WHERE``/``ORDER BY``
    fijos de este módulo; los valores van siempre en ``parametros``)."""
    with _leer(cola) as s:
        fila = s.execute(
            f"SELECT {_COLUMNAS} FROM {_DESDE} {resto}",  # noqa: S608
            parametros,
        ).fetchone()
    return _apunte(fila) if fila else None


def contar(cola: Cola | Sesion) -> int:
    with _leer(cola) as s:
        return s.execute("SELECT COUNT(*) FROM diario").fetchone()[0]


# -- confirmación ------------------------------------------------------------------------------


def confirmados_hasta(cola: Cola | Sesion) -> int:
    """``pos`` hasta la que la central lo tiene todo (los anteriores no hace falta mirarlos
    para saber qué falta por enviar: así el envío no recorre el diario entero)."""
    with _leer(cola) as s:
        fila = s.execute("SELECT valor FROM ajustes WHERE clave = ?", (CONFIRMADOS,)).fetchone()
    return int(fila[0]) if fila else 0


def confirmar(cola: Cola, resultados: Sequence[tuple[int, str, Sequence[str]]]) -> int:
    """Anota ``(pos, resultado, incidencias)`` que la central ya tiene, en UNA transacción
    duradera, y avanza ``confirmados_hasta``. Un registro ya confirmado no cambia. Devuelve
    cuántos se anotaron."""
    ahora = ahora_iso()
    with cola.transaccion() as s:
        total = 0
        for pos, resultado, incidencias in resultados:
            total += s.execute(
                "INSERT OR IGNORE INTO diario_confirmado (pos, resultado, incidencias,"
                " confirmado_en) VALUES (?, ?, ?, ?)",
                (
                    pos,
                    resultado,
                    json.dumps(list(incidencias), ensure_ascii=False) if incidencias else None,
                    ahora,
                ),
            ).rowcount
        hasta = confirmados_hasta(s)
        (primero_sin,) = s.execute(
            f"SELECT MIN(d.pos) FROM {_DESDE} WHERE d.pos > ? AND c.pos IS NULL",  # noqa: S608
            (hasta,),
        ).fetchone()
        if primero_sin is None:
            (nuevo,) = s.execute("SELECT IFNULL(MAX(pos), 0) FROM diario").fetchone()
        else:
            nuevo = primero_sin - 1
        if nuevo != hasta:
            s.execute(
                "INSERT INTO ajustes (clave, valor) VALUES (?, ?)"
                " ON CONFLICT (clave) DO UPDATE SET valor = excluded.valor",
                (CONFIRMADOS, str(nuevo)),
            )
        return total


def sin_confirmar(cola: Cola | Sesion, desde_pos: int = 0) -> tuple[int, str | None]:
    """(cuántos registros con ``pos > desde_pos`` no ha confirmado la central, ``fecha`` del
    más antiguo o ``None``)."""
    with _leer(cola) as s:
        n, fecha = s.execute(
            f"SELECT COUNT(*), MIN(d.fecha) FROM {_DESDE} WHERE d.pos > ?"  # noqa: S608
            " AND c.pos IS NULL",
            (desde_pos,),
        ).fetchone()
    return n, fecha


# -- verificación -------------------------------------------------------------------------------


_FILAS_CADENA = "SELECT pos, serie, numero, huella_anterior, huella, contenido FROM diario"
_TROZO_VERIFICAR = 5000
VENTANA_ARRANQUE = 2000
"""Registros ya verificados que el arranque vuelve a verificar (además de los nuevos)."""
AJUSTE_VERIFICADO = "diario_verificado_hasta"


def verificar(cola: Cola) -> list[formato.Incidencia]:
    """Verifica la cadena entera con ``protocolo.diario.verificar`` y además que las columnas
    de cada fila (serie, número, huella anterior) digan lo mismo que sus bytes sellados. Lee
    por trozos (el cerrojo de la cola se suelta entre trozo y trozo: se puede vender mientras
    tanto)."""

    def filas() -> Iterator[tuple]:
        pos = 0
        while True:
            with cola.lectura() as s:
                bloque = s.execute(
                    f"{_FILAS_CADENA} WHERE pos > ? ORDER BY pos LIMIT ?",
                    (pos, _TROZO_VERIFICAR),
                ).fetchall()
            yield from bloque
            if len(bloque) < _TROZO_VERIFICAR:
                return
            pos = bloque[-1][0]

    return verificar_filas(filas())


def verificar_reciente(cola: Cola, ventana: int = VENTANA_ARRANQUE) -> list[formato.Incidencia]:
    """La verificación del arranque: los registros añadidos desde la última verificación del
    arranque sin incidencias más los ``ventana`` últimos (el trabajo de los últimos días),
    para que abrir la terminal no cueste más cuanto más viejo es el diario. La cadena entera
    la verifican ``verificar`` (``sincro verificar-diario``), el autodiagnóstico y la central.
    Sin incidencias, anota hasta dónde verificó (ajuste ``AJUSTE_VERIFICADO``)."""
    hasta = int(cola.ajuste(AJUSTE_VERIFICADO, "0") or 0)
    with cola.lectura() as s:
        ultimo = s.execute("SELECT IFNULL(MAX(pos), 0) FROM diario").fetchone()[0]
        desde = max(0, min(hasta, ultimo - ventana))
        filas = s.execute(
            f"SELECT * FROM (SELECT * FROM ({_FILAS_CADENA} WHERE pos <= ?"  # noqa: S608
            f" ORDER BY pos DESC LIMIT 1) UNION ALL {_FILAS_CADENA} WHERE pos > ?)"
            " ORDER BY pos",
            (desde, desde),
        ).fetchall()
    if not filas:
        return []
    # El primer registro se comprueba a sí mismo (huella y columnas); su enlace con el
    # anterior queda para la verificación completa.
    _pos, serie, numero, anterior, _huella, _contenido = filas[0]
    punto = formato.Punto(
        huella=anterior, serie=serie, numero=numero - 1, series={serie: numero - 1}
    )
    incidencias = verificar_filas(filas, punto)
    if not incidencias and ultimo != hasta:
        cola.fijar_ajuste(AJUSTE_VERIFICADO, str(ultimo))
    return incidencias


def verificar_fichero(ruta: str | os.PathLike[str]) -> list[formato.Incidencia]:
    """Como ``verificar`` pero leyendo ``cola.sqlite`` en sólo lectura, sin abrir la ``Cola``
    (el autodiagnóstico no cambia nada). Sin tabla ``diario``: ninguna incidencia."""
    uri = f"{Path(ruta).resolve().as_uri()}?mode=ro"
    conexion = sqlite3.connect(uri, uri=True)
    try:
        if not conexion.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'diario'"
        ).fetchone():
            return []
        return verificar_filas(conexion.execute(f"{_FILAS_CADENA} ORDER BY pos"))
    finally:
        conexion.close()


DISPARADORES = ("diario_sin_cambios", "diario_sin_borrados")


def disparadores_ausentes(ruta: str | os.PathLike[str]) -> list[str]:
    """Los disparadores de sólo añadir que faltan en ``cola.sqlite`` (en sólo lectura; sin
    tabla ``diario``, ninguno)."""
    uri = f"{Path(ruta).resolve().as_uri()}?mode=ro"
    conexion = sqlite3.connect(uri, uri=True)
    try:
        nombres = {n for (n,) in conexion.execute("SELECT name FROM sqlite_master")}
    finally:
        conexion.close()
    if "diario" not in nombres:
        return []
    return [d for d in DISPARADORES if d not in nombres]


def columnas_coinciden(contenido: bytes, serie: str, numero: int, anterior: str) -> bool:
    """¿Dicen los bytes canónicos lo mismo que las columnas? Sin analizar el JSON: en la forma
    canónica (claves ordenadas, comillas escapadas dentro de los textos) la primera clave
    ``"numero":`` y la última ``"serie":`` son las del registro (las de ``referencia`` van
    después y antes, respectivamente) y ``"huella_anterior":`` sólo aparece una vez."""
    clave_numero = contenido.find(b'"numero":')
    clave_serie = contenido.rfind(b'"serie":')
    return (
        clave_numero >= 0
        and contenido.startswith(b'"numero":%d,' % numero, clave_numero)
        and clave_serie >= 0
        and contenido.startswith(_clave_serie(serie), clave_serie)
        and contenido.count(b'"huella_anterior":"%s"' % anterior.encode()) == 1
    )


@functools.lru_cache(maxsize=64)
def _clave_serie(serie: str) -> bytes:
    return b'"serie":' + json.dumps(serie, ensure_ascii=False).encode() + b","


def verificar_filas(
    filas: Iterable[Sequence[Any]], desde: formato.Punto | None = None
) -> list[formato.Incidencia]:
    """Incidencias de las filas ``(pos, serie, numero, huella_anterior, huella, contenido)``
    de una cadena en orden: primero las de columnas que no coinciden con su contenido, luego
    las de la cadena (``protocolo.diario.verificar``). Un SHA-256 por fila; sin JSON."""
    de_columnas: list[formato.Incidencia] = []

    def eslabones() -> Iterator[formato.Eslabon]:
        for _pos, serie, numero, anterior, huella, contenido in filas:
            crudo = contenido.encode() if isinstance(contenido, str) else bytes(contenido)
            if not columnas_coinciden(crudo, serie, numero, anterior):
                de_columnas.append(
                    formato.Incidencia(
                        "alterado",
                        serie,
                        numero,
                        "sus columnas no coinciden con su contenido sellado.",
                    )
                )
            yield formato.Eslabon(serie, numero, anterior, huella, crudo)

    de_cadena = list(formato.verificar(eslabones(), desde))
    return de_columnas + de_cadena


__all__ = [
    "AJUSTE_VERIFICADO",
    "CONFIRMADOS",
    "DISPARADORES",
    "SIN_TERMINAL",
    "SIN_TIENDA",
    "TIENDA",
    "VENTANA_ARRANQUE",
    "Apunte",
    "anotar",
    "apuntes",
    "columnas_coinciden",
    "confirmados_hasta",
    "confirmar",
    "contar",
    "de_venta",
    "disparadores_ausentes",
    "identidad",
    "por_numero",
    "recorrer",
    "sin_confirmar",
    "ultimo",
    "ultimo_cierre",
    "verificar",
    "verificar_fichero",
    "verificar_filas",
    "verificar_reciente",
]
