"""Exportación del diario de ventas de una tienda y un día, para la gestoría o la inspección.

- JSON: ``{"tienda", "dia", "registros": [...]}`` con cada registro completo tal como lo selló
  la terminal (sus bytes canónicos más ``huella``): con ``protocolo.diario`` se puede volver a
  verificar fuera de la central.
- CSV (UTF-8, coma, una cabecera): una fila por registro con las columnas de ``COLUMNAS``; los
  pagos como ``metodo:importe`` separados por ``;``; la referencia de una anulación o devolución
  como ``serie nº numero``.

Orden: por terminal y orden de la cadena. Sólo lectura; seguro en cualquier hilo.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from .models import RegistroDiario

COLUMNAS = (
    "tienda",
    "terminal",
    "serie",
    "numero",
    "tipo",
    "fecha",
    "dia",
    "venta",
    "total",
    "pagos",
    "referencia",
    "huella_anterior",
    "huella",
)


def registros_del_dia(tienda: str, dia: dt.date) -> Iterator[RegistroDiario]:
    return (
        RegistroDiario.objects.filter(tienda=tienda, dia=dia)
        .select_related("terminal")
        .order_by("terminal__codigo", "orden")
        .iterator(chunk_size=2000)
    )


def registro_completo(fila: RegistroDiario) -> dict[str, Any]:
    """El registro tal como lo selló la terminal (con su ``huella``)."""
    registro = json.loads(bytes(fila.contenido))
    registro["huella"] = fila.huella
    return registro


def _fila_csv(fila: RegistroDiario) -> list[Any]:
    try:
        r = registro_completo(fila)
    except ValueError:
        r = {}
    pagos = r.get("pagos") if r.get("tipo") != "cierre" else None
    if r.get("tipo") == "cierre":
        pagos = [{"metodo": m, "importe": v} for m, v in (r.get("por_metodo") or {}).items()]
    referencia = r.get("referencia") or {}
    # Lo que dice el registro sellado (no las columnas copiadas, que no entran en la huella).
    return [
        r.get("tienda", fila.tienda),
        r.get("terminal", fila.terminal.codigo),
        r.get("serie", fila.serie),
        r.get("numero", fila.numero),
        r.get("tipo", fila.tipo),
        r.get("fecha", fila.fecha),
        r.get("dia") or (fila.dia.isoformat() if fila.dia else ""),
        r.get("venta", ""),
        r.get("total", ""),
        ";".join(
            f"{p.get('metodo')}:{p.get('importe')}" for p in pagos or [] if isinstance(p, dict)
        ),
        f"{referencia.get('serie')} nº {referencia.get('numero')}" if referencia else "",
        fila.huella_anterior,
        fila.huella,
    ]


def csv_de(filas: Iterable[RegistroDiario]) -> str:
    salida = io.StringIO()
    escritor = csv.writer(salida, lineterminator="\n")
    escritor.writerow(COLUMNAS)
    for fila in filas:
        escritor.writerow(_fila_csv(fila))
    return salida.getvalue()


def json_de(filas: Iterable[RegistroDiario], tienda: str, dia: dt.date | None) -> str:
    return json.dumps(
        {
            "tienda": tienda,
            "dia": dia.isoformat() if dia else None,
            "registros": [registro_completo(f) for f in filas],
        },
        ensure_ascii=False,
        indent=1,
    )


def exportar(tienda: str, dia: dt.date, formato: str) -> str:
    filas = registros_del_dia(tienda, dia)
    return csv_de(filas) if formato == "csv" else json_de(filas, tienda, dia)
