"""Los objetos que tocan las operaciones de un lote (``actualizar``, ``borrar``, ``ajustar``),
cargados una vez por lote: una consulta por modelo y trozo de 500 claves al empezar. Los
modelos que el lote sólo ajusta se cargan ligeros: la clave (y la tienda si es privado), con
SQL escrito a mano.

En PostgreSQL esa carga además bloquea las filas (``FOR NO KEY UPDATE``) en un orden fijo
(modelo, clave): dos lotes que tocan los mismos objetos se esperan, pero nunca se interbloquean
aunque sus operaciones vengan en otro orden (sin esto, un interbloqueo cuesta un segundo de
detección y repetir el lote). ``NO KEY`` deja insertar filas que apuntan a ellas (ventas).

Una instancia por lote; no se comparte entre hilos.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection
from django.db.models import Model

from .captura import tienda_de
from .configuracion import ConfigModelo
from .envoltura import Operacion
from .referencias import Referencias
from .valores import Rechazo, para_personas


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

    def precargar(self, ops: list[Operacion], referencias: Referencias | None = None) -> None:
        """Normaliza ``objeto_id`` de las operaciones que no son «crear» y carga sus objetos.
        Los modelos que el lote sólo ajusta se cargan ligeros (``_cargar_ligeros``). Lo que se
        encuentra queda anotado en ``referencias`` (las FK de los «crear» que apuntan ahí no
        se vuelven a consultar)."""
        from . import dialecto

        por_modelo: dict[str, tuple[ConfigModelo, set]] = {}
        tipos: dict[str, set[str]] = {}
        for op in ops:
            if op.tipo != "crear" and op.objeto_id is not None:
                try:
                    clave = clave_python(op.config, op.objeto_id)
                except Rechazo:
                    continue
                op.objeto_id = str(clave)
                por_modelo.setdefault(op.config.nombre, (op.config, set()))[1].add(clave)
                tipos.setdefault(op.config.nombre, set()).add(op.tipo)
        bloquear = dialecto.bloquear_al_cargar()
        for nombre in sorted(por_modelo):
            config, claves = por_modelo[nombre]
            claves = sorted(claves)
            for i in range(0, len(claves), 500):
                trozo = claves[i : i + 500]
                if tipos[nombre] == {"ajustar"}:
                    encontrados = self._cargar_ligeros(config, trozo, bloquear)
                else:
                    consulta = config.modelo._default_manager.filter(pk__in=trozo)
                    if bloquear:
                        consulta = consulta.order_by("pk").select_for_update(no_key=True)
                    encontrados = {o.pk: o for o in consulta}
                for clave in trozo:
                    objeto = encontrados.get(clave)
                    self._cache[(config.nombre, str(clave))] = objeto
                    if objeto is not None and referencias is not None:
                        tienda = tienda_de(config, objeto) if config.privado_por_tienda else None
                        referencias.anotar(config.modelo, clave, tienda or "")

    @staticmethod
    def _cargar_ligeros(config: ConfigModelo, claves: list, bloquear: bool) -> dict[Any, Model]:
        """Para «ajustar» basta la clave (y la tienda, si el modelo es privado): una sentencia
        escrita a mano, en orden de clave y bloqueando como la carga completa, e instancias con
        el resto de campos diferidos (``from_db``), sin compilar una consulta del ORM."""
        meta = config.modelo._meta
        campos = [meta.pk]
        if config.privado_por_tienda:
            campos.append(meta.get_field(config.campo_tienda))
        q = connection.ops.quote_name
        sql = (
            f"SELECT {', '.join(q(f.column) for f in campos)} "  # noqa: S608
            f"FROM {q(meta.db_table)} WHERE {q(meta.pk.column)} IN "
            f"({', '.join(['%s'] * len(claves))}) ORDER BY {q(meta.pk.column)}"
        )
        if bloquear:
            sql += " FOR NO KEY UPDATE"
        with connection.cursor() as cur:
            cur.execute(sql, [meta.pk.get_db_prep_value(c, connection) for c in claves])
            filas = cur.fetchall()
        nombres = [f.attname for f in campos]
        salida = {}
        for fila in filas:
            valores = [f.to_python(v) for f, v in zip(campos, fila, strict=True)]
            salida[valores[0]] = config.modelo.from_db(connection.alias, nombres, valores)
        return salida

    def de(self, op: Operacion, tienda: str) -> Model:
        """El objeto de la operación, de la tienda ``tienda`` si el modelo es privado; si no,
        Rechazo."""
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
                f"{para_personas(config.modelo)} «{op.objeto_id}» no existe"
                + (" en tu tienda." if config.privado_por_tienda else ".")
            )
        return objeto

    def poner(self, op: Operacion, objeto: Model | None) -> None:
        self._cache[(op.config.nombre, op.objeto_id or "")] = objeto

    def olvidar(self, op: Operacion) -> None:
        """Tras deshacer una operación: su objeto en memoria puede no ser el de la base."""
        if op.objeto_id is not None:
            self._cache.pop((op.config.nombre, op.objeto_id), None)
