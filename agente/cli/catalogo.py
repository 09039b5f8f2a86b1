"""Órdenes del catálogo local: ``buscar``, ``obtener``, ``esquema``."""

from __future__ import annotations

import argparse
from pathlib import Path

from agente.cli import salida

AVISO_RECONSTRUYENDO = (
    "El catálogo local se está reconstruyendo desde la central: puede faltar algún producto "
    "o cliente hasta la próxima sincronización completa."
)


def registrar(subordenes: argparse._SubParsersAction) -> None:
    buscar = subordenes.add_parser(
        "buscar", help="busca en la caché (código exacto o nombre por prefijo)"
    )
    buscar.add_argument("texto", help="código, NIF o palabras del nombre")
    buscar.add_argument("--modelo", help="sólo en este modelo")
    buscar.add_argument("--limite", type=int, default=50, help="como mucho N (50)")
    salida.opcion_json(buscar)
    buscar.set_defaults(funcion=orden_buscar)

    obtener = subordenes.add_parser("obtener", help="un objeto con los cambios de esta terminal")
    obtener.add_argument("modelo", help="p. ej. productos.Producto")
    obtener.add_argument("objeto", help="identificador del objeto")
    salida.opcion_json(obtener)
    obtener.set_defaults(funcion=orden_obtener)

    esquema = subordenes.add_parser(
        "esquema", help="muestra el esquema local o lo carga de un fichero JSON"
    )
    esquema.add_argument(
        "--cargar", metavar="FICHERO", help="guarda este esquema (formato de /v1/esquema)"
    )
    salida.opcion_json(esquema)
    esquema.set_defaults(funcion=orden_esquema)


def orden_buscar(args: argparse.Namespace) -> int:
    if args.limite <= 0:
        raise salida.ErrorEntrada("--limite debe ser mayor que 0.")
    with salida.abrir_agente(args) as agente:
        resultados = agente.buscar(args.texto, modelo=args.modelo, limite=args.limite)
        reconstruyendo = agente.catalogo_reconstruyendo()
    if args.json:
        salida.imprimir_json(resultados)
        return salida.SALIDA_BIEN
    if reconstruyendo:
        print(AVISO_RECONSTRUYENDO)
    if not resultados:
        print("Sin resultados.")
    for r in resultados:
        campos = ", ".join(f"{k}={v}" for k, v in r["datos"].items())
        print(f"{r['modelo']} {r['id']}: {campos}")
    return salida.SALIDA_BIEN


def orden_obtener(args: argparse.Namespace) -> int:
    with salida.abrir_agente(args) as agente:
        datos = agente.obtener(args.modelo, args.objeto)
        reconstruyendo = agente.catalogo_reconstruyendo()
    if datos is None:
        if reconstruyendo:
            return salida.error(
                f"No hay {args.modelo} {args.objeto} en esta terminal por ahora: "
                + AVISO_RECONSTRUYENDO[0].lower()
                + AVISO_RECONSTRUYENDO[1:],
                1,
            )
        return salida.error(f"No hay {args.modelo} {args.objeto} en esta terminal.", 1)
    if args.json:
        salida.imprimir_json(datos)
    else:
        for campo, valor in datos.items():
            print(f"{campo}: {valor}")
    return salida.SALIDA_BIEN


def orden_esquema(args: argparse.Namespace) -> int:
    if args.cargar:
        ruta = Path(args.cargar)
        try:
            texto = ruta.read_text(encoding="utf-8")
        except OSError as exc:
            raise salida.ErrorEntrada(f"No se puede leer {ruta}: {exc.strerror}.") from None
        except UnicodeDecodeError as exc:
            raise salida.ErrorEntrada(
                f"{ruta} no está en UTF-8 (byte {exc.object[exc.start]:#04x} en la posición "
                f"{exc.start}); guárdelo como UTF-8."
            ) from None
        datos = salida.leer_json(texto, str(ruta), "la respuesta de /v1/esquema")
    with salida.abrir_agente(args) as agente:
        esquema = agente.guardar_esquema(datos) if args.cargar else agente.esquema()
    if esquema is None:
        return salida.error("Esta terminal aún no tiene esquema: use «sincro configurar».", 1)
    if args.json:
        salida.imprimir_json(esquema.a_dict())
        return salida.SALIDA_BIEN
    for config in esquema.en_orden_de_descarga():
        critico = " (crítico)" if config.critico else ""
        print(
            f"{config.nombre}{critico}: {', '.join(config.campos_esenciales)}; "
            f"operaciones {', '.join(sorted(config.operaciones_permitidas))}"
        )
    return salida.SALIDA_BIEN
