"""Páginas llenas sobre un cursor incremental (no sólo el de la primera sincronización): cada
cambio llega exactamente una vez, en orden, y el cursor avanza hasta la última entrada servida
de cada página, ni más (se saltaría el resto) ni menos. Incluye una transacción con muchas
entradas partida entre páginas (en PostgreSQL, varias entradas con la misma transacción)."""

from __future__ import annotations

import time

from .conftest import EXISTENCIA, Api, existencia, op


def test_paginas_llenas_en_cursor_incremental(api: Api):
    estado, cursor = api.descargar(EXISTENCIA)

    def nuevos(cambios: list[dict]) -> list[dict]:
        """Sin las repeticiones de lo ya descargado (misma versión): en PostgreSQL, una
        transacción larga de otra base del servidor (otras pruebas en paralelo) puede dejar el
        cursor de la descarga completa por debajo de lo servido, que se repite (nunca se
        pierde)."""
        return [c for c in cambios if estado.get((EXISTENCIA, c["id"]), (0,))[0] != c["version"]]

    # Un lote de 30 ajustes (una transacción) y luego 10 lotes de uno.
    ids_lote = [existencia(i) for i in range(1, 31)]
    api.operaciones(*[op(EXISTENCIA, "ajustar", i, {"cantidad": 1}) for i in ids_lote])
    sueltos = [existencia(i) for i in range(31, 41)]
    for i in sueltos:
        api.operaciones(op(EXISTENCIA, "ajustar", i, {"cantidad": 1}))
    # La misma marca de agua puede retener un momento lo recién confirmado: se espera a que se
    # sirva entero antes de recorrerlo por páginas.
    fin = time.monotonic() + 30
    while len(nuevos(api.get("/v1/cambios", modelos=EXISTENCIA, cursor=cursor)["cambios"])) < 40:
        assert time.monotonic() < fin, "la central no sirvió los 40 cambios a tiempo"
        time.sleep(0.1)
    vistos: list[str] = []
    versiones: list[int] = []
    paginas = 0
    while True:
        p = api.get("/v1/cambios", modelos=EXISTENCIA, cursor=cursor, limite=4)
        paginas += 1
        assert p["completo"] is False
        if p["hay_mas"]:
            assert len(p["cambios"]) == 4
        vistos += [c["id"] for c in nuevos(p["cambios"])]
        versiones += [c["version"] for c in nuevos(p["cambios"])]
        assert p["cursor"] != cursor or not p["hay_mas"]
        cursor = p["cursor"]
        if not p["hay_mas"]:
            break
    assert paginas >= 10
    clave = lambda k: int(k.split(":")[1])  # noqa: E731
    assert sorted(vistos, key=clave) == ids_lote + sueltos  # todos, una vez
    assert len(set(vistos)) == len(vistos)
    assert versiones == sorted(versiones)  # en orden de commit
    # Desde el cursor final no queda nada nuevo, y un cambio nuevo llega solo.
    assert nuevos(api.get("/v1/cambios", modelos=EXISTENCIA, cursor=cursor)["cambios"]) == []
    api.operaciones(op(EXISTENCIA, "ajustar", existencia(41), {"cantidad": 1}))
    fin = time.monotonic() + 30
    while not (
        ultimos := nuevos(api.get("/v1/cambios", modelos=EXISTENCIA, cursor=cursor)["cambios"])
    ):
        assert time.monotonic() < fin, "la central no sirvió el cambio nuevo a tiempo"
        time.sleep(0.1)
    assert [c["id"] for c in ultimos] == [existencia(41)]
