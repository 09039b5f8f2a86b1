"""La caja sobre el diario de ventas: anular, devolver, el resumen y el cierre de caja (Z).

Lo usa la fachada (``Agente.anular``, ``devolver``, ``resumen_caja``, ``cerrar_caja``,
``cierre_pendiente``); las reglas puras están en ``agente.reglas.diario`` y el almacén en
``agente.almacen.diario``.

Durabilidad: cada anulación o devolución es UNA transacción de la cola con su registro del
diario y las operaciones que devuelven el stock; el cierre, una transacción con su registro.
Lo que decide (qué queda por devolver, cuántos registros faltan por confirmar) se lee dentro
de esa misma transacción (``BEGIN IMMEDIATE``): otro proceso no puede colarse entre medias.

Hilos: funciones sin estado; seguras desde cualquier hilo porque la cola lo es. Sin red.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sqlite3
import uuid as uuidlib
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from agente.almacen import diario as almacen_diario
from agente.almacen.cola import Sesion
from agente.reglas import diario as reglas
from agente.reglas import pagos as reglas_pagos
from agente.soporte import configuracion
from protocolo.esquema import ErrorValor

if TYPE_CHECKING:
    from agente.fachada import Agente

_log = logging.getLogger(__name__)
_HORA = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


class CierreBloqueado(ErrorValor):
    """El cierre no puede hacerse: la central aún no tiene todos los registros que cubre."""


def registro_de_venta(agente: Agente, venta: str) -> dict[str, Any] | None:
    for apunte in almacen_diario.de_venta(agente.operaciones, str(venta)):
        if apunte.tipo == reglas.VENTA:
            return apunte.registro()
    return None


def _venta_referida(sesion: Sesion, referencia: Any) -> almacen_diario.Apunte:
    """El registro ``venta`` de ``referencia``: UUID de la venta, ``SERIE/NUMERO`` o número
    de la serie en curso."""
    texto = str(referencia).strip()
    apunte = None
    try:
        venta = str(uuidlib.UUID(texto))
    except ValueError:
        venta = None
    if venta is not None:
        apunte = next(
            (a for a in almacen_diario.de_venta(sesion, venta) if a.tipo == reglas.VENTA), None
        )
    else:
        serie, _, numero = texto.rpartition("/")
        if not serie:
            ultimo = almacen_diario.ultimo(sesion)
            serie = ultimo.serie if ultimo else ""
        if numero.isdigit():
            apunte = almacen_diario.por_numero(sesion, serie, int(numero))
        else:
            raise ErrorValor(
                f"«{texto[:60]}» no es una venta: use su UUID, SERIE/NUMERO o el número."
            )
    if apunte is None:
        raise ErrorValor(f"No hay ninguna venta «{texto[:60]}» en el diario de esta terminal.")
    if apunte.tipo != reglas.VENTA:
        raise ErrorValor(
            f"El registro {apunte.serie} nº {apunte.numero} es de tipo {apunte.tipo}, no una venta."
        )
    return apunte


def _devolucion(
    agente: Agente,
    tipo: str,
    referencia: Any,
    pedidas: Sequence[Mapping[str, Any]] | None,
    pagos: Sequence[Mapping[str, Any]] | None,
) -> dict[str, Any]:
    cola = agente.operaciones
    esquema = agente._esquema_exigido()
    with cola.transaccion() as sesion:
        original = _venta_referida(sesion, referencia)
        venta = original.registro()
        previas = [
            a.registro()
            for a in almacen_diario.de_venta(sesion, venta["venta"])
            if a.tipo in reglas.DEVUELVEN
        ]
        if tipo == reglas.ANULACION and previas:
            raise ErrorValor(
                f"La venta {original.serie} nº {original.numero} ya tiene devoluciones o está"
                " anulada: devuelva lo que queda con «sincro devolver»."
            )
        lineas = reglas.lineas_a_devolver(venta, previas, pedidas)
        total = sum((Decimal(linea["importe"]) for linea in lineas), Decimal(0))
        if tipo == reglas.ANULACION:
            pagos_devueltos = venta["pagos"]
        elif pagos:
            pagos_devueltos = reglas_pagos.normalizar(pagos, total)
        else:
            metodos = {p["metodo"] for p in venta["pagos"]}
            metodo = metodos.pop() if len(metodos) == 1 else reglas_pagos.EFECTIVO
            pagos_devueltos = [{"metodo": metodo, "importe": reglas_pagos.texto_importe(total)}]
        registro = {
            "tipo": tipo,
            "venta": venta["venta"],
            "referencia": {
                "serie": original.serie,
                "numero": original.numero,
                "huella": original.huella,
            },
            "lineas": lineas,
            "total": reglas_pagos.texto_importe(total),
            "pagos": pagos_devueltos,
        }
        reglas.comprobar_cuadre(registro)
        operaciones = [
            op
            for linea in lineas
            for op in agente._ajuste_stock(esquema, linea["producto"], linea["cantidad"])
        ]
        nuevas = agente._preparar_varias(operaciones)
        sellado = almacen_diario.anotar(sesion, registro)
        cola.encolar_varias(nuevas, en=sesion)
    return sellado


def anular(agente: Agente, referencia: Any) -> dict[str, Any]:
    return _devolucion(agente, reglas.ANULACION, referencia, None, None)


def devolver(
    agente: Agente,
    referencia: Any,
    lineas: Sequence[Mapping[str, Any]],
    pagos: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    if isinstance(lineas, str | bytes | Mapping) or not isinstance(lineas, Sequence):
        raise ErrorValor('Las líneas a devolver son una lista [{"producto", "cantidad"}].')
    return _devolucion(agente, reglas.DEVOLUCION, referencia, list(lineas), pagos)


def _desde_el_ultimo_cierre(
    origen: Any,
) -> tuple[almacen_diario.Apunte | None, list[almacen_diario.Apunte]]:
    cierre = almacen_diario.ultimo_cierre(origen)
    return cierre, almacen_diario.apuntes(origen, desde_pos=cierre.pos if cierre else 0)


def _resumen(
    cierre: almacen_diario.Apunte | None, apuntes: list[almacen_diario.Apunte]
) -> dict[str, Any]:
    resumen = reglas.resumen(a.registro() for a in apuntes)
    pendientes = [a for a in apuntes if a.confirmado_en is None]
    resumen["sin_confirmar"] = len(pendientes)
    resumen["sin_confirmar_desde"] = min((a.fecha for a in pendientes), default=None)
    resumen["ultimo_cierre"] = (
        None
        if cierre is None
        else {"serie": cierre.serie, "numero": cierre.numero, "fecha": cierre.fecha}
    )
    resumen["serie"] = apuntes[-1].serie if apuntes else None
    return resumen


def resumen_caja(agente: Agente) -> dict[str, Any]:
    """Lo registrado desde el último cierre: ``ventas`` (registros), ``por_tipo``,
    ``desde``/``hasta`` (números), ``serie``, ``por_metodo`` y ``total`` (netos, en texto),
    ``sin_confirmar`` (cuántos aún no tiene la central) y ``sin_confirmar_desde`` (fecha del
    más antiguo), ``ultimo_cierre`` (``{"serie", "numero", "fecha"}`` o ``None``). Sólo lee."""
    return _resumen(*_desde_el_ultimo_cierre(agente.operaciones))


def _importe_declarado(valor: Any) -> Decimal:
    if isinstance(valor, bool | float):
        raise ErrorValor('El efectivo contado es un importe en texto, p. ej. "120.50".')
    try:
        cantidad = Decimal(str(valor).strip())
    except (InvalidOperation, ValueError):
        raise ErrorValor(f"El efectivo contado «{valor}» no es un importe.") from None
    if not cantidad.is_finite() or cantidad < 0 or cantidad.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ErrorValor("El efectivo contado debe ser un importe ≥ 0 con dos decimales.")
    return cantidad


def cerrar_caja(
    agente: Agente,
    efectivo_contado: Any = None,
    forzar_por: str | None = None,
    motivo: str | None = None,
) -> dict[str, Any]:
    """El registro ``cierre`` sellado (ver ``Agente.cerrar_caja``)."""
    forzar_por = (forzar_por or "").strip() or None
    motivo = (motivo or "").strip() or None
    if (forzar_por is None) != (motivo is None):
        raise ErrorValor(
            "Para forzar el cierre hacen falta el nombre de quien lo fuerza y el motivo."
        )
    declarado = None if efectivo_contado is None else _importe_declarado(efectivo_contado)
    cola = agente.operaciones
    with cola.transaccion() as sesion:
        cierre, apuntes = _desde_el_ultimo_cierre(sesion)
        resumen = _resumen(cierre, apuntes)
        if resumen["sin_confirmar"] and forzar_por is None:
            raise CierreBloqueado(
                f"No se puede cerrar la caja: la central aún no tiene {resumen['sin_confirmar']}"
                f" registros del diario (desde {resumen['sin_confirmar_desde']}); sincronice o"
                " fuerce el cierre con nombre y motivo."
            )
        _, _, desfase = almacen_diario.identidad(sesion)
        momento = dt.datetime.now(dt.UTC) + dt.timedelta(milliseconds=desfase)
        esperado = Decimal(resumen["por_metodo"].get(reglas_pagos.EFECTIVO, "0"))
        registro = {
            "tipo": reglas.CIERRE,
            "dia": momento.astimezone().date().isoformat(),
            "desde": resumen["desde"],
            "hasta": resumen["hasta"],
            "ventas": resumen["ventas"],
            "por_metodo": resumen["por_metodo"],
            "total": resumen["total"],
            "efectivo_declarado": (
                None if declarado is None else reglas_pagos.texto_importe(declarado)
            ),
            "diferencia": (
                None if declarado is None else reglas_pagos.texto_importe(declarado - esperado)
            ),
            "forzado": None if forzar_por is None else {"por": forzar_por, "motivo": motivo},
        }
        return almacen_diario.anotar(sesion, registro)


def avisar_diario_danado(agente: Agente) -> list[str]:
    """Verifica lo reciente de la cadena del diario al arrancar
    (``agente.almacen.diario.verificar_reciente``). Si no cuadra, lo avisa nombrando el
    primer registro afectado (aviso de ``recuperaciones.json``, que la ventana muestra, y el
    registro de errores) y devuelve los textos de las incidencias; nunca toca el diario."""
    from agente.almacen import recuperacion

    terminal = agente.operaciones.terminal()
    try:
        textos = [i.texto(terminal) for i in almacen_diario.verificar_reciente(agente.operaciones)]
    except sqlite3.DatabaseError as error:
        textos = [f"el diario no se puede leer ({error})"]
    if not textos:
        return []
    mas = f" (y {len(textos) - 1} incidencias más)" if len(textos) > 1 else ""
    mensaje = (
        f"El diario de ventas no cuadra: {textos[0]}{mas}. No se ha reparado nada: avise a"
        " soporte («sincro verificar-diario» da el detalle)."
    )
    _log.error("%s", mensaje)
    if mensaje not in recuperacion.avisos_pendientes(agente.directorio):
        recuperacion.anotar_aviso(agente.directorio, "diario", mensaje, incidencias=textos[:20])
    return textos


def hora_cierre(texto: Any) -> tuple[int, int]:
    """``"HH:MM"`` como (hora, minuto); ``ValueError`` si no lo es."""
    encaje = _HORA.fullmatch(str(texto))
    if not encaje:
        raise ValueError(f"La hora de cierre debe ser HH:MM (p. ej. 21:30), no «{texto}».")
    return int(encaje[1]), int(encaje[2])


def cierre_pendiente(agente: Agente, ahora: dt.datetime | None = None) -> bool:
    """``True`` si hay ``hora_cierre`` configurada, ya pasó hoy (hora local), hay registros
    desde el último cierre y ese cierre es anterior a la hora de hoy."""
    try:
        config = configuracion.cargar(agente.directorio)
    except configuracion.ErrorConfiguracion:
        return False
    if config is None or config.hora_cierre is None:
        return False
    hora, minuto = hora_cierre(config.hora_cierre)
    ahora = (ahora or dt.datetime.now()).astimezone()
    limite = ahora.replace(hour=hora, minute=minuto, second=0, microsecond=0)
    if ahora < limite:
        return False
    cola = agente.operaciones
    cierre = almacen_diario.ultimo_cierre(cola)
    if almacen_diario.ultimo(cola) in (None, cierre):  # nada registrado desde el último cierre
        return False
    return cierre is None or dt.datetime.fromisoformat(cierre.fecha) < limite


__all__ = [
    "CierreBloqueado",
    "anular",
    "avisar_diario_danado",
    "cerrar_caja",
    "cierre_pendiente",
    "devolver",
    "hora_cierre",
    "registro_de_venta",
    "resumen_caja",
]
