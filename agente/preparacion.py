"""Validar una operación antes de encolarla: las reglas del esquema (las mismas que aplica la
central), la clave de un «crear», la versión y los valores base de un cambio, los límites de
un ajuste y las referencias a objetos que esta terminal no conoce.

Devuelve ``NuevaOperacion`` listas para ``Cola.encolar``/``encolar_varias``; no escribe nada.
Si algo no valida, ``ErrorValor`` con un mensaje que dice qué corregir. Una caché ilegible no
impide vender: se prepara sin ella y la caché queda marcada para rehacerse al arrancar.

Hilos: sólo lee; seguro desde cualquier hilo.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid as uuidlib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from agente.almacen.cache import Cache, clave_sql
from agente.almacen.cola import NuevaOperacion
from agente.lectura import LecturaOptimista, esquema_exigido
from protocolo.esquema import ConfigModelo, ErrorValor, Esquema

log = logging.getLogger(__name__)


class Preparacion:
    """Convierte lo que pide quien llama (modelo, tipo, datos…) en operaciones válidas."""

    def __init__(self, cache: Cache, lectura: LecturaOptimista) -> None:
        self._cache = cache
        self._lectura = lectura

    def preparar_varias(self, operaciones: Sequence[Mapping[str, Any]]) -> list[NuevaOperacion]:
        """Varias ``{"modelo", "tipo", "datos", "objeto_id"?, "prioridad"?}``; un «crear»
        cuenta como existente para las referencias de las que le siguen en el mismo lote."""
        nuevas = []
        creados: set[tuple[str, str]] = set()  # los «crear» anteriores del mismo lote
        for i, op in enumerate(operaciones):
            if not isinstance(op, Mapping):
                raise ErrorValor(f"La operación {i + 1} debe ser un objeto.")
            try:
                nuevas.append(
                    self.preparar(
                        op.get("modelo"),
                        op.get("tipo"),
                        op.get("datos"),
                        op.get("objeto_id"),
                        op.get("prioridad"),
                        creados=creados,
                    )
                )
            except ErrorValor as exc:
                raise ErrorValor(f"Operación {i + 1}: {exc}") from None
        return nuevas

    def preparar(
        self,
        modelo: Any,
        tipo: Any,
        datos: Any,
        objeto_id: Any,
        prioridad: Any,
        *,
        creados: set[tuple[str, str]],
    ) -> NuevaOperacion:
        """Valida una operación con las reglas del esquema y la prepara para la cola.
        ``creados``: ``(modelo, clave)`` de los «crear» anteriores del mismo lote, que ya
        cuentan como existentes para las referencias (se le añade el de ésta)."""
        esquema = esquema_exigido(self._cache)
        config = esquema.modelo(modelo)
        datos = config.validar_datos(tipo, {} if datos is None else datos)
        if prioridad is not None and (
            isinstance(prioridad, bool) or not isinstance(prioridad, int)
        ):
            raise ErrorValor(f"La prioridad debe ser un entero, no {prioridad!r}.")
        if tipo == "crear":
            objeto_id = _clave_de_creacion(config, datos, objeto_id)
            existente = self._sin_fallar_por_cache(self._lectura.obtener, config.nombre, objeto_id)
            if existente is not None:
                raise ErrorValor(
                    f"Ya existe {config.nombre} {objeto_id}: use «actualizar» en lugar de «crear»."
                )
            version_base, valores_base = None, {}
            creados.add((config.nombre, objeto_id))
        else:
            if objeto_id is None or str(objeto_id).strip() == "":
                raise ErrorValor(f"Indique el objeto (--objeto) de {config.nombre} a {tipo}.")
            objeto_id = str(clave_sql(config, objeto_id))
            fila = self._sin_fallar_por_cache(self._cache.fila, config.nombre, objeto_id)
            if fila:
                version_base = fila[1]
                valores_base = {c: fila[0].get(c) for c in datos}
            else:
                # Sin versión de la central (creado aquí y aún no descargado, o desconocido):
                # base 0 y, si esta terminal lo conoce, sus valores como base; la central
                # nunca aplica un «actualizar»/«borrar» sin base (docs/protocolo.md).
                version_base = 0
                actual = (
                    self._sin_fallar_por_cache(self._lectura.obtener, config.nombre, objeto_id)
                    or {}
                )
                campos = config.campos_escribibles if tipo == "borrar" else datos
                valores_base = {c: actual[c] for c in campos if c in actual}
            if tipo == "ajustar":
                self._comprobar_ajuste(config, objeto_id, datos, fila)
        if tipo in ("crear", "actualizar"):
            desconocida = self._sin_fallar_por_cache(
                self._referencia_desconocida, esquema, config, datos, creados
            )
            if desconocida is not None:
                campo, destino, clave = desconocida
                otro = esquema.modelos.get(destino)
                raise ErrorValor(
                    f"«{config.etiqueta(campo)}» apunta a "
                    f"{otro.nombre_para_personas if otro else destino} {clave}, que esta "
                    "terminal no conoce (¿falta sincronizar el catálogo?)."
                )
        return NuevaOperacion(
            modelo=config.nombre,
            objeto_id=objeto_id,
            tipo=tipo,
            datos=datos,
            version_base=version_base,
            valores_base=valores_base,
            prioridad=config.prioridad if prioridad is None else prioridad,
        )

    def _referencia_desconocida(
        self,
        esquema: Esquema,
        config: ConfigModelo,
        datos: Mapping[str, Any],
        creados: set[tuple[str, str]],
    ) -> tuple[str, str, str] | None:
        """La primera referencia de ``datos`` a un objeto que esta terminal no conoce (ni en la
        caché ni creado aquí, antes o en el mismo lote): la central la rechazaría. Sólo si el
        catálogo de ese modelo está entero: durante la primera carga o una reconstrucción no
        conocerlo no significa que no exista, y la venta sigue."""
        for campo, destino in config.referencias.items():
            valor = datos.get(campo)
            if valor is None or destino not in esquema.modelos:
                continue
            clave = str(clave_sql(esquema.modelo(destino), valor))
            if (destino, clave) in creados:
                continue
            if not self._cache.estado_modelo(destino, contar=False)["completo"]:
                continue
            if self._lectura.obtener(destino, clave) is None:
                return campo, destino, clave
        return None

    def _comprobar_ajuste(
        self, config: ConfigModelo, objeto_id: str, deltas: Mapping[str, Any], fila: Any
    ) -> None:
        """Que el valor optimista tras el ajuste siga dentro de los límites del campo (la
        central lo comprueba otra vez con su valor). ``fila``: la de la caché, ya leída."""
        optimistas = self._sin_fallar_por_cache(
            self._lectura.optimistas, config, [objeto_id], {objeto_id: fila} if fila else {}
        )
        actual = (optimistas or {}).get(objeto_id)
        if actual is None:
            return
        for campo, delta in deltas.items():
            valor = actual.get(campo)
            if valor is None:
                continue
            if config.tipos[campo] == "decimal":
                config.comprobar_ajuste(campo, Decimal(str(valor)) + Decimal(str(delta)))
            elif isinstance(valor, int):
                config.comprobar_ajuste(campo, valor + delta)

    def _sin_fallar_por_cache(self, lectura: Callable[..., Any], *args: Any) -> Any:
        """Una lectura de la caché para encolar: si la caché está dañada, la venta sigue sin
        ella (como una terminal recién instalada) y la caché queda marcada para apartarla y
        rehacerla en el próximo arranque."""
        try:
            return lectura(*args)
        except sqlite3.DatabaseError as error:
            log.error("Caché ilegible al encolar (%s): se encola sin ella.", error)
            self._cache.marcar_danada(f"ilegible al encolar: {error}")
            return None


def _clave_de_creacion(config: ConfigModelo, datos: dict[str, Any], objeto_id: Any) -> str:
    """La clave del objeto a crear: la dada, la de ``datos`` o un UUID nuevo si la clave se
    genera en la terminal (y entonces queda también en ``datos``)."""
    if config.clave_generada_en_terminal:
        en_datos = datos.get(config.clave)
        if objeto_id is None:
            objeto_id = en_datos or str(uuidlib.uuid4())
        objeto_id = str(clave_sql(config, objeto_id))
        if en_datos is not None and en_datos != objeto_id:
            raise ErrorValor(
                f"El objeto ({objeto_id}) y «{config.clave}» en los datos ({en_datos}) no "
                "coinciden."
            )
        datos[config.clave] = objeto_id
        return objeto_id
    if objeto_id is None:
        raise ErrorValor(
            f"Indique el identificador (--objeto) del {config.nombre} a crear: su clave no "
            "es un UUID generado en la terminal."
        )
    return str(clave_sql(config, objeto_id))


__all__ = ["Preparacion"]
