"""Fechas de la interfaz: hora local, sólo la hora si es de hoy, el texto que no es fecha tal
cual y una fecha sin zona tomada como UTC (como las guarda el motor)."""

from __future__ import annotations

import datetime as dt

import pytest

from ui import formato


@pytest.fixture(autouse=True)
def madrid(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Madrid")
    import time

    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


@pytest.mark.parametrize(
    ("funcion", "hoy", "otro_dia", "vacio"),
    [
        (formato.hora, "%H:%M:%S", "%d/%m/%Y %H:%M", "nunca"),
        (formato.hora_corta, "%H:%M", "%d/%m %H:%M", formato.VACIO),
    ],
)
def test_hora_local_con_el_dia_solo_si_no_es_de_hoy(funcion, hoy, otro_dia, vacio):
    ahora = dt.datetime.now(dt.UTC).replace(microsecond=0)
    assert funcion(ahora) == ahora.astimezone().strftime(hoy)
    assert funcion(ahora.isoformat()) == ahora.astimezone().strftime(hoy)
    sin_zona = ahora.replace(tzinfo=None).isoformat()
    assert funcion(sin_zona) == ahora.astimezone().strftime(hoy)
    antes = dt.datetime(2026, 11, 28, 13, 5, tzinfo=dt.UTC)
    assert funcion(antes) == antes.astimezone().strftime(otro_dia)
    assert funcion("2026-11-28T13:05:00") == "28/11" + (
        "/2026 14:05" if funcion is formato.hora else " 14:05"
    )
    assert funcion("ayer") == "ayer"
    assert funcion(None) == funcion("") == vacio
