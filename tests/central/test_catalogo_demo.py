"""El catálogo de demo que sirve la central real parece un catálogo de verdad: EAN-13 válidos
(comprobados aquí con el algoritmo GS1, sin usar el código de la semilla), únicos, con prefijo
español, precios decimales positivos y nombres en español."""

from __future__ import annotations

from decimal import Decimal

import requests


def _ean13_valido(codigo: str) -> bool:
    if len(codigo) != 13 or not codigo.isdigit():
        return False
    suma = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(codigo[:12]))
    return (10 - suma % 10) % 10 == int(codigo[12])


def test_productos_de_demo_con_ean13_validos_y_precios(central):
    respuesta = requests.get(
        f"{central.url}/v1/cambios",
        params={"modelos": "productos.Producto", "limite": 1000},
        headers=central.cabeceras(),
        timeout=30,
    )
    respuesta.raise_for_status()
    productos = [c["datos"] for c in respuesta.json()["cambios"]]
    assert len(productos) == 50
    codigos = [p["codigo"] for p in productos]
    assert all(_ean13_valido(c) for c in codigos), [c for c in codigos if not _ean13_valido(c)]
    assert len(set(codigos)) == len(codigos)
    assert all(c.startswith("84") for c in codigos)  # prefijo GS1 de España
    assert all(Decimal(p["precio"]) > 0 for p in productos)
    assert all(p["nombre"] and p["categoria"] for p in productos)


def test_comprobador_ean13_acepta_uno_real_y_rechaza_un_digito_de_control_falso():
    assert _ean13_valido("4006381333931")  # EAN-13 publicado como ejemplo por GS1
    assert not _ean13_valido("4006381333932")
    assert not _ean13_valido("400638133393")
