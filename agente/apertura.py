"""Abrir el directorio de datos de una terminal: lo que hace ``Agente.abrir`` antes y después
de construir la fachada.

Antes (``abrir_ficheros``): el directorio (creado y sólo para este usuario), la recuperación
de ficheros dañados (la caché se aparta, la cola se copia y se rescata con aviso), lo que un
proceso muerto dejó en vuelo de vuelta a PENDIENTE, y la poda de lo final ya auditado. Después
(``al_arrancar``): la tienda configurada en los ajustes de la cola y lo reciente del diario
verificado (un diario dañado se avisa, nunca se repara).

Hilos: se llama una vez, en el hilo que abre, antes de que nadie más use la cola o la caché.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from agente import caja
from agente.almacen import diario as almacen_diario
from agente.almacen.cache import Cache
from agente.almacen.cola import Cola
from agente.soporte import privado, rutas

if TYPE_CHECKING:
    from agente.fachada import Agente


def abrir_ficheros(
    directorio: str | os.PathLike[str] | None, *, recuperar: bool, dias_auditoria: float | None
) -> tuple[Path, Cola, Cache]:
    """El directorio de datos (``directorio`` > ``SINCRO_DATOS`` > el del usuario) con su
    cola y su caché abiertas. ``recuperar``: ficheros dañados apartados o rescatados y lo que
    dejó en vuelo un proceso muerto (nunca uno vivo) devuelto a PENDIENTE. Se podan las
    operaciones finales más antiguas que ``dias_auditoria`` (``None``: no podar)."""
    ruta = rutas.asegurar_directorio(rutas.directorio_datos(directorio))
    if recuperar:  # caché dañada aparte, cola dañada copiada y rescatada + aviso
        from agente.almacen import recuperacion

        recuperacion.preparar_ficheros(ruta)
    cola = Cola(rutas.ruta_cola(ruta), recuperar=recuperar)
    if dias_auditoria is not None:
        cola.podar(dias_auditoria)
    try:
        if recuperar:
            from agente.almacen import recuperacion

            cache = recuperacion.abrir_cache(ruta)
        else:
            cache = Cache(rutas.ruta_cache(ruta))
    except BaseException:
        cola.cerrar()
        raise
    privado.proteger_contenido(ruta)  # bases, -wal, configuración: sólo este usuario
    return ruta, cola, cache


def al_arrancar(agente: Agente) -> None:
    """La tienda configurada en los ajustes de la cola (la lleva cada registro del diario) y
    lo reciente de la cadena del diario verificado: un diario dañado se avisa nombrando el
    registro (``recuperaciones.json`` y el registro), nunca se repara."""
    from agente.soporte import configuracion

    try:
        config = configuracion.cargar(agente.directorio)
    except configuracion.ErrorConfiguracion:
        config = None
    cola = agente.operaciones
    if config is not None and cola.ajuste(almacen_diario.TIENDA) != config.tienda:
        cola.fijar_ajuste(almacen_diario.TIENDA, config.tienda)
    caja.avisar_diario_danado(agente)


__all__ = ["abrir_ficheros", "al_arrancar"]
