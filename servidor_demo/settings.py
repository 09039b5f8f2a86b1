"""Ajustes del proyecto de demostración.

Variables de entorno:
- ``SINCRO_CENTRAL_DATOS``: directorio de datos (base SQLite, clave secreta). Lo fija ``--datos``.
- ``DATABASE_URL``: ``postgresql://usuario:clave@host:puerto/base``; si falta, SQLite.
- ``SINCRO_HOSTS``: ALLOWED_HOSTS separados por comas (por defecto ``*``: demo).
- ``SINCRO_DEBUG=1``: modo depuración de Django (nunca en producción).
- ``SINCRO_ORDEN_COMMIT``: ``marca`` (por defecto), ``cerrojo`` o ``sin_marca``; sólo para medir
  y para pruebas (ver ``central.orden``).
- ``SINCRO_SALUD_JSON``: umbrales de salud y webhook en JSON (``SINCRO_SALUD``, docs/central.md),
  p. ej. ``{"sin_contacto_rojo_min": 30, "webhook": "https://avisos.example/sincro"}``.
- ``SINCRO_PETICIONES_PESADAS``: peticiones caras a la vez por proceso antes de responder 429
  (por defecto, la mitad de los hilos por proceso; ``0``: sin límite). ``SINCRO_ESPERA_PESADA_S``:
  segundos que una de ellas espera plaza antes del 429 (1, entre 0 y 30; ``0``: 429 al momento).
- ``SINCRO_CODIGO_MINUTOS``: minutos de vida de un código de enrolamiento (30).
- ``SINCRO_INSTANTANEA_VIGENCIA_S``: segundos que una instantánea del catálogo se sigue sirviendo
  aunque el registro haya avanzado (30; ver ``central.instantanea``). Se guardan en
  ``<datos>/instantaneas``. ``SINCRO_INSTANTANEA_MAXIMA``: bytes sin comprimir por encima de
  los cuales no se sirve (48 MB).
"""

import json
import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

DATOS = Path(os.environ.get("SINCRO_CENTRAL_DATOS", "datos-central")).resolve()
DATOS.mkdir(mode=0o700, parents=True, exist_ok=True)


def _privado(carpeta: Path) -> None:
    """La carpeta de datos de la central (base SQLite con datos de clientes, clave secreta)
    sólo para su usuario: 0700 y sus ficheros sin permisos de grupo ni de otros (POSIX)."""
    if os.name == "nt":
        return
    for ruta in (carpeta, *carpeta.iterdir()):
        modo = ruta.stat().st_mode & 0o777
        if modo & 0o077 and not ruta.is_symlink():
            ruta.chmod(modo & ~0o077)


_privado(DATOS)


def _clave_secreta() -> str:
    if os.environ.get("SINCRO_SECRET_KEY"):
        return os.environ["SINCRO_SECRET_KEY"]
    fichero = DATOS / "clave-secreta"
    if not fichero.exists():
        descriptor = os.open(fichero, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return fichero.read_text().strip()


def base_de_datos(url: str | None, datos: Path) -> dict:
    """DATABASES["default"] desde DATABASE_URL (PostgreSQL) o SQLite en ``datos``."""
    if url:
        u = urlparse(url)
        if u.scheme not in ("postgres", "postgresql"):
            raise ValueError("DATABASE_URL: sólo postgresql://… está soportado.")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(u.path.lstrip("/")),
            "USER": unquote(u.username or ""),
            "PASSWORD": unquote(u.password or ""),
            "HOST": u.hostname or "",
            "PORT": str(u.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(datos / "central.sqlite3"),
        # Conexión persistente por hilo: con una conexión por petición, al cerrarse la última
        # SQLite hace un checkpoint completo del WAL justo cuando llega la petición siguiente
        # (la descarga que sigue a un lote de escrituras se pagaba ese checkpoint, y más cuanto
        # mayor la base). Con conexiones abiertas el checkpoint es el automático, dentro del
        # commit del lote que lo causa.
        "CONN_MAX_AGE": 600,
        "OPTIONS": {
            # Escritores serializados desde el BEGIN (sin errores «database is locked» al
            # promocionar una lectura), WAL para que las lecturas no esperen, y FULL porque un
            # resultado «aplicada» ya confirmado a una terminal no puede perderse.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        },
    }


SECRET_KEY = _clave_secreta()
DEBUG = os.environ.get("SINCRO_DEBUG") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("SINCRO_HOSTS", "*").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "central",
    "servidor_demo.productos",
    "servidor_demo.clientes",
    "servidor_demo.ventas",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "servidor_demo.urls"
WSGI_APPLICATION = "servidor_demo.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

SINCRO_ORDEN_COMMIT = os.environ.get("SINCRO_ORDEN_COMMIT", "marca")
SINCRO_SALUD = json.loads(os.environ.get("SINCRO_SALUD_JSON") or "{}")
SINCRO_CODIGO_MINUTOS = float(os.environ.get("SINCRO_CODIGO_MINUTOS") or 30)
SINCRO_INSTANTANEAS_DIR = DATOS / "instantaneas"
if os.environ.get("SINCRO_INSTANTANEA_VIGENCIA_S"):
    SINCRO_INSTANTANEA_VIGENCIA_S = float(os.environ["SINCRO_INSTANTANEA_VIGENCIA_S"])
if os.environ.get("SINCRO_INSTANTANEA_MAXIMA"):
    SINCRO_INSTANTANEA_MAXIMA = int(os.environ["SINCRO_INSTANTANEA_MAXIMA"])
if os.environ.get("SINCRO_PETICIONES_PESADAS"):
    SINCRO_PETICIONES_PESADAS = int(os.environ["SINCRO_PETICIONES_PESADAS"])
if os.environ.get("SINCRO_ESPERA_PESADA_S"):
    SINCRO_ESPERA_PESADA_S = float(os.environ["SINCRO_ESPERA_PESADA_S"])
DATABASES = {"default": base_de_datos(os.environ.get("DATABASE_URL"), DATOS)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "es"
TIME_ZONE = "Europe/Madrid"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
# El protocolo acepta lotes de hasta 5 MB (la vista lee el cuerpo ella misma).
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"consola": {"class": "logging.StreamHandler"}},
    "loggers": {"central": {"handlers": ["consola"], "level": "INFO"}},
}

MODELOS_SINCRONIZABLES = {
    "productos.Producto": {
        "clave": "id",
        "campos_esenciales": ["id", "nombre", "codigo", "precio", "categoria"],
        "campos_excluidos": ["descripcion", "imagen"],
        "campos_busqueda": ["nombre"],
        "campos_indice": ["codigo"],
        "critico": True,
        "estrategia_conflicto": "campo_a_campo",
        "reglas_por_campo": {"precio": "prioridad_central"},
        "prioridad": 10,
        "operaciones_permitidas": ["actualizar"],
        # Reglas de negocio por campo (además de las de cada columna: longitudes, decimales…).
        "restricciones": {
            # Nunca negativo y sólo lo fija la central: ninguna caja lo escribe (la terminal lo
            # rechaza al encolar y la central, si una caja se salta esa comprobación). Si algún
            # día una caja pudiera corregirlo, «prioridad_central» decide los conflictos.
            "precio": {"minimo": "0", "operaciones": []},
        },
    },
    # El stock de cada producto en cada tienda (protocolo.existencias): privado de la tienda,
    # así que una venta sólo se sirve a las cajas de la tienda que vendió. La clave
    # («T001:12») la calcula la caja; una fila por tienda y producto
    # (servidor_demo.productos.existencias).
    "productos.Existencia": {
        "clave": "id",
        "campos_esenciales": ["id", "tienda", "producto", "cantidad"],
        "campos_solo_lectura": ["tienda", "producto"],
        "estrategia_conflicto": "campo_a_campo",
        "reglas_por_campo": {"cantidad": "menor_valor"},
        "prioridad": 12,
        "operaciones_permitidas": ["actualizar", "ajustar"],
        # Sin «dependencias»: las cajas nunca crean productos ni existencias (las crea la
        # central), así que un ajuste no tiene que esperar a nada del catálogo; con Producto
        # como dependencia, un conflicto en el nombre de un producto retendría todos los ajustes
        # de stock de la caja.
        "privado_por_tienda": True,
        "restricciones": {
            # Recuento (actualizar) o venta/devolución (ajustar), con deltas acotados. Puede
            # quedar negativo: la sobreventa se registra para revisión.
            "cantidad": {
                "minimo": -1_000_000,
                "maximo": 1_000_000_000,
                "delta_minimo": -10_000,
                "delta_maximo": 10_000,
                "operaciones": ["actualizar", "ajustar"],
            },
        },
    },
    "clientes.Cliente": {
        "clave": "id",
        "campos_esenciales": ["id", "nombre", "nif", "email", "telefono", "puntos"],
        "campos_busqueda": ["nombre"],
        "campos_indice": ["nif"],
        "critico": True,
        "estrategia_conflicto": "ultima_modificacion",
        "reglas_por_campo": {"puntos": "mayor_valor"},
        "prioridad": 5,
        "operaciones_permitidas": ["crear", "actualizar"],
        "restricciones": {
            "puntos": {"minimo": 0, "maximo": 10_000_000},
        },
    },
    "ventas.Venta": {
        "clave": "id",
        "campos_esenciales": ["id", "tienda", "terminal", "cliente", "fecha", "total"],
        "campos_solo_lectura": ["tienda", "terminal"],
        "campo_terminal": "terminal",
        "estrategia_conflicto": "manual",
        "prioridad": 20,
        "operaciones_permitidas": ["crear"],
        "dependencias": ["clientes.Cliente"],
        "privado_por_tienda": True,
    },
    "ventas.LineaVenta": {
        "clave": "id",
        "campos_esenciales": ["id", "venta", "producto", "cantidad", "precio_unitario"],
        "estrategia_conflicto": "manual",
        "prioridad": 20,
        "operaciones_permitidas": ["crear"],
        "dependencias": ["ventas.Venta", "productos.Producto"],
        "privado_por_tienda": True,
        "restricciones": {
            "cantidad": {"minimo": 1, "maximo": 100_000},
            "precio_unitario": {"minimo": "0"},
        },
    },
}

# Conciliación de caja (``sincro-central conciliar``): dónde están las ventas del negocio. La
# clave, la tienda y la terminal se toman de MODELOS_SINCRONIZABLES si no se dan.
SINCRO_CONCILIACION = {
    "modelo": "ventas.Venta",
    "campo_total": "total",
    "campo_fecha": "fecha",
}
