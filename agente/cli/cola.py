"""Órdenes de la cola: ``encolar``, ``cola``, ``estado``, ``reintentar``."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from agente.cli import salida
from agente.operacion import ERROR, ESTADOS


def registrar(subordenes: argparse._SubParsersAction) -> None:
    encolar = subordenes.add_parser(
        "encolar",
        help="encola una operación y muestra su UUID",
        description="Valida y encola una operación (duradera al volver). Ejemplo: sincro encolar"
        " --modelo productos.Producto --tipo ajustar --objeto 123 --datos '{\"stock\": -2}'",
    )
    encolar.add_argument("--modelo", required=True, help="modelo, p. ej. productos.Producto")
    encolar.add_argument("--tipo", required=True, help="crear, actualizar, borrar o ajustar")
    encolar.add_argument("--objeto", help="identificador del objeto (en crear con UUID, opcional)")
    encolar.add_argument(
        "--datos",
        dest="datos_json",
        default="{}",
        metavar="JSON",
        help="campos como objeto JSON, p. ej. '{\"stock\": -2}'",
    )
    encolar.add_argument(
        "--prioridad", type=int, help="prioridad propia (por defecto la del modelo)"
    )
    salida.opcion_json(encolar)
    encolar.set_defaults(funcion=orden_encolar)

    cola = subordenes.add_parser("cola", help="lista las operaciones de la cola")
    cola.add_argument("--estado", type=str.upper, choices=ESTADOS, help="sólo las de este estado")
    cola.add_argument("--modelo", help="sólo las de este modelo")
    cola.add_argument("--limite", type=int, help="como mucho N")
    salida.opcion_json(cola)
    cola.set_defaults(funcion=orden_cola)

    reintentar = subordenes.add_parser(
        "reintentar",
        help="vuelve a enviar operaciones en ERROR (una por su UUID, o --todas)",
        description="Devuelve a la cola operaciones en ERROR que la central no aplicó (p. ej. "
        "una demasiado grande, tras ampliar su límite). Mismo UUID: nunca se aplican dos veces.",
    )
    cual = reintentar.add_mutually_exclusive_group(required=True)
    cual.add_argument("uuid", nargs="?", help="UUID de la operación")
    cual.add_argument("--todas", action="store_true", help="todas las operaciones en ERROR")
    reintentar.add_argument("--motivo", help="motivo para la auditoría")
    reintentar.add_argument("--quien", help="quién reintenta (por defecto el usuario)")
    salida.opcion_json(reintentar)
    reintentar.set_defaults(funcion=orden_reintentar)

    estado = subordenes.add_parser("estado", help="estado de la cola y de la caché")
    salida.opcion_json(estado)
    estado.set_defaults(funcion=orden_estado)


def orden_encolar(args: argparse.Namespace) -> int:
    datos = salida.leer_json(args.datos_json, "--datos", "'{\"stock\": -2}'")
    if not isinstance(datos, dict):
        raise salida.ErrorEntrada('--datos debe ser un objeto JSON {"campo": valor}.')
    with salida.abrir_agente(args) as agente:
        operacion = agente.encolar(
            args.modelo, args.tipo, datos, objeto_id=args.objeto, prioridad=args.prioridad
        )
    if args.json:
        salida.imprimir_json(operacion.a_dict())
    else:
        print(operacion.uuid)
    return salida.SALIDA_BIEN


def orden_cola(args: argparse.Namespace) -> int:
    with salida.abrir_agente(args) as agente:
        operaciones = agente.cola(estado=args.estado, modelo=args.modelo, limite=args.limite)
    if args.json:
        salida.imprimir_json([op.a_dict() for op in operaciones])
        return salida.SALIDA_BIEN
    if not operaciones:
        print("La cola está vacía." if not args.estado else f"No hay operaciones {args.estado}.")
        return salida.SALIDA_BIEN
    for op in operaciones:
        extra = f"  [{salida.una_linea(op.ultimo_error)}]" if op.ultimo_error else ""
        aviso = f"  (aviso: {salida.una_linea(op.aviso)})" if op.aviso else ""
        print(
            f"{op.uuid}  {op.estado:<10}  {op.tipo:<10}  {op.modelo} {op.objeto_id}  "
            f"{_compacto(op.datos)}  intentos={op.intentos}{extra}{aviso}"
        )
    return salida.SALIDA_BIEN


def orden_reintentar(args: argparse.Namespace) -> int:
    with salida.abrir_agente(args) as agente:
        uuids = [op.uuid for op in agente.cola(estado=ERROR)] if args.todas else [args.uuid]
        reintentadas = [
            agente.reintentar(uuid, quien=args.quien, motivo=args.motivo) for uuid in uuids
        ]
    if args.json:
        salida.imprimir_json([op.a_dict() for op in reintentadas])
    elif not reintentadas:
        print("No hay operaciones en ERROR.")
    else:
        print(
            f"{len(reintentadas)} operaciones vuelven a la cola; se enviarán en la próxima "
            "sincronización."
        )
    return salida.SALIDA_BIEN


def orden_estado(args: argparse.Namespace) -> int:
    with salida.abrir_agente(args) as agente:
        estado = agente.estado()
    if args.json:
        salida.imprimir_json(estado)
        return salida.SALIDA_BIEN
    cola = estado["cola"]
    print(f"Directorio: {estado['directorio']}")
    print(f"Terminal: {estado['terminal'] or '(sin configurar)'}")
    conteos = ", ".join(f"{k.lower()} {v}" for k, v in cola["por_estado"].items() if v)
    print(f"Cola: {conteos or 'vacía'}")
    if cola["antiguedad_pendiente_s"] is not None:
        print(f"Pendiente más antigua: hace {_duracion(cola['antiguedad_pendiente_s'])}")
    lista = "sí" if estado["lista_para_vender_offline"] else "no"
    print(f"Lista para vender sin conexión: {lista}")
    if not estado["modelos"]:
        print("Sin esquema: ejecute «sincro configurar» con conexión.")
    for nombre, m in estado["modelos"].items():
        critico = "crítico, " if m["critico"] else ""
        completo = "completo" if m["completo"] else "incompleto"
        print(
            f"  {nombre}: {m['filas']} filas, {completo}, {critico}prioridad "
            f"{m['prioridad_dinamica']} ({m['operaciones_7d']} ops/7 días), "
            f"última página {_hora(m['ultima_pagina'])}"
        )
    orden = sorted(
        (m["prioridad_dinamica"], nombre)
        for nombre, m in estado["modelos"].items()
        if m["prioridad_dinamica"] is not None
    )
    if orden:
        print(
            "Orden de envío (críticos primero, luego más operaciones en 7 días): "
            + ", ".join(f"{rango}. {nombre}" for rango, nombre in orden)
        )
    verificacion = estado.get("verificacion")
    if verificacion:
        print(
            f"Última verificación de la caché: {_hora(verificacion['verificado_en'])}, "
            f"{verificacion['reparadas']} filas reparadas"
        )
    elif "verificacion" in estado:
        print("Última verificación de la caché: nunca")
    for linea in _lineas_resto(estado):
        print(linea)
    return salida.SALIDA_BIEN


_YA_IMPRESAS = {
    "verificacion",
    "cola",
    "modelos",
    "directorio",
    "terminal",
    "lista_para_vender_offline",
    "version_agente",
    "desfase_ms",
    "tiene_esquema",
    "ultimo_empuje_ok",
    "ultima_descarga_ok",
    "antiguedad_pendiente_s",
}


def _lineas_resto(estado: dict[str, Any]) -> list[str]:
    """Conexión, configuración, conflictos, bloqueos y avisos en frases, sin dicts de Python."""
    lineas = []
    conexion = estado.get("conexion")
    if isinstance(conexion, dict):
        texto = f"Conexión: {conexion.get('estado', '?')}"
        if conexion.get("mensaje"):
            texto += f" — {conexion['mensaje']}"
        lineas.append(texto)
        lineas.append(
            f"  Última subida correcta: {_hora(conexion.get('ultimo_empuje_ok'))}; "
            f"última bajada correcta: {_hora(conexion.get('ultima_descarga_ok'))}"
        )
        if conexion.get("ultimo_error"):
            lineas.append(
                f"  Último error ({_hora(conexion.get('ultimo_error_en'))}): "
                f"{conexion['ultimo_error']}"
            )
        if conexion.get("desfase_ms") is not None:
            lineas.append(f"  Desfase del reloj con la central: {conexion['desfase_ms']} ms")
    config = estado.get("configuracion")
    if isinstance(config, dict):
        lineas.append(
            f"Central: {config.get('servidor')} (tienda {config.get('tienda')}, "
            f"terminal {config.get('terminal')})"
        )
    elif "configuracion" in estado:
        lineas.append("Central: sin configurar")
    conflictos = estado.get("conflictos")
    if isinstance(conflictos, dict):
        lineas.append(f"Conflictos abiertos: {conflictos.get('abiertos', 0)}")
    bloqueadas = estado.get("bloqueadas")
    if isinstance(bloqueadas, list):
        lineas.append(f"Operaciones retenidas detrás de otra: {len(bloqueadas)}")
        lineas += [
            f"  - {b.get('motivo', b)}" if isinstance(b, dict) else f"  - {b}"
            for b in bloqueadas[:5]
        ]
    avisos = estado.get("avisos")
    if avisos:
        lineas.append("Avisos sin confirmar:")
        lineas += [f"  - {a}" for a in avisos]
    for clave, valor in estado.items():
        if clave in _YA_IMPRESAS or clave in {
            "conexion",
            "configuracion",
            "conflictos",
            "bloqueadas",
            "avisos",
        }:
            continue
        if isinstance(valor, dict | list):
            valor = _compacto(valor) if isinstance(valor, dict) else ", ".join(map(str, valor))
        lineas.append(f"{clave.replace('_', ' ').capitalize()}: {valor}")
    return lineas


def _compacto(datos: dict[str, Any]) -> str:
    texto = ", ".join(f"{k}={v}" for k, v in datos.items())
    return texto if len(texto) <= 60 else texto[:57] + "..."


def _duracion(segundos: float) -> str:
    segundos = int(segundos)
    if segundos < 120:
        return f"{segundos} s"
    if segundos < 7200:
        return f"{segundos // 60} min"
    return f"{segundos // 3600} h"


def _hora(iso: str | None) -> str:
    if not iso:
        return "nunca"
    return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
