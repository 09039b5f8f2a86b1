"""Comprobar la conexión y el token ANTES de guardar la configuración de una terminal.

Lo usa la pestaña Configuración (a través de la fachada ``agente.Agente``): probar un
servidor y un token escritos, leer lo guardado sin revelar el token, y no sustituir nunca un
token que funciona por uno que la central rechaza (la central sólo guarda un resumen del token:
uno bueno sobrescrito no se recupera).

Red: ``probar_conexion`` y ``comprobar_antes_de_guardar`` esperan a la central (como mucho
``TIEMPO_S`` por petición, sin reintentos): nunca desde el hilo de una interfaz gráfica.
Sin estado: cada llamada crea y cierra su propio cliente.
"""

from __future__ import annotations

import os
from typing import Any

from agente.sincronizacion import credenciales
from agente.sincronizacion.errores import ErrorAutenticacion, ErrorSincro
from agente.soporte import configuracion

TIEMPO_S = 10.0


class TokenRechazado(ValueError):
    """La central rechazó el token nuevo, o no se pudo comprobar y hay uno guardado que
    funciona: no se guarda nada. El mensaje es una de las claves ``RECHAZADO`` o
    ``SIN_COMPROBAR`` (quien lo muestre lo dice en el idioma de su interfaz)."""

    RECHAZADO = "token-rechazado"
    SIN_COMPROBAR = "token-sin-comprobar"


def _token_guardado(directorio: str | os.PathLike[str], terminal: str) -> str | None:
    try:
        return credenciales.leer_token(directorio, terminal)
    except (credenciales.SinToken, credenciales.SinLlavero):
        return None


def resumen_configuracion(directorio: str | os.PathLike[str]) -> dict[str, Any]:
    """Servidor, tienda y terminal guardados, si hay token en el llavero (nunca el token) y
    qué llavero se usa (o por qué no hay ninguno usable)."""
    config = configuracion.cargar(directorio)
    datos: dict[str, Any] = {
        "servidor": "",
        "tienda": "",
        "terminal": "",
        "permitir_http": False,
        "hay_token": False,
        "llavero": "",
    }
    if config is not None:
        datos.update(
            servidor=config.servidor,
            tienda=config.tienda,
            terminal=config.terminal,
            permitir_http=config.permitir_http,
            hay_token=bool(_token_guardado(directorio, config.terminal)),
        )
    try:
        datos["llavero"] = credenciales.describir_llavero()
    except credenciales.SinLlavero as error:
        datos["llavero"] = str(error)
    return datos


def probar_conexion(
    directorio: str | os.PathLike[str],
    servidor: str,
    token: str | None,
    permitir_http: bool = False,
    terminal: str = "",
) -> dict[str, Any]:
    """Red. ``/v1/salud`` (alcance, protocolo, desfase) y, con token, ``/v1/esquema``. Con el
    token dado o, si no se da, el del llavero para ``terminal``. Lanza ``ErrorConfiguracion``
    si el servidor no vale y los errores del cliente (``ErrorSincro``) si falla."""
    from agente.sincronizacion.cliente import Cliente

    url = configuracion.validar_servidor(servidor, permitir_http)
    if not token and terminal:
        token = _token_guardado(directorio, terminal)
    cliente = Cliente(url, token, timeout=TIEMPO_S, reintentos=0)
    try:
        salud = cliente.salud()
        resultado: dict[str, Any] = {
            "desfase_ms": salud.desfase_ms,
            "ida_y_vuelta_ms": salud.ida_y_vuelta_ms,
            "autenticado": False,
            "modelos": 0,
        }
        if token:
            esquema, _ = cliente.esquema()
            resultado.update(autenticado=True, modelos=len(esquema.modelos))
        return resultado
    finally:
        cliente.cerrar()


def comprobar_antes_de_guardar(
    directorio: str | os.PathLike[str],
    servidor: str,
    token: str | None,
    permitir_http: bool = False,
    terminal: str = "",
) -> bool:
    """Red. Prueba el token dado (o, sin él, el guardado) contra ``servidor`` ANTES de
    guardar nada.

    Devuelve ``True`` si la central lo aceptó, ``False`` si no se pudo comprobar pero no hay
    token guardado que perder (primera configuración sin red). Lanza ``TokenRechazado`` si la
    central lo rechaza, o si no responde y escribir el nuevo sustituiría a uno guardado; y
    ``ErrorConfiguracion`` si el servidor no vale."""
    try:
        probado = probar_conexion(directorio, servidor, token, permitir_http, terminal)
    except ErrorAutenticacion:
        raise TokenRechazado(TokenRechazado.RECHAZADO) from None
    except ErrorSincro as error:
        if token and terminal and _token_guardado(directorio, terminal):
            raise TokenRechazado(TokenRechazado.SIN_COMPROBAR) from error
        return False
    return bool(probado.get("autenticado"))
