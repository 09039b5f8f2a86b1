"""``sincro-central``: arranca la central de referencia (proyecto de demo) y gestiona terminales.

Órdenes:
- ``iniciar [--puerto P] [--host H] [--datos DIR] [--demo N] [--hilos T] [--trabajadores W]``:
  migra, siembra N productos de demo (si la base está vacía), crea la tienda T001 con la terminal
  caja-1 (la primera vez) y stock de demostración en ella, e imprime su token en una línea
  ``TOKEN=<token>``; luego sirve con gunicorn (hilos) e imprime ``URL=<base>`` cuando escucha.
  ``--puerto 0`` elige uno libre.
- ``crear-terminal TIENDA TERMINAL [--datos DIR]``: imprime ``TOKEN=<token>`` (nuevo).
- ``compactar [--dias D] [--datos DIR]``: compacta el registro de cambios.
- ``verificar-diario [--tienda T] [--desde FECHA] [--json] [--datos DIR]``: verifica otra vez la
  cadena del diario de ventas guardado; código 1 si hay incidencias.
- ``exportar-diario --tienda T --fecha F [--formato csv|json] [--salida FICHERO] [--datos DIR]``:
  el diario de una tienda y un día, para la gestoría.
- ``conciliar --fecha F [--tienda T] [--json] [--datos DIR]``: cierres de caja frente a diario
  recibido frente a ventas; código 1 si algo no cuadra.
- ``manage …``: cualquier orden de Django (``createsuperuser``, ``migrate``…).

Base de datos: SQLite en ``--datos`` por defecto; PostgreSQL si ``DATABASE_URL`` está definida.
"""

from __future__ import annotations

import argparse
import os
import sys

TIENDA_DEMO = "T001"
TERMINAL_DEMO = "caja-1"


def _preparar_django(datos: str | None) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
    if datos:
        os.environ["SINCRO_CENTRAL_DATOS"] = os.path.abspath(datos)
    import django

    django.setup()


def _migrar() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _imprimir(linea: str) -> None:
    print(linea, flush=True)


def _avisar_modelos_fuera_de_servicio() -> None:
    """Una línea por modelo sincronizado que la central no servirá (ver ``central.captura``)."""
    from central import captura

    for nombre, motivo in captura.comprobar().items():
        print(f"Sincro: el modelo {nombre} no se servirá: {motivo}.", file=sys.stderr, flush=True)


def iniciar(args: argparse.Namespace) -> int:
    _preparar_django(args.datos)
    _migrar()
    _avisar_modelos_fuera_de_servicio()
    if args.demo is not None:
        from central.autenticacion import crear_terminal
        from central.models import Terminal
        from servidor_demo import semilla

        n_p, n_c = semilla.sembrar(args.demo)
        if n_p:
            _imprimir(f"Demo: {n_p} productos y {n_c} clientes creados.")
            semilla.surtir(TIENDA_DEMO)  # la tienda de la demo, con stock en ella
        if not Terminal.objects.filter(tienda__codigo=TIENDA_DEMO, codigo=TERMINAL_DEMO).exists():
            _, token = crear_terminal(TIENDA_DEMO, TERMINAL_DEMO)
            _imprimir(
                f"Tienda {TIENDA_DEMO}, terminal {TERMINAL_DEMO}. Su token (guárdalo: "
                "la central sólo guarda su hash):"
            )
            _imprimir(f"TIENDA={TIENDA_DEMO}")
            _imprimir(f"TERMINAL={TERMINAL_DEMO}")
            _imprimir(f"TOKEN={token}")
        else:
            _imprimir(
                f"La terminal {TIENDA_DEMO}/{TERMINAL_DEMO} ya existe; para otro token: "
                f"sincro-central crear-terminal {TIENDA_DEMO} {TERMINAL_DEMO}"
            )
    from servidor_demo.servidor import servir

    return servir(args.host, args.puerto, hilos=args.hilos, trabajadores=args.trabajadores)


def crear_terminal_(args: argparse.Namespace) -> int:
    _preparar_django(args.datos)
    _migrar()
    from django.core.management import CommandError, call_command

    try:
        call_command("crear_terminal", args.tienda, args.terminal)
    except CommandError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def compactar_(args: argparse.Namespace) -> int:
    _preparar_django(args.datos)
    _migrar()
    from django.core.management import call_command

    call_command("compactar_registro", dias=args.dias)
    return 0


def _orden_central(nombre: str, datos: str | None, **opciones) -> int:
    """Una orden de gestión de ``central`` (``central/management/commands``) con su código de
    salida: el de su ``CommandError`` (una línea en stderr) o 0."""
    _preparar_django(datos)
    _migrar()
    from django.core.management import CommandError, call_command

    try:
        call_command(nombre, **opciones)
    except CommandError as exc:
        print(exc, file=sys.stderr)
        return exc.returncode
    return 0


def verificar_diario_(args: argparse.Namespace) -> int:
    return _orden_central(
        "verificar_diario", args.datos, tienda=args.tienda, desde=args.desde, como_json=args.json
    )


def exportar_diario_(args: argparse.Namespace) -> int:
    return _orden_central(
        "exportar_diario",
        args.datos,
        tienda=args.tienda,
        fecha=args.fecha,
        formato=args.formato,
        salida=args.salida,
    )


def conciliar_(args: argparse.Namespace) -> int:
    return _orden_central(
        "conciliar", args.datos, fecha=args.fecha, tienda=args.tienda, como_json=args.json
    )


def manage(resto: list[str], datos: str | None) -> int:
    _preparar_django(datos)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sincro-central manage", *resto])
    return 0


def main(argv: list[str] | None = None) -> int:
    # Lo que cree la central (su base SQLite, registros) sólo para su usuario.
    os.umask(0o077)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["manage"]:
        datos = os.environ.get("SINCRO_CENTRAL_DATOS")
        return manage(argv[1:], datos)
    p = argparse.ArgumentParser(prog="sincro-central", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="orden", required=True)
    i = sub.add_parser("iniciar", help="migra, siembra la demo y sirve")
    i.add_argument("--puerto", type=int, default=8000)
    i.add_argument("--host", default="127.0.0.1")
    i.add_argument("--datos", default=None, help="directorio de datos (SQLite, clave secreta)")
    i.add_argument(
        "--demo",
        type=int,
        default=None,
        metavar="N",
        help="sembrar N productos de demo y la tienda T001/caja-1",
    )
    i.add_argument("--hilos", type=int, default=8)
    i.add_argument(
        "--trabajadores",
        type=int,
        default=None,
        help="procesos de gunicorn (por defecto: 1 con SQLite, uno por núcleo con PostgreSQL)",
    )
    i.set_defaults(funcion=iniciar)
    c = sub.add_parser("crear-terminal", help="crea una terminal e imprime su token")
    c.add_argument("tienda")
    c.add_argument("terminal")
    c.add_argument("--datos", default=None)
    c.set_defaults(funcion=crear_terminal_)
    k = sub.add_parser("compactar", help="compacta el registro de cambios")
    k.add_argument("--dias", type=float, default=30.0, help="retención de lápidas")
    k.add_argument("--datos", default=None)
    k.set_defaults(funcion=compactar_)
    v = sub.add_parser("verificar-diario", help="verifica la cadena del diario de ventas")
    v.add_argument("--tienda", default=None)
    v.add_argument("--desde", default=None, metavar="FECHA", help="AAAA-MM-DD")
    v.add_argument("--json", action="store_true")
    v.add_argument("--datos", default=None)
    v.set_defaults(funcion=verificar_diario_)
    e = sub.add_parser("exportar-diario", help="exporta el diario de una tienda y un día")
    e.add_argument("--tienda", required=True)
    e.add_argument("--fecha", required=True, metavar="FECHA", help="AAAA-MM-DD")
    e.add_argument("--formato", choices=("csv", "json"), default="csv")
    e.add_argument("--salida", default=None, metavar="FICHERO")
    e.add_argument("--datos", default=None)
    e.set_defaults(funcion=exportar_diario_)
    n = sub.add_parser("conciliar", help="concilia los cierres de caja de un día")
    n.add_argument("--fecha", required=True, metavar="FECHA", help="AAAA-MM-DD")
    n.add_argument("--tienda", default=None)
    n.add_argument("--json", action="store_true")
    n.add_argument("--datos", default=None)
    n.set_defaults(funcion=conciliar_)
    sub.add_parser("manage", help="orden de Django: sincro-central manage createsuperuser")
    args = p.parse_args(argv)
    return args.funcion(args)


if __name__ == "__main__":
    sys.exit(main())
