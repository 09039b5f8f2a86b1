"""Trabajos que el puente ejecuta en sus hilos: llamadas a la API pública de ``agente``.

Cada función recibe el ``Agente`` como primer argumento, hace sólo llamadas al motor y
devuelve datos planos (dicts, listas, números) que se pueden entregar por señal a la GUI.
Nunca tocan Qt. Hilos: ``motor`` salvo las marcadas «red» (pueden esperar a la central).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import agente as agente_paquete


def _plano(objeto: Any) -> Any:
    if hasattr(objeto, "a_dict"):
        return objeto.a_dict()
    if isinstance(objeto, Mapping):
        return dict(objeto)
    return objeto


# -- cola --------------------------------------------------------------------------------------


def listar_cola(
    agente: Any, estado: str | None, modelo: str | None, limite: int = 2000
) -> list[dict[str, Any]]:
    """Operaciones de la cola (las más recientes ``limite``), en orden de cola; las de un
    modelo sin título llevan ``referido`` (``Agente.referido``) para nombrarlas."""
    operaciones = [_plano(op) for op in agente.cola(estado=estado, modelo=modelo, limite=limite)]
    nombrar_por_referido(agente, operaciones)
    return operaciones


def nombrar_por_referido(agente: Any, filas: list[dict[str, Any]], datos: str = "datos") -> None:
    """Añade ``referido`` (``Agente.referido``) a cada fila (operación, conflicto): el objeto
    que nombra ante personas a uno sin título. Nombrar nunca hace fallar el trabajo."""
    vistos: dict[tuple[str, str], Any] = {}
    for fila in filas:
        modelo, objeto_id = str(fila.get("modelo", "")), str(fila.get("objeto_id", ""))
        if (modelo, objeto_id) not in vistos:
            valores = fila.get(datos) if isinstance(fila.get(datos), Mapping) else None
            with contextlib.suppress(Exception):  # sólo para nombrar
                vistos[(modelo, objeto_id)] = agente.referido(modelo, objeto_id, valores)
        fila["referido"] = vistos.get((modelo, objeto_id))


def reintentar(agente: Any, uuid: str, quien: str) -> dict[str, Any]:
    return _plano(agente.reintentar(uuid, quien=quien))


def descartar(agente: Any, uuid: str, motivo: str, quien: str) -> dict[str, Any]:
    return _plano(agente.descartar(uuid, motivo, quien=quien))


# -- conflictos --------------------------------------------------------------------------------


def resolver_varios(agente: Any, resoluciones: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Aplica cada resolución (``ui.resolucion.Resolucion.para_motor``); sigue con las demás
    si una falla y devuelve ``{"resueltos": [ids], "errores": {id: mensaje}}``."""
    resueltos, errores = [], {}
    for r in resoluciones:
        try:
            agente.resolver(
                r["id"],
                dict(r.get("elecciones") or {}),
                usar=r.get("usar"),
                quien=r["quien"],
                motivo=r["motivo"],
            )
        except (ValueError, LookupError) as error:
            errores[r["id"]] = str(error).splitlines()[0]
        else:
            resueltos.append(r["id"])
    return {"resueltos": resueltos, "errores": errores}


def tipos_por_modelo(agente: Any) -> dict[str, dict[str, str]]:
    """Tipos de campo de cada modelo del esquema local (para convertir valores escritos)."""
    esquema = agente.esquema() if callable(getattr(agente, "esquema", None)) else None
    if esquema is None:
        return {}
    return {nombre: dict(config.tipos) for nombre, config in esquema.modelos.items()}


def presentacion_por_modelo(agente: Any) -> dict[str, dict[str, Any]]:
    """Cómo nombrar los objetos de cada modelo y sus campos (``nombre_visible``,
    ``campo_titulo``, ``etiquetas``)."""
    esquema = agente.esquema() if callable(getattr(agente, "esquema", None)) else None
    if esquema is None:
        return {}
    return {
        nombre: {
            "nombre_visible": getattr(config, "nombre_visible", ""),
            "campo_titulo": getattr(config, "campo_titulo", None),
            "etiquetas": dict(getattr(config, "etiquetas", {}) or {}),
        }
        for nombre, config in esquema.modelos.items()
    }


# -- catálogo ----------------------------------------------------------------------------------


def modelos_catalogo(agente: Any) -> list[dict[str, Any]]:
    """Modelos de la caché con sus columnas visibles (clave + campos esenciales)."""
    esquema = agente.esquema() if callable(getattr(agente, "esquema", None)) else None
    if esquema is None:
        return []
    resultado = []
    for config in esquema.en_orden_de_descarga():
        resultado.append(
            {
                "nombre": config.nombre,
                "nombre_visible": getattr(config, "nombre_visible", ""),
                "campos": list(config.campos_esenciales),
                "etiquetas": {c: config.etiqueta(c) for c in config.campos_esenciales},
                "busqueda": list(config.campos_busqueda),
                "indice": list(config.campos_indice),
            }
        )
    return resultado


def pagina_catalogo(
    agente: Any, modelo: str, texto: str, desde: int, limite: int, con_total: bool = True
) -> dict[str, Any]:
    """Una página del catálogo local (vista optimista) y, si ``con_total`` y es la primera, el
    total que casa con ``texto`` (la pestaña lo pide aparte, con ``contar_catalogo``, para que
    las filas no esperen a la cuenta)."""
    filas = agente.listar(modelo, desde=desde, limite=limite, texto=texto or None)
    total = agente.contar(modelo, texto=texto or None) if desde == 0 and con_total else None
    return {"filas": [dict(f) for f in filas], "total": total}


def contar_catalogo(agente: Any, modelo: str, texto: str) -> int:
    """Cuántas filas del catálogo local casan con ``texto`` (todas, sin texto)."""
    return int(agente.contar(modelo, texto=texto or None))


# -- registro ----------------------------------------------------------------------------------

_LINEA = re.compile(
    r"^(?P<hora>\d{4}-\d\d-\d\dT[\d:.]+(?:[+-]\d\d:?\d\d|Z)?)\s+(?P<nivel>[A-Z]+)\s+"
    r"(?P<logger>\S+)\s+(?P<mensaje>.*)$"
)
_CAMPO = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def interpretar_linea(linea: str) -> dict[str, Any]:
    """Una línea del registro → ``{"hora", "nivel", "logger", "mensaje", "evento", "campos"}``.
    Las líneas ``evento=tipo clave=valor`` conservan sus campos para describirlas en la UI."""
    m = _LINEA.match(linea)
    if not m:
        return {
            "hora": None,
            "nivel": "INFO",
            "logger": "",
            "mensaje": linea,
            "evento": None,
            "campos": {},
        }
    datos = m.groupdict()
    mensaje = datos["mensaje"].replace("\\n", "\n")
    evento, campos = None, {}
    if mensaje.startswith("evento="):
        for clave, valor in _CAMPO.findall(mensaje):
            if valor.startswith('"'):
                with contextlib.suppress(ValueError):
                    valor = json.loads(valor)
            campos[clave] = valor
        evento = campos.pop("evento", None)
    return {
        "hora": datos["hora"],
        "nivel": datos["nivel"],
        "logger": datos["logger"],
        "mensaje": mensaje,
        "evento": evento,
        "campos": campos,
    }


ACCIONES_MANUALES = ("resolucion_manual", "descartar_conflicto", "reintentar", "descartar")


def leer_registro(agente: Any, n: int = 500) -> list[dict[str, Any]]:
    """Las ``n`` líneas más recientes de todos los programas de esta terminal, interpretadas,
    junto con lo que hicieron las personas (resoluciones, descartes y reintentos de la
    auditoría del motor) como eventos; la más reciente primero."""
    lineas = agente.registro_reciente(n)
    entradas = [interpretar_linea(linea) for linea in reversed(lineas)]
    auditoria = getattr(agente, "auditoria", None)
    if callable(auditoria):
        for a in auditoria(200):
            if a.get("accion") in ACCIONES_MANUALES:
                entradas.append(
                    {
                        "hora": a.get("momento"),
                        "nivel": "INFO",
                        "logger": "auditoria",
                        "mensaje": str(a.get("regla_o_motivo") or ""),
                        "evento": a["accion"],
                        "campos": {
                            "quien": a.get("quien"),
                            "motivo": a.get("regla_o_motivo"),
                            "modelo": a.get("modelo"),
                            "objeto_id": a.get("objeto_id"),
                            "despues": a.get("despues"),
                        },
                    }
                )
    _nombrar_eventos(agente, entradas)
    entradas.sort(key=lambda e: _instante(e.get("hora")), reverse=True)
    return entradas


def _nombrar_eventos(agente: Any, entradas: list[dict[str, Any]]) -> None:
    """Añade a los campos de cada evento que nombra un modelo cómo llamarlo ante personas
    (``modelo_visible`` y ``campo_titulo``) y, si nombra un objeto, sus ``valores`` y su
    ``referido``. Los valores: los de la caché; si ya no está, los de su operación en la cola
    (un alta rechazada) o los que dejó la acción de una persona (``despues``). Una consulta
    por objeto, aunque salga en varias líneas."""
    esquema = agente.esquema() if callable(getattr(agente, "esquema", None)) else None
    modelos = esquema.modelos if esquema is not None else {}
    vistos: dict[tuple[str, str, str], tuple[Any, Any]] = {}
    for entrada in entradas:
        campos = entrada.get("campos") or {}
        modelo = str(campos.get("modelo") or "")
        despues = campos.pop("despues", None)
        if modelo not in modelos or campos.get("objeto_id") in (None, ""):
            if despues is not None:
                campos.setdefault("valores", despues)
            continue
        campos["modelo_visible"] = modelos[modelo].nombre_para_personas
        campos["campo_titulo"] = modelos[modelo].campo_que_titula
        llave = (modelo, str(campos["objeto_id"]), str(campos.get("uuid") or ""))
        if llave not in vistos:
            valores = referido = None
            with contextlib.suppress(Exception):  # sólo para nombrar el objeto
                valores = agente.obtener(modelo, llave[1])
                if valores is None and llave[2]:
                    op = agente.operacion(llave[2])
                    valores = dict(op.datos) if op is not None else None
                referido = agente.referido(modelo, llave[1], valores)
            vistos[llave] = (valores, referido)
        valores, referido = vistos[llave]
        campos["valores"] = valores or despues
        campos["referido"] = referido


def _instante(hora: Any) -> float:
    import datetime as dt

    try:
        fecha = dt.datetime.fromisoformat(str(hora).replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    if fecha.tzinfo is None:
        fecha = fecha.astimezone()
    return fecha.timestamp()


def enviadas_recientes(agente: Any, horas: float = 24) -> int:
    """Operaciones que la central confirmó en las últimas ``horas`` (de la propia cola)."""
    return sum(int(m.get("enviadas", 0)) for m in agente.actividad(horas))


# -- configuración -----------------------------------------------------------------------------


def __getattr__(nombre: str) -> Any:
    # ``TokenRechazado`` se carga al usarlo: importar este módulo no arrastra el llavero.
    if nombre == "TokenRechazado":
        return agente_paquete.TokenRechazado
    raise AttributeError(f"module 'ui.trabajos' has no attribute {nombre!r}")


def leer_configuracion(agente: Any) -> dict[str, Any]:
    """Servidor, tienda y terminal guardados y si hay token en el llavero (nunca el token)."""
    return dict(agente.resumen_configuracion())


def guardar_configuracion(
    agente: Any,
    servidor: str,
    tienda: str,
    terminal: str,
    token: str | None,
    permitir_http: bool = False,
) -> dict[str, Any]:
    """``Agente.configurar``: valida y guarda ``config.json``; el token (si se escribió uno) va
    sólo al llavero (sin token escrito, exige que ya haya uno). La aplicación relanza después
    el proceso de sincronización. Devuelve lo que ``leer_configuracion``."""
    agente.configurar(servidor, tienda, terminal, token or None, permitir_http=permitir_http)
    return leer_configuracion(agente)


def probar_conexion(
    agente: Any, servidor: str, token: str | None, permitir_http: bool = False, terminal: str = ""
) -> dict[str, Any]:
    """Red. ``Agente.probar_conexion``: salud y, con token (el escrito o el del llavero),
    esquema. Lanza la excepción del motor si falla."""
    return agente.probar_conexion(
        servidor, token or None, permitir_http=permitir_http, terminal=terminal
    )


def comprobar_antes_de_guardar(
    agente: Any, servidor: str, token: str | None, permitir_http: bool = False, terminal: str = ""
) -> bool:
    """Red. ``Agente.comprobar_token``: el token escrito se prueba ANTES de guardar nada;
    ``TokenRechazado`` si guardarlo sustituiría uno que funciona por uno que no."""
    return agente.comprobar_token(
        servidor, token or None, permitir_http=permitir_http, terminal=terminal
    )


def fijar_autoarranque(agente: Any, activo: bool) -> bool:
    """Activa o quita el arranque con la sesión (Windows: carpeta Inicio; Linux: XDG)."""
    return bool(agente.autoarranque(activo))


# -- cierre de caja ---------------------------------------------------------------------------


def resumen_caja(agente: Any) -> dict[str, Any]:
    """``Agente.resumen_caja``: lo que cubriría el cierre ahora."""
    return dict(agente.resumen_caja())


def cerrar_caja(
    agente: Any, efectivo_contado: str | None, forzar_por: str | None, motivo: str | None
) -> dict[str, Any]:
    """``Agente.cerrar_caja``. Devuelve ``{"cierre": registro}`` o, si el motor lo rechaza
    porque la central aún no tiene todo, ``{"bloqueado": True, "resumen": ...}`` con el
    resumen de ese momento (la ventana lo explica en su idioma). Otros rechazos (importe,
    falta el motivo) llegan como error de una línea."""
    try:
        cierre = agente.cerrar_caja(
            efectivo_contado=efectivo_contado, forzar_por=forzar_por, motivo=motivo
        )
    except agente_paquete.CierreBloqueado:
        return {"bloqueado": True, "resumen": dict(agente.resumen_caja())}
    return {"cierre": dict(cierre)}


# -- salir ---------------------------------------------------------------------------------


def contar_sin_enviar(agente: Any) -> dict[str, Any]:
    """Operaciones que aún no ha confirmado la central, cuántas son ventas y su importe."""
    total = ventas = 0
    for estado in agente_paquete.SIN_CONFIRMAR:
        for op in agente.cola(estado=estado):
            op = _plano(op)
            total += 1
            if (
                str(op.get("modelo", "")).startswith("ventas.")
                and op.get("tipo") == "crear"
                and str(op.get("modelo")).endswith(".Venta")
            ):
                ventas += 1
    resumen = (
        agente.ventas_pendientes()
        if callable(getattr(agente, "ventas_pendientes", None))
        else {"n": ventas, "importe": "0"}
    )
    return {"total": total, "ventas": int(resumen["n"]), "importe": str(resumen["importe"])}
