"""Instantánea del catálogo para la primera descarga: ``GET /v1/instantanea?modelo=M``.

Es exactamente la descarga completa de un modelo por páginas (``central.descarga``, cursor
``""``) guardada ya hecha y comprimida con gzip: las mismas filas (vigentes, sin lápidas, por
``id``), los mismos bytes por fila y el mismo cursor final (``orden.final`` de la marca de su
instantánea de lectura). Servirla cuesta leer un fichero: nada por fila.

- **Una por modelo y ámbito**: los modelos públicos tienen una para toda la cadena; los
  ``privado_por_tienda``, una por tienda (sólo con las filas de esa tienda).
- **Construcción**: UNA sentencia SQL (``descarga._consulta``), así que filas y marca salen de
  la misma instantánea de lectura; en PostgreSQL, la marca de agua de ``central.orden``. Lo que
  confirme después (o durante) queda por encima del cursor y lo entrega la siguiente descarga
  incremental: nunca se salta nada ni se sirve fuera de orden.
- **Vigencia**: se reconstruye cuando el registro avanzó (el mayor ``id`` vigente del modelo
  en su ámbito ya no es el que tenía al construirla), cuando el horizonte de retención pasó su
  cursor o cuando cambió la configuración del modelo; pero no antes de
  ``SINCRO_INSTANTANEA_VIGENCIA_S`` segundos (30 por defecto) desde la anterior: durante una
  apertura con escrituras en curso no se reconstruye en cada petición. Servir una algo vieja es
  correcto: su cursor hace que la descarga incremental traiga lo posterior.
- **Una sola construcción a la vez**: un cerrojo de fichero (``flock``) por instantánea, que
  excluye hilos y procesos (workers de gunicorn) del mismo servidor; quien espera al cerrojo
  vuelve a mirar si ya está hecha antes de construir.
- **Tamaño**: si descomprimida supera ``SINCRO_INSTANTANEA_MAXIMA`` bytes (48 MB por defecto,
  por debajo del máximo que acepta la terminal), no se guarda y se responde 404
  ``instantanea_no_disponible``: la terminal descarga por páginas.

Disco: ``SINCRO_INSTANTANEAS_DIR`` (la demo: ``<datos>/instantaneas``; si no, un directorio
temporal por base de datos). Cada fichero es una línea JSON de cabecera y el gzip; se escribe
en un temporal y se sustituye con ``os.replace`` (atómico): un lector ve la vieja o la nueva,
nunca una a medias. Los ficheros se pueden borrar en cualquier momento: se reconstruyen.

Hilos: cualquier hilo; sin estado en memoria.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import io
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import descarga, orden
from .configuracion import ConfigModelo
from .models import RegistroCambio

registro = logging.getLogger("central.instantanea")

VIGENCIA_S = 30.0
MAXIMA = 48 * 1024 * 1024
_FILAS_POR_TROZO = 2000
_SIN_LIMITE = 2**62


@dataclass(frozen=True)
class Instantanea:
    """Una instantánea lista para servir: ``gzip`` es el cuerpo JSON comprimido."""

    gzip: bytes
    cursor: str
    filas: int
    bytes_json: int
    construccion: int
    """Cuántas veces se ha construido la de este modelo y ámbito (1 la primera)."""
    creada: float


class DemasiadoGrande(Exception):
    """Descomprimida pasaría de ``SINCRO_INSTANTANEA_MAXIMA``: se descarga por páginas."""


def _vigencia() -> float:
    return float(getattr(settings, "SINCRO_INSTANTANEA_VIGENCIA_S", VIGENCIA_S))


def _maxima() -> int:
    return int(getattr(settings, "SINCRO_INSTANTANEA_MAXIMA", MAXIMA))


def directorio() -> Path:
    elegido = getattr(settings, "SINCRO_INSTANTANEAS_DIR", None)
    if elegido:
        ruta = Path(elegido)
    else:
        base = connection.settings_dict
        huella = hashlib.sha256(
            repr(
                (connection.vendor, str(base.get("NAME")), base.get("HOST"), base.get("PORT"))
            ).encode()
        ).hexdigest()[:16]
        ruta = Path(tempfile.gettempdir()) / f"sincro-instantaneas-{huella}"
    ruta.mkdir(mode=0o700, parents=True, exist_ok=True)
    return ruta


def _ruta(config: ConfigModelo, ambito: str) -> Path:
    nombre = hashlib.sha256(f"{config.nombre}\0{ambito}".encode()).hexdigest()[:24]
    return directorio() / f"{config.nombre}-{nombre}.json.gz"


def _ultimo_id(config: ConfigModelo, ambito: str) -> int:
    """El mayor id vigente del modelo en su ámbito: si cambia, el registro avanzó (índice
    ``central_rc_vig_tienda``; los modelos públicos guardan ``tienda`` NULL)."""
    consulta = RegistroCambio.objects.filter(modelo=config.nombre, vigente=True)
    if config.privado_por_tienda:
        consulta = consulta.filter(tienda=ambito)
    else:
        consulta = consulta.filter(tienda__isnull=True)
    ultimo = consulta.order_by("-id").values_list("id", flat=True).first()
    return ultimo or 0


def _leer(ruta: Path) -> tuple[dict, bytes] | None:
    try:
        with open(ruta, "rb") as f:
            cabecera = json.loads(f.readline())
            return cabecera, f.read()
    except (OSError, ValueError):
        return None


def _al_dia(cabecera: dict, config: ConfigModelo, ultimo: int) -> bool:
    if cabecera.get("huella") != config.huella:
        return False
    try:
        if descarga.horizonte_superado([config], orden.leer(cabecera["cursor"])) is not None:
            return False
    except (orden.OtroMotor, KeyError):
        return False
    if cabecera.get("ultimo_id") == ultimo:
        return True
    return time.time() - float(cabecera.get("creada", 0)) < _vigencia()


def _desde(cabecera: dict, datos: bytes) -> Instantanea:
    if cabecera.get("demasiado_grande"):
        raise DemasiadoGrande()
    return Instantanea(
        gzip=datos,
        cursor=cabecera["cursor"],
        filas=cabecera["filas"],
        bytes_json=cabecera["bytes_json"],
        construccion=cabecera["construccion"],
        creada=cabecera["creada"],
    )


def obtener(config: ConfigModelo, tienda: str) -> Instantanea:
    """La instantánea de ``config`` para la tienda ``tienda`` (la construye si hace falta).
    ``DemasiadoGrande`` si no se sirve."""
    hecha = vigente(config, tienda)
    return hecha if hecha is not None else construir(config, tienda)


def vigente(config: ConfigModelo, tienda: str) -> Instantanea | None:
    """La guardada si sigue valiendo (sin cerrojos: leer un fichero); ``None`` si hay que
    construirla. ``DemasiadoGrande`` si la guardada dice que no se sirve."""
    ambito = tienda if config.privado_por_tienda else ""
    leido = _leer(_ruta(config, ambito))
    if leido is not None and _al_dia(leido[0], config, _ultimo_id(config, ambito)):
        return _desde(*leido)
    return None


def construir(config: ConfigModelo, tienda: str) -> Instantanea:
    """La construye, salvo que otro hilo o proceso la acabe de construir mientras se esperaba
    al cerrojo (entonces, la suya)."""
    ambito = tienda if config.privado_por_tienda else ""
    ruta = _ruta(config, ambito)
    with open(ruta.with_suffix(".cerrojo"), "a+b") as cerrojo:
        fcntl.flock(cerrojo, fcntl.LOCK_EX)  # hilos y procesos: una construcción a la vez
        try:
            leido = _leer(ruta)
            if leido is not None and _al_dia(leido[0], config, _ultimo_id(config, ambito)):
                return _desde(*leido)  # la construyó otro mientras se esperaba
            anterior = leido[0].get("construccion", 0) if leido is not None else 0
            return _desde(*_construir(config, tienda, ruta, anterior + 1))
        finally:
            fcntl.flock(cerrojo, fcntl.LOCK_UN)


def _construir(
    config: ConfigModelo, tienda: str, ruta: Path, construccion: int
) -> tuple[dict, bytes]:
    inicio = time.thread_time()
    # El id antes que las filas: una escritura entre medias hará reconstruir (nunca lo contrario).
    ultimo = _ultimo_id(config, tienda if config.privado_por_tienda else "")
    filas, marca, _ = descarga._consulta(
        [config], tienda, orden.INICIO, _SIN_LIMITE, por_fases=True
    )
    cuerpos = descarga._cuerpos(filas)
    cursor = orden.final(marca).texto()
    creada = time.time()
    cabecera = {
        "modelo": config.nombre,
        "huella": config.huella,
        "ultimo_id": ultimo,
        "cursor": cursor,
        "filas": len(cuerpos),
        "construccion": construccion,
        "creada": creada,
    }
    comprimida = io.BytesIO()
    descomprimida = 0
    try:
        with gzip.GzipFile(fileobj=comprimida, mode="wb", compresslevel=6, mtime=0) as z:
            for i in range(0, max(len(cuerpos), 1), _FILAS_POR_TROZO):
                inicio_trozo = '{"cambios":[' if i == 0 else ","
                trozo = (inicio_trozo + ",".join(cuerpos[i : i + _FILAS_POR_TROZO])).encode()
                descomprimida += len(trozo)
                if descomprimida > _maxima():
                    raise DemasiadoGrande()
                z.write(trozo)
            hora = timezone.now().isoformat()
            final = (
                f'],"cursor":{json.dumps(cursor)},"hay_mas":false,"completo":true,'
                f'"hora_servidor":"{hora}"}}'
            ).encode()
            descomprimida += len(final)
            z.write(final)
        datos = comprimida.getvalue()
        cabecera["bytes_json"] = descomprimida
    except DemasiadoGrande:
        datos = b""
        cabecera.update(demasiado_grande=True, bytes_json=descomprimida)
    temporal = ruta.with_name(f".{ruta.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(temporal, "wb") as f:
            f.write(json.dumps(cabecera).encode() + b"\n")
            f.write(datos)
            f.flush()
        os.replace(temporal, ruta)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporal.unlink()
    registro.info(
        "Instantánea de %s%s construida (nº %d): %d filas, %d bytes JSON, %d gzip, %.0f ms CPU",
        config.nombre,
        f" de {tienda}" if config.privado_por_tienda else "",
        construccion,
        len(cuerpos),
        descomprimida,
        len(datos),
        (time.thread_time() - inicio) * 1000,
    )
    return cabecera, datos
