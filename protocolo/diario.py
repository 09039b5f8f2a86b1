"""Diario de ventas encadenado (formato 1), el mismo en la terminal y en la central.

Cada terminal lleva un diario de sólo añadir: una venta, una anulación, una devolución o un
cierre de caja es un registro nuevo, nunca una edición. Cada registro lleva la huella SHA-256 del
anterior de la misma terminal (``huella_anterior``; el primero, 64 ceros) y su propia huella
(``huella``) sobre su serialización canónica. Cambiar, borrar o insertar un registro rompe la
cadena en ese punto: lo detecta ``verificar`` aquí, en la central al recibirlo y con ``sincro
verificar-diario`` en la terminal.

Un registro es un objeto JSON con estas claves (todas obligatorias salvo las de su tipo):

- ``formato`` (1), ``tienda``, ``terminal``, ``tipo`` (``TIPOS``).
- ``serie`` (``"<terminal>-<año>"``) y ``numero`` (1, 2, 3… sin huecos dentro de la serie).
- ``fecha``: hora de la terminal corregida con el desfase medido con la central (ISO 8601 UTC,
  segundos) y ``desfase_ms``, el desfase aplicado.
- ``huella_anterior`` y ``huella`` (64 cifras hexadecimales en minúscula).
- venta: ``venta`` (UUID de la venta), ``lineas`` (``[{"producto", "cantidad",
  "precio_unitario", "importe"}]``), ``total`` y ``pagos`` (``[{"metodo", "importe"}]``).
- anulación y devolución: además ``referencia`` (``{"serie", "numero", "huella"}`` del registro
  original); sus importes son los devueltos, en positivo.
- cierre: ``dia`` (``AAAA-MM-DD``), ``desde``/``hasta`` (primer y último número del día),
  ``ventas`` (cuántos registros), ``por_metodo`` (``{metodo: importe}``), ``total``,
  ``efectivo_declarado`` y ``diferencia`` (o null) y ``forzado`` (``{"por", "motivo"}`` o
  null).

Importes: texto decimal con dos decimales (``"3.90"``), nunca números en coma flotante.

Serialización canónica (``canonico``): el registro sin la clave ``huella``, en JSON UTF-8 con
las claves ordenadas, sin espacios (separadores ``,`` y ``:``) y sin escapar lo que no es ASCII.
``huella = sha256(canonico(registro)).hexdigest()``. La central guarda esos bytes tal cual: para
verificar un millón de registros no hace falta volver a serializar nada (``verificar``).

Puro (biblioteca estándar) y sin estado: seguro en cualquier hilo.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

FORMATO = 1
TIPOS = ("venta", "anulacion", "devolucion", "cierre")
HUELLA_INICIAL = "0" * 64
MAX_REGISTROS_POR_PETICION = 500
"""Como mucho tantos registros por ``POST /v1/diario`` (si no, 413)."""

COMUNES = (
    "formato",
    "tienda",
    "terminal",
    "tipo",
    "serie",
    "numero",
    "fecha",
    "desfase_ms",
    "huella_anterior",
    "huella",
)
POR_TIPO = {
    "venta": ("venta", "lineas", "total", "pagos"),
    "anulacion": ("venta", "referencia", "lineas", "total", "pagos"),
    "devolucion": ("venta", "referencia", "lineas", "total", "pagos"),
    "cierre": (
        "dia",
        "desde",
        "hasta",
        "ventas",
        "por_metodo",
        "total",
        "efectivo_declarado",
        "diferencia",
        "forzado",
    ),
}


class ErrorDiario(ValueError):
    """Un registro sin la forma del formato 1 (mensaje de una línea)."""


def serie_de(terminal: str, anio: int) -> str:
    return f"{terminal}-{anio}"


def canonico(registro: Mapping[str, Any]) -> bytes:
    """Los bytes sobre los que se calcula la huella (todo el registro menos ``huella``)."""
    return json.dumps(
        {k: v for k, v in registro.items() if k != "huella"},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode()


def huella_de(contenido: bytes) -> str:
    return hashlib.sha256(contenido).hexdigest()


def sellar(registro: Mapping[str, Any], huella_anterior: str) -> dict[str, Any]:
    """Copia de ``registro`` con ``formato``, ``huella_anterior`` y ``huella`` puestas."""
    sellado = {k: v for k, v in registro.items() if k != "huella"}
    sellado["formato"] = FORMATO
    sellado["huella_anterior"] = huella_anterior
    sellado["huella"] = huella_de(canonico(sellado))
    return sellado


def _es_huella(valor: Any) -> bool:
    return (
        isinstance(valor, str) and len(valor) == 64 and all(c in "0123456789abcdef" for c in valor)
    )


_IMPORTE = re.compile(r"-?[0-9]{1,30}\.[0-9]{2}")
_PRECIO = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,30})?")


def _es_importe(valor: Any) -> bool:
    """Texto decimal con dos decimales (``"3.90"``, ``"-1.95"``), nunca un número."""
    return isinstance(valor, str) and _IMPORTE.fullmatch(valor) is not None


def _es_entero(valor: Any) -> bool:
    return isinstance(valor, int) and not isinstance(valor, bool)


def _es_fecha_hora(valor: str) -> bool:
    try:
        return dt.datetime.fromisoformat(valor).tzinfo is not None
    except ValueError:
        return False


def _es_dia(valor: Any) -> bool:
    if not isinstance(valor, str) or len(valor) != 10:
        return False
    try:
        dt.date.fromisoformat(valor)
    except ValueError:
        return False
    return True


def _validar_importes(registro: dict[str, Any]) -> None:
    """Líneas, total y pagos de una venta, anulación o devolución (sólo su forma)."""
    tipo = registro["tipo"]
    if not isinstance(registro["venta"], str) or not 0 < len(registro["venta"]) <= 64:
        raise ErrorDiario(f"Registro {tipo}: «venta» debe ser un texto de 1 a 64 caracteres.")
    lineas = registro["lineas"]
    if not isinstance(lineas, list) or not all(
        isinstance(linea, dict)
        and _es_entero(linea.get("cantidad"))
        and isinstance(linea.get("precio_unitario"), str)
        and _PRECIO.fullmatch(linea["precio_unitario"])
        and _es_importe(linea.get("importe"))
        for linea in lineas
    ):
        raise ErrorDiario(
            f"Registro {tipo}: «lineas» es una lista de líneas con «cantidad» entera y"
            " «precio_unitario» e «importe» en texto decimal."
        )
    pagos = registro["pagos"]
    if not isinstance(pagos, list) or not all(
        isinstance(p, dict) and isinstance(p.get("metodo"), str) and _es_importe(p.get("importe"))
        for p in pagos
    ):
        raise ErrorDiario(
            f'Registro {tipo}: «pagos» es una lista [{{"metodo": "efectivo", "importe": "3.90"}}].'
        )
    if not _es_importe(registro["total"]):
        raise ErrorDiario(f'Registro {tipo}: «total» es un texto con dos decimales ("3.90").')
    if tipo != "venta":
        referencia = registro["referencia"]
        if not (
            isinstance(referencia, dict)
            and set(referencia) == {"serie", "numero", "huella"}
            and isinstance(referencia["serie"], str)
            and _es_entero(referencia["numero"])
            and _es_huella(referencia["huella"])
        ):
            raise ErrorDiario(
                f'Registro {tipo}: «referencia» es {{"serie", "numero", "huella"}} del original.'
            )


def _validar_cierre(registro: dict[str, Any]) -> None:
    if not _es_dia(registro["dia"]):
        raise ErrorDiario("Registro cierre: «dia» es una fecha AAAA-MM-DD.")
    desde, hasta = registro["desde"], registro["hasta"]
    if not (desde is None and hasta is None) and not (_es_entero(desde) and _es_entero(hasta)):
        raise ErrorDiario("Registro cierre: «desde» y «hasta» son números (o null los dos).")
    if not _es_entero(registro["ventas"]):
        raise ErrorDiario("Registro cierre: «ventas» es un entero.")
    por_metodo = registro["por_metodo"]
    if not isinstance(por_metodo, dict) or not all(_es_importe(v) for v in por_metodo.values()):
        raise ErrorDiario('Registro cierre: «por_metodo» es {metodo: "importe"}.')
    if not _es_importe(registro["total"]):
        raise ErrorDiario('Registro cierre: «total» es un texto con dos decimales ("3.90").')
    for campo in ("efectivo_declarado", "diferencia"):
        if registro[campo] is not None and not _es_importe(registro[campo]):
            raise ErrorDiario(f"Registro cierre: «{campo}» es un texto con dos decimales o null.")
    forzado = registro["forzado"]
    if forzado is not None and not (
        isinstance(forzado, dict)
        and set(forzado) == {"por", "motivo"}
        and all(isinstance(v, str) and v for v in forzado.values())
    ):
        raise ErrorDiario('Registro cierre: «forzado» es {"por", "motivo"} o null.')


def validar_forma(registro: Any) -> None:
    """``ErrorDiario`` si ``registro`` no tiene la forma del formato 1: claves, tipos, fecha
    ISO 8601 con zona e importes en texto con dos decimales (la aritmética de los importes,
    que líneas, total y pagos cuadren, la comprueba quien crea el registro)."""
    if not isinstance(registro, dict):
        raise ErrorDiario("Un registro del diario es un objeto JSON.")
    tipo = registro.get("tipo")
    if tipo not in TIPOS:
        raise ErrorDiario(f"Tipo de registro desconocido: {str(tipo)[:40]!r}.")
    esperadas = set(COMUNES) | set(POR_TIPO[tipo])
    if set(registro) != esperadas:
        faltan = sorted(esperadas - set(registro))
        sobran = sorted(str(k)[:40] for k in set(registro) - esperadas)
        raise ErrorDiario(f"Registro {tipo}: faltan {faltan}, sobran {sobran}.")
    if registro["formato"] != FORMATO:
        raise ErrorDiario(f"Formato de diario {registro['formato']!r} no soportado.")
    numero = registro["numero"]
    if isinstance(numero, bool) or not isinstance(numero, int) or not 1 <= numero < 2**53:
        raise ErrorDiario("«numero» debe ser un entero positivo.")
    for campo in ("tienda", "terminal", "serie", "fecha"):
        if not isinstance(registro[campo], str) or not 0 < len(registro[campo]) <= 64:
            raise ErrorDiario(f"«{campo}» debe ser un texto de 1 a 64 caracteres.")
    if not _es_huella(registro["huella"]) or not _es_huella(registro["huella_anterior"]):
        raise ErrorDiario("Las huellas son 64 cifras hexadecimales en minúscula.")
    if not _es_fecha_hora(registro["fecha"]):
        raise ErrorDiario("«fecha» debe ser una fecha y hora ISO 8601 con zona horaria.")
    if not _es_entero(registro["desfase_ms"]):
        raise ErrorDiario("«desfase_ms» debe ser un entero.")
    if tipo == "cierre":
        _validar_cierre(registro)
    else:
        _validar_importes(registro)


@dataclass(frozen=True)
class Eslabon:
    """Lo que ``verificar`` necesita de un registro: sin volver a leer su JSON."""

    serie: str
    numero: int
    huella_anterior: str
    huella: str
    contenido: bytes
    """``canonico(registro)``, tal como se guardó."""

    @classmethod
    def de_registro(cls, registro: Mapping[str, Any]) -> Eslabon:
        return cls(
            serie=registro["serie"],
            numero=registro["numero"],
            huella_anterior=registro["huella_anterior"],
            huella=registro["huella"],
            contenido=canonico(registro),
        )


@dataclass(frozen=True)
class Incidencia:
    """Un punto donde la cadena no cuadra. ``tipo``: ``alterado`` (la huella no es la de su
    contenido), ``encadenamiento`` (``huella_anterior`` no es la huella del registro anterior:
    uno se insertó, se borró o se cambió), ``hueco`` (faltan números en la serie), ``repetido``
    (un número que ya estaba, con otra huella: una bifurcación)."""

    tipo: str
    serie: str
    numero: int
    detalle: str

    def texto(self, terminal: str = "") -> str:
        quien = f"terminal {terminal}, " if terminal else ""
        return f"{quien}registro {self.serie} nº {self.numero}: {self.detalle}"


@dataclass
class Punto:
    """Dónde quedó la verificación: el último eslabón visto (para seguir en otra llamada)."""

    huella: str = HUELLA_INICIAL
    serie: str | None = None
    numero: int = 0
    series: dict[str, int] | None = None
    """Último número visto de cada serie (una serie vieja que reaparece sigue donde iba)."""


def verificar(eslabones: Iterable[Eslabon], desde: Punto | None = None) -> Iterator[Incidencia]:
    """Recorre la cadena de una terminal en orden y devuelve cada incidencia. ``desde``: el
    punto donde acabó una verificación anterior (se actualiza al avanzar), para verificar por
    tramos o al recibir. Coste: un SHA-256 por registro; ningún análisis de JSON."""
    punto = desde if desde is not None else Punto()
    if punto.series is None:
        punto.series = {}
    sha = hashlib.sha256
    for e in eslabones:
        if sha(e.contenido).hexdigest() != e.huella:
            yield Incidencia("alterado", e.serie, e.numero, "su contenido no da su huella.")
        if e.huella_anterior != punto.huella:
            yield Incidencia(
                "encadenamiento",
                e.serie,
                e.numero,
                "no sigue al registro anterior (se insertó, borró o cambió un registro).",
            )
        ultimo = punto.series.get(e.serie, 0)
        if e.numero <= ultimo:
            yield Incidencia(
                "repetido", e.serie, e.numero, f"el número ya se usó (iba por {ultimo})."
            )
        elif e.numero != ultimo + 1:
            faltan = f"{ultimo + 1}" if e.numero == ultimo + 2 else f"{ultimo + 1} a {e.numero - 1}"
            yield Incidencia("hueco", e.serie, e.numero, f"faltan los números {faltan}.")
        punto.series[e.serie] = max(ultimo, e.numero)
        punto.huella, punto.serie, punto.numero = e.huella, e.serie, e.numero


__all__ = [
    "COMUNES",
    "FORMATO",
    "HUELLA_INICIAL",
    "MAX_REGISTROS_POR_PETICION",
    "POR_TIPO",
    "TIPOS",
    "ErrorDiario",
    "Eslabon",
    "Incidencia",
    "Punto",
    "canonico",
    "huella_de",
    "sellar",
    "serie_de",
    "validar_forma",
    "verificar",
]
