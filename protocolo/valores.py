"""Tipos de valor del protocolo y su único normalizador (terminal y central usan éste).

``normalizar_valor`` comprueba un valor contra su tipo y las reglas de su campo y lo devuelve en
forma JSON canónica, la que sirve ``/v1/cambios``: enteros de 64 bits, decimales como cadena
sin exponente (con exactamente ``decimales`` cifras si el campo las declara), UUID en minúsculas
con guiones, fechas ISO 8601 (las de fecha y hora, con zona), textos sin el carácter nulo.
``normalizar_delta`` hace lo mismo con el delta de ``ajustar``. Lanzan ``ErrorValor`` con un
mensaje de una línea que dice qué corregir.

Puro: sin E/S ni estado; seguro desde cualquier hilo.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from .errores import ErrorEsquema, ErrorValor
from .restricciones import SIN_REGLAS, ReglasCampo

TIPOS_CAMPO = ("entero", "decimal", "texto", "booleano", "fecha_hora", "fecha", "uuid", "json")
TIPOS_NUMERICOS_DELTA = ("entero", "decimal")
ENTERO_MIN, ENTERO_MAX = -(2**63), 2**63 - 1  # lo que guardan SQLite y la central
UUID_CANONICO = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
#: Tamaño máximo de los ``datos`` de una operación, en bytes de JSON UTF-8. La central rechaza
#: las que lo superan y la terminal no las encola.
LIMITE_BYTES_DATOS = 64 * 1024


def _recorte(valor: Any) -> str:
    texto = repr(valor)
    return texto if len(texto) <= 60 else texto[:57] + "..."


def _numero_en_rango(campo: str, numero: Any, reglas: ReglasCampo, que: str = "") -> None:
    if reglas.minimo is not None and numero < reglas.minimo:
        raise ErrorValor(f"El campo «{campo}»{que} no puede ser menor que {reglas.minimo}.")
    if reglas.maximo is not None and numero > reglas.maximo:
        raise ErrorValor(f"El campo «{campo}»{que} no puede ser mayor que {reglas.maximo}.")


def _entero(campo: str, valor: Any) -> int:
    if isinstance(valor, bool) or not isinstance(valor, int):
        raise ErrorValor(f"El campo «{campo}» espera un entero, no {_recorte(valor)}.")
    if not ENTERO_MIN <= valor <= ENTERO_MAX:
        raise ErrorValor(f"El campo «{campo}» espera un entero de 64 bits (±9,2·10¹⁸).")
    return valor


def _decimal(campo: str, valor: Any, reglas: ReglasCampo) -> Decimal:
    if isinstance(valor, bool) or not isinstance(valor, int | str | Decimal):
        raise ErrorValor(
            f'El campo «{campo}» espera un decimal como cadena ("12.50"), no {_recorte(valor)}.'
        )
    if isinstance(valor, str) and len(valor) > 100:
        raise ErrorValor(f"El campo «{campo}» espera un decimal, no un texto tan largo.")
    try:
        numero = Decimal(str(valor).strip())
    except InvalidOperation:
        raise ErrorValor(f"El campo «{campo}» espera un decimal, no {_recorte(valor)}.") from None
    if not numero.is_finite():
        raise ErrorValor(f"El campo «{campo}» espera un decimal finito, no {_recorte(valor)}.")
    if abs(numero.adjusted()) > 60:
        raise ErrorValor(f"El campo «{campo}» no admite {_recorte(valor)}: fuera de rango.")
    if reglas.decimales is not None:
        redondeado = numero.quantize(Decimal(1).scaleb(-reglas.decimales))
        if redondeado != numero:
            raise ErrorValor(f"El campo «{campo}» admite como mucho {reglas.decimales} decimales.")
        numero = redondeado
    if reglas.digitos is not None and len(numero.as_tuple().digits) > reglas.digitos:
        raise ErrorValor(f"El campo «{campo}» admite como mucho {reglas.digitos} dígitos.")
    return numero


def normalizar_valor(
    tipo: str,
    valor: Any,
    campo: str = "valor",
    admite_nulo: bool = True,
    reglas: ReglasCampo = SIN_REGLAS,
) -> Any:
    """Comprueba ``valor`` contra ``tipo`` y ``reglas`` y lo devuelve en forma JSON canónica."""
    if tipo not in TIPOS_CAMPO:
        raise ErrorEsquema(f"Tipo de campo desconocido: {tipo!r}.")
    if valor is None:
        if admite_nulo and not reglas.requerido:
            return None
        raise ErrorValor(f"El campo «{campo}» no admite nulo.")
    if tipo == "entero":
        numero = _entero(campo, valor)
        _numero_en_rango(campo, numero, reglas)
        return numero
    if tipo == "decimal":
        decimal = _decimal(campo, valor, reglas)
        _numero_en_rango(campo, decimal, reglas)
        return format(decimal, "f")
    if tipo == "texto":
        if not isinstance(valor, str):
            raise ErrorValor(f"El campo «{campo}» espera texto, no {_recorte(valor)}.")
        if "\x00" in valor:
            raise ErrorValor(f"El campo «{campo}» no admite el carácter nulo (NUL).")
        if reglas.longitud_maxima is not None and len(valor) > reglas.longitud_maxima:
            raise ErrorValor(
                f"El campo «{campo}» admite como mucho {reglas.longitud_maxima} caracteres "
                f"(tiene {len(valor)})."
            )
        try:
            valor.encode("utf-8")
        except UnicodeEncodeError:  # un sustituto suelto («\ud800») no es texto guardable
            raise ErrorValor(f"El campo «{campo}» tiene caracteres no válidos.") from None
        return valor
    if tipo == "booleano":
        if not isinstance(valor, bool):
            raise ErrorValor(f"El campo «{campo}» espera true o false, no {_recorte(valor)}.")
        return valor
    if tipo in ("fecha_hora", "fecha", "uuid") and not isinstance(valor, str):
        raise ErrorValor(f"El campo «{campo}» ({tipo}) espera una cadena, no {_recorte(valor)}.")
    try:
        if tipo == "fecha_hora":
            momento = dt.datetime.fromisoformat(valor)
            if momento.tzinfo is None:
                raise ErrorValor(f"La fecha de «{campo}» debe llevar zona horaria: {valor!r}.")
            return momento.isoformat()
        if tipo == "fecha":
            return dt.date.fromisoformat(valor).isoformat()
        if tipo == "uuid":
            if UUID_CANONICO.match(valor):
                return valor  # ya canónico: sin construir un UUID
            return str(uuid.UUID(valor))
        texto = json.dumps(valor, ensure_ascii=False, allow_nan=False)
        texto.encode("utf-8")
        if "\\u0000" in texto:
            raise ErrorValor(f"El campo «{campo}» no admite el carácter nulo (NUL).")
        return valor
    except ErrorValor:
        raise
    except (ValueError, TypeError, RecursionError) as exc:
        raise ErrorValor(f"El campo «{campo}» ({tipo}) no admite {_recorte(valor)}.") from exc


def normalizar_delta(tipo: str, valor: Any, campo: str, reglas: ReglasCampo = SIN_REGLAS) -> Any:
    """El delta de ``ajustar``: un número del tipo del campo dentro de sus límites de delta.
    Entero como ``int``; decimal como cadena canónica."""
    if tipo not in TIPOS_NUMERICOS_DELTA:
        raise ErrorValor(f"«ajustar» sólo admite campos numéricos; «{campo}» es {tipo}.")
    if valor is None:
        raise ErrorValor(f"El delta de «{campo}» no puede ser nulo.")
    numero: Any = _entero(campo, valor) if tipo == "entero" else _decimal(campo, valor, reglas)
    if reglas.delta_minimo is not None and numero < reglas.delta_minimo:
        raise ErrorValor(
            f"El delta de «{campo}» no puede ser menor que {reglas.delta_minimo} (es {numero})."
        )
    if reglas.delta_maximo is not None and numero > reglas.delta_maximo:
        raise ErrorValor(
            f"El delta de «{campo}» no puede ser mayor que {reglas.delta_maximo} (es {numero})."
        )
    return numero if tipo == "entero" else format(numero, "f")


def comprobar_resultado(tipo: str, campo: str, resultado: Any, reglas: ReglasCampo) -> None:
    """Que el valor que deja un ``ajustar`` siga dentro de los límites del campo (y de 64 bits
    si es entero). ``ErrorValor`` si no."""
    if tipo == "entero" and not ENTERO_MIN <= resultado <= ENTERO_MAX:
        raise ErrorValor(f"El ajuste dejaría «{campo}» fuera de los enteros de 64 bits.")
    _numero_en_rango(campo, resultado, reglas, " tras el ajuste")


def tamano_datos(datos: Any, limite: int | None = None) -> int:
    """Bytes del JSON UTF-8 de ``datos`` (la medida de ``LIMITE_BYTES_DATOS``). Con ``limite``,
    si una cota superior barata (valores simples, 6 bytes por carácter como mucho) ya queda por
    debajo, devuelve esa cota sin serializar."""
    if limite is not None and isinstance(datos, dict):
        cota = 2
        for clave, valor in datos.items():
            if isinstance(valor, str):
                cota += 6 * len(valor) + 3
            elif valor is None or isinstance(valor, bool | int | float):
                cota += 400  # un entero de Python enorme se rechaza por otro lado
            else:
                cota = limite + 1
                break
            cota += 6 * len(str(clave)) + 4
        if cota <= limite:
            return cota
    return len(
        json.dumps(datos, ensure_ascii=False, separators=(",", ":"), default=str).encode(
            "utf-8", "surrogatepass"
        )
    )
