"""Bench: primera sincronización de 100 000 productos servida por la central real.

Mide, contra ``sincro-central iniciar --demo N`` (gunicorn, SQLite en un directorio temporal;
PostgreSQL si se pasa ``--pg URL``):
- HTTP de extremo a extremo: una página de N filas (``limite=N``), sin y con gzip (cuerpo
  recibido entero; gzip descomprimido por el cliente), y en páginas de 10 000 (con decodificación
  JSON del cliente incluida).
- La instantánea (``GET /v1/instantanea``, gzip, JSON decodificado por el cliente): construyéndola
  en cada petición y ya hecha (sólo servirla).
- Servidor sin red: ``descarga.pagina`` + armado del cuerpo en proceso.
- Línea base en la misma ejecución: serialización ingenua por fila con el ORM
  (``Producto.objects.all()`` + un dict por objeto + ``json.dumps``).

Uso: ``.venv/bin/python bench/central_descarga.py [--filas 100000] [--pg URL]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import requests

RAIZ = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RAIZ))

from bench.central_comun import carga, cpu_servidor  # noqa: E402
from tests.plugins.central import CentralEnMarcha  # noqa: E402

MODELO = "productos.Producto"


def mejor(funcion, repeticiones: int = 3, cpu=time.process_time) -> tuple[float, float]:
    """Mejor tiempo de reloj y mejor tiempo de CPU (``cpu()``: del proceso o del servidor)."""
    tiempos, cpus = [], []
    for _ in range(repeticiones):
        c, t = cpu(), time.perf_counter()
        funcion()
        tiempos.append(time.perf_counter() - t)
        cpus.append(cpu() - c)
    return min(tiempos), min(cpus)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--filas", type=int, default=100_000)
    p.add_argument("--pg", default=None, help="DATABASE_URL de una base PostgreSQL vacía")
    args = p.parse_args()
    n = args.filas
    datos = Path(tempfile.mkdtemp(prefix="bench-central-"))
    entorno = {"DATABASE_URL": args.pg} if args.pg else {}
    t = time.perf_counter()
    central = CentralEnMarcha(datos, demo=n, entorno=entorno).arrancar()
    print(f"Arranque con siembra de {n} productos: {time.perf_counter() - t:.1f} s")
    try:
        sesion = requests.Session()
        sesion.headers["Authorization"] = f"Token {central.token}"
        url = central.url + "/v1/cambios"

        def una_pagina(codificacion: str, decodificar: bool = False) -> None:
            r = sesion.get(
                url,
                params={"modelos": MODELO, "limite": n},
                headers={"Accept-Encoding": codificacion},
                timeout=120,
            )
            assert r.status_code == 200 and r.content.endswith(b"}")
            if decodificar:
                cuerpo = r.json()
                assert len(cuerpo["cambios"]) == n and not cuerpo["hay_mas"], r.text[:200]

        def paginas_de(tam: int) -> None:
            cursor, total = "", 0
            while True:
                c = sesion.get(
                    url, params={"modelos": MODELO, "cursor": cursor, "limite": tam}, timeout=120
                ).json()
                total += len(c["cambios"])
                cursor = c["cursor"]
                if not c["hay_mas"]:
                    break
            assert total == n

        una_pagina("identity", decodificar=True)  # calentamiento y comprobación
        del_servidor = lambda: cpu_servidor(central.proceso.pid)  # noqa: E731
        http = mejor(lambda: una_pagina("identity"), cpu=del_servidor)
        http_gzip = mejor(lambda: una_pagina("gzip"), cpu=del_servidor)
        http_10k = mejor(lambda: paginas_de(10_000), cpu=del_servidor)

        def instantanea(en_frio: bool) -> None:
            if en_frio:  # se borra: la petición la construye
                shutil.rmtree(datos / "instantaneas", ignore_errors=True)
            r = sesion.get(
                central.url + "/v1/instantanea",
                params={"modelo": MODELO},
                headers={"Accept-Encoding": "gzip"},
                timeout=120,
            )
            assert r.status_code == 200 and len(r.json()["cambios"]) == n

        instantanea_fria = mejor(lambda: instantanea(True), cpu=del_servidor)
        instantanea_hecha = mejor(lambda: instantanea(False), cpu=del_servidor)
    finally:
        central.detener()

    # En proceso, sobre la misma base: servidor sin red frente a la línea base ingenua.
    os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
    os.environ["SINCRO_CENTRAL_DATOS"] = str(datos)
    if args.pg:
        os.environ["DATABASE_URL"] = args.pg
    import django

    django.setup()
    from central import configuracion, descarga
    from servidor_demo.productos.models import Producto

    config = configuracion.obtener().modelos[MODELO]

    def servidor() -> None:
        pagina = descarga.pagina([config], "T001", "", n)
        cuerpo = '{"cambios":[' + ",".join(pagina.cuerpos) + "]}"
        assert len(pagina.cuerpos) == n and cuerpo

    def ingenua() -> None:
        filas = []
        for pr in Producto.objects.all().order_by("id"):
            filas.append(
                {
                    "modelo": MODELO,
                    "id": str(pr.pk),
                    "datos": {
                        "id": pr.id,
                        "nombre": pr.nombre,
                        "codigo": pr.codigo,
                        "precio": str(pr.precio),
                        "categoria": pr.categoria,
                    },
                }
            )
        cuerpo = json.dumps({"cambios": filas})
        assert len(filas) == n and cuerpo

    en_proceso = mejor(servidor)
    base = mejor(ingenua)
    motor = "PostgreSQL" if args.pg else "SQLite"
    print(f"\n{motor}, {n} filas (mejor de 3; reloj y CPU del servidor; {carga()}):")
    for nombre, (reloj, cpu) in [
        ("HTTP, 1 página, sin gzip", http),
        ("HTTP, 1 página, gzip", http_gzip),
        ("HTTP, páginas de 10 000", http_10k),
        ("instantánea, construyéndola", instantanea_fria),
        ("instantánea ya hecha", instantanea_hecha),
        ("servidor en proceso (página)", en_proceso),
        ("línea base ORM por fila", base),
    ]:
        print(
            f"  {nombre:29}: {reloj:6.3f} s = {n / reloj:9,.0f} filas/s | "
            f"CPU {cpu:6.3f} s = {n / max(cpu, 1e-3):9,.0f} filas/s de CPU"
        )
    print(
        f"  relación servidor en proceso / base: {base[0] / en_proceso[0]:.1f}x (reloj), "
        f"{base[1] / en_proceso[1]:.1f}x (CPU); HTTP sin gzip / base: {base[0] / http[0]:.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
