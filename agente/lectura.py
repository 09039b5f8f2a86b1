"""Lectura optimista del catálogo: lo que la caja ve, con las operaciones de esta terminal ya
aplicadas sobre lo último que llegó de la central.

La caché (``agente.almacen.cache``) guarda lo que dice la central; la cola
(``agente.almacen.cola``) lo que esta terminal ha hecho y la central aún no ha confirmado (o
ha confirmado y la caché todavía no ha descargado). ``reglas.optimista`` combina ambas.

Hilos: sólo lee; seguro desde cualquier hilo (la caché usa una conexión de lectura por hilo y
la cola serializa con su cerrojo).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agente.almacen.cache import Cache, clave_sql
from agente.almacen.cola import Cola
from agente.operacion import COMPLETADO, Operacion
from agente.reglas import optimista
from protocolo.esquema import ConfigModelo, ErrorValor, Esquema


def esquema_exigido(cache: Cache) -> Esquema:
    """El esquema guardado; ``ErrorValor`` (que dice cómo obtenerlo) si aún no hay."""
    esquema = cache.esquema()
    if esquema is None:
        raise ErrorValor(
            "Esta terminal aún no tiene el esquema de la central: ejecute «sincro configurar»"
            " o «sincro sincronizar» con conexión."
        )
    return esquema


class LecturaOptimista:
    """Obtener, buscar, contar y listar el catálogo local con valores optimistas."""

    def __init__(self, cola: Cola, cache: Cache) -> None:
        self._cola = cola
        self._cache = cache

    def obtener(self, modelo: str, objeto_id: Any) -> dict[str, Any] | None:
        """Los campos esenciales de un objeto con las operaciones de esta terminal aplicadas
        (``None`` si no existe o está borrado)."""
        config = esquema_exigido(self._cache).modelo(modelo)
        clave = str(clave_sql(config, objeto_id))
        return self.optimistas(config, [clave]).get(clave)

    def optimistas(
        self, config: ConfigModelo, claves: Sequence[str], filas: Mapping[str, Any] | None = None
    ) -> dict[str, dict[str, Any]]:
        """Los objetos ``claves`` de ``config`` con lo de esta terminal aplicado (los que no
        existen o están borrados no aparecen). ``filas``: las de la caché si ya se leyeron."""
        if filas is None:
            filas = self._cache.filas(config.nombre, claves)
        operaciones = self._cola.sin_confirmar_de(config.nombre, claves, incluir_completadas=True)
        resultado = {}
        for clave in claves:
            datos, version = filas.get(clave, (None, None))
            vigentes = [
                (op.tipo, op.datos)
                for op in operaciones.get(clave, [])
                if op.estado != COMPLETADO or _no_reflejada(op, version)
            ]
            fila = optimista.aplicar(datos, vigentes, config.campos_esenciales)
            if fila is not None:
                resultado[clave] = fila
        return resultado

    def referido(
        self, modelo: str, objeto_id: Any, datos: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """El objeto que da nombre a otro sin título propio ante personas: la existencia de un
        producto se nombra por el producto, la línea de una venta por su producto.

        Sólo para modelos sin título (``ConfigModelo.campo_que_titula``). Se mira cada campo
        esencial que guarda la clave de un objeto de un modelo con título: las ``referencias``
        del esquema y los campos que se llaman como un modelo (``producto`` →
        ``productos.Producto``, si sólo uno se llama así y el campo es del tipo de su clave).
        El valor sale de ``datos`` (los de una operación) o, si no está, del objeto en la caché
        con lo de esta terminal aplicado. Devuelve ``{"modelo", "objeto_id", "valores",
        "nombre_visible", "campo_titulo"}`` del primero que existe, o ``None`` (también si una
        clave no es válida: nombrar nunca falla). Sólo lee."""
        esquema = esquema_exigido(self._cache)
        config = esquema.modelo(modelo)
        if config.campo_que_titula:
            return None
        candidatos = dict(config.referencias)
        por_nombre: dict[str, list[str]] = {}
        for nombre in esquema.modelos:
            por_nombre.setdefault(nombre.rsplit(".", 1)[-1].lower(), []).append(nombre)
        for campo in config.campos_esenciales:
            destinos = por_nombre.get(campo.lower(), [])
            if campo == config.clave or campo in candidatos or len(destinos) != 1:
                continue
            otro = esquema.modelos[destinos[0]]
            if config.tipos.get(campo) == otro.tipos.get(otro.clave):  # guarda su clave
                candidatos[campo] = destinos[0]
        candidatos = {
            c: d
            for c, d in candidatos.items()
            if d in esquema.modelos and esquema.modelos[d].campo_que_titula
        }
        if not candidatos:
            return None
        valores = dict(datos or {})
        if any(valores.get(c) in (None, "") for c in candidatos):
            valores = {**(self._obtener_o_nada(modelo, objeto_id) or {}), **valores}
        for campo, destino in candidatos.items():
            clave = valores.get(campo)
            if clave in (None, ""):
                continue
            objeto = self._obtener_o_nada(destino, clave)
            if objeto is not None:
                otro = esquema.modelos[destino]
                return {
                    "modelo": destino,
                    "objeto_id": str(clave),
                    "valores": objeto,
                    "nombre_visible": otro.nombre_para_personas,
                    "campo_titulo": otro.campo_que_titula,
                }
        return None

    def _obtener_o_nada(self, modelo: str, objeto_id: Any) -> dict[str, Any] | None:
        try:
            return self.obtener(modelo, objeto_id)
        except (ValueError, TypeError):  # ErrorValor es un ValueError
            return None

    def buscar(
        self, texto: str, modelo: str | None = None, limite: int = 50
    ) -> list[dict[str, Any]]:
        """Búsqueda para la caja: coincidencia exacta de código/NIF/clave primero, luego por
        prefijo en los nombres (FTS5); con valores optimistas. Incluye objetos creados en esta
        terminal que la central aún no tiene."""
        esquema = esquema_exigido(self._cache)
        if modelo is not None:
            modelos = [esquema.modelo(modelo)]
        else:
            modelos = [
                m for m in esquema.en_orden_de_descarga() if m.campos_busqueda or m.campos_indice
            ]
        resultados: list[dict[str, Any]] = []
        for config in modelos:
            restantes = limite - len(resultados)
            if restantes <= 0:
                break
            encontrados = {
                k: (d, v) for k, d, v in self._cache.buscar(config.nombre, texto, restantes)
            }
            claves = list(encontrados)
            if "crear" in config.operaciones_permitidas:
                for creado in self._cola.objetos_creados_sin_confirmar(config.nombre):
                    if creado not in encontrados:
                        claves.append(creado)
            optimistas = self.optimistas(config, claves, encontrados)
            for clave in claves:
                datos = optimistas.get(clave)
                if datos is None:
                    continue
                if clave not in encontrados and not _coincide(config, datos, texto):
                    continue
                resultados.append({"modelo": config.nombre, "id": clave, "datos": datos})
                if len(resultados) >= limite:
                    break
        return resultados

    def contar(self, modelo: str, texto: str | None = None) -> int:
        """Filas de ``modelo`` en la caché (con ``texto``: las que casan, como ``listar``)."""
        esquema_exigido(self._cache).modelo(modelo)
        return self._cache.contar(modelo, texto)

    def listar(
        self, modelo: str, desde: int = 0, limite: int = 200, texto: str | None = None
    ) -> list[dict[str, Any]]:
        """Una página del catálogo local (``Cache.listar``: orden estable; con ``texto``,
        exactos primero y luego por prefijo), con valores optimistas. UNA entrada por fila de
        la caché, para que ``desde`` avance igual que en ``contar``: una fila que esta terminal
        borró y la central aún no lleva ``"_borrado_pendiente": True`` con los datos de la
        central."""
        config = esquema_exigido(self._cache).modelo(modelo)
        filas = {k: (d, v) for k, d, v in self._cache.listar(modelo, desde, limite, texto)}
        optimistas = self.optimistas(config, list(filas), filas)
        return [
            optimistas.get(clave, {**datos, "_borrado_pendiente": True})
            for clave, (datos, _version) in filas.items()
        ]

    def catalogo_reconstruyendo(self) -> bool:
        """El catálogo local aún no está entero (primera carga, o caché apartada por daños y
        rehaciéndose desde la central): una búsqueda vacía no significa «no existe»."""
        esquema = self._cache.esquema()
        if esquema is None:
            return True
        return any(
            not self._cache.estado_modelo(m.nombre, contar=False)["completo"]
            for m in esquema.modelos.values()
        )


def _no_reflejada(op: Operacion, version_cache: int | None) -> bool:
    """Una operación COMPLETADO cuyo efecto la caché aún no ha descargado."""
    if op.version_resultado is None:
        return False
    return version_cache is None or version_cache < op.version_resultado


def _coincide(config: ConfigModelo, datos: Mapping[str, Any], texto: str) -> bool:
    palabras = texto.lower().split()
    campos = [*config.campos_busqueda, *config.campos_indice]
    valores = " ".join(str(datos.get(c) or "") for c in campos).lower()
    return all(any(v.startswith(p) for v in valores.split()) or p in valores for p in palabras)


__all__ = ["LecturaOptimista", "esquema_exigido"]
