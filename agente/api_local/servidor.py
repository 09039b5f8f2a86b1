"""El servidor HTTP/JSON de la API local (contrato: ``docs/api-local.yaml``).

Sólo escucha en 127.0.0.1 y ::1: cualquier otra dirección se rechaza antes de abrir el socket
(``ErrorDireccion``). Cada petición, salvo ``GET /v1/salud``, lleva ``Authorization: Bearer
<token>`` con el token de ``api-local.token`` (``agente.api_local.token``); sin él, 401.

Defensas de navegador: la cabecera ``Host`` debe ser un nombre de bucle local (contra el
«DNS rebinding») y una petición con ``Origin`` de otro origen recibe 403; nunca se envían
cabeceras CORS. Cuerpos de más de ``LIMITE_CUERPO`` bytes: 413 sin leerlos.

Las reglas son las del motor: todo pasa por la fachada ``Agente``; un ``ErrorValor`` es un 400
con su mensaje de una línea y no se ha encolado nada.

Hilos: ``ThreadingHTTPServer``, un hilo por conexión (HTTP/1.1 con keep-alive). La fachada es
segura desde cualquier hilo; cada ``GET /v1/eventos`` ocupa su hilo mientras dura. Un
``ServidorApiLocal`` arranca sus hilos de escucha (uno por dirección) con ``iniciar`` y los
para con ``cerrar``; ninguno toca la interfaz gráfica.
"""

from __future__ import annotations

import errno
import http.server
import json
import logging
import queue
import re
import socket
import sqlite3
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from agente.almacen.cache import ErrorCache
from agente.almacen.cola import ErrorCola
from agente.api_local import eventos, ventas
from agente.api_local.idempotencia import ErrorIdempotencia, RegistroIdempotencia
from agente.api_local.token import TokenLocal
from protocolo.esquema import ErrorEsquema, ErrorValor

_log = logging.getLogger(__name__)

PUERTO_POR_DEFECTO = 8765
DIRECCIONES = ("127.0.0.1", "::1")
LIMITE_CUERPO = 256 * 1024
"""Bytes de cuerpo como mucho (una venta de cientos de líneas cabe de sobra)."""
MAX_LIMITE_BUSQUEDA = 500
LATIDO_S = 15.0
_NOMBRES_LOCALES = ("127.0.0.1", "localhost", "[::1]")
_ERRORES_400 = (ErrorValor, ErrorEsquema, ErrorCola, ErrorCache)


class ErrorDireccion(ValueError):
    """Se pidió escuchar en una dirección que no es 127.0.0.1 ni ::1."""


class RespuestaHttp(Exception):
    """Corta el manejo de una petición con un estado y un mensaje de una línea."""

    def __init__(self, estado: int, mensaje: str, cabeceras: dict[str, str] | None = None):
        super().__init__(mensaje)
        self.estado = estado
        self.mensaje = " ".join(mensaje.split())
        self.cabeceras = cabeceras or {}


def comprobar_direcciones(direcciones: Sequence[str]) -> list[str]:
    if not direcciones:
        raise ErrorDireccion("Indique al menos una dirección de escucha (127.0.0.1 o ::1).")
    for direccion in direcciones:
        if direccion not in DIRECCIONES:
            raise ErrorDireccion(
                f"La API local sólo escucha en 127.0.0.1 o ::1, no en «{direccion}»: "
                "no se expone a la red."
            )
    return list(dict.fromkeys(direcciones))  # sin repetidas


class _Servidor(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, direccion: tuple[str, int], api: ServidorApiLocal) -> None:
        self.address_family = socket.AF_INET6 if ":" in direccion[0] else socket.AF_INET
        self.api = api
        super().__init__(direccion, _Manejador)

    def server_bind(self) -> None:
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


class ServidorApiLocal:
    """La API local de una terminal sobre un ``Agente`` abierto (que sigue siendo de quien
    lo abrió: ``cerrar`` no lo cierra)."""

    def __init__(
        self,
        agente: Any,
        puerto: int = PUERTO_POR_DEFECTO,
        direcciones: Sequence[str] | None = None,
        *,
        limite_cuerpo: int = LIMITE_CUERPO,
    ) -> None:
        explicitas = direcciones is not None
        self._direcciones = comprobar_direcciones(
            DIRECCIONES if direcciones is None else direcciones
        )
        self._ipv6_opcional = not explicitas
        self.agente = agente
        self.puerto = puerto
        self.limite_cuerpo = limite_cuerpo
        self.token = TokenLocal(agente.directorio)
        self.idempotencia = RegistroIdempotencia(agente.directorio)
        self.vigia: eventos.Vigia | None = None
        self._servidores: list[_Servidor] = []
        self._hilos: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return (
            f"http://127.0.0.1:{self.puerto}"
            if "127.0.0.1" in self.escuchando
            else f"http://[::1]:{self.puerto}"
        )

    @property
    def escuchando(self) -> list[str]:
        return [s.server_address[0] for s in self._servidores]

    def iniciar(self) -> ServidorApiLocal:
        """Abre los sockets y empieza a atender (hilos de fondo). ``OSError`` si el puerto
        está ocupado en 127.0.0.1."""
        try:
            for direccion in self._direcciones:
                try:
                    servidor = _Servidor((direccion, self.puerto), self)
                except OSError as exc:
                    if (
                        direccion == "::1"
                        and self._ipv6_opcional
                        and self._servidores
                        and exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT, errno.EADDRINUSE)
                    ):
                        _log.warning("API local sin ::1 (%s); sólo en 127.0.0.1", exc)
                        continue
                    raise
                self.puerto = servidor.server_address[1]
                self._servidores.append(servidor)
            self.vigia = eventos.Vigia(self.agente)
        except BaseException:
            self.cerrar()
            raise
        for servidor in self._servidores:
            hilo = threading.Thread(
                target=servidor.serve_forever,
                kwargs={"poll_interval": 0.5},
                name=f"api-local-{servidor.server_address[0]}",
                daemon=True,
            )
            hilo.start()
            self._hilos.append(hilo)
        _log.info("API local en %s", ", ".join(self.escuchando))
        return self

    def cerrar(self) -> None:
        if self.vigia is not None:
            self.vigia.cerrar()
            self.vigia = None
        for servidor in self._servidores:
            if self._hilos:
                servidor.shutdown()
            servidor.server_close()
        for hilo in self._hilos:
            hilo.join(5)
        self._servidores, self._hilos = [], []
        self.idempotencia.cerrar()

    def __enter__(self) -> ServidorApiLocal:
        return self

    def __exit__(self, *excepcion: object) -> None:
        self.cerrar()


class _Manejador(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sincro-api-local"
    disable_nagle_algorithm = True  # una respuesta no espera al ACK de la anterior
    wbufsize = 64 * 1024  # cabeceras y cuerpo en un solo envío (http.server vacía al acabar)
    timeout = 120
    server: _Servidor

    # -- despacho ----------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._atender("GET")

    def do_POST(self) -> None:
        self._atender("POST")

    def do_OPTIONS(self) -> None:
        self._atender("OPTIONS")

    def do_PUT(self) -> None:
        self._atender("PUT")

    def do_DELETE(self) -> None:
        self._atender("DELETE")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Los errores que detecta ``http.server`` (línea de petición mala, cabeceras
        enormes, método desconocido) también en JSON de una línea."""
        self.close_connection = True
        texto = message or self.responses.get(code, ("Error",))[0]
        self._json(code, {"error": f"Petición HTTP no válida: {texto}."})

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, formato: str, *args: Any) -> None:
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("%s %s", self.address_string(), formato % args)

    def _atender(self, metodo: str) -> None:
        api = self.server.api
        try:
            partes = urlsplit(self.path)
            ruta = partes.path
            self._comprobar_host_y_origen()
            if metodo == "OPTIONS":
                raise RespuestaHttp(
                    405, "La API local no admite CORS ni OPTIONS.", {"Allow": "GET, POST"}
                )
            if ruta == "/v1/salud":
                self._solo(metodo, "GET")
                from agente import __version__

                self._json(200, {"estado": "ok", "version": __version__})
                return
            if not api.token.valido(self.headers.get("Authorization")):
                raise RespuestaHttp(
                    401,
                    "Falta el token o no es válido: envíe «Authorization: Bearer <token>»"
                    " con el contenido de api-local.token.",
                    {"WWW-Authenticate": "Bearer"},
                )
            if ruta == "/v1/eventos":
                self._solo(metodo, "GET")
                self._eventos(api)
                return
            estado, cuerpo, cabeceras = self._ruta(api, metodo, ruta, partes.query)
            self._json(estado, cuerpo, cabeceras)
        except RespuestaHttp as exc:
            self._json(exc.estado, {"error": exc.mensaje}, exc.cabeceras)
        except _ERRORES_400 as exc:
            self._json(400, {"error": " ".join(str(exc).split())})
        except ErrorIdempotencia as exc:
            self._json(422, {"error": str(exc)})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except (sqlite3.Error, OSError, Exception):
            _log.exception("Fallo interno en la API local: %s %s", metodo, self.path)
            self._json(
                500,
                {
                    "error": "Fallo interno de Sincro; la traza está en el registro. "
                    "Nada se ha encolado si no se confirmó."
                },
            )

    def _ruta(
        self, api: ServidorApiLocal, metodo: str, ruta: str, consulta: str
    ) -> tuple[int, Any, dict[str, str]]:
        agente = api.agente
        if ruta == "/v1/buscar":
            self._solo(metodo, "GET")
            parametros = parse_qs(consulta, keep_blank_values=True)
            texto = _parametro(parametros, "texto")
            if texto is None or not texto.strip():
                raise RespuestaHttp(400, "Falta «texto» (código de barras o palabras).")
            modelo = _parametro(parametros, "modelo") or None
            limite = _entero(_parametro(parametros, "limite"), "limite", 20, MAX_LIMITE_BUSQUEDA)
            return 200, {"resultados": agente.buscar(texto, modelo=modelo, limite=limite)}, {}
        encontrado = re.fullmatch(r"/v1/obtener/([^/]+)/([^/]+)", ruta)
        if encontrado:
            self._solo(metodo, "GET")
            modelo, objeto = unquote(encontrado[1]), unquote(encontrado[2])
            datos = agente.obtener(modelo, objeto)
            if datos is None:
                raise RespuestaHttp(404, f"No hay {modelo} {objeto} en esta terminal.")
            return 200, {"modelo": modelo, "id": objeto, "datos": datos}, {}
        if ruta == "/v1/vender":
            self._solo(metodo, "POST")
            cuerpo = self._leer_json(api)
            clave = self.headers.get("Idempotency-Key")
            respuesta, repetida = ventas.vender(agente, cuerpo, clave, api.idempotencia)
            cabeceras = {"Idempotency-Replayed": "true"} if repetida else {}
            return 201, respuesta, cabeceras
        if ruta == "/v1/encolar":
            self._solo(metodo, "POST")
            cuerpo = self._leer_json(api)
            lista = cuerpo if isinstance(cuerpo, list) else [cuerpo]
            if not lista:
                raise RespuestaHttp(400, "La lista de operaciones está vacía.")
            operaciones = agente.encolar_varias(lista)
            return 201, {"operaciones": [op.a_dict() for op in operaciones]}, {}
        if ruta == "/v1/estado":
            self._solo(metodo, "GET")
            return 200, ventas.estado_caja(agente), {}
        raise RespuestaHttp(404, f"No existe {ruta}: vea docs/api-local.yaml.")

    # -- comprobaciones ----------------------------------------------------------------------

    def _solo(self, metodo: str, permitido: str) -> None:
        if metodo != permitido:
            raise RespuestaHttp(
                405, f"Use {permitido} en {urlsplit(self.path).path}.", {"Allow": permitido}
            )

    def _comprobar_host_y_origen(self) -> None:
        puerto = self.server.server_address[1]
        locales = {f"{n}:{puerto}" for n in _NOMBRES_LOCALES} | set(_NOMBRES_LOCALES)
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in locales:
            raise RespuestaHttp(
                403,
                "Host no permitido: la API local sólo atiende a "
                f"127.0.0.1:{puerto}, localhost:{puerto} o [::1]:{puerto}.",
            )
        origen = self.headers.get("Origin")
        if origen is not None and origen.strip().lower() not in {f"http://{n}" for n in locales}:
            raise RespuestaHttp(
                403,
                "Origen no permitido: la API local no admite peticiones "
                "de páginas de otros orígenes (sin CORS).",
            )

    def _leer_json(self, api: ServidorApiLocal) -> Any:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise RespuestaHttp(411, "Envíe el cuerpo con Content-Length (sin «chunked»).")
        texto_largo = self.headers.get("Content-Length")
        try:
            largo = int(texto_largo) if texto_largo is not None else -1
        except ValueError:
            largo = -1
        if largo < 0:
            self.close_connection = True
            raise RespuestaHttp(411, "Falta Content-Length o no es un número.")
        if largo > api.limite_cuerpo:
            self.close_connection = True  # el cuerpo no se lee: la conexión no se reutiliza
            raise RespuestaHttp(
                413, f"El cuerpo ocupa {largo} bytes; el máximo es {api.limite_cuerpo}."
            )
        crudo = self.rfile.read(largo)
        try:
            return json.loads(crudo.decode("utf-8"))
        except UnicodeDecodeError:
            raise RespuestaHttp(400, "El cuerpo no está en UTF-8.") from None
        except json.JSONDecodeError as exc:
            raise RespuestaHttp(400, f"El cuerpo no es JSON válido ({exc.msg}).") from None
        except RecursionError:
            raise RespuestaHttp(400, "El cuerpo anida demasiadas listas u objetos.") from None

    # -- respuestas --------------------------------------------------------------------------

    def _cabeceras_comunes(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")

    def _json(self, estado: int, cuerpo: Any, cabeceras: dict[str, str] | None = None) -> None:
        datos = json.dumps(cuerpo, ensure_ascii=False, default=str).encode("utf-8")
        try:
            self.send_response(estado)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(datos)))
            self._cabeceras_comunes()
            for nombre, valor in (cabeceras or {}).items():
                self.send_header(nombre, valor)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(datos)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _eventos(self, api: ServidorApiLocal) -> None:
        vigia = api.vigia
        if vigia is None:
            raise RespuestaHttp(503, "La API local se está cerrando.")
        cola, inicial = vigia.suscribir()
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self._cabeceras_comunes()
            self.send_header("Connection", "close")
            self.end_headers()
            self._evento(
                "estado",
                {
                    "conexion": inicial["conexion"],
                    "conflictos_abiertos": len(inicial["conflictos"]),
                    "lista_para_vender_offline": inicial["lista_para_vender_offline"],
                },
            )
            while True:
                try:
                    nombre, datos = cola.get(timeout=LATIDO_S)
                except queue.Empty:
                    if not vigia.suscrito(cola):
                        return  # no leía y se le descartó: que vuelva a conectarse
                    self.wfile.write(b": latido\n\n")
                    self.wfile.flush()
                    continue
                if (nombre, datos) == eventos.FIN:
                    return
                self._evento(nombre, datos)
        except (BrokenPipeError, ConnectionResetError, OSError):
            return
        finally:
            vigia.desuscribir(cola)

    def _evento(self, nombre: str, datos: dict[str, Any]) -> None:
        texto = json.dumps(datos, ensure_ascii=False, default=str)
        self.wfile.write(f"event: {nombre}\ndata: {texto}\n\n".encode())
        self.wfile.flush()


def _parametro(parametros: dict[str, list[str]], nombre: str) -> str | None:
    valores = parametros.get(nombre)
    return valores[-1] if valores else None


def _entero(texto: str | None, nombre: str, por_defecto: int, maximo: int) -> int:
    if texto is None or texto == "":
        return por_defecto
    try:
        valor = int(texto)
    except ValueError:
        raise RespuestaHttp(400, f"«{nombre}» debe ser un entero, no «{texto}».") from None
    if not 1 <= valor <= maximo:
        raise RespuestaHttp(400, f"«{nombre}» debe estar entre 1 y {maximo}.")
    return valor
