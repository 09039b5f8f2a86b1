"""Conciliación de caja (``sincro-central conciliar``): por tienda, terminal y día, lo esperado
(el cierre de caja, un registro ``cierre`` del diario) frente a lo recibido (los registros del
diario de esa serie entre el primer y el último número del cierre; anulaciones y devoluciones
restan) frente a las ventas de las tablas de negocio.

Las tablas de negocio se configuran en el ajuste ``SINCRO_CONCILIACION`` del proyecto::

    SINCRO_CONCILIACION = {
        "modelo": "ventas.Venta",    # el modelo de las ventas
        "clave": "id",               # su clave: el UUID de la venta del diario («venta»)
        "campo_tienda": "tienda",    # código de la tienda (CharField o FK a central.Tienda)
        "campo_terminal": "terminal",
        "campo_total": "total",
        "campo_fecha": "fecha",      # fecha y hora de la venta (ventas sin diario del día)
    }

``clave``, ``campo_tienda`` y ``campo_terminal`` se toman de ``MODELOS_SINCRONIZABLES`` si el
modelo está allí y no se dan. Sin el ajuste sólo se concilia el cierre con el diario.

Sólo lectura salvo ``guardar`` (el resultado para el admin, ``ConciliacionDia``). Sin estado
compartido: seguro en cualquier hilo.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ConciliacionDia, RegistroDiario, Terminal

CERO = Decimal("0.00")
RESTAN = ("anulacion", "devolucion")


@dataclass(frozen=True)
class TablaVentas:
    modelo: Any
    clave: str
    campo_tienda: str
    campo_terminal: str
    campo_total: str
    campo_fecha: str


def tabla_ventas() -> TablaVentas | None:
    """La tabla de ventas del ajuste ``SINCRO_CONCILIACION`` (None si no hay)."""
    ajuste = getattr(settings, "SINCRO_CONCILIACION", None)
    if not ajuste:
        return None
    nombre = ajuste.get("modelo", "")
    try:
        modelo = apps.get_model(nombre)
    except (LookupError, ValueError):
        raise ImproperlyConfigured(f"SINCRO_CONCILIACION: modelo {nombre!r} desconocido.") from None
    sincronizado = getattr(settings, "MODELOS_SINCRONIZABLES", {}).get(nombre, {})
    tabla = TablaVentas(
        modelo=modelo,
        clave=ajuste.get("clave") or sincronizado.get("clave") or modelo._meta.pk.name,
        campo_tienda=ajuste.get("campo_tienda") or sincronizado.get("campo_tienda") or "tienda",
        campo_terminal=ajuste.get("campo_terminal")
        or sincronizado.get("campo_terminal")
        or "terminal",
        campo_total=ajuste.get("campo_total") or "total",
        campo_fecha=ajuste.get("campo_fecha") or "fecha",
    )
    for campo in (
        tabla.clave,
        tabla.campo_tienda,
        tabla.campo_terminal,
        tabla.campo_total,
        tabla.campo_fecha,
    ):
        try:
            modelo._meta.get_field(campo)
        except FieldDoesNotExist:
            raise ImproperlyConfigured(
                f"SINCRO_CONCILIACION: {nombre} no tiene el campo {campo!r}."
            ) from None
    return tabla


def _importe(valor: Any) -> Decimal:
    try:
        d = Decimal(str(valor))
    except InvalidOperation:
        return CERO
    return d.quantize(Decimal("0.01")) if d.is_finite() else CERO


def _texto(d: Decimal) -> str:
    return f"{d:.2f}"


@dataclass
class Conciliacion:
    """Una terminal y un día."""

    tienda: str
    terminal: str
    dia: dt.date
    terminal_id: int
    cierre: dict[str, Any] | None = None
    esperado: dict[str, Any] = field(default_factory=dict)
    recibido: dict[str, Any] = field(default_factory=dict)
    ventas: dict[str, Any] = field(default_factory=dict)
    diferencias: list[str] = field(default_factory=list)
    forzado: str = ""

    @property
    def cuadra(self) -> bool:
        return not self.diferencias

    def prefijo(self) -> str:
        return f"Tienda {self.tienda}, terminal {self.terminal}, {self.dia.isoformat()}"

    def textos(self) -> list[str]:
        return [f"{self.prefijo()}: {d}" for d in self.diferencias]

    def a_dict(self) -> dict[str, Any]:
        return {
            "tienda": self.tienda,
            "terminal": self.terminal,
            "dia": self.dia.isoformat(),
            "cierre": self.cierre,
            "esperado": self.esperado,
            "recibido": self.recibido,
            "ventas": self.ventas,
            "forzado": self.forzado or None,
            "cuadra": self.cuadra,
            "diferencias": self.diferencias,
        }


def conciliar(dia: dt.date, tienda: str | None = None) -> list[Conciliacion]:
    """Una conciliación por cada terminal con cierre o con registros del diario ese día."""
    tabla = tabla_ventas()
    filtro = {"dia": dia} | ({"tienda": tienda} if tienda else {})
    del_dia = RegistroDiario.objects.filter(**filtro)
    ids = set(del_dia.values_list("terminal_id", flat=True))
    if tabla is not None:  # también las cajas con ventas ese día y nada en el diario
        ids |= _terminales_con_ventas(tabla, dia, tienda)
    terminales = Terminal.objects.select_related("tienda").filter(id__in=ids)
    resultado = []
    for terminal in sorted(terminales, key=lambda t: (t.tienda.codigo, t.codigo)):
        resultado.extend(_de_terminal(terminal, dia, tabla))
    return resultado


def _de_terminal(terminal: Terminal, dia: dt.date, tabla: TablaVentas | None) -> list[Conciliacion]:
    cierres = list(
        RegistroDiario.objects.filter(terminal=terminal, dia=dia, tipo="cierre").order_by("orden")
    )
    if not cierres:
        c = Conciliacion(terminal.tienda.codigo, terminal.codigo, dia, terminal.id)
        n = RegistroDiario.objects.filter(terminal=terminal, dia=dia).count()
        if n:
            c.diferencias.append(f"hay {n} registros en el diario pero ningún cierre de caja.")
        if tabla is not None:
            c.ventas = {"en_tabla": 0, "sin_diario": _ventas_sin_diario(c, terminal, dia, tabla)}
        return [c]
    return [_con_cierre(terminal, dia, cierre, tabla) for cierre in cierres]


def _con_cierre(
    terminal: Terminal, dia: dt.date, fila: RegistroDiario, tabla: TablaVentas | None
) -> Conciliacion:
    c = Conciliacion(terminal.tienda.codigo, terminal.codigo, dia, terminal.id)
    cierre = json.loads(bytes(fila.contenido))
    c.cierre = {"serie": fila.serie, "numero": fila.numero, "huella": fila.huella}
    if fila.forzado:
        c.forzado = f"cierre forzado por {fila.forzado}"
    desde, hasta = cierre.get("desde"), cierre.get("hasta")
    por_metodo_esperado = {m: _importe(v) for m, v in (cierre.get("por_metodo") or {}).items()}
    c.esperado = {
        "registros": cierre.get("ventas"),
        "desde": desde,
        "hasta": hasta,
        "por_metodo": {m: _texto(v) for m, v in sorted(por_metodo_esperado.items())},
        "total": _texto(_importe(cierre.get("total"))),
    }
    filas = []
    if isinstance(desde, int) and isinstance(hasta, int):
        filas = list(
            RegistroDiario.objects.filter(
                terminal=terminal,
                serie=_serie_cubierta(fila),
                numero__gte=desde,
                numero__lte=hasta,
            )
            .exclude(tipo="cierre")
            .order_by("numero", "orden")
        )
    por_metodo: dict[str, Decimal] = defaultdict(lambda: CERO)
    ventas_diario: dict[str, tuple[int, Decimal]] = {}
    for f in filas:
        # Importes, tipo y venta del registro sellado, no de las columnas copiadas.
        registro = json.loads(bytes(f.contenido))
        tipo = registro.get("tipo")
        signo = -1 if tipo in RESTAN else 1
        for pago in registro.get("pagos") or []:
            if isinstance(pago, dict):
                por_metodo[str(pago.get("metodo"))] += signo * _importe(pago.get("importe"))
        venta = str(registro.get("venta") or "")
        if tipo == "venta" and venta:
            ventas_diario[venta] = (f.numero, _importe(registro.get("total")))
    total = sum(por_metodo.values(), CERO)
    numeros = {f.numero for f in filas}
    c.recibido = {
        "registros": len(filas),
        "por_metodo": {m: _texto(v) for m, v in sorted(por_metodo.items())},
        "total": _texto(total),
    }
    _diferencias_diario(c, desde, hasta, numeros, por_metodo_esperado, por_metodo, total)
    if tabla is not None:
        _diferencias_ventas(c, terminal, dia, tabla, ventas_diario)
    return c


def _serie_cubierta(cierre: RegistroDiario) -> str:
    """La serie de los números ``desde``/``hasta`` de un cierre: la del último registro que no
    es un cierre recibido antes que él. No siempre es la del cierre: uno pasada la medianoche
    del 31 de diciembre ya va en la serie del año nuevo y cubre ventas de la del que acaba."""
    return (
        RegistroDiario.objects.filter(terminal_id=cierre.terminal_id, orden__lt=cierre.orden)
        .exclude(tipo="cierre")
        .order_by("-orden")
        .values_list("serie", flat=True)
        .first()
        or cierre.serie
    )


def _diferencias_diario(c, desde, hasta, numeros, esperado, recibido, total) -> None:
    if isinstance(desde, int) and isinstance(hasta, int):
        faltan = [n for n in range(desde, hasta + 1) if n not in numeros]
        if faltan:
            muestra = ", ".join(str(n) for n in faltan[:20]) + ("…" if len(faltan) > 20 else "")
            c.diferencias.append(
                f"faltan en la central {len(faltan)} registros del diario (nº {muestra})."
            )
    if c.esperado["registros"] != c.recibido["registros"]:
        c.diferencias.append(
            f"el cierre cuenta {c.esperado['registros']} registros y la central tiene "
            f"{c.recibido['registros']}."
        )
    for metodo in sorted(set(esperado) | set(recibido)):
        e, r = esperado.get(metodo, CERO), recibido.get(metodo, CERO)
        if e != r:
            c.diferencias.append(
                f"{metodo}: el cierre dice {_texto(e)} y el diario recibido suma {_texto(r)}."
            )
    if _importe(c.esperado["total"]) != total:
        c.diferencias.append(
            f"total: el cierre dice {c.esperado['total']} y el diario recibido suma "
            f"{_texto(total)}."
        )


def _diferencias_ventas(
    c: Conciliacion,
    terminal: Terminal,
    dia: dt.date,
    tabla: TablaVentas,
    ventas_diario: dict[str, tuple[int, Decimal]],
) -> None:
    gestor = tabla.modelo._default_manager
    base = {tabla.campo_terminal: terminal.codigo, _tienda(tabla): terminal.tienda.codigo}
    claves = _claves(tabla, ventas_diario)
    por_clave = {
        str(clave): _importe(total)
        for clave, total in gestor.filter(
            **base, **{f"{tabla.clave}__in": list(claves)}
        ).values_list(tabla.clave, tabla.campo_total)
    }
    normal = {original: clave for clave, original in claves.items()}
    for venta, (numero, total) in sorted(ventas_diario.items(), key=lambda x: x[1][0]):
        en_tabla = por_clave.get(normal.get(venta, venta))
        if en_tabla is None:
            c.diferencias.append(
                f"la venta nº {numero} ({venta}) está en el diario pero no en ventas."
            )
        elif en_tabla != total:
            c.diferencias.append(
                f"la venta nº {numero} ({venta}) suma {_texto(total)} en el diario y "
                f"{_texto(en_tabla)} en ventas."
            )
    c.ventas = {
        "en_tabla": len(por_clave),
        "sin_diario": _ventas_sin_diario(c, terminal, dia, tabla),
    }


def _del_dia(tabla: TablaVentas, dia: dt.date) -> dict[str, dt.datetime]:
    """Filtro de las ventas de ``dia`` (en la zona horaria de la central)."""
    zona = timezone.get_default_timezone()
    inicio = dt.datetime.combine(dia, dt.time.min, tzinfo=zona)
    fin = inicio + dt.timedelta(days=1)
    return {f"{tabla.campo_fecha}__gte": inicio, f"{tabla.campo_fecha}__lt": fin}


def _terminales_con_ventas(tabla: TablaVentas, dia: dt.date, tienda: str | None) -> set[int]:
    """Ids de las terminales con ventas de ``dia`` en las tablas de negocio (de ``tienda``)."""
    filtro = _del_dia(tabla, dia) | ({_tienda(tabla): tienda} if tienda else {})
    pares = set(
        tabla.modelo._default_manager.filter(**filtro)
        .values_list(_tienda(tabla), tabla.campo_terminal)
        .distinct()
    )
    codigos = {str(terminal) for _, terminal in pares}
    return {
        t.id
        for t in Terminal.objects.select_related("tienda").filter(codigo__in=codigos)
        if (t.tienda.codigo, t.codigo) in pares
    }


def _ventas_sin_diario(
    c: Conciliacion, terminal: Terminal, dia: dt.date, tabla: TablaVentas
) -> int:
    """Anota las ventas de ``dia`` de esa caja en las tablas de negocio sin registro ``venta``
    en su diario; devuelve cuántas son."""
    gestor = tabla.modelo._default_manager
    base = {tabla.campo_terminal: terminal.codigo, _tienda(tabla): terminal.tienda.codigo}
    del_dia = gestor.filter(**base, **_del_dia(tabla, dia)).values_list(tabla.clave, flat=True)
    en_diario = set(
        _claves(
            tabla,
            RegistroDiario.objects.filter(terminal=terminal, tipo="venta").values_list(
                "venta", flat=True
            ),
        )
    )
    sobran = sorted(str(v) for v in del_dia if str(v) not in en_diario)
    for venta in sobran[:50]:
        c.diferencias.append(f"la venta {venta} está en ventas pero no en el diario.")
    if len(sobran) > 50:
        c.diferencias.append(f"… y {len(sobran) - 50} ventas más sin registro en el diario.")
    return len(sobran)


def _tienda(tabla: TablaVentas) -> str:
    campo = tabla.modelo._meta.get_field(tabla.campo_tienda)
    if campo.is_relation:
        return f"{tabla.campo_tienda}__codigo"
    return tabla.campo_tienda


def _claves(tabla: TablaVentas, ventas: Iterable[str]) -> dict[str, str]:
    """Clave normalizada (``str`` del valor del campo clave) -> venta del diario, de las que el
    campo clave admite (un UUID mal formado no se busca)."""
    campo = tabla.modelo._meta.get_field(tabla.clave)
    validas = {}
    for v in ventas:
        try:
            validas[str(campo.to_python(v))] = v
        except (ValidationError, ValueError, TypeError):
            continue
    return validas


def guardar(conciliaciones: list[Conciliacion]) -> None:
    """El resultado de cada terminal y día, para el admin (sustituye al anterior)."""
    juntas: dict[tuple[int, dt.date], list[Conciliacion]] = defaultdict(list)
    for c in conciliaciones:  # varios cierres de la misma caja el mismo día: una fila
        juntas[(c.terminal_id, c.dia)].append(c)
    with transaction.atomic():
        for (terminal_id, dia), grupo in juntas.items():
            ConciliacionDia.objects.update_or_create(
                terminal_id=terminal_id,
                dia=dia,
                defaults={
                    "tienda": grupo[0].tienda,
                    "cuadra": all(c.cuadra for c in grupo),
                    "diferencias": [d for c in grupo for d in c.diferencias],
                    "forzado": "; ".join(c.forzado for c in grupo if c.forzado)[:300],
                    "resumen": {"cierres": [c.a_dict() for c in grupo]},
                },
            )
