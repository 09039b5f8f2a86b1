"""Configuración de la terminal (``config.json`` en el directorio de datos), sin secretos.

Guarda servidor, tienda, terminal, ``permitir_http``, intervalos, la concurrencia de empuje y
la hora de cierre de caja.
**Nunca el token**: va al llavero (``agente.sincronizacion.credenciales``); ``guardar`` se
niega a escribir cualquier clave que no conozca.

Política de URL (:func:`validar_servidor`): ``https`` siempre; ``http`` sólo hacia una dirección
de bucle local (``localhost``, ``127.0.0.0/8``, ``::1``) o si se pasa ``permitir_http``.

Durabilidad: ``guardar`` escribe a un fichero temporal, lo sincroniza y lo renombra encima
(atómico: un corte deja la versión anterior o la nueva, nunca media). Puro salvo
``cargar``/``guardar``; seguro desde cualquier hilo (los objetos son inmutables).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from agente.soporte import rutas


class ErrorConfiguracion(ValueError):
    """La configuración no es válida o falta. El mensaje dice qué hacer."""


_NOMBRE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_HORA = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def es_bucle_local(host: str) -> bool:
    """``True`` sólo si ``host`` es ``localhost`` mismo o una dirección de bucle local
    (127.0.0.0/8, ::1). Un nombre que termina en ``.localhost`` no lo es: lo resuelve el DNS
    que haya (``evil.localhost`` puede apuntar a cualquier sitio)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_http_permitido = False


def permitir_http_en_este_proceso() -> None:
    """La línea de órdenes de este proceso trae ``--permitir-http``: sólo entonces vale el
    ``permitir_http`` de ``config.json`` (un fichero editado no basta para enviar el token sin
    cifrar a una central que no es local)."""
    global _http_permitido
    _http_permitido = True


def http_permitido_en_este_proceso() -> bool:
    """Si este proceso se lanzó con ``--permitir-http`` (para pasarlo a sus hijos)."""
    return _http_permitido


def validar_servidor(url: str, permitir_http: bool = False) -> str:
    """Normaliza la URL base de la central (sin barra final) o lanza ``ErrorConfiguracion``."""
    if not isinstance(url, str) or not url.strip():
        raise ErrorConfiguracion(
            "Falta la URL del servidor (p. ej. https://central.ejemplo/sincro)."
        )
    url = url.strip().rstrip("/")
    partes = urlsplit(url)
    if partes.scheme not in ("http", "https") or not partes.hostname:
        raise ErrorConfiguracion(
            f"URL de servidor no válida: {url!r} (se espera https://servidor[:puerto]/ruta)."
        )
    if partes.username or partes.password:
        raise ErrorConfiguracion(
            "La URL del servidor no puede llevar usuario ni contraseña: el token va al llavero."
        )
    if partes.query or partes.fragment:
        raise ErrorConfiguracion(f"La URL del servidor no puede llevar «?» ni «#»: {url!r}.")
    if partes.scheme == "http" and not permitir_http and not es_bucle_local(partes.hostname):
        raise ErrorConfiguracion(
            f"La central {partes.hostname} usa http sin cifrar: use https, o --permitir-http "
            "si de verdad es una red de confianza."
        )
    return url


def validar_nombre(valor: Any, que: str) -> str:
    if not isinstance(valor, str) or not _NOMBRE.match(valor):
        raise ErrorConfiguracion(
            f"{que} no válido: {valor!r} (letras, dígitos, «_», «-» o «.», hasta 64)."
        )
    return valor


@dataclass(frozen=True)
class Configuracion:
    """Configuración de una terminal. Todos los tiempos en segundos."""

    servidor: str
    tienda: str
    terminal: str
    permitir_http: bool = False
    intervalo_descarga: float = 60.0
    """Cada cuánto se descarga mientras hay conexión."""
    espera_empuje: float = 0.3
    """Antirrebote: una operación encolada con conexión sale tras este tiempo (< 1 s)."""
    backoff_maximo: float = 60.0
    """Espera máxima entre intentos sin conexión."""
    concurrencia: int = 4
    """K: peticiones de lote simultáneas para objetos independientes."""
    tamano_lote: int = 1000
    """Operaciones por ``POST /v1/operaciones`` (el protocolo admite hasta 1000)."""
    tamano_pagina: int = 10000
    """Cambios por página de ``GET /v1/cambios``."""
    timeout: float = 30.0
    intervalo_verificacion: float = 3600.0
    """Cada cuánto se verifica la caché contra la central (sumas por cubos)."""
    hora_cierre: str | None = None
    """Hora local ``HH:MM`` a partir de la cual la bandeja ofrece el cierre de caja."""
    arranque_escalonado: float = 15.0
    """Espera al azar, entre 0 y esto, antes del primer pase del bucle: las cajas de una cadena
    que arrancan a la vez (corte de luz, apertura) no llegan a la central en el mismo segundo.
    ``0`` la desactiva; la variable de entorno ``SINCRO_ARRANQUE_ESCALONADO`` la sustituye."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "servidor", validar_servidor(self.servidor, self.permitir_http))
        validar_nombre(self.tienda, "Código de tienda")
        validar_nombre(self.terminal, "Nombre de terminal")
        for campo in (
            "intervalo_descarga",
            "espera_empuje",
            "backoff_maximo",
            "timeout",
            "intervalo_verificacion",
        ):
            valor = getattr(self, campo)
            if isinstance(valor, bool) or not isinstance(valor, int | float) or valor <= 0:
                raise ErrorConfiguracion(f"«{campo}» debe ser un número de segundos positivo.")
        escalonado = self.arranque_escalonado
        if (
            isinstance(escalonado, bool)
            or not isinstance(escalonado, int | float)
            or not (0 <= escalonado <= 3600)
        ):
            raise ErrorConfiguracion("«arranque_escalonado» debe ser de 0 a 3600 segundos.")
        if self.espera_empuje >= 1:
            raise ErrorConfiguracion("«espera_empuje» debe ser menor que 1 segundo.")
        if self.hora_cierre is not None and not _HORA.fullmatch(str(self.hora_cierre)):
            raise ErrorConfiguracion(
                f"«hora_cierre» debe ser HH:MM (p. ej. 21:30), no {self.hora_cierre!r}."
            )
        limites = (("concurrencia", 32), ("tamano_lote", 1000), ("tamano_pagina", 100000))
        for campo, maximo in limites:
            valor = getattr(self, campo)
            if isinstance(valor, bool) or not isinstance(valor, int) or not 1 <= valor <= maximo:
                raise ErrorConfiguracion(f"«{campo}» debe ser un entero entre 1 y {maximo}.")

    def a_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def con(self, **cambios: Any) -> Configuracion:
        return dataclasses.replace(self, **cambios)


_CLAVES = {f.name for f in dataclasses.fields(Configuracion)}


def desde_dict(datos: Any) -> Configuracion:
    if not isinstance(datos, dict):
        raise ErrorConfiguracion("config.json debe ser un objeto JSON.")
    desconocidas = set(datos) - _CLAVES
    if desconocidas:
        raise ErrorConfiguracion(
            f"config.json tiene claves desconocidas: {', '.join(sorted(desconocidas))}."
        )
    try:
        return Configuracion(**datos)
    except TypeError as exc:
        raise ErrorConfiguracion(f"config.json incompleto: {exc}.") from None


def cargar(directorio: str | os.PathLike[str]) -> Configuracion | None:
    """La configuración guardada, o ``None`` si la terminal aún no está configurada."""
    ruta = rutas.ruta_config(directorio)
    try:
        texto = ruta.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        datos = json.loads(texto)
    except ValueError as exc:
        raise ErrorConfiguracion(
            f"{ruta} no es JSON válido ({exc}); vuelva a ejecutar «sincro configurar»."
        ) from None
    if isinstance(datos, dict) and datos.get("permitir_http") and not _http_permitido:
        datos = {**datos, "permitir_http": False}
        servidor = datos.get("servidor")
        try:
            validar_servidor(servidor)
        except ErrorConfiguracion:
            raise ErrorConfiguracion(
                f"La central {servidor} usa http sin cifrar: además de config.json hace falta "
                "--permitir-http en la línea de órdenes (p. ej. «sincro sincronizar "
                "--permitir-http»)."
            ) from None
    return desde_dict(datos)


def exigir(directorio: str | os.PathLike[str]) -> Configuracion:
    config = cargar(directorio)
    if config is None:
        raise ErrorConfiguracion(
            "Esta terminal no está configurada: ejecute «sincro configurar --servidor URL "
            "--tienda CODIGO --terminal NOMBRE»."
        )
    return config


def guardar(directorio: str | os.PathLike[str], config: Configuracion) -> Path:
    """Escribe ``config.json`` de forma atómica y devuelve su ruta."""
    carpeta = rutas.asegurar_directorio(directorio)
    ruta = rutas.ruta_config(carpeta)
    texto = json.dumps(config.a_dict(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    descriptor, temporal = tempfile.mkstemp(prefix=".config-", suffix=".json", dir=carpeta)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as fichero:
            fichero.write(texto)
            fichero.flush()
            os.fsync(fichero.fileno())
        os.replace(temporal, ruta)
    except BaseException:
        Path(temporal).unlink(missing_ok=True)
        raise
    return ruta
