"""Proxy HTTP de fallos en bucle local: reenvía a la central real o responde mal a propósito.

Sirve para probar el cliente real contra servidores que fallan (no simula nuestro código):
``modo`` decide qué hace con la próxima petición que encaje con ``ruta``:

- ``"pasar"``: reenvía a la central y devuelve su respuesta tal cual;
- ``"html"``: 502 con una página HTML de proxy;
- ``"json_roto"``: 200 ``application/json`` con un cuerpo que no es JSON;
- ``"tipos"``: reenvía y estropea los tipos de la respuesta (``version`` como cadena...);
- ``"cortar"``: reenvía (la central aplica) y corta la respuesta a mitad del cuerpo;
- ``"cortar_antes"``: corta la conexión sin reenviar nada;
- ``"429"``: 429 con ``Retry-After: 0`` (``"retry_after"``: 503 con ``Retry-After`` =
  ``self.retry_after``);
- ``"401"``: 401 JSON como el de la central;
- ``"413"``: 413 JSON (lote demasiado grande) sin reenviar;
- ``"reset"``: cierra la conexión con RST (``SO_LINGER`` 0) sin responder;
- ``"retraso"``: espera ``self.retraso`` segundos y luego reenvía;
- ``"goteo"``: reenvía y entrega el cuerpo byte a byte cada ``self.goteo`` segundos;
- ``"enorme"``: 200 JSON de ``self.tamano`` bytes (en trozos, sin tenerlo en memoria);
- ``"gzip_bomba"``: 200 JSON gzip de pocos KB que descomprimido ocupa ``self.tamano`` bytes;
- ``"hay_mas_sin_fin"``: la página de la central con ``hay_mas: true`` y el mismo cursor que
  se pidió (o ``"1"`` si no se pidió ninguno);
- ``"cursor_largo"``: la página de la central con un cursor de ``self.tamano`` caracteres;
- ``"sin_modelo"``: el esquema de la central sin el modelo ``self.modelo`` (ni los que
  dependen de él);
- ``"texto"``: reenvía y convierte cada resultado en un rechazo con ``self.texto`` de motivo.

``fallos`` dice cuántas peticiones seguidas reciben el fallo (luego vuelve a ``"pasar"``).
Hilos: un hilo por conexión (``ThreadingHTTPServer``); el estado se protege con un cerrojo.
"""

from __future__ import annotations

import functools
import http.client
import http.server
import json
import socket
import struct
import threading
import time
import zlib
from urllib.parse import parse_qs, urlsplit


@functools.lru_cache(maxsize=4)
def _bomba_gzip(tamano: int) -> bytes:
    """Un JSON gzip de ``tamano`` bytes descomprimido, comprimido por trozos (sin tenerlo
    nunca entero en memoria)."""
    compresor = zlib.compressobj(9, zlib.DEFLATED, 31)
    partes = [compresor.compress(b"[")]
    trozo = b" " * (1024 * 1024)
    for _ in range(tamano // len(trozo)):
        partes.append(compresor.compress(trozo))
    partes.append(compresor.compress(b"]") + compresor.flush())
    return b"".join(partes)


class ProxyFallos:
    def __init__(self, destino: str, escuchar: str = "127.0.0.1") -> None:
        partes = urlsplit(destino)
        self.host_destino = partes.hostname
        self.puerto_destino = partes.port
        self.prefijo = partes.path.rstrip("/")
        self._cerrojo = threading.Lock()
        self.modo = "pasar"
        self.ruta = ""
        self.fallos = 0
        self.vistas: list[str] = []
        self.momentos: list[tuple[float, str]] = []  # (time.monotonic(), ruta) de cada petición
        self.retry_after = "0"
        self.retraso = 0.0
        self.goteo = 0.5
        self.tamano = 1024 * 1024
        self.modelo = ""
        self.texto = ""
        proxy = self

        class Manejador(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # silencio en las pruebas
                pass

            def do_GET(self):
                proxy._atender(self)

            def do_POST(self):
                proxy._atender(self)

        self.servidor = http.server.ThreadingHTTPServer((escuchar, 0), Manejador)
        self.servidor.daemon_threads = True
        self.url = f"http://{escuchar}:{self.servidor.server_address[1]}{self.prefijo}"
        self._hilo = threading.Thread(target=self.servidor.serve_forever, daemon=True)
        self._hilo.start()

    def fallar(self, modo: str, ruta: str = "", fallos: int = 1) -> None:
        with self._cerrojo:
            self.modo, self.ruta, self.fallos = modo, ruta, fallos

    def cerrar(self) -> None:
        self.servidor.shutdown()
        self.servidor.server_close()

    def _modo_para(self, ruta: str) -> str:
        with self._cerrojo:
            self.vistas.append(ruta)
            self.momentos.append((time.monotonic(), ruta))
            if self.fallos > 0 and self.ruta in ruta:
                self.fallos -= 1
                return self.modo
            return "pasar"

    def _reenviar(self, peticion) -> tuple[int, dict[str, str], bytes]:
        largo = int(peticion.headers.get("Content-Length") or 0)
        cuerpo = peticion.rfile.read(largo) if largo else None
        conexion = http.client.HTTPConnection(self.host_destino, self.puerto_destino, timeout=30)
        cabeceras = {
            k: v
            for k, v in peticion.headers.items()
            if k.lower() in ("authorization", "content-type", "accept")
        }
        conexion.request(peticion.command, peticion.path, body=cuerpo, headers=cabeceras)
        respuesta = conexion.getresponse()
        datos = respuesta.read()
        tipo = respuesta.getheader("Content-Type", "")
        conexion.close()
        return respuesta.status, {"Content-Type": tipo}, datos

    def _responder(
        self,
        peticion,
        estado: int,
        cuerpo: bytes,
        tipo: str,
        extra: dict[str, str] | None = None,
        cortar_en: int | None = None,
    ) -> None:
        peticion.send_response(estado)
        peticion.send_header("Content-Type", tipo)
        peticion.send_header("Content-Length", str(len(cuerpo)))
        for clave, valor in (extra or {}).items():
            peticion.send_header(clave, valor)
        if cortar_en is not None:
            peticion.send_header("Connection", "close")
        peticion.end_headers()
        peticion.wfile.write(cuerpo if cortar_en is None else cuerpo[:cortar_en])
        peticion.wfile.flush()
        if cortar_en is not None:
            peticion.close_connection = True

    def _descartar_cuerpo(self, peticion) -> None:
        largo = int(peticion.headers.get("Content-Length") or 0)
        if largo:
            peticion.rfile.read(largo)

    def _extra(self, peticion, modo: str) -> bool:
        """Los modos añadidos para el conjunto de fallos; ``True`` si ya respondió."""
        if modo == "reset":
            self._descartar_cuerpo(peticion)
            peticion.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            peticion.close_connection = True
            peticion.connection.close()
            return True
        if modo == "413":
            self._descartar_cuerpo(peticion)
            self._responder(
                peticion, 413, b'{"error":"lote_grande","mensaje":"Demasiado"}', "application/json"
            )
            return True
        if modo == "retry_after":
            self._descartar_cuerpo(peticion)
            self._responder(
                peticion,
                503,
                b'{"error":"saturada","mensaje":"Espere"}',
                "application/json",
                {"Retry-After": self.retry_after},
            )
            return True
        if modo == "enorme":
            self._descartar_cuerpo(peticion)
            peticion.send_response(200)
            peticion.send_header("Content-Type", "application/json")
            peticion.send_header("Content-Length", str(self.tamano))
            peticion.end_headers()
            trozo = b" " * 65536
            enviados = 0
            try:
                while enviados < self.tamano:
                    parte = trozo[: min(len(trozo), self.tamano - enviados)]
                    peticion.wfile.write(parte)
                    enviados += len(parte)
            except OSError:
                pass  # el cliente cortó: es lo esperado
            peticion.close_connection = True
            return True
        if modo == "gzip_bomba":
            self._descartar_cuerpo(peticion)
            cuerpo = _bomba_gzip(self.tamano)
            self._responder(peticion, 200, cuerpo, "application/json", {"Content-Encoding": "gzip"})
            return True
        if modo == "404":  # una central sin esa ruta (anterior a ella)
            self._descartar_cuerpo(peticion)
            self._responder(peticion, 404, b"<h1>Not Found</h1>", "text/html")
            return True
        if modo == "responder":  # 200 con el cuerpo JSON de ``self.texto``
            self._descartar_cuerpo(peticion)
            self._responder(peticion, 200, self.texto.encode(), "application/json")
            return True
        if modo == "retraso":
            time.sleep(self.retraso)
            return False
        return False

    def _atender(self, peticion) -> None:
        modo = self._modo_para(peticion.path)
        if self._extra(peticion, modo):
            return
        if modo == "cortar_antes":
            self._descartar_cuerpo(peticion)
            peticion.close_connection = True
            peticion.connection.shutdown(2)
            return
        if modo == "html":
            self._descartar_cuerpo(peticion)
            self._responder(
                peticion, 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"
            )
            return
        if modo == "429":
            self._descartar_cuerpo(peticion)
            self._responder(
                peticion,
                429,
                b'{"error":"saturada","mensaje":"Espere"}',
                "application/json",
                {"Retry-After": "0"},
            )
            return
        if modo == "401":
            self._descartar_cuerpo(peticion)
            self._responder(
                peticion, 401, b'{"error":"no_autenticado","mensaje":"Token"}', "application/json"
            )
            return
        estado, cabeceras, cuerpo = self._reenviar(peticion)
        tipo = cabeceras.get("Content-Type", "application/json")
        if modo == "json_roto":
            self._responder(peticion, 200, b'{"resultados": [{"uuid": ', "application/json")
        elif modo == "tipos":
            datos = json.loads(cuerpo)
            for clave in ("resultados", "cambios"):
                for elemento in datos.get(clave, []):
                    if "version" in elemento:
                        elemento["version"] = str(elemento["version"])
            if "hay_mas" in datos:
                datos["hay_mas"] = "no"
            self._responder(peticion, estado, json.dumps(datos).encode(), tipo)
        elif modo == "cortar":
            self._responder(peticion, estado, cuerpo, tipo, cortar_en=max(1, len(cuerpo) // 2))
        elif modo == "goteo":
            peticion.send_response(estado)
            peticion.send_header("Content-Type", tipo)
            peticion.send_header("Content-Length", str(len(cuerpo)))
            peticion.end_headers()
            try:
                for i in range(len(cuerpo)):
                    peticion.wfile.write(cuerpo[i : i + 1])
                    peticion.wfile.flush()
                    time.sleep(self.goteo)
            except OSError:
                pass
            peticion.close_connection = True
        elif modo in ("hay_mas_sin_fin", "cursor_largo") and estado == 200:
            datos = json.loads(cuerpo)
            pedido = parse_qs(urlsplit(peticion.path).query).get("cursor", ["1"])[0]
            if modo == "hay_mas_sin_fin":
                datos["hay_mas"], datos["cursor"] = True, pedido
                if not datos["cambios"]:  # «hay_mas» exige cambios: una baja inofensiva
                    datos["cambios"] = [
                        {
                            "modelo": parse_qs(urlsplit(peticion.path).query)["modelos"][0],
                            "id": "00000000-0000-4000-8000-000000999999"
                            if "Producto" not in peticion.path
                            else "999999",
                            "version": 1,
                            "borrado": True,
                        }
                    ]
            else:
                datos["cursor"] = "9" * self.tamano
            self._responder(peticion, estado, json.dumps(datos).encode(), tipo)
        elif modo == "sin_modelo" and estado == 200:
            datos = json.loads(cuerpo)
            quitar = {self.modelo}
            while True:  # y los que dependen de él (si no, el esquema no sería válido)
                mas = {
                    n
                    for n, m in datos["modelos"].items()
                    if set(m.get("dependencias") or ()) & quitar
                } - quitar
                if not mas:
                    break
                quitar |= mas
            for nombre in quitar:
                datos["modelos"].pop(nombre, None)
            self._responder(peticion, estado, json.dumps(datos).encode(), tipo)
        elif modo == "texto" and estado == 200:
            datos = json.loads(cuerpo)
            datos["resultados"] = [
                {"uuid": r["uuid"], "resultado": "rechazada", "motivo": self.texto}
                for r in datos.get("resultados", [])
            ]
            self._responder(peticion, estado, json.dumps(datos).encode(), tipo)
        else:
            self._responder(peticion, estado, cuerpo, tipo)
