"""Órdenes de soporte de la CLI: ``autodiagnostico``, ``registro``, ``diagnostico``,
``autoarranque``, ``avisos`` y ``desinstalar``.

Cada orden es una función ``(args) -> int`` (código de salida) enganchada con
``set_defaults(funcion=...)``; el directorio de datos sale de ``args.datos`` (opción global) o
de ``agente.soporte.rutas``. Sin estado; hilo principal del proceso de la CLI.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from agente.almacen import recuperacion
from agente.soporte import autoarranque, diagnostico, registro, rutas


def _datos(args: argparse.Namespace) -> Path:
    return rutas.directorio_datos(getattr(args, "datos", None))


def _autodiagnostico(args: argparse.Namespace) -> int:
    comprobaciones = diagnostico.ejecutar(_datos(args), con_qt=not args.sin_qt)
    if args.json:
        print(json.dumps([asdict(c) for c in comprobaciones], ensure_ascii=False, indent=2))
    else:
        for comprobacion in comprobaciones:
            print(comprobacion.linea())
        fallos = sum(not c.ok for c in comprobaciones)
        print(f"{len(comprobaciones) - fallos} OK, {fallos} FAIL")
    return 0 if all(c.ok for c in comprobaciones) else 1


def _registro(args: argparse.Namespace) -> int:
    carpeta = registro.directorio_registro(_datos(args))
    if args.ruta:
        print(carpeta)
        return 0
    lineas = registro.leer_recientes(args.n, carpeta, solo_eventos=args.eventos)
    if not lineas:
        print(f"No hay registros en {carpeta}.", file=sys.stderr)
    for linea in lineas:
        print(linea)
    return 0


def _estado_del_agente(datos: Path) -> Any:
    """``estado()`` de la fachada, como ``sincro estado --json``."""
    from agente.fachada import Agente  # importación tardía: la fachada abre las bases

    agente = Agente.abrir(datos, recuperar=False)  # sólo mirar: ni rescates ni recuperación
    try:
        return agente.estado()
    finally:
        cerrar = getattr(agente, "cerrar", None)
        if cerrar is not None:
            cerrar()


def _diagnostico(args: argparse.Namespace) -> int:
    datos = _datos(args)
    try:
        salida = diagnostico.crear_paquete(
            datos,
            args.salida,
            obtener_estado=lambda: _estado_del_agente(datos),
            con_qt=not args.sin_qt,
        )
    except diagnostico.ErrorDiagnostico as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    print(f"Paquete de soporte: {salida}")
    return 0


def _autoarranque(args: argparse.Namespace) -> int:
    if args.accion == "activar":
        datos = getattr(args, "datos", None)
        ruta = autoarranque.activar(datos, retardo=args.retardo)
        print(f"Arranque automático activado ({args.retardo} s de retardo): {ruta}")
    elif args.accion == "desactivar":
        quitado = autoarranque.desactivar()
        print("Arranque automático desactivado." if quitado else "No estaba activado.")
    else:
        estado = autoarranque.estado()
        print(f"{'activado' if estado.activo else 'desactivado'}: {estado.ruta}")
    return 0


def _avisos(args: argparse.Namespace) -> int:
    datos = _datos(args)
    pendientes = recuperacion.avisos_pendientes(datos)
    for aviso in pendientes:
        print(aviso)
    if args.confirmar:
        print(f"{recuperacion.confirmar_avisos(datos)} avisos confirmados.")
    elif not pendientes:
        print("Sin avisos de recuperación.")
    return 0


def _desinstalar(args: argparse.Namespace) -> int:
    """Deja la máquina lista para borrar Sincro: sin arranque automático y sin token en el
    llavero. Se niega si quedan operaciones sin enviar (se perderían), salvo ``--forzar``.
    No borra ningún fichero de datos: dice cuáles quedan para que IT decida."""
    from agente.sincronizacion import credenciales
    from agente.soporte import configuracion

    datos = _datos(args)
    config = configuracion.cargar(datos)
    if (datos / rutas.FICHERO_COLA).exists():
        estado = _estado_del_agente(datos)
        sin_enviar = int(estado.get("cola", {}).get("sin_enviar", 0))
        if sin_enviar and not args.forzar:
            print(
                f"sincro: error: quedan {sin_enviar} operaciones sin enviar a la central; "
                "sincronice antes («sincro sincronizar --una-vez») o use --forzar sabiendo que "
                "se perderán.",
                file=sys.stderr,
            )
            return 2
    if autoarranque.desactivar():
        print("Arranque automático quitado.")
    if config is not None and credenciales.borrar_token(datos, config.terminal):
        print(f"Token de «{config.terminal}» borrado del llavero.")
    print("Quedan para borrar a mano (si ya no hacen falta):")
    print(f"  datos:     {datos}")
    print(f"  registros: {registro.directorio_registro(datos)}")
    print("  y la carpeta del programa.")
    return 0


def registrar(subparsers: argparse._SubParsersAction) -> None:
    """Añade las órdenes de soporte al analizador de ``sincro``."""
    p = subparsers.add_parser(
        "autodiagnostico",
        help="comprueba datos, bases, llavero, central, reloj y Qt",
        description="Cada comprobación con OK/FAIL y una pista; sale con 1 si alguna falla.",
    )
    p.add_argument("--sin-qt", action="store_true", help="no comprobar el plugin de Qt")
    p.add_argument("--json", action="store_true", help="salida en JSON")
    p.set_defaults(funcion=_autodiagnostico)

    p = subparsers.add_parser("registro", help="muestra las líneas recientes del registro")
    p.add_argument("-n", type=int, default=50, help="cuántas líneas (50)")
    p.add_argument("--eventos", action="store_true", help="sólo eventos de sincronización")
    p.add_argument("--ruta", action="store_true", help="sólo imprime el directorio de registro")
    p.set_defaults(funcion=_registro)

    p = subparsers.add_parser(
        "diagnostico", help="crea un zip de soporte (registros, configuración, estado, versiones)"
    )
    p.add_argument("--salida", required=True, type=Path, metavar="FICHERO.zip")
    p.add_argument("--sin-qt", action="store_true", help="no comprobar el plugin de Qt")
    p.set_defaults(funcion=_diagnostico)

    p = subparsers.add_parser("autoarranque", help="arranque de la bandeja al iniciar sesión")
    p.add_argument("accion", choices=("activar", "desactivar", "estado"))
    p.add_argument(
        "--retardo",
        type=int,
        default=autoarranque.RETARDO_S,
        help=f"segundos de espera tras iniciar sesión ({autoarranque.RETARDO_S})",
    )
    p.set_defaults(funcion=_autoarranque)

    p = subparsers.add_parser(
        "desinstalar", help="quita el arranque automático y el token (no borra datos)"
    )
    p.add_argument(
        "--forzar", action="store_true", help="aunque queden operaciones sin enviar (se perderán)"
    )
    p.set_defaults(funcion=_desinstalar)

    p = subparsers.add_parser("avisos", help="avisos de recuperación de ficheros dañados")
    p.add_argument("--confirmar", action="store_true", help="marcarlos como leídos")
    p.set_defaults(funcion=_avisos)
