"""Errores de comunicación con la central (protocolo v1).

Módulo aparte y sin dependencias de red para que quien sólo clasifica o muestra errores (la
máquina de estados de conectividad, la bandeja) no cargue ``requests``.
``agente.sincronizacion.cliente`` los lanza y los reexporta. Puro; seguro desde cualquier hilo.
"""

from __future__ import annotations


class ErrorSincro(Exception):
    """Base de los errores de comunicación con la central. ``str(e)`` es para personas."""

    transitorio = True
    """``True`` si reintentar más tarde puede funcionar sin que nadie haga nada."""

    def __init__(
        self, mensaje: str, *, estado_http: int | None = None, reintentar_en: float | None = None
    ) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje
        self.estado_http = estado_http
        self.reintentar_en = reintentar_en


class SinConexion(ErrorSincro):
    """No se pudo hablar con la central (red, DNS, tiempo agotado, respuesta cortada)."""


class ErrorAutenticacion(ErrorSincro):
    """401: token desconocido, caducado o revocado. Hace falta un token nuevo."""

    transitorio = False


class ErrorServidor(ErrorSincro):
    """La central respondió con un error (5xx, 429 tras reintentos, 4xx inesperado)."""


class RespuestaInvalida(ErrorServidor):
    """La respuesta no cumple el protocolo (HTML, JSON cortado o mal formado, tipos...)."""


class CursorExpirado(ErrorSincro):
    """410: el cursor es anterior al horizonte de retención; hay que resincronizar el modelo."""

    transitorio = False


class CursorRechazado(CursorExpirado):
    """La central no acepta el cursor (400 ``cursor_invalido``, 414) o la central envió uno
    absurdo (demasiado largo): se resincroniza el modelo desde cero."""


class LoteDemasiadoGrande(ErrorServidor):
    """413: el lote supera el límite de la central; hay que partirlo."""

    transitorio = False


class IdentidadAjena(ErrorSincro):
    """El token es de otra tienda o terminal que la configurada: no se envía ni descarga nada
    hasta que se configure bien (``sincro configurar``). ``del_token``: (tienda, terminal)."""

    transitorio = False

    def __init__(self, mensaje: str, del_token: tuple[object, object]) -> None:
        super().__init__(mensaje)
        self.del_token = del_token


def comprobar_identidad(cuerpo: object, tienda: str, terminal: str) -> None:
    """``IdentidadAjena`` si ``/v1/esquema`` dice que el token es de otra tienda o terminal."""
    if not isinstance(cuerpo, dict):
        return
    suya = (cuerpo.get("tienda"), cuerpo.get("terminal"))
    if suya != (tienda, terminal):
        raise IdentidadAjena(
            f"El token es de {suya[0]}/{suya[1]}, pero esta terminal está configurada como "
            f"{tienda}/{terminal}: no se sincroniza nada hasta configurar el token de "
            f"{tienda}/{terminal} con «sincro configurar».",
            suya,
        )
