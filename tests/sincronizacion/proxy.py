"""Proxy HTTP de fallos en bucle local: reenvía a la central real o responde mal a propósito.

Sirve para probar el cliente real contra servidores que fallan (no simula nuestro código):
``modo`` decide qué hace con la próxima petición que encaje con ``ruta``:

- ``"pasar"``: reenvía a la central y devuelve su respuesta tal cual;
- ``"html"``: 502 con una página HTML de proxy;
- ``"json_roto"``: 200 ``application/json`` con un cuerpo que no es JSON;
- ``"tipos"``: reenvía y estropea los tipos de la respuesta (``version`` como cadena...);
- ``"cortar"``: reenvía (la central aplica) y corta la respuesta a mitad del cuerpo;
- ``"cortar_antes"``: corta la conexión sin reenviar nada;
- ``"429"``: 429 con ``Retry-After: 0``;
- ``"401"``: 401 JSON como el de la central.

``fallos`` dice cuántas peticiones seguidas reciben el fallo (luego vuelve a ``"pasar"``).
Hilos: un hilo por conexión (``ThreadingHTTPServer``); el estado se protege con un cerrojo.
"""

from __future__ import annotations

import http.client
import http.server
import json
import threading
from urllib.parse import urlsplit


class ProxyFallos:
    def __init__(self, destino: str) -> None:
        partes = urlsplit(destino)
        self.host_destino = partes.hostname
        self.puerto_destino = partes.port
        self.prefijo = partes.path.rstrip("/")
        self._cerrojo = threading.Lock()
        self.modo = "pasar"
        self.ruta = ""
        self.fallos = 0
        self.vistas: list[str] = []
        proxy = self

        class Manejador(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # silencio en las pruebas
                pass

            def do_GET(self):
                proxy._atender(self)

            def do_POST(self):
                proxy._atender(self)

        self.servidor = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Manejador)
        self.servidor.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.servidor.server_address[1]}{self.prefijo}"
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
            if self.fallos > 0 and self.ruta in ruta:
                self.fallos -= 1
                return self.modo
            return "pasar"

    def _reenviar(self, peticion) -> tuple[int, dict[str, str], bytes]:
        largo = int(peticion.headers.get("Content-Length") or 0)
        cuerpo = peticion.rfile.read(largo) if largo else None
        conexion = http.client.HTTPConnection(self.host_destino, self.puerto_destino, timeout=30)
        cabeceras = {k: v for k, v in peticion.headers.items()
                     if k.lower() in ("authorization", "content-type", "accept")}
        conexion.request(peticion.command, peticion.path, body=cuerpo, headers=cabeceras)
        respuesta = conexion.getresponse()
        datos = respuesta.read()
        tipo = respuesta.getheader("Content-Type", "")
        conexion.close()
        return respuesta.status, {"Content-Type": tipo}, datos

    def _responder(self, peticion, estado: int, cuerpo: bytes, tipo: str,
                   extra: dict[str, str] | None = None, cortar_en: int | None = None) -> None:
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

    def _atender(self, peticion) -> None:
        modo = self._modo_para(peticion.path)
        if modo == "cortar_antes":
            largo = int(peticion.headers.get("Content-Length") or 0)
            if largo:
                peticion.rfile.read(largo)
            peticion.close_connection = True
            peticion.connection.shutdown(2)
            return
        if modo == "html":
            largo = int(peticion.headers.get("Content-Length") or 0)
            if largo:
                peticion.rfile.read(largo)
            self._responder(peticion, 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                            "text/html")
            return
        if modo == "429":
            largo = int(peticion.headers.get("Content-Length") or 0)
            if largo:
                peticion.rfile.read(largo)
            self._responder(peticion, 429, b'{"error":"saturada","mensaje":"Espere"}',
                            "application/json", {"Retry-After": "0"})
            return
        if modo == "401":
            largo = int(peticion.headers.get("Content-Length") or 0)
            if largo:
                peticion.rfile.read(largo)
            self._responder(peticion, 401, b'{"error":"no_autenticado","mensaje":"Token"}',
                            "application/json")
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
        else:
            self._responder(peticion, estado, cuerpo, tipo)
