"""«ajustar»: ``campo = campo + delta`` en la base de datos, una sentencia
``UPDATE … RETURNING`` por operación (nunca entra en conflicto), que sólo se aplica si el
resultado queda dentro de los límites del campo (``reglas.limites_sql``). Si el valor
resultante queda por debajo de cero se anota una ``Sobreventa`` para revisión (nunca se
rechaza); se guardan todas juntas al final del lote.

El SQL se guarda por (modelo, campos) durante el lote. Una instancia por lote; no se comparte
entre hilos.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Model

from . import dialecto, reglas, valores
from .configuracion import ConfigModelo
from .envoltura import Operacion
from .models import Sobreventa
from .valores import Rechazo


class ReintentarSeguro(Exception):
    """Un error de base de datos abortó la transacción de un lote sin puntos de guardado
    (PostgreSQL): se repite el lote entero con un punto de guardado por operación."""


class ErrorFatal(Exception):
    """Fallo a mitad de una operación ya con efecto y sin punto de guardado: se deshace el lote
    entero (la vista responde 500 y la terminal reintenta)."""


class Ajustes:
    def __init__(self, tienda: str, terminal: str, seguro: bool):
        self.tienda, self.terminal, self.seguro = tienda, terminal, seguro
        self._sql: dict[tuple, str] = {}
        self._cursor: Any = None
        self.sobreventas: list[Sobreventa] = []

    def aplicar(self, op: Operacion, objeto: Model) -> dict[str, Any]:
        config = op.config
        reglas.comprobar(op, self.tienda, self.terminal)
        if not op.datos:
            raise Rechazo("«ajustar» necesita al menos un delta.")
        deltas = {}
        for campo, valor in op.datos.items():
            if campo not in config.tipos:
                raise Rechazo(f"{config.nombre} no sincroniza el campo «{str(campo)[:60]}».")
            if campo not in config.campos_escribibles:
                raise Rechazo(f"El campo «{campo}» no se puede ajustar.")
            deltas[campo] = valores.delta(config, campo, valor)
        sql = self._sentencia(config, tuple(deltas))
        params = [
            *deltas.values(),
            config.modelo._meta.pk.get_db_prep_value(objeto.pk, connection),
            *reglas.parametros_limites(config, deltas),
        ]
        try:
            self._cursor.execute(sql, params)
            fila = self._cursor.fetchone()
        except DatabaseError as exc:  # la sentencia no tuvo efecto
            dialecto.si_transitorio(exc)
            if dialecto.error_aborta_lote(self.seguro):
                raise ReintentarSeguro from exc
            raise Rechazo(f"La base de datos rechazó el ajuste: {str(exc)[:200]}") from None
        if fila is None:
            if config.modelo._default_manager.filter(pk=objeto.pk).exists():
                raise Rechazo(reglas.motivo_fuera_de_limites(config, deltas))
            raise Rechazo(f"{config.nombre} «{op.objeto_id}» ya no existe.")
        try:  # ya hay efecto: a partir de aquí un fallo tumba el lote entero (nada se confirma)
            for (campo, delta), nuevo in zip(deltas.items(), fila, strict=True):
                f = config.campos[campo]
                valor = f.to_python(nuevo)
                setattr(objeto, f.attname, valor)
                if delta < 0 and valor < 0:
                    self.sobreventas.append(
                        Sobreventa(
                            modelo=config.nombre,
                            objeto_id=op.objeto_id,
                            campo=campo,
                            valor_resultante=Decimal(valor),
                            delta=Decimal(delta),
                            tienda=self.tienda,
                            terminal=self.terminal,
                            operacion=op.uuid,
                        )
                    )
        except Exception as exc:
            raise ErrorFatal("Fallo tras aplicar un ajuste") from exc
        return {"resultado": "aplicada"}

    def guardar_sobreventas(self) -> None:
        Sobreventa.objects.bulk_create(self.sobreventas)
        self.sobreventas = []

    def _sentencia(self, config: ConfigModelo, campos: tuple[str, ...]) -> str:
        llave = (config.nombre, campos)
        sql = self._sql.get(llave)
        if sql is None:
            sql = self._sql[llave] = _sql_ajuste(config, campos)
        if self._cursor is None:
            self._cursor = dialecto.cursor_ajustes()
        return sql


def _sql_ajuste(config: ConfigModelo, campos: tuple[str, ...]) -> str:
    meta = config.modelo._meta
    q = connection.ops.quote_name
    marca = dialecto.marca_parametro()
    columnas = [config.campos[c].column for c in campos]
    # Columnas de campos validados y citadas; los valores van como parámetros. Sólo se aplica
    # si cada resultado queda dentro de los límites del campo (``reglas.limites_sql``): sin
    # desbordar la columna (SQLite pasaría a coma flotante, PostgreSQL fallaría).
    return (
        f"UPDATE {q(meta.db_table)} SET "  # noqa: S608
        + ", ".join(f"{q(c)} = {q(c)} + {marca}" for c in columnas)
        + f" WHERE {q(meta.pk.column)} = {marca}"
        + reglas.limites_sql([q(c) for c in columnas], marca)
        + " RETURNING "
        + ", ".join(q(c) for c in columnas)
    )
