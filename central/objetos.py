"""Los objetos que tocan las operaciones de un lote (``actualizar``, ``borrar``, ``ajustar``),
cargados una vez por lote: una consulta por modelo y trozo de 500 claves al empezar.

En PostgreSQL esa carga además bloquea las filas (``FOR NO KEY UPDATE``) en un orden fijo
(modelo, clave): dos lotes que tocan los mismos objetos se esperan, pero nunca se interbloquean
aunque sus operaciones vengan en otro orden (sin esto, un interbloqueo cuesta un segundo de
detección y repetir el lote). ``NO KEY`` deja insertar filas que apuntan a ellas (ventas).

Una instancia por lote; no se comparte entre hilos.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Model

from .configuracion import ConfigModelo
from .envoltura import Operacion
from .valores import Rechazo


def clave_python(config: ConfigModelo, objeto_id: Any) -> Any:
    """Clave de la operación convertida al tipo de la clave primaria, o Rechazo."""
    tipo = config.tipos[config.clave]
    try:
        if tipo == "entero":
            if not isinstance(objeto_id, str) or not objeto_id.lstrip("-").isdigit():
                raise ValueError
            return int(objeto_id)
        if tipo == "uuid":
            return uuid.UUID(objeto_id)
        return str(objeto_id)
    except (ValueError, TypeError, AttributeError):
        raise Rechazo(
            f"«objeto_id» {objeto_id!r} no es una clave válida de {config.nombre}."
        ) from None


class Objetos:
    """Caché (modelo, clave) -> instancia (None si no existe) de un lote."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Model | None] = {}

    def precargar(self, ops: list[Operacion]) -> None:
        """Normaliza ``objeto_id`` de las operaciones que no son «crear» y carga sus objetos."""
        from . import dialecto

        por_modelo: dict[str, tuple[ConfigModelo, set]] = {}
        for op in ops:
            if op.tipo != "crear" and op.objeto_id is not None:
                try:
                    clave = clave_python(op.config, op.objeto_id)
                except Rechazo:
                    continue
                op.objeto_id = str(clave)
                por_modelo.setdefault(op.config.nombre, (op.config, set()))[1].add(clave)
        bloquear = dialecto.bloquear_al_cargar()
        for nombre in sorted(por_modelo):
            config, claves = por_modelo[nombre]
            claves = sorted(claves)
            for i in range(0, len(claves), 500):
                trozo = claves[i : i + 500]
                consulta = config.modelo._default_manager.filter(pk__in=trozo)
                if bloquear:
                    consulta = consulta.order_by("pk").select_for_update(no_key=True)
                encontrados = {o.pk: o for o in consulta}
                for clave in trozo:
                    self._cache[(config.nombre, str(clave))] = encontrados.get(clave)

    def de(self, op: Operacion, tienda: str) -> Model:
        """El objeto de la operación, de la tienda ``tienda`` si el modelo es privado; si no,
        Rechazo."""
        from .captura import tienda_de

        config = op.config
        if op.objeto_id is None:
            raise Rechazo(f"«{op.tipo}» necesita «objeto_id».")
        clave = clave_python(config, op.objeto_id)
        op.objeto_id = str(clave)
        llave = (config.nombre, op.objeto_id)
        if llave not in self._cache:
            self._cache[llave] = config.modelo._default_manager.filter(pk=clave).first()
        objeto = self._cache[llave]
        if objeto is None or (config.privado_por_tienda and tienda_de(config, objeto) != tienda):
            raise Rechazo(
                f"{config.nombre} «{op.objeto_id}» no existe"
                + (" en tu tienda." if config.privado_por_tienda else ".")
            )
        return objeto

    def poner(self, op: Operacion, objeto: Model | None) -> None:
        self._cache[(op.config.nombre, op.objeto_id or "")] = objeto

    def olvidar(self, op: Operacion) -> None:
        """Tras deshacer una operación: su objeto en memoria puede no ser el de la base."""
        if op.objeto_id is not None:
            self._cache.pop((op.config.nombre, op.objeto_id), None)
