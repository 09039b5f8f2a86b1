"""Umbrales de salud de las terminales y su evaluación: verde, ámbar o rojo, con los motivos en
palabras de un encargado («Sin contacto desde hace 2 h»).

Los umbrales salen del ajuste ``SINCRO_SALUD`` de Django (un diccionario; lo que falte toma el
valor de ``POR_DEFECTO``). ``evaluar`` es pura (sin base de datos ni reloj propio); ``datos_de``
traduce una ``SaludTerminal`` y ``evaluar_todas`` lee todas las terminales de una vez (para la
página de resumen y el vigía de avisos). Seguro desde cualquier hilo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

VERDE, AMBAR, ROJO = "verde", "ambar", "rojo"
NIVELES = (VERDE, AMBAR, ROJO)
_ORDEN = {VERDE: 0, AMBAR: 1, ROJO: 2}


@dataclass(frozen=True)
class Umbrales:
    """Límites a partir de los cuales una terminal pasa a ámbar o a rojo."""

    pendiente_ambar_min: float = 15
    """Venta pendiente de enviar más antigua que esto: ámbar."""
    pendiente_rojo_min: float = 60
    sin_contacto_ambar_min: float = 10
    """Sin ninguna petición de la terminal desde hace esto: ámbar."""
    sin_contacto_rojo_min: float = 60
    desfase_ambar_s: float = 60
    """Reloj de la caja desfasado (en valor absoluto) más que esto: ámbar."""
    desfase_rojo_s: float = 300
    reparaciones: str = AMBAR
    """Nivel si la última verificación de la caché tuvo que reparar filas (o ``verde``)."""
    incidencias_diario: str = ROJO
    """Nivel si el diario de ventas de la terminal tiene incidencias sin revisar."""
    errores: str = AMBAR
    """Nivel si la cola de la caja tiene conflictos u operaciones en error por revisar."""

    def __post_init__(self) -> None:
        for f in fields(self):
            valor = getattr(self, f.name)
            if f.type == "str":
                if valor not in NIVELES:
                    raise ValueError(f"SINCRO_SALUD[{f.name!r}] debe ser uno de {NIVELES}.")
            elif isinstance(valor, bool) or not isinstance(valor, int | float) or valor <= 0:
                raise ValueError(f"SINCRO_SALUD[{f.name!r}] debe ser un número positivo.")

    @classmethod
    def desde_ajustes(cls, ajustes: Mapping[str, Any] | None) -> Umbrales:
        propios = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (ajustes or {}).items() if k in propios})


POR_DEFECTO = Umbrales()


@dataclass(frozen=True)
class DatosSalud:
    """Lo que se sabe de una terminal para evaluarla (de ``SaludTerminal`` y el diario)."""

    ultimo_contacto: dt.datetime | None = None
    informado_en: dt.datetime | None = None
    pendientes: int = 0
    antiguedad_pendiente_s: int = 0
    desfase_ms: int | None = None
    reparadas: int = 0
    conflictos: int = 0
    errores: int = 0
    incidencias_diario: int = 0
    revocada: bool = False


@dataclass(frozen=True)
class Estado:
    nivel: str = VERDE
    motivos: tuple[str, ...] = field(default_factory=tuple)

    @property
    def texto(self) -> str:
        return "; ".join(self.motivos) if self.motivos else "Al día"


def duracion(segundos: float) -> str:
    """«45 s», «12 min», «2 h», «2 h 5 min», «3 días»."""
    s = max(0, int(segundos))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        horas, minutos = divmod(s // 60, 60)
        return f"{horas} h" + (f" {minutos} min" if minutos else "")
    dias = s // 86400
    return f"{dias} día" + ("s" if dias != 1 else "")


def _nivel(valor: float, ambar: float, rojo: float) -> str | None:
    if valor >= rojo:
        return ROJO
    if valor >= ambar:
        return AMBAR
    return None


def evaluar(datos: DatosSalud, ahora: dt.datetime, umbrales: Umbrales = POR_DEFECTO) -> Estado:
    """El nivel de una terminal (el peor de sus motivos) y los motivos, del más grave al menos."""
    motivos: list[tuple[str, str]] = []
    if datos.revocada:
        motivos.append((AMBAR, "Token revocado"))
    if datos.ultimo_contacto is None:
        motivos.append((AMBAR, "Nunca ha conectado"))
    else:
        sin_contacto = (ahora - datos.ultimo_contacto).total_seconds()
        nivel = _nivel(
            sin_contacto / 60, umbrales.sin_contacto_ambar_min, umbrales.sin_contacto_rojo_min
        )
        if nivel:
            motivos.append((nivel, f"Sin contacto desde hace {duracion(sin_contacto)}"))
    if datos.pendientes > 0:
        # La antigüedad se informó en ``informado_en``: desde entonces ha seguido creciendo.
        desde = (ahora - datos.informado_en).total_seconds() if datos.informado_en else 0
        antiguedad = datos.antiguedad_pendiente_s + max(0.0, desde)
        nivel = _nivel(antiguedad / 60, umbrales.pendiente_ambar_min, umbrales.pendiente_rojo_min)
        if nivel:
            motivos.append((nivel, f"Venta pendiente más antigua: {duracion(antiguedad)}"))
    if datos.desfase_ms is not None:
        desfase = abs(datos.desfase_ms) / 1000
        nivel = _nivel(desfase, umbrales.desfase_ambar_s, umbrales.desfase_rojo_s)
        if nivel:
            motivos.append((nivel, f"Reloj desfasado {duracion(desfase)}"))
    if datos.incidencias_diario and umbrales.incidencias_diario != VERDE:
        motivos.append(
            (
                umbrales.incidencias_diario,
                f"Diario de ventas con {datos.incidencias_diario} incidencias sin revisar",
            )
        )
    if datos.reparadas and umbrales.reparaciones != VERDE:
        motivos.append(
            (umbrales.reparaciones, f"La caché tuvo que reparar {datos.reparadas} filas")
        )
    if (datos.conflictos or datos.errores) and umbrales.errores != VERDE:
        motivos.append(
            (
                umbrales.errores,
                f"{datos.conflictos} conflictos y {datos.errores} errores por revisar en la caja",
            )
        )
    if not motivos:
        return Estado()
    motivos.sort(key=lambda m: -_ORDEN[m[0]])
    return Estado(nivel=motivos[0][0], motivos=tuple(texto for _, texto in motivos))


def umbrales() -> Umbrales:
    """Los umbrales de ``settings.SINCRO_SALUD`` (lo que falte, por defecto)."""
    from django.conf import settings

    return Umbrales.desde_ajustes(getattr(settings, "SINCRO_SALUD", None))


def _incidencias_abiertas() -> dict[int, int]:
    """Incidencias del diario sin revisar por terminal; vacío si el diario no está instalado."""
    try:
        from django.db.models import Count

        from .models import IncidenciaDiario
    except ImportError:
        return {}
    filas = (
        IncidenciaDiario.objects.filter(revisada=False)
        .values("terminal_id")
        .annotate(n=Count("id"))
    )
    return {f["terminal_id"]: f["n"] for f in filas}


def datos_de(salud: Any, incidencias: int = 0) -> DatosSalud:
    """``DatosSalud`` de una ``SaludTerminal`` (con su terminal cargada)."""
    return DatosSalud(
        ultimo_contacto=salud.ultimo_contacto,
        informado_en=salud.informado_en,
        pendientes=salud.pendientes,
        antiguedad_pendiente_s=salud.antiguedad_pendiente_s,
        desfase_ms=salud.desfase_ms,
        reparadas=salud.reparadas,
        conflictos=salud.conflictos,
        errores=salud.errores,
        incidencias_diario=incidencias,
        revocada=salud.terminal.revocada,
    )


def evaluar_todas(ahora: dt.datetime | None = None) -> list[tuple[Any, Estado]]:
    """(``SaludTerminal``, ``Estado``) de cada terminal, ordenadas por tienda y terminal."""
    from django.utils import timezone

    from .models import SaludTerminal

    ahora = ahora or timezone.now()
    limites = umbrales()
    incidencias = _incidencias_abiertas()
    saludes = SaludTerminal.objects.select_related("terminal__tienda").order_by(
        "terminal__tienda__codigo", "terminal__codigo"
    )
    return [
        (s, evaluar(datos_de(s, incidencias.get(s.terminal_id, 0)), ahora, limites))
        for s in saludes
    ]
