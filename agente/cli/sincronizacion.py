"""Órdenes de sincronización de la CLI: ``configurar``, ``sincronizar``, ``conflictos``,
``resolver`` y ``auditoria``.

Cada orden es una función ``(args) -> int`` (código de salida: 0 bien, 1 fallo de
sincronización, 2 uso o configuración incorrectos, 3 error de autenticación, 130 Ctrl-C)
enganchada con ``set_defaults(funcion=...)``. El token nunca es un argumento: se lee de la
entrada estándar (si no es una terminal) o con un aviso oculto (``getpass``).
Hilo principal del proceso de la CLI; el bucle de ``sincronizar`` corre en ese hilo y
Ctrl-C lo para limpiamente (lo que estaba en vuelo vuelve a PENDIENTE).
"""

from __future__ import annotations

import argparse
import getpass
import json
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agente.cli import salida
from agente.sincronizacion import credenciales
from agente.sincronizacion.cliente import ErrorAutenticacion, ErrorSincro
from agente.soporte import configuracion, rutas

SALIDA_FALLO = 1
SALIDA_USO = 2
SALIDA_AUTENTICACION = 3


def _datos(args: argparse.Namespace) -> Path:
    return rutas.directorio_datos(datos_explicitos(args))


def datos_explicitos(args: argparse.Namespace) -> str | None:
    """``--datos`` global (``directorio_datos`` o ``datos`` según la versión de la CLI)."""
    return getattr(args, "directorio_datos", None) or getattr(args, "datos", None)


def _abrir(args: argparse.Namespace) -> Any:
    from agente.fachada import Agente  # importación tardía: la fachada abre las bases

    return Agente.abrir(_datos(args))


def _abrir_o_avisar(args: argparse.Namespace) -> Any | None:
    """El agente abierto, o ``None`` tras decir por qué no vale la configuración."""
    try:
        return _abrir(args)
    except configuracion.ErrorConfiguracion as exc:
        _error(str(exc))
        return None


def _error(mensaje: str) -> None:
    print(f"sincro: {mensaje}", file=sys.stderr)


def _json(valor: Any) -> None:
    print(json.dumps(valor, ensure_ascii=False, indent=2, default=str))


def _leer_token() -> str:
    if sys.stdin is None or not sys.stdin.isatty():
        linea = sys.stdin.readline() if sys.stdin is not None else ""
        return linea.strip()
    return getpass.getpass("Token de la terminal (no se muestra): ").strip()


# -- configurar ----------------------------------------------------------------------------


def _configurar(args: argparse.Namespace) -> int:
    if args.codigo:
        return _enrolar(args)
    try:
        configuracion.validar_servidor(args.servidor, args.permitir_http)
        token = _leer_token()
        if not token:
            _error(
                "No se recibió ningún token: páselo por la entrada estándar "
                "(echo TOKEN | sincro configurar ...) o escríbalo cuando se le pida."
            )
            return SALIDA_USO
        agente = _abrir(args)
        try:
            config = agente.configurar(
                args.servidor,
                args.tienda,
                args.terminal,
                token,
                permitir_http=args.permitir_http,
                concurrencia=args.concurrencia,
                intervalo_descarga=args.intervalo,
                hora_cierre=args.hora_cierre,
            )
        finally:
            agente.cerrar()
    except credenciales.SinLlavero as exc:
        _error(str(exc))
        return SALIDA_USO
    except (configuracion.ErrorConfiguracion, ValueError) as exc:
        _error(str(exc))
        return SALIDA_USO
    print(
        f"Terminal {config.tienda}/{config.terminal} configurada contra {config.servidor}. "
        f"Token guardado en el llavero ({credenciales.describir_llavero()})."
    )
    return 0


def _enrolar(args: argparse.Namespace) -> int:
    """``sincro enrolar CÓDIGO`` y ``sincro configurar … --codigo CÓDIGO``."""
    opciones: dict[str, Any] = {}
    if getattr(args, "servidor", None):
        opciones = {
            "servidor": args.servidor,
            "tienda": args.tienda,
            "terminal": args.terminal,
            "permitir_http": args.permitir_http,
            "concurrencia": args.concurrencia,
            "intervalo_descarga": args.intervalo,
        }
    try:
        agente = _abrir(args)
        try:
            config = agente.enrolar(args.codigo, **opciones)
        finally:
            agente.cerrar()
    except ErrorAutenticacion as exc:
        _error(str(exc))
        return SALIDA_AUTENTICACION
    except ErrorSincro as exc:
        _error(f"No se pudo canjear el código: {exc}")
        return SALIDA_FALLO
    except (credenciales.SinLlavero, configuracion.ErrorConfiguracion, ValueError) as exc:
        _error(str(exc))
        return SALIDA_USO
    print(
        f"Terminal {config.tienda}/{config.terminal}: token nuevo guardado en el llavero "
        f"({credenciales.describir_llavero()}); el anterior ya no vale."
    )
    return 0


# -- sincronizar ---------------------------------------------------------------------------


def _imprimir_resumen(resumen: Any) -> None:
    e = resumen.empuje
    d = resumen.descarga
    partes = [
        f"enviadas {e.enviadas} (completadas {e.completadas}, conflictos {e.conflictos}, "
        f"rechazadas {e.rechazadas}, fusionadas {e.fusionadas})"
    ]
    if d is not None:
        partes.append(f"descargadas {d.filas} filas en {d.paginas} páginas")
        if d.resincronizados:
            partes.append(f"resincronizados: {', '.join(d.resincronizados)}")
        partes.append(
            "lista para vender offline"
            if d.lista_para_vender_offline
            else "AÚN NO lista para vender offline"
        )
    print(f"Sincronizado en {resumen.segundos:.1f} s: " + "; ".join(partes) + ".")
    for aviso in d.avisos if d is not None else ():
        print(f"Aviso: {salida.una_linea(aviso)}")


def sincronizar(args: argparse.Namespace) -> int:
    agente = _abrir_o_avisar(args)
    if agente is None:
        return SALIDA_USO
    try:
        if args.una_vez:
            return _una_vez(agente)
        from agente.cli.venta import ArranqueApi

        api = ArranqueApi(
            agente,
            getattr(args, "puerto_api", None),
            activa=not getattr(args, "sin_api_local", False),
        )
        api.iniciar()
        try:
            return _bucle(agente)
        finally:
            api.cerrar()
    finally:
        agente.cerrar()


def _por_la_red(
    llamada: Callable[[], Any], *, tras_autenticacion: str, si_falla: str
) -> tuple[Any, int | None]:
    """``(resultado, None)``, o ``(None, código de salida)`` con el error ya dicho: sin
    configurar (uso), token rechazado o cualquier otro fallo de la sincronización.
    ``tras_autenticacion`` sigue al error de token y ``si_falla`` es el mensaje de un fallo
    (``{exc}``: el error): dicen qué ha sido de los datos."""
    try:
        return llamada(), None
    except configuracion.ErrorConfiguracion as exc:
        _error(str(exc))
        return None, SALIDA_USO
    except ErrorAutenticacion as exc:
        _error(f"error de autenticación: {exc}{tras_autenticacion}")
        return None, SALIDA_AUTENTICACION
    except ErrorSincro as exc:
        _error(si_falla.format(exc=exc))
        return None, SALIDA_FALLO


def _una_vez(agente: Any) -> int:
    resumen, codigo = _por_la_red(
        agente.sincronizar_una_vez,
        tras_autenticacion=" Nada se ha perdido: todo sigue en la cola.",
        si_falla="la sincronización falló: {exc} Nada se ha perdido: lo pendiente sigue en "
        "la cola y se reenviará.",
    )
    if codigo is not None:
        return codigo
    _imprimir_resumen(resumen)
    return 0


def _verificar(args: argparse.Namespace) -> int:
    agente = _abrir_o_avisar(args)
    if agente is None:
        return SALIDA_USO
    try:
        informe, codigo = _por_la_red(
            lambda: agente.verificar(args.modelo or None),
            tras_autenticacion="",
            si_falla="la verificación falló: {exc} La caché sigue como estaba.",
        )
    finally:
        agente.cerrar()
    if codigo is not None:
        return codigo
    if args.json:
        _json(informe.a_dict())
        return 0
    for m in informe.modelos:
        if m.omitido:
            print(f"{m.modelo}: sin verificar ({m.omitido}).")
            continue
        print(
            f"{m.modelo}: {m.filas_locales} filas en la caché, {m.filas_central} en la central; "
            f"{m.cubos_distintos} de {m.cubos} cubos distintos; {m.reparadas} filas "
            f"reparadas ({m.filas_descargadas} descargadas)."
        )
    print(f"Verificado en {informe.segundos:.1f} s: {informe.reparadas} filas reparadas.")
    return 0


def _bucle(agente: Any) -> int:
    detener = threading.Event()

    def parar(*_: Any) -> None:
        detener.set()

    anteriores = {s: signal.signal(s, parar) for s in (signal.SIGINT, signal.SIGTERM)}
    ultimo = {"texto": ""}

    def avisar(estado: dict[str, Any]) -> None:
        texto = f"[{estado.get('estado')}] {estado.get('mensaje') or ''}".strip()
        if texto != ultimo["texto"]:
            ultimo["texto"] = texto
            print(texto, flush=True)

    quitar = agente.al_cambiar_estado(avisar)
    print("Sincronizando (Ctrl-C para parar)…", flush=True)
    try:
        agente.ejecutar_sincronizacion(detener, al_progreso=lambda t: print(t, flush=True))
    except configuracion.ErrorConfiguracion as exc:
        _error(str(exc))
        return SALIDA_USO
    finally:
        quitar()
        for senal, manejador in anteriores.items():
            signal.signal(senal, manejador)
    print("Parado. Lo pendiente sigue en la cola.")
    return 0


# -- conflictos ----------------------------------------------------------------------------


def _conflictos(args: argparse.Namespace) -> int:
    agente = _abrir(args)
    try:
        lista = agente.conflictos(estado=None if args.todos else "ABIERTO")
    finally:
        agente.cerrar()
    if args.json:
        _json(lista)
        return 0
    if not lista:
        print("No hay conflictos abiertos.")
        return 0
    for c in lista:
        print(f"#{c['id']} {c['modelo']} {c['objeto_id']} ({c['tipo']}, {c['estado']})")
        print(f"   {'campo':<16} {'base':<18} {'esta terminal':<18} {'central':<18}")
        central = c["central"] or {}
        for campo in sorted(set(c["local"]) | set(c["campos_en_disputa"])):
            marca = "*" if campo in c["campos_en_disputa"] else " "
            print(
                f" {marca} {campo:<16} {_corto(c['base'].get(campo)):<18} "
                f"{_corto(c['local'].get(campo)):<18} {_corto(central.get(campo)):<18}"
            )
    print(
        "* = en disputa. Resuelva con: sincro resolver ID --usar local|central "
        "o --campo CAMPO=local|central|VALOR"
    )
    return 0


def _corto(valor: Any) -> str:
    texto = "—" if valor is None else str(valor)
    return texto if len(texto) <= 18 else texto[:17] + "…"


def _valor_campo(tipos: dict[str, str], campo: str, texto: str) -> Any:
    if texto in ("local", "central"):
        return texto
    tipo = tipos.get(campo, "texto")
    if tipo in ("entero", "booleano", "json"):
        try:
            valor = json.loads(texto)
        except (ValueError, RecursionError):
            return texto  # la validación del motor dirá qué se esperaba
        return salida.comprobar_json(valor, f"--campo {campo}")
    if texto == "null":
        return None
    return texto


def _resolver(args: argparse.Namespace) -> int:
    agente = _abrir(args)
    try:
        if args.descartar:
            op = agente.descartar_conflicto(args.id, args.descartar, quien=args.quien)
            resultado = {"conflicto": args.id, "operacion": op.a_dict(), "descartado": True}
        else:
            conflicto = next(
                (c for c in agente.conflictos(estado=None) if c["id"] == args.id), None
            )
            if conflicto is None:
                _error(f"No hay ningún conflicto con id {args.id}: vea «sincro conflictos».")
                return SALIDA_USO
            esquema = agente.esquema()
            tipos = dict(esquema.modelo(conflicto["modelo"]).tipos) if esquema else {}
            elecciones = {}
            for par in args.campo or []:
                campo, separador, valor = par.partition("=")
                if not separador or not campo:
                    _error(f"--campo espera CAMPO=local|central|VALOR, no {par!r}.")
                    return SALIDA_USO
                elecciones[campo] = _valor_campo(tipos, campo, valor)
            if not elecciones and not args.usar:
                _error("Indique --usar local|central o al menos un --campo CAMPO=…")
                return SALIDA_USO
            op = agente.resolver(
                args.id, elecciones, usar=args.usar, quien=args.quien, motivo=args.motivo
            )
            resultado = {"conflicto": args.id, "operacion": op.a_dict()}
    except (ValueError, LookupError) as exc:
        _error(str(exc).splitlines()[0])
        return SALIDA_USO
    finally:
        agente.cerrar()
    if args.json:
        _json(resultado)
    elif resultado.get("descartado"):
        print(f"Conflicto #{args.id} descartado: gana la central.")
    else:
        op = resultado["operacion"]
        if op["estado"] == "COMPLETADO":
            print(f"Conflicto #{args.id} resuelto: la central ya tiene ese resultado.")
        else:
            print(
                f"Conflicto #{args.id} resuelto: se enviará {op['datos']} contra la versión "
                f"{op['version_base']} (operación {op['uuid']})."
            )
    return 0


def _auditoria(args: argparse.Namespace) -> int:
    agente = _abrir(args)
    try:
        entradas = agente.auditoria(args.n)
    finally:
        agente.cerrar()
    if args.json:
        _json(entradas)
        return 0
    for e in entradas:
        print(
            f"{e['momento']} {e['quien']:<12} {e['accion']:<20} {e['modelo'] or ''} "
            f"{e['objeto_id'] or ''}: {e['regla_o_motivo']}"
        )
    return 0


# -- registro de órdenes -------------------------------------------------------------------


def registrar(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "configurar", help="servidor, tienda y terminal; el token se lee de la entrada"
    )
    p.add_argument("--servidor", required=True, help="URL base, p. ej. https://central/sincro")
    p.add_argument("--tienda", required=True)
    p.add_argument("--terminal", required=True)
    p.add_argument(
        "--permitir-http",
        action="store_true",
        help="permitir http sin cifrar hacia una dirección que no es local",
    )
    p.add_argument("--concurrencia", type=int, default=None, help="K lotes a la vez (4)")
    p.add_argument(
        "--intervalo", type=float, default=None, help="segundos entre descargas con conexión (60)"
    )
    p.add_argument(
        "--hora-cierre",
        metavar="HH:MM",
        default=None,
        help="hora local a partir de la cual la bandeja ofrece el cierre de caja",
    )
    p.add_argument(
        "--codigo",
        default=None,
        metavar="CÓDIGO",
        help="código de enrolamiento del admin de la central (en vez de pegar un token)",
    )
    p.set_defaults(funcion=_configurar)

    p = subparsers.add_parser(
        "enrolar", help="token nuevo a cambio de un código de enrolamiento de la central"
    )
    p.add_argument("codigo", metavar="CÓDIGO")
    p.set_defaults(funcion=_enrolar)

    p = subparsers.add_parser("sincronizar", help="sincroniza (bucle, o un pase con --una-vez)")
    p.add_argument("--una-vez", action="store_true", help="un pase de empuje + descarga")
    p.add_argument(
        "--puerto-api",
        type=int,
        default=None,
        metavar="P",
        help="puerto de la API local del bucle (SINCRO_API_PUERTO o 8765; 0 = libre)",
    )
    p.add_argument(
        "--sin-api-local", action="store_true", help="no servir la API local mientras sincroniza"
    )
    p.add_argument(
        "--permitir-http",
        action="store_true",
        help="aceptar la central con http sin cifrar guardada en config.json",
    )
    p.set_defaults(funcion=sincronizar)

    p = subparsers.add_parser(
        "verificar", help="compara la caché con la central y repara sólo lo que difiera"
    )
    p.add_argument("--modelo", action="append", help="sólo este modelo (se puede repetir)")
    p.add_argument("--json", action="store_true", help="informe en JSON")
    p.set_defaults(funcion=_verificar)

    p = subparsers.add_parser("conflictos", help="conflictos para el encargado")
    p.add_argument("--todos", action="store_true", help="también los resueltos")
    p.add_argument("--json", action="store_true")
    p.set_defaults(funcion=_conflictos)

    p = subparsers.add_parser("resolver", help="resuelve un conflicto")
    p.add_argument("id", type=int)
    p.add_argument(
        "--usar", choices=("local", "central"), help="valor para todos los campos en disputa"
    )
    p.add_argument(
        "--campo",
        action="append",
        metavar="CAMPO=local|central|VALOR",
        help="elección por campo (repetible)",
    )
    p.add_argument("--descartar", metavar="MOTIVO", help="descarta la operación (gana central)")
    p.add_argument("--motivo", help="motivo para la auditoría")
    p.add_argument("--quien", help="quién resuelve (por defecto el usuario del sistema)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(funcion=_resolver)

    p = subparsers.add_parser("auditoria", help="resoluciones automáticas y manuales")
    p.add_argument("-n", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(funcion=_auditoria)
