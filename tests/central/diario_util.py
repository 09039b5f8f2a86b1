"""Registros del diario para las pruebas de la central, sellados con ``protocolo.diario.sellar``
(el mismo código que usa la terminal)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from protocolo import diario


def venta(
    tienda: str,
    terminal: str,
    numero: int,
    importe: str = "3.90",
    dia: str = "2026-12-03",
    metodo: str = "efectivo",
    venta_id: str | None = None,
) -> dict[str, Any]:
    return {
        "tienda": tienda,
        "terminal": terminal,
        "tipo": "venta",
        "serie": diario.serie_de(terminal, int(dia[:4])),
        "numero": numero,
        "fecha": f"{dia}T10:{numero // 60 % 60:02d}:{numero % 60:02d}Z",
        "desfase_ms": 0,
        "venta": venta_id or str(uuid.uuid4()),
        "lineas": [
            {"producto": "1", "cantidad": 1, "precio_unitario": importe, "importe": importe}
        ],
        "total": importe,
        "pagos": [{"metodo": metodo, "importe": importe}],
    }


def cierre(
    tienda: str,
    terminal: str,
    numero: int,
    ventas: list[dict[str, Any]],
    dia: str = "2026-12-03",
    forzado: dict | None = None,
) -> dict[str, Any]:
    """Cierre del día con las cifras de ``ventas`` (registros de venta ya sellados)."""
    por_metodo: dict[str, Decimal] = {}
    for r in ventas:
        signo = -1 if r["tipo"] in ("anulacion", "devolucion") else 1
        for p in r["pagos"]:
            por_metodo[p["metodo"]] = por_metodo.get(p["metodo"], Decimal(0)) + signo * Decimal(
                p["importe"]
            )
    total = sum(por_metodo.values(), Decimal(0))
    return {
        "tienda": tienda,
        "terminal": terminal,
        "tipo": "cierre",
        "serie": diario.serie_de(terminal, int(dia[:4])),
        "numero": numero,
        "fecha": f"{dia}T21:00:00Z",
        "desfase_ms": 0,
        "dia": dia,
        "desde": ventas[0]["numero"] if ventas else None,
        "hasta": ventas[-1]["numero"] if ventas else None,
        "ventas": len(ventas),
        "por_metodo": {m: f"{v:.2f}" for m, v in sorted(por_metodo.items())},
        "total": f"{total:.2f}",
        "efectivo_declarado": None,
        "diferencia": None,
        "forzado": forzado,
    }


def cadena(registros: list[dict[str, Any]], anterior: str = diario.HUELLA_INICIAL) -> list[dict]:
    """Sella ``registros`` en orden, cada uno con la huella del anterior."""
    sellados = []
    for r in registros:
        s = diario.sellar(r, anterior)
        sellados.append(s)
        anterior = s["huella"]
    return sellados


def ventas(tienda: str, terminal: str, n: int, desde: int = 1, **kw: Any) -> list[dict]:
    return [venta(tienda, terminal, i, **kw) for i in range(desde, desde + n)]
