"""Seguridad ante ``kill -9``: el bucle ``sincro sincronizar`` (proceso real) se mata en
momentos al azar mientras empuja y descarga, ronda tras ronda, con operaciones nuevas en la
terminal y cambios nuevos en la central. Al final: cada operación aplicada exactamente una vez
y la caché igual a la central.

``SINCRO_RONDAS_KILL`` cambia el número de rondas (20 por defecto, el mínimo de CI).
"""

import os
import random
import signal
import time

import pytest

from agente.fachada import Agente
from agente.sincronizacion.cliente import Cliente
from tests.sincronizacion.terminales import (
    EXISTENCIA,
    PASES_CORTOS,
    ajuste,
    bucle_trabajando,
    configurar,
    en_vuelo,
    existencia,
    existencias_central,
    productos_cache,
    productos_central,
    sincro,
)

RONDAS = int(os.environ.get("SINCRO_RONDAS_KILL", "20"))
PRODUCTOS = 1500


@pytest.mark.lento
def test_kill_9_durante_empuje_y_descarga(central_factory, tmp_path):
    central = central_factory(demo=PRODUCTOS)
    datos = tmp_path / "terminal"
    configurar(datos, central, central.tienda, central.terminal, central.token, **PASES_CORTOS)
    otra = Cliente(central.url, central.crear_terminal(central.tienda, "caja-2"))
    inicial = existencias_central(central)
    esperado = dict(inicial)
    azar = random.Random(int(os.environ.get("SINCRO_SEMILLA", "4")))
    interrumpidos = 0
    for _ronda in range(RONDAS):
        with Agente.abrir(datos) as agente:
            # Hasta que un pase guarde el esquema no se puede encolar (la primera ronda mata
            # la primera descarga).
            productos = azar.sample(sorted(inicial), 120) if agente.esquema() else []
            for producto in productos:
                delta = azar.choice([-3, -2, -1, 1, 5])
                agente.ajustar(EXISTENCIA, existencia(producto), "cantidad", delta)
                esperado[producto] += delta
        ajustes = []
        for producto in azar.sample(sorted(inicial), 80):
            delta = azar.choice([-1, 2])
            esperado[producto] += delta
            ajustes.append(ajuste(producto, delta))
        assert all(r.resultado == "aplicada" for r in otra.operaciones(ajustes))
        proceso = bucle_trabajando(datos)
        time.sleep(azar.uniform(0.0, 0.6))  # un momento al azar mientras empuja/descarga
        proceso.send_signal(signal.SIGKILL)
        proceso.wait(30)
        interrumpidos += en_vuelo(datos) > 0
    for _ in range(2):  # el segundo pase envía lo que la descarga haya reencolado
        r = sincro(datos, "sincronizar", "--una-vez")
        assert r.returncode == 0, r.stderr
    with Agente.abrir(datos) as agente:
        conteos = agente.operaciones.contar_por_estado()
    assert conteos["PENDIENTE"] == conteos["PROCESANDO"] == 0
    assert conteos["ERROR"] == conteos["CONFLICTO"] == 0
    assert existencias_central(central) == esperado
    assert productos_cache(datos) == productos_central(central)
    with Agente.abrir(datos) as agente:
        assert {p: agente.existencia(p)["cantidad"] for p in esperado} == esperado
    # Sin esto la prueba podría no haber matado nunca un empuje a medias.
    assert interrumpidos >= 1, "ninguna ronda mató el proceso con un lote en vuelo"
