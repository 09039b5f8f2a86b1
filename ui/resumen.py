"""Resumen plano del estado del motor para la interfaz, y el estado de la bandeja.

``resumir(estado)`` convierte el dict de ``Agente.estado()`` en un ``Resumen`` inmutable que
consumen la bandeja, la pestaña Estado y las notificaciones. Es el único sitio de ``ui/`` que
conoce la forma de ese dict. Puro (sin Qt, sin E/S): seguro desde cualquier hilo.

Estado de la bandeja, por gravedad (el primero que se cumple; lo que exige que alguien haga
algo va antes que lo que se arregla solo):

1. ``autenticacion``: la central rechaza el token, o la terminal está sin configurar: nada se
   envía hasta que alguien ponga un token (la sincronización está parada).
2. ``conflictos``: hay conflictos abiertos que un encargado debe revisar.
3. ``sin_conexion``: la central no responde (las ventas se guardan y se enviarán solas).
4. ``error``: error del servidor u operaciones en ERROR en la cola.
5. ``sincronizando``: hay operaciones pendientes o una sincronización en curso.
6. ``al_dia``: nada pendiente y la última sincronización fue bien.

Un reintento no cambia el icono: si el estado anterior era ``sin_conexion`` o ``error`` y el
motor sólo dice que vuelve a intentarlo («sincronizando»), se sigue mostrando el anterior hasta
que el intento termine (``estado_bandeja(resumen, anterior)``). Así el icono no parpadea en azul
en cada reintento de un corte largo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ESTADOS_BANDEJA = (
    "autenticacion",
    "conflictos",
    "sin_conexion",
    "error",
    "sincronizando",
    "al_dia",
)  # de más a menos grave
CONEXION_AUTENTICACION = ("error_autenticacion", "sin_configurar")
ESTADOS_FALLO = ("sin_conexion", "error")
ESTADOS_COLA = ("pendiente", "procesando", "conflicto", "error", "completado", "descartado")


@dataclass(frozen=True)
class ModeloResumen:
    nombre: str
    filas: int
    completo: bool
    critico: bool
    actualizado_en: dt.datetime | None
    cursor: str | None
    prioridad: float | None


@dataclass(frozen=True)
class Resumen:
    conexion: str = "sin_conexion"
    pausado: bool = False
    sincronizando: bool = False
    cola: Mapping[str, int] = field(default_factory=dict)
    conflictos: int = 0
    antiguedad_pendiente_s: float | None = None
    ultimo_exito: dt.datetime | None = None
    ultimo_empuje: dt.datetime | None = None
    ultima_descarga: dt.datetime | None = None
    desfase_ms: int | None = None
    lista_para_vender: bool = False
    modelos: tuple[ModeloResumen, ...] = ()
    mensaje_error: str | None = None
    ventas_pendientes: int = 0
    importe_pendiente: str = "0"
    antiguedad_ventas_s: float | None = None
    proximo_intento: dt.datetime | None = None
    clases_cola: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """``{estado: {"ventas", "ajustes", "cambios"}}`` (``Agente.recuento_cola``): la cola
    contada como la tienda; vacío si el motor no lo da."""

    @property
    def pendientes(self) -> int:
        """Operaciones que aún no ha confirmado la central (ni completadas ni descartadas)."""
        return sum(n for e, n in self.cola.items() if e not in ("completado", "descartado"))

    @property
    def errores(self) -> int:
        return int(self.cola.get("error", 0))

    @property
    def precios_a(self) -> dt.datetime | None:
        """Hora de la última descarga de los modelos críticos (la más antigua de ellas)."""
        horas = [m.actualizado_en for m in self.modelos if m.critico and m.actualizado_en]
        if horas:
            return min(horas)
        return self.ultima_descarga


def _fecha(valor: Any) -> dt.datetime | None:
    if valor in (None, ""):
        return None
    if isinstance(valor, dt.datetime):
        fecha = valor
    elif isinstance(valor, int | float):
        fecha = dt.datetime.fromtimestamp(valor, dt.UTC)
    else:
        try:
            fecha = dt.datetime.fromisoformat(str(valor))
        except ValueError:
            return None
    return fecha if fecha.tzinfo else fecha.replace(tzinfo=dt.UTC)


def _entero(valor: Any, defecto: int | None = 0) -> int | None:
    try:
        return int(valor)
    except (TypeError, ValueError):
        return defecto


def _conexion(estado: Mapping[str, Any]) -> Mapping[str, Any]:
    conexion = estado.get("conexion") or estado.get("conectividad") or {}
    if isinstance(conexion, str):
        return {"estado": conexion}
    return conexion


def _normalizar_conexion(valor: Any) -> str:
    texto = str(valor or "sin_conexion").strip().lower().replace(" ", "_")
    texto = texto.replace("í", "i").replace("ó", "o").replace("é", "e")
    alias = {
        "conectado": "al_dia",
        "ok": "al_dia",
        "desconectado": "sin_conexion",
        "offline": "sin_conexion",
        "error_de_autenticacion": "error_autenticacion",
        "error_del_servidor": "error_servidor",
        "autenticacion": "error_autenticacion",
    }
    return alias.get(texto, texto)


def _modelos(estado: Mapping[str, Any]) -> tuple[ModeloResumen, ...]:
    modelos = estado.get("modelos") or {}
    if isinstance(modelos, Mapping):
        pares = list(modelos.items())
    else:
        pares = [(m.get("nombre") or m.get("modelo"), m) for m in modelos]
    prioridades = estado.get("prioridades") or {}
    resultado = []
    for nombre, datos in pares:
        datos = datos or {}
        resultado.append(
            ModeloResumen(
                nombre=str(nombre),
                filas=_entero(datos.get("filas"), 0) or 0,
                completo=bool(datos.get("completo")),
                critico=bool(datos.get("critico")),
                actualizado_en=_fecha(datos.get("actualizado_en") or datos.get("ultima_pagina")),
                cursor=None if datos.get("cursor") is None else str(datos.get("cursor")),
                prioridad=datos.get(
                    "prioridad_dinamica", datos.get("prioridad", prioridades.get(nombre))
                ),
            )
        )
    return tuple(sorted(resultado, key=lambda m: (not m.critico, m.nombre)))


def _ultimo_exito(conexion: Mapping[str, Any]) -> dt.datetime | None:
    fechas = [
        _fecha(conexion.get(k)) for k in ("ultimo_exito", "ultimo_empuje_ok", "ultima_descarga_ok")
    ]
    fechas = [f for f in fechas if f is not None]
    return max(fechas) if fechas else None


def resumir(estado: Mapping[str, Any] | None) -> Resumen:
    """Resumen del dict de ``Agente.estado()``; tolera claves ausentes (motor a medio arrancar)."""
    if not estado:
        return Resumen()
    conexion = _conexion(estado)
    cola_cruda = estado.get("cola") or {}
    if isinstance(cola_cruda, Mapping) and "por_estado" in cola_cruda:
        cola_cruda = cola_cruda["por_estado"]
    cola = {str(k).lower(): _entero(v, 0) or 0 for k, v in dict(cola_cruda).items()}
    conflictos = estado.get("conflictos")
    if isinstance(conflictos, Mapping):
        conflictos = conflictos.get("abiertos", 0)
    if conflictos is None:
        conflictos = cola.get("conflicto", 0)
    ventas = estado.get("ventas_pendientes") or {}
    antiguedad = estado.get("antiguedad_pendiente_s")
    if antiguedad is None and isinstance(estado.get("cola"), Mapping):
        antiguedad = estado["cola"].get("antiguedad_pendiente_s")
    return Resumen(
        conexion=_normalizar_conexion(conexion.get("estado")),
        pausado=bool(estado.get("pausado") or conexion.get("pausado")),
        sincronizando=bool(conexion.get("sincronizando") or estado.get("sincronizando")),
        cola=cola,
        conflictos=_entero(conflictos, 0) or 0,
        antiguedad_pendiente_s=None if antiguedad is None else float(antiguedad),
        ultimo_exito=_ultimo_exito(conexion),
        ultimo_empuje=_fecha(conexion.get("ultimo_empuje_ok") or conexion.get("ultimo_empuje")),
        ultima_descarga=_fecha(
            conexion.get("ultima_descarga_ok") or conexion.get("ultima_descarga")
        ),
        desfase_ms=_entero(
            conexion.get("desfase_ms")
            if conexion.get("desfase_ms") is not None
            else estado.get("desfase_ms"),
            None,
        ),
        lista_para_vender=bool(
            estado.get("lista_para_vender_offline", conexion.get("lista_para_vender_offline"))
        ),
        modelos=_modelos(estado),
        mensaje_error=conexion.get("mensaje") or conexion.get("ultimo_error"),
        ventas_pendientes=_entero(ventas.get("n"), 0) or 0,
        importe_pendiente=str(ventas.get("importe") or "0"),
        antiguedad_ventas_s=(
            None if ventas.get("antiguedad_s") is None else float(ventas["antiguedad_s"])
        ),
        proximo_intento=_fecha(conexion.get("proximo_intento")),
        clases_cola=_clases_cola(estado.get("cola")),
    )


def _clases_cola(cola: Any) -> dict[str, dict[str, int]]:
    clases = cola.get("por_clase") if isinstance(cola, Mapping) else None
    if not isinstance(clases, Mapping):
        return {}
    return {
        str(e).lower(): {str(k): _entero(v, 0) or 0 for k, v in dict(n or {}).items()}
        for e, n in clases.items()
    }


def estado_bandeja(resumen: Resumen, anterior: str | None = None) -> str:
    """Uno de ``ESTADOS_BANDEJA`` (orden de gravedad y reintentos: docstring del módulo).
    ``anterior``: el estado que se mostraba, para que un reintento no lo cambie."""
    if resumen.conexion in CONEXION_AUTENTICACION:
        return "autenticacion"
    if resumen.conflictos > 0:
        return "conflictos"
    if resumen.conexion == "sin_conexion":
        return "sin_conexion"
    if resumen.conexion == "error_servidor" or resumen.errores > 0:
        return "error"
    reintentando = resumen.sincronizando or resumen.conexion == "sincronizando"
    if reintentando and anterior in ESTADOS_FALLO:
        return anterior
    if reintentando or resumen.pendientes > 0:
        return "sincronizando"
    return "al_dia"
