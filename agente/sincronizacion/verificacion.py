"""Verificación de la caché contra la central y reparación de lo que difiera.

Por modelo: la caché suma sus filas por cubos (``Cache.sumas``, ``protocolo.verificacion``), la
central da las suyas (``GET /v1/verificacion``) y sólo los cubos distintos se vuelven a
descargar (``GET /v1/verificacion/filas``) y se sustituyen en la caché (``Cache.reparar``):
filas editadas o dañadas a espaldas de la terminal, que faltan o que sobran. Sin tocar los
cursores ni reconstruir el modelo.

Se lanza tras cada pase que reconstruyó algún modelo, cada ``intervalo_verificacion`` segundos
(una hora por defecto) y con ``sincro verificar``. Debe ir justo después de una descarga (la
caché al día): un cambio que llegue a la central entre medias sólo hace que su cubo se descargue
de más, nunca que se pierda nada.

El último informe se guarda en los ajustes de la cola (clave ``verificacion``): lo muestran
``sincro estado`` y la salud de la terminal en la central (``reparadas``, ``verificado_en``).

Hilos: la red va fuera de los cerrojos de la caché; lo llama el hilo que sincroniza.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import logging
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from protocolo import verificacion

if TYPE_CHECKING:  # el cliente (requests) se importa al verificar: leer el informe no lo paga
    from agente.almacen.cola import Cola
    from agente.sincronizacion.cliente import Cliente
    from protocolo.esquema import Esquema

_log = logging.getLogger(__name__)

CLAVE_AJUSTE = "verificacion"
CUBOS_POR_PETICION = 2000


@dataclass
class InformeModelo:
    modelo: str
    filas_locales: int = 0
    filas_central: int = 0
    cubos: int = 0
    cubos_distintos: int = 0
    filas_descargadas: int = 0
    reparadas: int = 0
    """Filas que estaban mal: distintas, que faltaban o que sobraban."""
    omitido: str | None = None


@dataclass
class Informe:
    verificado_en: str = ""
    segundos: float = 0.0
    modelos: list[InformeModelo] = field(default_factory=list)

    @property
    def reparadas(self) -> int:
        return sum(m.reparadas for m in self.modelos)

    def a_dict(self) -> dict[str, Any]:
        return {**asdict(self), "reparadas": self.reparadas}


def _canonico(datos: Any) -> str:
    return json.dumps(datos, ensure_ascii=False, separators=(",", ":"))


class Verificacion:
    def __init__(self, cache: Any, cola: Cola, cliente: Cliente) -> None:
        self.cache = cache
        self.cola = cola
        self.cliente = cliente

    def verificar(
        self,
        esquema: Esquema,
        modelos: list[str] | None = None,
        detener: threading.Event | None = None,
    ) -> Informe:
        inicio = time.monotonic()
        informe = Informe(verificado_en=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"))
        for config in esquema.en_orden_de_descarga():
            if modelos is not None and config.nombre not in modelos:
                continue
            if detener is not None and detener.is_set():
                break
            informe.modelos.append(self._modelo(config))
        informe.segundos = round(time.monotonic() - inicio, 3)
        self.cola.fijar_ajuste(CLAVE_AJUSTE, json.dumps(informe.a_dict()))
        return informe

    def _modelo(self, config: Any) -> InformeModelo:
        from agente.sincronizacion.cliente import validador_de_datos

        nombre = config.nombre
        resultado = InformeModelo(modelo=nombre)
        if self.cache.necesita_reconstruccion(nombre):
            resultado.omitido = "aún no se ha descargado entero"
            return resultado
        filas = self.cache.estado_modelo(nombre)["filas"] or 0
        cubos = verificacion.cubos_para(filas)
        # Las sumas de la central (red) mientras se calculan las locales (CPU).
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as hilo:
            pedidas = hilo.submit(self.cliente.sumas, nombre, cubos)
            locales, por_cubo = self.cache.sumas(nombre, cubos)
            central = pedidas.result()
        resultado.filas_locales = sum(n for n, _ in locales.values())
        resultado.filas_central = sum(n for n, _ in central.values())
        resultado.cubos = cubos
        distintos = sorted(
            c for c in set(locales) | set(central) if locales.get(c) != central.get(c)
        )
        resultado.cubos_distintos = len(distintos)
        validar = validador_de_datos(config)
        for i in range(0, len(distintos), CUBOS_POR_PETICION):
            trozo = distintos[i : i + CUBOS_POR_PETICION]
            servidas = self.cliente.filas_de_cubos(nombre, cubos, trozo, validar)
            resultado.filas_descargadas += len(servidas)
            ids_servidos = {c["id"] for c in servidas}
            locales_trozo = [oid for c in trozo for oid in por_cubo.get(c, ())]
            quitar = [oid for oid in locales_trozo if oid not in ids_servidos]
            antes = self.cache.filas_canonicas(nombre, locales_trozo)
            resultado.reparadas += len(quitar) + sum(
                1 for c in servidas if antes.get(c["id"]) != _canonico(c["datos"])
            )
            self.cache.reparar(nombre, servidas, quitar)
        if resultado.reparadas:
            _log.warning(
                "Verificación de %s: %d filas reparadas (%d cubos distintos).",
                nombre,
                resultado.reparadas,
                resultado.cubos_distintos,
            )
        return resultado


def ultimo_informe(cola: Cola) -> dict[str, Any] | None:
    """El último informe guardado (dict), o None si nunca se verificó."""
    texto = cola.ajuste(CLAVE_AJUSTE)
    if not texto:
        return None
    try:
        return json.loads(texto)
    except ValueError:
        return None
