"""Recepción del diario de ventas (``POST /v1/diario``): guarda cada registro bien formado de una
terminal y verifica su cadena al llegar (``protocolo.diario.verificar``), siguiendo desde el
último registro guardado de esa terminal.

Reglas de transacción y concurrencia:
- Una petición = UNA transacción: sus registros, sus incidencias y la cabeza de la cadena
  (``CabezaDiario``) se escriben juntos o nada.
- La cabeza de la terminal se bloquea al empezar (``select_for_update`` en PostgreSQL; SQLite
  tiene un solo escritor desde el BEGIN): dos peticiones de la misma caja se verifican una tras
  otra, así que un reenvío simultáneo ve los registros de la otra como «duplicado» y nunca
  repite incidencias. Terminales distintas no se esperan entre sí.
- Un error transitorio de la base (interbloqueo, serialización, cerrojo ocupado) deshace el
  intento y la petición entera se repite (``dialecto.repetir_si_transitorio``); si sigue
  chocando, ``CentralOcupada``.

Idempotencia: un registro es el mismo si coinciden terminal, serie, número y huella
(«duplicado»: no se guarda otra vez ni da incidencias). El mismo número con otra huella es una
bifurcación: se guarda y queda la incidencia «repetido».

No comparte estado entre hilos: cada petición crea sus objetos.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from protocolo import diario

from . import dialecto
from .dialecto import CentralOcupada
from .models import CabezaDiario, IncidenciaDiario, RegistroDiario, Terminal

__all__ = ["CentralOcupada", "ErrorDiarioPeticion", "punto_de", "recibir", "validar_peticion"]


class ErrorDiarioPeticion(Exception):
    """La petición entera se rechaza (nada guardado): ``estado`` 400 o 413."""

    def __init__(self, estado: int, codigo: str, mensaje: str):
        super().__init__(mensaje)
        self.estado, self.codigo, self.mensaje = estado, codigo, mensaje


def validar_peticion(cuerpo: Any, terminal: Terminal) -> list[dict[str, Any]]:
    """Los registros de la petición, o ``ErrorDiarioPeticion`` si alguno no tiene la forma del
    formato 1 o no es de la tienda y terminal del token."""
    if not isinstance(cuerpo, dict) or not isinstance(cuerpo.get("registros"), list):
        raise ErrorDiarioPeticion(400, "peticion_invalida", 'Se espera {"registros": [...]}.')
    registros = cuerpo["registros"]
    if len(registros) > diario.MAX_REGISTROS_POR_PETICION:
        raise ErrorDiarioPeticion(
            413,
            "peticion_demasiado_grande",
            f"Como mucho {diario.MAX_REGISTROS_POR_PETICION} registros por petición.",
        )
    if not registros:
        raise ErrorDiarioPeticion(400, "peticion_invalida", "«registros» está vacío.")
    tienda = terminal.tienda.codigo
    for i, registro in enumerate(registros):
        try:
            diario.validar_forma(registro)
        except diario.ErrorDiario as exc:
            raise ErrorDiarioPeticion(400, "peticion_invalida", f"Registro {i}: {exc}") from None
        if registro["tienda"] != tienda or registro["terminal"] != terminal.codigo:
            raise ErrorDiarioPeticion(
                400,
                "peticion_invalida",
                f"Registro {i}: es de {registro['tienda'][:40]}/{registro['terminal'][:40]}, "
                f"no de esta terminal ({tienda}/{terminal.codigo}).",
            )
    return registros


def punto_de(cabeza: CabezaDiario) -> diario.Punto:
    return diario.Punto(
        huella=cabeza.huella,
        serie=cabeza.serie or None,
        numero=cabeza.numero,
        series=dict(cabeza.series or {}),
    )


def recibir(terminal: Terminal, registros: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Guarda y verifica los registros (ya validados) de ``terminal``; un resultado por
    registro, en el mismo orden. Repite la transacción entera ante un error transitorio."""
    return dialecto.repetir_si_transitorio(lambda: _recibir(terminal, registros))


def _recibir(terminal: Terminal, registros: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ahora = timezone.now()
    tienda = terminal.tienda.codigo
    with transaction.atomic():
        CabezaDiario.objects.bulk_create([CabezaDiario(terminal=terminal)], ignore_conflicts=True)
        cabeza = CabezaDiario.objects.select_for_update().get(terminal=terminal)
        punto = punto_de(cabeza)
        ya = _ya_guardados(terminal, registros)
        resultados: list[dict[str, Any]] = []
        nuevos: list[RegistroDiario] = []
        incidencias: list[IncidenciaDiario] = []
        for registro in registros:
            llave = (registro["serie"], registro["numero"], registro["huella"])
            base = {"serie": llave[0], "numero": llave[1], "huella": llave[2]}
            if llave in ya:
                resultados.append({**base, "resultado": "duplicado", "incidencias": []})
                continue
            ya.add(llave)
            eslabon = diario.Eslabon.de_registro(registro)
            propias = list(diario.verificar([eslabon], punto))
            cabeza.orden += 1
            nuevos.append(_fila(terminal, tienda, cabeza.orden, registro, eslabon, ahora))
            incidencias += [
                IncidenciaDiario(
                    terminal=terminal,
                    tienda=tienda,
                    serie=i.serie[:64],
                    numero=i.numero,
                    tipo=i.tipo,
                    detalle=i.detalle[:300],
                    origen="recepcion",
                )
                for i in propias
            ]
            resultados.append(
                {
                    **base,
                    "resultado": "incidencia" if propias else "aceptado",
                    "incidencias": [i.texto(terminal.codigo) for i in propias],
                }
            )
        if nuevos:
            RegistroDiario.objects.bulk_create(nuevos)
            IncidenciaDiario.objects.bulk_create(incidencias)
            cabeza.huella, cabeza.serie, cabeza.numero = (
                punto.huella,
                punto.serie or "",
                punto.numero,
            )
            cabeza.series = punto.series
            cabeza.save()
    return resultados


def _ya_guardados(terminal: Terminal, registros: list[dict[str, Any]]) -> set[tuple]:
    """(serie, número, huella) de los registros de la petición que ya estaban guardados."""
    numeros = {r["numero"] for r in registros}
    series = {r["serie"] for r in registros}
    return set(
        RegistroDiario.objects.filter(
            terminal=terminal, serie__in=series, numero__in=numeros
        ).values_list("serie", "numero", "huella")
    )


def _fila(
    terminal: Terminal,
    tienda: str,
    orden: int,
    registro: dict[str, Any],
    eslabon: diario.Eslabon,
    ahora: dt.datetime,
) -> RegistroDiario:
    return RegistroDiario(
        terminal=terminal,
        tienda=tienda,
        orden=orden,
        tipo=registro["tipo"],
        serie=registro["serie"],
        numero=registro["numero"],
        fecha=registro["fecha"],
        dia=dia_de(registro),
        venta=str(registro.get("venta") or "")[:64],
        total=_importe(registro.get("total")),
        forzado=forzado_de(registro),
        huella_anterior=registro["huella_anterior"],
        huella=registro["huella"],
        contenido=eslabon.contenido,
        recibido_en=ahora,
    )


def forzado_de(registro: dict[str, Any]) -> str:
    """«quién: por qué» de un cierre forzado; vacío si no lo es."""
    forzado = registro.get("forzado") if registro["tipo"] == "cierre" else None
    if not forzado:
        return ""
    if isinstance(forzado, dict):
        texto = f"{str(forzado.get('por', ''))[:80]}: {str(forzado.get('motivo', ''))[:200]}"
    else:
        texto = str(forzado)
    return texto[:300] or "forzado"


def dia_de(registro: dict[str, Any]) -> dt.date | None:
    """El día de un registro: el ``dia`` de un cierre; el de su ``fecha`` en la zona horaria de
    la central (``TIME_ZONE``) para los demás. None si la fecha no se entiende (el registro se
    guarda igual: es la prueba)."""
    try:
        if registro["tipo"] == "cierre":
            return dt.date.fromisoformat(str(registro["dia"]))
        fecha = dt.datetime.fromisoformat(registro["fecha"])
    except (ValueError, TypeError):
        return None
    if fecha.tzinfo is None:
        return fecha.date()
    return timezone.localtime(fecha, timezone.get_default_timezone()).date()


def _importe(valor: Any) -> Decimal | None:
    if isinstance(valor, bool) or not isinstance(valor, str | int):
        return None
    try:
        importe = Decimal(str(valor))
    except InvalidOperation:
        return None
    if not importe.is_finite() or abs(importe) >= Decimal(10) ** 12:
        return None
    return importe.quantize(Decimal("0.01"))
