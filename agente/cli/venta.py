"""Órdenes de la caja: ``vender`` y ``servir-local`` (la API local).

``sincro vender`` pasa por el mismo camino que ``Agente.vender`` y que ``POST /v1/vender``
(``agente.api_local.ventas.vender``). ``sincro servir-local`` sirve la API local en el hilo
principal hasta SIGINT/SIGTERM e imprime ``URL=http://127.0.0.1:P`` cuando ya escucha.
También ``ArranqueApi``: lo que usa el bucle ``sincro sincronizar`` para servir la API a la
vez (un fallo al abrir el puerto sólo se avisa: la sincronización sigue).
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import sys
import threading
from typing import Any

from agente.cli import salida

VARIABLE_PUERTO = "SINCRO_API_PUERTO"
"""Puerto de la API local del bucle ``sincronizar`` (y de ``servir-local`` sin ``--puerto``);
``no`` la desactiva en el bucle."""

_log = logging.getLogger(__name__)


def registrar(subordenes: argparse._SubParsersAction) -> None:
    vender = subordenes.add_parser(
        "vender",
        help="registra una venta (cabecera, líneas, stock y pagos) en una transacción",
        description="Registra una venta. Ejemplo: sincro vender --lineas "
        '\'[{"producto": 12, "cantidad": 2, "precio_unitario": "1.95"}]\' '
        "--pago tarjeta:3.90. Sin --pago es un pago en efectivo del total.",
    )
    vender.add_argument(
        "--lineas",
        required=True,
        metavar="JSON",
        help='[{"producto": id, "cantidad": n, "precio_unitario": "1.95"}]',
    )
    vender.add_argument("--cliente", help="id del cliente (opcional)")
    salida.opcion_pagos(vender, "un pago, p. ej. efectivo:3.90 (repetible; deben sumar el total)")
    salida.opcion_json(vender)
    vender.set_defaults(funcion=orden_vender)

    servir = subordenes.add_parser(
        "servir-local",
        help="sirve la API local (HTTP en 127.0.0.1) para el software de caja",
        description="Sirve la API local en 127.0.0.1 y ::1 hasta Ctrl-C. El token está en "
        "api-local.token del directorio de datos. Ver docs/api-local.md.",
    )
    servir.add_argument(
        "--puerto",
        type=int,
        default=None,
        metavar="P",
        help=f"puerto (por defecto {VARIABLE_PUERTO} o 8765; 0 = uno libre)",
    )
    servir.add_argument(
        "--direccion",
        action="append",
        metavar="IP",
        help="127.0.0.1 o ::1 (repetible; por defecto las dos)",
    )
    servir.add_argument(
        "--rotar-token",
        action="store_true",
        help="crea un token nuevo antes de servir (el anterior deja de valer)",
    )
    servir.set_defaults(funcion=orden_servir_local)


def orden_vender(args: argparse.Namespace) -> int:
    from agente.api_local import ventas
    from agente.reglas import pagos

    lineas = salida.leer_json(
        args.lineas, "--lineas", '\'[{"producto": 12, "cantidad": 2, "precio_unitario": "1.95"}]\''
    )
    cuerpo: dict[str, Any] = {"lineas": lineas, "cliente": args.cliente}
    if args.pago:
        cuerpo["pagos"] = [pagos.desde_texto(p) for p in args.pago]
    with salida.abrir_agente(args) as agente:
        resultado, _repetida = ventas.vender(agente, cuerpo)
    if args.json:
        salida.imprimir_json(resultado)
    else:
        detalle = ", ".join(f"{p['metodo']} {p['importe']}" for p in resultado["pagos"])
        print(f"Venta {resultado['venta']}: total {resultado['total']} ({detalle}).")
    return salida.SALIDA_BIEN


def puerto_configurado(puerto: int | None) -> int:
    from agente.api_local import PUERTO_POR_DEFECTO

    if puerto is not None:
        texto = str(puerto)
    else:
        texto = os.environ.get(VARIABLE_PUERTO, "").strip() or str(PUERTO_POR_DEFECTO)
    try:
        valor = int(texto)
    except ValueError:
        raise salida.ErrorEntrada(
            f"{VARIABLE_PUERTO} debe ser un puerto (0-65535), no «{texto}»."
        ) from None
    if not 0 <= valor <= 65535:
        raise salida.ErrorEntrada(f"El puerto debe estar entre 0 y 65535, no {valor}.")
    return valor


def orden_servir_local(args: argparse.Namespace) -> int:
    from agente.api_local import ErrorDireccion, ServidorApiLocal, token

    puerto = puerto_configurado(args.puerto)
    with salida.abrir_agente(args) as agente:
        if args.rotar_token:
            token.rotar(agente.directorio)
            print(f"Token nuevo en {token.ruta_token(agente.directorio)}.", file=sys.stderr)
        try:
            servidor = ServidorApiLocal(agente, puerto, args.direccion)
        except ErrorDireccion as exc:
            raise salida.ErrorEntrada(str(exc)) from None
        try:
            servidor.iniciar()
        except OSError as exc:
            motivo = (
                "ya lo usa otro programa (¿otro «sincro servir-local» o la bandeja?)"
                if exc.errno == errno.EADDRINUSE
                else (exc.strerror or str(exc))
            )
            return salida.error(
                f"No se pudo escuchar en el puerto {puerto}: {motivo}. Use --puerto con otro.",
                salida.SALIDA_FALLO,
            )
        detener = threading.Event()
        anteriores = {
            s: signal.signal(s, lambda *_: detener.set()) for s in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            print(f"URL={servidor.url}", flush=True)
            while not detener.wait(1.0):
                pass
        finally:
            servidor.cerrar()
            for senal, manejador in anteriores.items():
                signal.signal(senal, manejador)
    return salida.SALIDA_BIEN


class ArranqueApi:
    """La API local dentro del bucle ``sincronizar``. ``iniciar`` vuelve enseguida: la API se
    levanta en un hilo propio (``api-local-arranque``) para no retrasar el primer pase, y nunca
    lanza (un puerto ocupado, una variable mal puesta o un ``api-local.sqlite`` dañado se
    avisan en stderr y en el registro, y la sincronización sigue). ``cerrar`` espera a ese
    hilo y para la API."""

    def __init__(self, agente: Any, puerto: int | None, activa: bool = True) -> None:
        self._agente = agente
        self._puerto = puerto
        self._activa = activa and os.environ.get(VARIABLE_PUERTO, "").strip().lower() != "no"
        self._hilo: threading.Thread | None = None
        self.servidor: Any = None

    def iniciar(self) -> None:
        if not self._activa:
            return
        self._hilo = threading.Thread(target=self._levantar, name="api-local-arranque", daemon=True)
        self._hilo.start()

    def _levantar(self) -> None:
        from agente.api_local import ServidorApiLocal

        try:
            puerto = puerto_configurado(self._puerto)
            self.servidor = ServidorApiLocal(self._agente, puerto).iniciar()
        except Exception as exc:  # la API nunca para la sincronización (ni una base dañada)
            _log.warning(
                "API local no disponible: %s",
                exc,
                exc_info=not isinstance(exc, OSError | ValueError),
            )
            print(
                f"sincro: aviso: API local no disponible ({salida.una_linea(exc)}); la "
                "sincronización sigue.",
                file=sys.stderr,
                flush=True,
            )
            return
        print(f"URL_API={self.servidor.url}", flush=True)

    def cerrar(self) -> None:
        if self._hilo is not None:
            self._hilo.join(30)
            self._hilo = None
        if self.servidor is not None:
            self.servidor.cerrar()
            self.servidor = None
