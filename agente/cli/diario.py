"""Órdenes del diario de ventas: ``anular``, ``devolver``, ``cierre`` y ``verificar-diario``.

Todas pasan por la fachada (``Agente.anular``, ``devolver``, ``cerrar_caja``,
``verificar_diario``); ver docs/diario.md. ``verificar-diario`` sale con 1 si la cadena no
cuadra, nombrando terminal, serie y número de cada incidencia; ``cierre`` sale con 2 (una
línea) si la central aún no tiene todos los registros y no se fuerza.
"""

from __future__ import annotations

import argparse
from typing import Any

from agente.cli import salida


def registrar(subordenes: argparse._SubParsersAction) -> None:
    anular = subordenes.add_parser(
        "anular",
        help="anula una venta entera (registro nuevo en el diario; el stock vuelve)",
        description="Anula una venta de esta terminal: un registro «anulacion» nuevo que la "
        "referencia (la venta nunca se edita) y el stock de vuelta. VENTA: su UUID, "
        "SERIE/NUMERO o el número en la serie actual.",
    )
    anular.add_argument("venta", metavar="VENTA")
    salida.opcion_json(anular)
    anular.set_defaults(funcion=orden_anular)

    devolver = subordenes.add_parser(
        "devolver",
        help="devuelve parte de una venta (registro nuevo en el diario; el stock vuelve)",
        description="Devuelve unidades de una venta al precio original. Ejemplo: sincro "
        'devolver T1-2026/12 --lineas \'[{"producto": 12, "cantidad": 1}]\' --pago efectivo:1.95',
    )
    devolver.add_argument("venta", metavar="VENTA")
    devolver.add_argument(
        "--lineas", required=True, metavar="JSON", help='[{"producto": id, "cantidad": n}]'
    )
    salida.opcion_pagos(
        devolver, "cómo se devuelve el dinero (repetible; por defecto como se cobró)"
    )
    salida.opcion_json(devolver)
    devolver.set_defaults(funcion=orden_devolver)

    cierre = subordenes.add_parser(
        "cierre",
        help="cierre de caja (Z): registro encadenado con lo vendido desde el último cierre",
        description="Cierra la caja. Se niega si la central aún no tiene algún registro desde "
        "el último cierre (sincronice antes), salvo que un encargado lo fuerce con "
        "--forzar-por y --motivo (queda anotado en el registro).",
    )
    cierre.add_argument("--efectivo-contado", metavar="IMPORTE", help="efectivo contado en caja")
    cierre.add_argument("--forzar-por", metavar="NOMBRE", help="quien fuerza el cierre")
    cierre.add_argument("--motivo", metavar="TEXTO", help="por qué se fuerza")
    cierre.add_argument(
        "--resumen", action="store_true", help="sólo muestra lo que cubriría el cierre"
    )
    salida.opcion_json(cierre)
    cierre.set_defaults(funcion=orden_cierre)

    verificar = subordenes.add_parser(
        "verificar-diario",
        help="verifica la cadena del diario de ventas de esta terminal",
        description="Recalcula la huella de cada registro y comprueba el encadenamiento y la "
        "numeración. Sale con 1 si algo no cuadra (nombra serie y número).",
    )
    salida.opcion_json(verificar)
    verificar.set_defaults(funcion=orden_verificar)


def _texto_registro(registro: dict[str, Any]) -> str:
    return f"{registro['serie']} nº {registro['numero']}"


def orden_anular(args: argparse.Namespace) -> int:
    with salida.abrir_agente(args) as agente:
        registro = agente.anular(args.venta)
    if args.json:
        salida.imprimir_json(registro)
    else:
        ref = registro["referencia"]
        print(
            f"Anulación {_texto_registro(registro)} de la venta {ref['serie']} nº {ref['numero']}:"
            f" {registro['total']} devueltos."
        )
    return salida.SALIDA_BIEN


def orden_devolver(args: argparse.Namespace) -> int:
    from agente.reglas import pagos

    lineas = salida.leer_json(args.lineas, "--lineas", '\'[{"producto": 12, "cantidad": 1}]\'')
    lista_pagos = [pagos.desde_texto(p) for p in args.pago] if args.pago else None
    with salida.abrir_agente(args) as agente:
        registro = agente.devolver(args.venta, lineas, lista_pagos)
    if args.json:
        salida.imprimir_json(registro)
    else:
        ref = registro["referencia"]
        detalle = ", ".join(f"{p['metodo']} {p['importe']}" for p in registro["pagos"])
        print(
            f"Devolución {_texto_registro(registro)} de la venta {ref['serie']} nº "
            f"{ref['numero']}: {registro['total']} ({detalle})."
        )
    return salida.SALIDA_BIEN


def orden_cierre(args: argparse.Namespace) -> int:
    with salida.abrir_agente(args) as agente:
        if args.resumen:
            resultado = agente.resumen_caja()
        else:
            resultado = agente.cerrar_caja(args.efectivo_contado, args.forzar_por, args.motivo)
    if args.json:
        salida.imprimir_json(resultado)
        return salida.SALIDA_BIEN
    metodos = ", ".join(f"{m} {v}" for m, v in resultado["por_metodo"].items()) or "nada"
    numeros = (
        f"nº {resultado['desde']} a {resultado['hasta']}"
        if resultado["desde"] is not None
        else "sin registros"
    )
    if args.resumen:
        print(
            f"Desde el último cierre: {resultado['ventas']} registros ({numeros}), total "
            f"{resultado['total']} ({metodos}); {resultado['sin_confirmar']} sin confirmar por "
            "la central."
        )
        return salida.SALIDA_BIEN
    linea = (
        f"Cierre {_texto_registro(resultado)} del {resultado['dia']}: {resultado['ventas']} "
        f"registros ({numeros}), total {resultado['total']} ({metodos})"
    )
    if resultado["diferencia"] is not None:
        linea += f"; efectivo contado {resultado['efectivo_declarado']}, diferencia "
        linea += resultado["diferencia"]
    if resultado["forzado"]:
        linea += f"; FORZADO por {resultado['forzado']['por']}: {resultado['forzado']['motivo']}"
    print(linea + ".")
    return salida.SALIDA_BIEN


def orden_verificar(args: argparse.Namespace) -> int:
    from agente.almacen import diario

    with salida.abrir_agente(args) as agente:
        incidencias = agente.verificar_diario()
        terminal = agente.operaciones.terminal()
        registros = diario.contar(agente.operaciones)
    if args.json:
        salida.imprimir_json(
            {
                "terminal": terminal,
                "registros": registros,
                "ok": not incidencias,
                "incidencias": [
                    {
                        "tipo": i.tipo,
                        "serie": i.serie,
                        "numero": i.numero,
                        "detalle": i.detalle,
                        "texto": i.texto(terminal),
                    }
                    for i in incidencias
                ],
            }
        )
    elif incidencias:
        for incidencia in incidencias:
            print(incidencia.texto(terminal))
    else:
        print(f"Diario de ventas correcto: {registros} registros encadenados.")
    return salida.SALIDA_FALLO if incidencias else salida.SALIDA_BIEN
