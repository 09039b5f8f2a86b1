"""Cliente HTTP del protocolo v1 (``docs/protocolo.md``) con validación estricta de respuestas.

- ``requests.Session`` con un ``urllib3.Retry`` para errores de conexión/lectura, 5xx y 429:
  espera exponencial con jitter y respeta ``Retry-After`` (acotado a ``ESPERA_MAXIMA_S``; si la
  central pide más, el error lleva ``reintentar_en`` y el bucle de sincronización espera fuera).
  Reintentar ``POST /v1/operaciones`` es seguro: las operaciones llevan su UUID y la central
  aplica cada una como mucho una vez.
- TLS siempre verificado; sin redirecciones (una redirección no se sigue: el token no viaja a
  otro sitio y https no degrada a http); gzip aceptado; tiempos de espera en cada petición.
- Toda respuesta se valida antes de devolverla: tipo de contenido JSON, JSON completo y bien
  formado, tipos de cada campo, valores de ``resultado`` conocidos, un resultado por operación
  y en el mismo orden. Lo que no encaja es ``RespuestaInvalida`` con un mensaje para personas.
- El token sólo va en la cabecera ``Authorization``; nunca en mensajes de error ni registros.

Hilos: un ``Cliente`` puede usarse desde varios hilos a la vez (``requests.Session`` con su
``HTTPAdapter`` y un pool de conexiones del tamaño de la concurrencia de empuje). No toca disco.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import random
import re
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters
import urllib3
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

import agente
from agente.sincronizacion import instantanea as lector_instantanea
from agente.sincronizacion import plazo as limites
from agente.sincronizacion.acciones import AccionRemota, leer_acciones
from agente.soporte.configuracion import es_bucle_local
from protocolo.esquema import ConfigModelo, ErrorEsquema, Esquema, esquema_desde_dict
from protocolo.formas import RESULTADOS

ESTADOS_REINTENTABLES = (429, 500, 502, 503, 504)
ESPERA_MAXIMA_S = 10.0
"""Más de esto de ``Retry-After`` no se espera dentro del cliente: el error sale con
``reintentar_en`` y el bucle de sincronización espera fuera (hasta ``RETRY_AFTER_MAXIMO_S``)."""
RETRY_AFTER_MAXIMO_S = 3600.0
PLAZO_PETICION_S = 120.0
"""Plazo de una petición entera (reintentos incluidos), por lenta que llegue la respuesta."""
CUERPO_MAXIMO = 64 * 1024 * 1024
"""Bytes (ya descomprimidos) que se admiten en una respuesta."""


# --- errores (definidos en agente.sincronizacion.errores, reexportados aquí) ---------------

from agente.sincronizacion.errores import (  # noqa: E402
    CursorExpirado,
    CursorRechazado,
    ErrorAutenticacion,
    ErrorServidor,
    ErrorSincro,
    LoteDemasiadoGrande,
    RespuestaInvalida,
    SinConexion,
)

__all__ = [
    "Cliente",
    "CursorExpirado",
    "CursorRechazado",
    "ErrorAutenticacion",
    "ErrorServidor",
    "ErrorSincro",
    "LoteDemasiadoGrande",
    "RespuestaInvalida",
    "SinConexion",
]


# --- respuestas validadas -------------------------------------------------------------------


@dataclass(frozen=True)
class Salud:
    hora_servidor: dt.datetime
    desfase_ms: int
    """``hora_servidor - (t_envío + t_recepción)/2`` en milisegundos."""
    ida_y_vuelta_ms: int


@dataclass(frozen=True)
class Pagina:
    """Una página de ``GET /v1/cambios``. ``cambios`` son los dicts del protocolo, validados."""

    cambios: list[dict[str, Any]]
    cursor: str
    hay_mas: bool
    completo: bool
    hora_servidor: str


@dataclass(frozen=True)
class Resultado:
    """Resultado de una operación en ``POST /v1/operaciones``."""

    uuid: str
    resultado: str
    version: int | None = None
    motivo: str | None = None
    valores: dict[str, Any] | None = None
    campos_cambiados: tuple[str, ...] = ()
    modificado_en: str | None = None
    #: ``{"tienda", "terminal"}`` que cambió el valor central en un conflicto (si la central
    #: lo sabe; una central anterior no lo manda).
    modificado_por: dict[str, str] | None = None


# --- validación -----------------------------------------------------------------------------


def _invalida(que: str) -> RespuestaInvalida:
    return RespuestaInvalida(f"La central envió una respuesta que no cumple el protocolo: {que}.")


def _exigir(
    objeto: Mapping[str, Any],
    clave: str,
    tipos: type | tuple[type, ...],
    donde: str,
    nulo: bool = False,
) -> Any:
    if clave not in objeto:
        raise _invalida(f"falta «{clave}» en {donde}")
    valor = objeto[clave]
    if valor is None and nulo:
        return None
    if isinstance(valor, bool) and bool not in (tipos if isinstance(tipos, tuple) else (tipos,)):
        raise _invalida(f"«{clave}» en {donde} tiene tipo booleano")
    if not isinstance(valor, tipos):
        raise _invalida(f"«{clave}» en {donde} tiene tipo {type(valor).__name__}")
    return valor


_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


_TIPO_PYTHON: dict[str, type | None] = {
    "entero": int,
    "decimal": str,
    "texto": str,
    "booleano": bool,
    "fecha_hora": str,
    "fecha": str,
    "uuid": str,
    "json": None,
}
_FALTA = object()


def validador_de_datos(config: ConfigModelo) -> Callable[[Any, str], None]:
    """Comprobador rápido de los ``datos`` de un cambio de ``config`` (lo llama por fila la
    descarga): sólo campos esenciales, la clave presente y cada valor de su tipo (``type(v) is
    T``, sin subclases: ``True`` no es un entero) o nulo si el campo lo admite; los decimales,
    cadenas con forma de número. Lanza ``RespuestaInvalida``."""
    esperado = {c: _TIPO_PYTHON[t] for c, t in config.tipos.items()}
    decimales = frozenset(c for c, t in config.tipos.items() if t == "decimal")
    nulos = config.nulos
    clave = config.clave
    nombre = config.nombre
    decimal_valido = _DECIMAL.match

    def validar(datos: Any, objeto_id: str) -> None:
        if type(datos) is not dict:
            raise _invalida(f"«datos» de {nombre} {objeto_id} no es un objeto")
        for campo, valor in datos.items():
            tipo = esperado.get(campo, _FALTA)
            if tipo is _FALTA:
                raise _invalida(f"{nombre} no tiene el campo esencial «{campo}»")
            if valor is None:
                if campo not in nulos:
                    raise _invalida(f"{nombre}.{campo} de {objeto_id} es nulo")
            elif (tipo is not None and type(valor) is not tipo) or (
                campo in decimales and decimal_valido(valor) is None
            ):
                raise _invalida(f"{nombre}.{campo} de {objeto_id} no es {config.tipos[campo]}")
        if clave not in datos:
            raise _invalida(f"«datos» de {nombre} {objeto_id} no trae la clave «{clave}»")

    return validar


def validar_pagina(
    cuerpo: Any, modelo: str, validar_datos: Callable[[Any, str], None] | None = None
) -> Pagina:
    if not isinstance(cuerpo, dict):
        raise _invalida("la página de cambios no es un objeto")
    cambios = _exigir(cuerpo, "cambios", list, "la página de cambios")
    cursor = _exigir(cuerpo, "cursor", str, "la página de cambios")
    hay_mas = _exigir(cuerpo, "hay_mas", bool, "la página de cambios")
    completo = _exigir(cuerpo, "completo", bool, "la página de cambios")
    hora = _exigir(cuerpo, "hora_servidor", str, "la página de cambios")
    if hay_mas and not cambios:
        raise _invalida("«hay_mas» sin cambios en la página")
    for cambio in cambios:
        if type(cambio) is not dict:
            raise _invalida("un cambio no es un objeto")
        if cambio.get("modelo") != modelo:
            raise _invalida(f"un cambio es de {cambio.get('modelo')!r}, se pidió {modelo}")
        objeto_id = cambio.get("id")
        if type(objeto_id) is not str or not objeto_id:
            raise _invalida(f"un cambio de {modelo} no trae «id» como cadena")
        if type(cambio.get("version")) is not int:
            raise _invalida(f"el cambio de {modelo} {objeto_id} no trae «version» entera")
        if type(cambio.get("modificado_en", "")) is not str:
            raise _invalida(f"«modificado_en» de {modelo} {objeto_id} no es una cadena")
        if cambio.get("borrado", False) is True:
            continue
        if "borrado" in cambio and cambio["borrado"] is not False:
            raise _invalida(f"«borrado» de {modelo} {objeto_id} no es booleano")
        if validar_datos is not None:
            validar_datos(cambio.get("datos"), objeto_id)
        elif type(cambio.get("datos")) is not dict:
            raise _invalida(f"«datos» de {modelo} {objeto_id} no es un objeto")
    return Pagina(
        cambios=cambios, cursor=cursor, hay_mas=hay_mas, completo=completo, hora_servidor=hora
    )


def validar_resultados(cuerpo: Any, uuids: Sequence[str]) -> list[Resultado]:
    if not isinstance(cuerpo, dict):
        raise _invalida("la respuesta a las operaciones no es un objeto")
    resultados = _exigir(cuerpo, "resultados", list, "la respuesta a las operaciones")
    if len(resultados) != len(uuids):
        raise _invalida(
            f"se enviaron {len(uuids)} operaciones y llegaron {len(resultados)} resultados"
        )
    salida = []
    for esperado, r in zip(uuids, resultados, strict=True):
        if not isinstance(r, dict):
            raise _invalida("un resultado no es un objeto")
        uuid = _exigir(r, "uuid", str, "un resultado")
        if uuid != esperado:
            raise _invalida(f"los resultados no vienen en el orden enviado ({uuid} ≠ {esperado})")
        tipo = _exigir(r, "resultado", str, f"el resultado de {uuid}")
        if tipo not in RESULTADOS:
            raise _invalida(f"resultado desconocido {tipo!r} para {uuid}")
        if tipo in ("aplicada", "duplicada"):
            salida.append(Resultado(uuid, tipo, version=_exigir(r, "version", int, uuid)))
        elif tipo == "rechazada":
            motivo = _exigir(r, "motivo", str, f"el rechazo de {uuid}")
            salida.append(Resultado(uuid, tipo, motivo=motivo))
        else:
            campos = _exigir(r, "campos_cambiados", list, f"el conflicto de {uuid}")
            if not all(isinstance(c, str) for c in campos):
                raise _invalida(f"«campos_cambiados» de {uuid} no son cadenas")
            salida.append(
                Resultado(
                    uuid,
                    tipo,
                    version=_exigir(r, "version", int, f"el conflicto de {uuid}"),
                    valores=_exigir(r, "valores", dict, f"el conflicto de {uuid}", nulo=True),
                    campos_cambiados=tuple(campos),
                    modificado_en=_exigir(
                        r, "modificado_en", str, f"el conflicto de {uuid}", nulo=True
                    ),
                    modificado_por=_autor(r.get("modificado_por")),
                )
            )
    return salida


def _autor(valor: Any) -> dict[str, str] | None:
    """``modificado_por`` opcional de un conflicto: sólo cadenas cortas; otra cosa se ignora
    (es información para personas, no cambia la resolución)."""
    if not isinstance(valor, dict):
        return None
    autor = {k: valor.get(k) for k in ("tienda", "terminal")}
    if not all(isinstance(v, str) and 0 < len(v) <= 100 for v in autor.values()):
        return None
    return autor  # type: ignore[return-value]


def leer_hora(texto: str) -> dt.datetime:
    try:
        momento = dt.datetime.fromisoformat(texto)
    except (TypeError, ValueError):
        raise _invalida(f"hora {texto!r} no es ISO 8601") from None
    if momento.tzinfo is None:
        raise _invalida(f"hora {texto!r} sin zona horaria")
    return momento


# --- cliente --------------------------------------------------------------------------------


class _Reintentos(Retry):
    """``Retry`` que no reintenta por dentro si ``Retry-After`` pide más de
    ``ESPERA_MAXIMA_S``: devuelve la respuesta (el error lleva ``reintentar_en``)."""

    def get_retry_after(self, response):
        espera = super().get_retry_after(response)
        return None if espera is None else min(espera, ESPERA_MAXIMA_S)

    def increment(
        self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None
    ):
        if response is not None:
            espera = super().get_retry_after(response)
            if espera is not None and espera > ESPERA_MAXIMA_S:
                raise MaxRetryError(_pool, url, "Retry-After largo")
        return super().increment(method, url, response, error, _pool, _stacktrace)


def _reintentar_en(respuesta: requests.Response) -> float | None:
    """``Retry-After`` en segundos (entero o fecha HTTP), acotado a ``RETRY_AFTER_MAXIMO_S``."""
    valor = respuesta.headers.get("Retry-After")
    if not valor:
        return None
    try:
        segundos = float(valor)
    except ValueError:
        try:
            momento = email.utils.parsedate_to_datetime(valor)
        except (TypeError, ValueError):
            return None
        if momento.tzinfo is None:
            return None
        segundos = (momento - dt.datetime.now(dt.UTC)).total_seconds()
    if segundos != segundos:  # NaN
        return None
    return min(max(0.0, segundos), RETRY_AFTER_MAXIMO_S)


class SinInstantanea(ErrorServidor):
    """La central no sirve la instantánea de ese modelo (404): se descarga por páginas."""


class Cliente:
    """Cliente del protocolo v1 contra ``servidor`` (URL base que incluye ``/sincro``)."""

    def __init__(
        self,
        servidor: str,
        token: str | None,
        *,
        timeout: float = 30.0,
        reintentos: int = 3,
        espera_base: float = 0.25,
        conexiones: int = 8,
        plazo: float | None = None,
        cuerpo_maximo: int = CUERPO_MAXIMO,
    ) -> None:
        self.servidor = servidor.rstrip("/")
        self._token = token
        self.timeout = (min(5.0, timeout), timeout)
        self.plazo = plazo if plazo is not None else max(PLAZO_PETICION_S, 4 * timeout)
        self.cuerpo_maximo = cuerpo_maximo
        self._reintentos = reintentos
        self._espera_base = espera_base
        self.sesion = requests.Session()
        # Sin .netrc (pondría su propia cabecera Authorization), pero sí los proxies y la CA
        # corporativa del entorno, que una tienda puede necesitar para salir a la central.
        self.sesion.trust_env = False
        host = urlsplit(self.servidor).hostname or ""
        if not es_bucle_local(host) and not urllib.request.proxy_bypass(host):
            self.sesion.proxies.update(
                {k: v for k, v in urllib.request.getproxies().items() if k in ("http", "https")}
            )
        self.sesion.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or True
        )
        self.sesion.headers["User-Agent"] = f"sincro/{agente.__version__}"
        self.sesion.headers["Accept"] = "application/json"
        self.sesion.headers["Accept-Encoding"] = "gzip"
        reintento = _Reintentos(
            total=reintentos,
            connect=reintentos,
            read=reintentos,
            status=reintentos,
            other=0,
            backoff_factor=espera_base,
            backoff_jitter=espera_base,
            backoff_max=ESPERA_MAXIMA_S,
            status_forcelist=ESTADOS_REINTENTABLES,
            allowed_methods=None,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
            redirect=0,
        )
        adaptador = requests.adapters.HTTPAdapter(
            max_retries=reintento, pool_connections=2, pool_maxsize=conexiones
        )
        limites.instalar(adaptador)
        self.sesion.mount("http://", adaptador)
        self.sesion.mount("https://", adaptador)

    def cerrar(self) -> None:
        self.sesion.close()

    # -- transporte --------------------------------------------------------------------------

    def _peticion(
        self,
        metodo: str,
        ruta: str,
        *,
        autenticar: bool = True,
        cuerpo_json: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        cabeceras = {}
        if cuerpo_json is not None:
            cabeceras["Content-Type"] = "application/json"
            kwargs["data"] = json.dumps(
                cuerpo_json, ensure_ascii=False, separators=(",", ":")
            ).encode()
        if autenticar:
            if not self._token:
                raise ErrorAutenticacion(
                    "No hay token para esta terminal: ejecute «sincro configurar»."
                )
            cabeceras["Authorization"] = f"Token {self._token}"
        return self._enviar(metodo, f"{self.servidor}{ruta}", cabeceras, **kwargs)

    def _pedir(
        self, metodo: str, url: str, cabeceras: dict[str, str], **kwargs: Any
    ) -> requests.Response:
        """La petición con su cuerpo leído entero, dentro del plazo y del tamaño máximo."""
        intentos_cuerpo = self._reintentos
        with limites.Vigilante(self.plazo) as vigilante:
            while True:
                try:
                    respuesta = self.sesion.request(
                        metodo,
                        url,
                        headers=cabeceras,
                        timeout=self.timeout,
                        allow_redirects=False,
                        stream=True,
                        **kwargs,
                    )
                    respuesta._content = limites.leer_cuerpo(
                        respuesta, self.cuerpo_maximo, vigilante
                    )
                    return respuesta
                except limites.CuerpoDemasiadoGrande:
                    raise ErrorServidor(
                        f"La central envió una respuesta de más de "
                        f"{self.cuerpo_maximo // (1024 * 1024)} MB: se descarta (¿un proxy "
                        "roto?)."
                    ) from None
                except (
                    limites.PlazoAgotado,
                    requests.exceptions.RequestException,
                    urllib3.exceptions.HTTPError,
                ) as exc:
                    if vigilante.vencido:
                        raise SinConexion(
                            f"La central {self.servidor} no terminó de responder en "
                            f"{self.plazo:.0f} s (respuesta demasiado lenta)."
                        ) from None
                    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
                        raise requests.exceptions.ReadTimeout(str(exc)) from None
                    cortada = isinstance(
                        exc,
                        (
                            urllib3.exceptions.ProtocolError,
                            urllib3.exceptions.DecodeError,
                            requests.exceptions.ChunkedEncodingError,
                            requests.exceptions.ContentDecodingError,
                        ),
                    )
                    if not cortada:
                        raise
                    # Respuesta cortada a mitad del cuerpo: urllib3 ya no la reintenta (el
                    # cuerpo se lee después). Se repite la petición: es segura (UUID/lectura).
                    if intentos_cuerpo <= 0:
                        raise requests.exceptions.ChunkedEncodingError(str(exc)) from None
                    intentos_cuerpo -= 1
                    time.sleep(self._espera_base * (1 + random.random()))

    def _enviar(
        self, metodo: str, url: str, cabeceras: dict[str, str], **kwargs: Any
    ) -> requests.Response:
        try:
            respuesta = self._pedir(metodo, url, cabeceras, **kwargs)
        except requests.exceptions.SSLError as exc:
            raise SinConexion(
                f"No se pudo verificar el certificado TLS de {self.servidor}: {_breve(exc)}"
            ) from None
        except requests.exceptions.Timeout:
            raise SinConexion(f"La central {self.servidor} no respondió a tiempo.") from None
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            raise SinConexion(
                f"No se pudo hablar con la central {self.servidor}: {_breve(exc)}"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise SinConexion(f"Error de red con {self.servidor}: {_breve(exc)}") from None
        if respuesta.status_code >= 300:
            raise self._error_http(respuesta)
        return respuesta

    def _error_http(self, respuesta: requests.Response) -> ErrorSincro:
        estado = respuesta.status_code
        detalle = ""
        codigo = ""
        try:
            cuerpo = respuesta.json() if _es_json(respuesta) else None
        except ValueError:
            cuerpo = None
        if isinstance(cuerpo, dict):
            codigo = str(cuerpo.get("error", ""))[:60]
            detalle = str(cuerpo.get("mensaje", ""))[:300]
        sufijo = f": {detalle}" if detalle else ""
        if 300 <= estado < 400:
            return ErrorServidor(
                f"La central redirige ({estado}) a {respuesta.headers.get('Location', '?')}: "
                "configure la URL final del servidor.",
                estado_http=estado,
            )
        if estado == 401 and codigo == "token_revocado":
            return ErrorAutenticacion(
                "La central ha revocado el token de esta terminal: pida a informática un código "
                "de enrolamiento y ejecute «sincro enrolar CÓDIGO».",
                estado_http=401,
            )
        if estado == 401:
            return ErrorAutenticacion(
                "La central no acepta el token de esta terminal (caducado o revocado): pida un "
                "token nuevo al administrador y ejecute «sincro configurar».",
                estado_http=401,
            )
        if estado == 414 or codigo == "cursor_invalido":
            return CursorRechazado(
                f"La central rechaza el cursor ({estado}){sufijo}", estado_http=estado
            )
        if estado == 410 or codigo == "cursor_expirado":
            return CursorExpirado(
                f"El cursor ha caducado en la central{sufijo}", estado_http=estado
            )
        if estado == 413:
            return LoteDemasiadoGrande(
                f"Lote demasiado grande para la central{sufijo}", estado_http=413
            )
        if estado == 403:
            error = ErrorServidor(f"La central deniega el permiso (403){sufijo}", estado_http=403)
            error.transitorio = False
            return error
        if estado == 429:
            return ErrorServidor(
                f"La central está saturada (429){sufijo}",
                estado_http=429,
                reintentar_en=_reintentar_en(respuesta),
            )
        if estado >= 500:
            if not _es_json(respuesta):
                return ErrorServidor(
                    f"La central falló ({estado}) con una página que no es del protocolo "
                    "(¿proxy o servidor caído?).",
                    estado_http=estado,
                    reintentar_en=_reintentar_en(respuesta),
                )
            return ErrorServidor(
                f"Error interno de la central ({estado}){sufijo}",
                estado_http=estado,
                reintentar_en=_reintentar_en(respuesta),
            )
        error = ErrorServidor(
            f"La central rechazó la petición ({estado}){sufijo}", estado_http=estado
        )
        error.transitorio = False
        return error

    def _json(self, respuesta: requests.Response) -> Any:
        if not _es_json(respuesta):
            tipo = respuesta.headers.get("Content-Type", "ninguno")
            raise _invalida(f"se esperaba JSON y llegó «{tipo}» (¿página de error de un proxy?)")
        try:
            return json.loads(respuesta.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _invalida(f"JSON mal formado o cortado ({_breve(exc)})") from None

    # -- protocolo ---------------------------------------------------------------------------

    def salud(self) -> Salud:
        """``GET /v1/salud`` y el desfase de reloj (no exige token)."""
        t_envio = time.time()
        respuesta = self._peticion("GET", "/v1/salud", autenticar=False)
        t_recepcion = time.time()
        cuerpo = self._json(respuesta)
        if not isinstance(cuerpo, dict):
            raise _invalida("/v1/salud no devolvió un objeto")
        if _exigir(cuerpo, "version_protocolo", int, "/v1/salud") != 1:
            raise RespuestaInvalida(
                f"La central habla el protocolo {cuerpo['version_protocolo']} y este Sincro el 1:"
                " actualice Sincro o la central."
            )
        hora = leer_hora(_exigir(cuerpo, "hora_servidor", str, "/v1/salud"))
        medio = (t_envio + t_recepcion) / 2
        return Salud(
            hora_servidor=hora,
            desfase_ms=round((hora.timestamp() - medio) * 1000),
            ida_y_vuelta_ms=round((t_recepcion - t_envio) * 1000),
        )

    def esquema(self) -> tuple[Esquema, dict[str, Any]]:
        """``GET /v1/esquema`` validado: el ``Esquema`` y el JSON tal cual (para guardarlo)."""
        cuerpo = self._json(self._peticion("GET", "/v1/esquema"))
        try:
            return esquema_desde_dict(cuerpo), cuerpo
        except ErrorEsquema as exc:
            raise _invalida(f"esquema no válido ({exc})") from None

    def cambios(
        self,
        modelo: str,
        cursor: str | None,
        limite: int,
        validar_datos: Callable[[Any, str], None] | None = None,
    ) -> Pagina:
        """Una página de ``GET /v1/cambios`` de un modelo. ``CursorExpirado`` si hay 410."""
        parametros = {"modelos": modelo, "limite": str(limite)}
        if cursor:
            parametros["cursor"] = cursor
        cuerpo = self._json(self._peticion("GET", "/v1/cambios", params=parametros))
        return validar_pagina(cuerpo, modelo, validar_datos)

    def instantanea(
        self,
        modelo: str,
        validar_datos: Callable[[Any, str], None] | None = None,
        filas_por_trozo: int = 5000,
    ) -> tuple[Pagina, Iterator[Pagina]]:
        """``GET /v1/instantanea``: la descarga completa de un modelo en una respuesta (gzip).
        Devuelve su cabecera (cursor final; sin filas) y las filas en páginas de hasta
        ``filas_por_trozo``, validadas al recorrerlas (``agente.sincronizacion.instantanea``).
        ``SinInstantanea`` si la central no la sirve (404): se descarga por páginas."""
        try:
            respuesta = self._peticion("GET", "/v1/instantanea", params={"modelo": modelo})
        except ErrorServidor as exc:
            if exc.estado_http == 404:
                raise SinInstantanea(str(exc), estado_http=404) from None
            raise
        if not _es_json(respuesta):
            tipo = respuesta.headers.get("Content-Type", "ninguno")
            raise _invalida(f"se esperaba JSON y llegó «{tipo}» (¿página de error de un proxy?)")
        try:
            texto = respuesta.content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _invalida(f"JSON mal formado o cortado ({_breve(exc)})") from None
        respuesta._content = b""  # el texto basta: no tener el cuerpo dos veces en memoria
        return lector_instantanea.trozos(
            texto,
            modelo,
            lambda cuerpo: validar_pagina(cuerpo, modelo, validar_datos),
            filas_por_trozo,
        )

    def operaciones(self, operaciones: Sequence[Mapping[str, Any]]) -> list[Resultado]:
        """``POST /v1/operaciones``: un ``Resultado`` por operación, en el mismo orden."""
        uuids = [o["uuid"] for o in operaciones]
        respuesta = self._peticion(
            "POST", "/v1/operaciones", cuerpo_json={"operaciones": list(operaciones)}
        )
        return validar_resultados(self._json(respuesta), uuids)

    def diario(self, registros: Sequence[Mapping[str, Any]]) -> Any:
        """``POST /v1/diario``: el JSON de la respuesta (lo valida
        ``agente.sincronizacion.diario``)."""
        respuesta = self._peticion("POST", "/v1/diario", cuerpo_json={"registros": list(registros)})
        return self._json(respuesta)

    def sumas(self, modelo: str, cubos: int) -> dict[int, tuple[int, int]]:
        """``GET /v1/verificacion``: {cubo: (filas, suma)} de lo que la central tiene."""
        cuerpo = self._json(
            self._peticion(
                "GET", "/v1/verificacion", params={"modelo": modelo, "cubos": str(cubos)}
            )
        )
        sumas = _exigir(cuerpo, "sumas", list, "las sumas de verificación")
        salida: dict[int, tuple[int, int]] = {}
        for fila in sumas:
            if (
                type(fila) is not list
                or len(fila) != 3
                or type(fila[0]) is not int
                or type(fila[1]) is not int
                or type(fila[2]) is not str
                or not fila[2].isdigit()
                or not 0 <= fila[0] < cubos
            ):
                raise _invalida('una suma de verificación no es [cubo, filas, "suma"]')
            salida[fila[0]] = (fila[1], int(fila[2]))
        return salida

    def filas_de_cubos(
        self,
        modelo: str,
        cubos: int,
        elegidos: Sequence[int],
        validar_datos: Callable[[Any, str], None] | None = None,
    ) -> list[dict[str, Any]]:
        """``GET /v1/verificacion/filas``: las filas vivas de esos cubos (forma de cambios)."""
        cuerpo = self._json(
            self._peticion(
                "GET",
                "/v1/verificacion/filas",
                params={
                    "modelo": modelo,
                    "cubos": str(cubos),
                    "cubo": ",".join(str(c) for c in elegidos),
                },
            )
        )
        if not isinstance(cuerpo, dict):
            raise _invalida("las filas de verificación no son un objeto")
        pagina = validar_pagina(
            {**cuerpo, "cursor": "", "hay_mas": False, "completo": False}, modelo, validar_datos
        )
        return pagina.cambios

    def informar_estado(self, estado: Mapping[str, Any]) -> list[AccionRemota]:
        """``POST /v1/estado`` (la central lo muestra en su admin). Devuelve las acciones
        remotas pendientes que la central entrega en la respuesta (ninguna si responde 204)."""
        respuesta = self._peticion("POST", "/v1/estado", cuerpo_json=dict(estado))
        if respuesta.status_code == 204 or not respuesta.content:
            return []
        try:
            return leer_acciones(self._json(respuesta))
        except ValueError as exc:
            raise _invalida(f"acciones remotas mal formadas ({exc})") from None

    def confirmar_accion(self, ident: int, resultado: str, detalle: str = "") -> None:
        """``POST /v1/acciones/<id>/hecha``."""
        self._peticion(
            "POST",
            f"/v1/acciones/{int(ident)}/hecha",
            cuerpo_json={"resultado": resultado, "detalle": detalle[:300]},
        )

    def enrolar(self, codigo: str) -> dict[str, str]:
        """``POST /v1/enrolar`` (sin token): canjea un código de enrolamiento por un token nuevo.
        Devuelve ``{"token", "tienda", "terminal"}``; ``ErrorAutenticacion`` si el código no vale.
        """
        try:
            respuesta = self._peticion(
                "POST", "/v1/enrolar", autenticar=False, cuerpo_json={"codigo": codigo}
            )
        except ErrorServidor as exc:
            if exc.estado_http in (400, 403):
                raise ErrorAutenticacion(
                    "El código de enrolamiento no existe, ya se usó o caducó: pida otro a "
                    "informática.",
                    estado_http=exc.estado_http,
                ) from None
            raise
        cuerpo = self._json(respuesta)
        if not isinstance(cuerpo, dict):
            raise _invalida("/v1/enrolar no devolvió un objeto")
        return {
            clave: _exigir(cuerpo, clave, str, "/v1/enrolar")
            for clave in ("token", "tienda", "terminal")
        }


def _es_json(respuesta: requests.Response) -> bool:
    tipo = respuesta.headers.get("Content-Type", "")
    return tipo.split(";")[0].strip().lower() == "application/json"


def _breve(exc: BaseException) -> str:
    texto = str(exc).replace("\n", " ")
    return texto[:200] if texto else type(exc).__name__
