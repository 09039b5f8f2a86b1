"""Descarga incremental: central -> caché, modelo a modelo y página a página.

- Esquema: ``GET /v1/esquema`` en cada pase; se guarda en la caché (para arrancar sin red) y se
  da a la cola (orden de envío). Un modelo cuya ``huella`` cambió se resincroniza entero.
- Orden: críticos primero (``Esquema.en_orden_de_descarga``); "lista para vender offline" sólo
  cuando todos los críticos están completos.
- Cada página se aplica en UNA transacción de la caché junto con su cursor
  (``Cache.aplicar_pagina``): un ``kill -9`` deja la caché en una página entera o en la
  anterior, y la siguiente descarga sigue desde el cursor guardado.
- 410 (cursor caducado), cursor rechazado (400 ``cursor_invalido``, 414) o absurdo (más de
  ``LARGO_MAXIMO_CURSOR`` caracteres: nunca se guarda) o huella cambiada: resincronización
  completa en una tabla sombra y cambio atómico (``Cache.iniciar_reconstruccion`` /
  ``terminar_reconstruccion``). Si la central vuelve a fallar así durante la resincronización,
  el modelo se deja como estaba para el próximo pase (con un aviso). Las operaciones de la
  cola no se tocan: la vista optimista las sigue aplicando encima.
- Primera descarga y resincronización: si la central lo anuncia en el esquema
  (``"instantaneas": true``), se empieza con ``GET /v1/instantanea`` (todo el modelo en una
  respuesta gzip); si no la sirve (404), por páginas. Se valida y aplica a la tabla sombra en
  trozos de ``tamano_pagina`` filas, y su cursor se guarda con el cambio atómico del final.
- Cada pase está acotado: como mucho ``paginas_por_pase`` páginas por modelo, y una página
  con ``hay_mas`` cuyo cursor no avanza corta ese modelo; en ambos casos lo aplicado queda
  aplicado, el pase sigue con los demás modelos (y el bucle vuelve a empujar) y
  ``ResumenDescarga.avisos`` dice por qué.
- Un modelo que falta en el esquema de la central se conserva (obsoleto) hasta que la central
  confirme que lo quitó (``Cache.guardar_esquema``); no se pide a la central mientras tanto.
- Detección temprana: si una página trae un cambio central de un objeto con una
  operación ``actualizar``/``borrar`` pendiente (aún no enviada) basada en una versión anterior,
  se fusiona ya con las reglas (``Conflictos.tratar``): resuelta se reencola contra la versión
  nueva; si no, queda en ``CONFLICTO`` para el encargado sin llegar a enviarse.

Hilos: ``descargar`` se llama desde UN hilo (el del sincronizador). La red va fuera de los
cerrojos; la caché y la cola serializan sus escrituras.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from agente.almacen.cola import Cola
from agente.almacen.conflictos import Conflictos
from agente.operacion import PENDIENTE
from agente.sincronizacion.cliente import (
    Cliente,
    CursorExpirado,
    CursorRechazado,
    SinInstantanea,
    validador_de_datos,
)
from agente.sincronizacion.errores import comprobar_identidad
from agente.soporte import registro
from protocolo.esquema import ConfigModelo, Esquema

_log = logging.getLogger(__name__)


@dataclass
class ResumenDescarga:
    filas: int = 0
    paginas: int = 0
    modelos: list[str] = field(default_factory=list)
    resincronizados: list[str] = field(default_factory=list)
    fusiones_tempranas: int = 0
    conflictos_tempranos: int = 0
    lista_para_vender_offline: bool = False
    avisos: list[str] = field(default_factory=list)
    """Por qué un modelo quedó a medias en este pase (se sigue en el próximo)."""


LARGO_MAXIMO_CURSOR = 1024
PAGINAS_POR_PASE = 1000


class _Cortado(Exception):
    """Este modelo se deja para el próximo pase (lo aplicado queda aplicado)."""


class Detenido(Exception):
    """Se pidió parar entre dos páginas (lo aplicado queda aplicado con su cursor)."""


class Descarga:
    """Descarga de una terminal (ver docstring del módulo)."""

    def __init__(
        self,
        cache: Any,
        cola: Cola,
        conflictos: Conflictos,
        cliente: Cliente,
        *,
        tamano_pagina: int = 5000,
        paginas_por_pase: int = PAGINAS_POR_PASE,
        instantanea: bool = True,
    ) -> None:
        self.cache = cache
        self.cola = cola
        self.conflictos = conflictos
        self.cliente = cliente
        self.tamano_pagina = tamano_pagina
        self.paginas_por_pase = max(1, paginas_por_pase)
        self.instantanea = instantanea
        """Usar ``/v1/instantanea`` en las descargas completas si la central la anuncia."""
        self._central_instantaneas = False

    # -- esquema ---------------------------------------------------------------------------

    def actualizar_esquema(self, tienda: str | None = None, terminal: str | None = None) -> Esquema:
        """Pide el esquema, lo guarda en la caché y lo da a la cola. Con ``tienda`` y
        ``terminal``, antes comprueba que el token sea de esa terminal (``IdentidadAjena``)."""
        recibido, cuerpo = self.cliente.esquema()
        if tienda is not None and terminal is not None:
            comprobar_identidad(cuerpo, tienda, terminal)
        self._central_instantaneas = cuerpo.get("instantaneas") is True
        esquema = self.cache.guardar_esquema(recibido)  # con los modelos conservados
        self.cola.configurar_modelos(esquema.modelos.values())
        return esquema

    # -- descarga --------------------------------------------------------------------------

    def descargar(
        self,
        esquema: Esquema,
        modelos: Iterable[str] | None = None,
        detener: threading.Event | None = None,
    ) -> ResumenDescarga:
        """Descarga todos los modelos (o ``modelos``) hasta el final. Lanza ``ErrorSincro``
        si la red falla (lo aplicado queda aplicado) o ``Detenido``."""
        resumen = ResumenDescarga()
        pedidos = set(modelos) if modelos is not None else None
        obsoletos = self.cache.modelos_obsoletos()
        for config in esquema.en_orden_de_descarga():
            if pedidos is not None and config.nombre not in pedidos:
                continue
            if config.nombre in obsoletos:
                continue
            try:
                self._descargar_modelo(config, resumen, detener)
            except _Cortado as corte:
                resumen.avisos.append(f"{config.nombre}: {corte}")
                registro.registrar_evento(
                    "descarga_cortada", logging.WARNING, modelo=config.nombre, motivo=str(corte)
                )
                continue
            resumen.modelos.append(config.nombre)
        resumen.lista_para_vender_offline = self.cache.lista_para_vender_offline(esquema)
        return resumen

    def resincronizar(
        self, config: ConfigModelo, detener: threading.Event | None = None
    ) -> ResumenDescarga:
        """Tira la caché de ``config`` y la descarga entera, por el mismo camino que tras un 410
        (tabla sombra y cambio atómico). Lo pide la central (``agente.sincronizacion.acciones``).
        """
        resumen = ResumenDescarga()
        self._reconstruir(config, resumen, detener, "pedido desde la central")
        return resumen

    def _descargar_modelo(
        self, config: ConfigModelo, resumen: ResumenDescarga, detener: threading.Event | None
    ) -> None:
        estado = self.cache.estado_modelo(config.nombre, contar=False)
        if estado["reconstruyendo"] or not estado["huella_al_dia"]:
            self._reconstruir(
                config,
                resumen,
                detener,
                "la configuración del modelo cambió"
                if not estado["huella_al_dia"]
                else "reanudar la descarga completa",
            )
            return
        if not estado["completo"]:
            # Primera descarga: a la tabla sombra y cambio atómico al terminar (una descarga
            # interrumpida se reanuda desde su cursor, sin servir un catálogo a medias).
            self._reconstruir(config, resumen, detener, "primera descarga")
            return
        try:
            self._paginas(config, estado["cursor"], resumen, detener)
        except CursorRechazado as exc:
            self._reconstruir(config, resumen, detener, f"cursor rechazado ({exc})")
        except CursorExpirado:
            self._reconstruir(config, resumen, detener, "el cursor caducó en la central")

    def _reconstruir(
        self,
        config: ConfigModelo,
        resumen: ResumenDescarga,
        detener: threading.Event | None,
        motivo: str,
    ) -> None:
        registro.registrar_evento("descarga_completa", modelo=config.nombre, motivo=motivo)
        cursor = self.cache.iniciar_reconstruccion(config.nombre)
        try:
            cursor = self._completa(config, cursor, resumen, detener)
        except CursorExpirado:
            # El cursor de una reconstrucción interrumpida también caduca: de cero, una vez.
            self.cache.cancelar_reconstruccion(config.nombre)
            cursor = self.cache.iniciar_reconstruccion(config.nombre)
            try:
                cursor = self._completa(config, cursor, resumen, detener)
            except CursorExpirado as exc:
                self.cache.cancelar_reconstruccion(config.nombre)
                raise _Cortado(
                    f"la central rechaza sus propios cursores ({exc}); se "
                    "reintentará la descarga completa en el próximo pase"
                ) from None
        self.cache.terminar_reconstruccion(config.nombre, cursor)
        if motivo != "primera descarga":
            resumen.resincronizados.append(config.nombre)

    def _completa(
        self,
        config: ConfigModelo,
        cursor: str | None,
        resumen: ResumenDescarga,
        detener: threading.Event | None,
    ) -> str | None:
        """Descarga completa a la tabla sombra desde ``cursor``: por la instantánea si se
        empieza de cero y la central la sirve; si no, por páginas. De cero, la sombra se vacía
        antes: una instantánea interrumpida deja filas sin cursor que no deben quedarse."""
        if cursor is None:
            self.cache.cancelar_reconstruccion(config.nombre)
            self.cache.iniciar_reconstruccion(config.nombre)
        if cursor is None and self.instantanea and self._central_instantaneas:
            try:
                return self._instantanea(config, resumen, detener)
            except SinInstantanea:
                pass  # la central no la sirve para este modelo
        return self._paginas(config, cursor, resumen, detener)

    def _instantanea(
        self, config: ConfigModelo, resumen: ResumenDescarga, detener: threading.Event | None
    ) -> str:
        """La instantánea a la tabla sombra en trozos de ``tamano_pagina`` filas (cada uno
        validado y en su transacción, sin cursor); devuelve su cursor, que se guarda al cambiar
        las tablas. Interrumpida, la sombra queda sin cursor y la próxima vez se empieza de
        cero (``_completa`` la vacía), nunca encima de filas de otra instantánea."""
        cabecera, paginas = self.cliente.instantanea(
            config.nombre, validador_de_datos(config), self.tamano_pagina
        )
        if len(cabecera.cursor) > LARGO_MAXIMO_CURSOR:
            raise CursorRechazado(
                f"la central envió un cursor de {len(cabecera.cursor)} caracteres (máximo "
                f"{LARGO_MAXIMO_CURSOR}); no se guarda"
            )
        for pagina in paginas:
            if detener is not None and detener.is_set():
                raise Detenido()
            if pagina.cambios:
                self._detectar_conflictos(config, pagina.cambios, resumen)
            self.cache.aplicar_pagina(config.nombre, pagina.cambios, None)
            resumen.filas += len(pagina.cambios)
            resumen.paginas += 1
        return cabecera.cursor

    def _paginas(
        self,
        config: ConfigModelo,
        cursor: str | None,
        resumen: ResumenDescarga,
        detener: threading.Event | None,
    ) -> str | None:
        """Descarga páginas desde ``cursor`` hasta el final; devuelve el último cursor.

        La página siguiente se pide (y se decodifica y valida) en un hilo mientras se aplica la
        actual: la red y la escritura en SQLite se solapan. Pedir por adelantado sólo lee; si
        algo falla o se pide parar, la página adelantada se descarta."""
        validar = validador_de_datos(config)

        def pedir(desde: str | None) -> Any:
            pagina = self.cliente.cambios(config.nombre, desde, self.tamano_pagina, validar)
            if len(pagina.cursor) > LARGO_MAXIMO_CURSOR:
                raise CursorRechazado(
                    f"la central envió un cursor de {len(pagina.cursor)} caracteres (máximo "
                    f"{LARGO_MAXIMO_CURSOR}); no se guarda"
                )
            return pagina

        paginas = 0
        with cf.ThreadPoolExecutor(1, thread_name_prefix="sincro-descarga") as ex:
            futuro = ex.submit(pedir, cursor)
            try:
                while True:
                    pagina = futuro.result()
                    paginas += 1
                    atascado = pagina.hay_mas and pagina.cursor == cursor
                    seguir = pagina.hay_mas and not atascado and paginas < self.paginas_por_pase
                    if seguir:
                        futuro = ex.submit(pedir, pagina.cursor)
                    if detener is not None and detener.is_set():
                        raise Detenido()
                    if pagina.cambios:
                        self._detectar_conflictos(config, pagina.cambios, resumen)
                    self.cache.aplicar_pagina(config.nombre, pagina.cambios, pagina.cursor)
                    resumen.filas += len(pagina.cambios)
                    resumen.paginas += 1
                    cursor = pagina.cursor
                    if not pagina.hay_mas:
                        return cursor
                    if atascado:
                        raise _Cortado(
                            "la central repite el mismo cursor con «hay_mas»; se "
                            "deja para el próximo pase"
                        )
                    if not seguir:
                        raise _Cortado(
                            f"{paginas} páginas en este pase (el máximo); se sigue en el próximo"
                        )
            except BaseException:
                futuro.cancel()
                raise

    # -- detección temprana ----------------------------------------------------------------

    def _detectar_conflictos(
        self, config: ConfigModelo, cambios: list[dict[str, Any]], resumen: ResumenDescarga
    ) -> None:
        if not self.cola.listar(PENDIENTE, config.nombre, limite=1):
            return
        pendientes = self.cola.sin_confirmar_de(config.nombre, (c["id"] for c in cambios))
        if not pendientes:
            return
        for cambio in cambios:
            for op in pendientes.get(cambio["id"], ()):
                if (
                    op.estado != PENDIENTE
                    or op.intentos > 0
                    or op.tipo not in ("actualizar", "borrar")
                    or (op.version_base is not None and cambio["version"] <= op.version_base)
                ):
                    continue
                central = None if cambio.get("borrado") else cambio["datos"]
                estado, _ = self.conflictos.tratar(
                    op,
                    config,
                    version=cambio["version"],
                    central=central,
                    modificado_en=cambio.get("modificado_en"),
                    estados=(PENDIENTE,),
                    origen="descarga",
                )
                if estado == "conflicto":
                    resumen.conflictos_tempranos += 1
                elif estado in ("reencolada", "completada"):
                    resumen.fusiones_tempranas += 1
