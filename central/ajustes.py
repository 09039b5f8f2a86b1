"""«ajustar»: ``campo = campo + delta`` en la base de datos (nunca entra en conflicto), que sólo
se aplica si el resultado queda dentro de los límites del campo (``reglas.limites_sql``): la
comprobación va DENTRO de la sentencia ``UPDATE … RETURNING``, así que ningún escritor
concurrente puede colarse entre la comprobación y la escritura. Si el valor resultante queda por
debajo de cero se anota una ``Sobreventa`` para revisión (nunca se rechaza); se guardan todas
juntas al final del lote.

Dos formas, el mismo resultado operación a operación:

- ``aplicar``: una sentencia por operación (SQLite, y PostgreSQL en el modo seguro, con un punto
  de guardado por operación).
- ``encolar`` + ``volcar`` (PostgreSQL fuera del modo seguro): las operaciones se validan al
  llegar y se aplican juntas, una sentencia ``UPDATE … FROM json_to_recordset(…) RETURNING`` por
  ronda y grupo de campos. La ronda k lleva el k-ésimo ajuste de cada objeto, así que los
  ajustes de un mismo objeto se aplican en su orden y cada uno con sus límites comprobados sobre
  el resultado del anterior, como uno a uno. El lote vuelca lo pendiente antes de cualquier
  operación que no sea «ajustar» o «crear» (pueden leer esos valores) y al final. Las filas ya
  están bloqueadas en orden por ``Objetos.precargar``. Si la sentencia falla, el lote se repite
  en modo seguro.

El SQL se guarda por (modelo, campos) durante el lote. Una instancia por lote; no se comparte
entre hilos.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Model

from . import dialecto, insercion, reglas, valores
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
        self._pendientes: list[tuple[Operacion, Model, dict[str, Any]]] = []
        self.sobreventas: list[Sobreventa] = []

    def _deltas(self, op: Operacion) -> dict[str, Any]:
        """Valida la operación y devuelve campo -> delta. Lanza Rechazo."""
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
        return deltas

    def aplicar(self, op: Operacion, objeto: Model) -> dict[str, Any]:
        config = op.config
        deltas = self._deltas(op)
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
            raise Rechazo(self._motivo_sin_fila(op, objeto, deltas))
        try:  # ya hay efecto: a partir de aquí un fallo tumba el lote entero (nada se confirma)
            self._anotar(op, objeto, deltas, fila)
        except Exception as exc:
            raise ErrorFatal("Fallo tras aplicar un ajuste") from exc
        return {"resultado": "aplicada"}

    @staticmethod
    def _motivo_sin_fila(op: Operacion, objeto: Model, deltas: dict[str, Any]) -> str:
        config = op.config
        if config.modelo._default_manager.filter(pk=objeto.pk).exists():
            return reglas.motivo_fuera_de_limites(config, deltas)
        return f"{config.nombre} «{op.objeto_id}» ya no existe."

    def _anotar(self, op: Operacion, objeto: Model, deltas: dict[str, Any], fila) -> None:
        """Tras el efecto: los valores nuevos en el objeto del lote y las sobreventas."""
        config = op.config
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

    # -- en bloque (PostgreSQL fuera del modo seguro) ---------------------------------------

    def encolar(self, op: Operacion, objeto: Model) -> dict[str, Any]:
        """Valida ``op`` (Rechazo si no vale) y la deja para ``volcar``. Devuelve su resultado
        provisional; ``volcar`` lo cambia por «rechazada» si el ajuste no cabe en los límites."""
        self._pendientes.append((op, objeto, self._deltas(op)))
        return {"resultado": "aplicada"}

    def volcar(self) -> None:
        """Aplica los ajustes encolados (ver el módulo)."""
        pendientes, self._pendientes = self._pendientes, []
        rondas: list[dict[tuple, list]] = []
        vistos: dict[tuple[str, str], int] = {}
        for op, objeto, deltas in pendientes:
            llave = (op.config.nombre, str(objeto.pk))
            k = vistos.get(llave, 0)
            vistos[llave] = k + 1
            if k == len(rondas):
                rondas.append({})
            rondas[k].setdefault((op.config.nombre, tuple(deltas)), []).append((op, objeto, deltas))
        for ronda in rondas:
            for grupo in ronda.values():
                self._volcar_grupo(grupo)

    def _volcar_grupo(self, grupo: list[tuple[Operacion, Model, dict[str, Any]]]) -> None:
        """Una sentencia para operaciones del mismo modelo y campos, cada objeto una vez."""
        config = grupo[0][0].config
        campos = tuple(grupo[0][2])
        pk = config.modelo._meta.pk
        claves = [pk.get_db_prep_value(objeto.pk, connection) for _, objeto, _ in grupo]
        filas_json = [
            {"k": clave, **{f"d{i}": deltas[c] for i, c in enumerate(campos)}}
            for clave, (_, _, deltas) in zip(claves, grupo, strict=True)
        ]
        params: list[Any] = [insercion.a_json(filas_json)]
        params += [x for c in campos for x in _limites(config, c)]
        try:
            with connection.cursor() as cur:
                cur.execute(_sql_ajuste_en_bloque(config, campos), params)
                filas = {f[0]: f[1:] for f in cur.fetchall()}
        except DatabaseError as exc:  # la sentencia entera no tuvo efecto
            dialecto.si_transitorio(exc)
            raise ReintentarSeguro from exc
        try:  # ya hay efecto: a partir de aquí un fallo tumba el lote entero (nada se confirma)
            for clave, (op, objeto, deltas) in zip(claves, grupo, strict=True):
                fila = filas.get(clave)
                if fila is None:
                    op.resultado = {
                        "resultado": "rechazada",
                        "motivo": self._motivo_sin_fila(op, objeto, deltas),
                    }
                else:
                    self._anotar(op, objeto, deltas, fila)
        except Exception as exc:
            raise ErrorFatal("Fallo tras aplicar un ajuste") from exc

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


def _limites(config: ConfigModelo, campo: str) -> tuple[Any, Any]:
    return tuple(reglas.parametros_limites(config, {campo: 0})[1:])


def _sql_ajuste_en_bloque(config: ConfigModelo, campos: tuple[str, ...]) -> str:
    """PostgreSQL: ``UPDATE t SET c = t.c + d.c … FROM json_to_recordset(filas) d WHERE t.pk =
    d.k AND <límites de cada resultado> RETURNING t.pk, t.c…``. Las filas (clave y deltas) van
    en un único parámetro JSON (``insercion.a_json``), cada columna de ``d`` con el tipo de la
    suya en la tabla, para que la suma sea la misma que la de ``aplicar``."""
    meta = config.modelo._meta
    q = connection.ops.quote_name
    pk = meta.pk
    columnas = [config.campos[c].column for c in campos]
    tipos = [pk.db_type(connection)] + [config.campos[c].db_type(connection) for c in campos]
    nombres = ["k"] + [f"d{i}" for i in range(len(campos))]
    definicion = ", ".join(f"{n} {t}" for n, t in zip(nombres, tipos, strict=True))
    limites = "".join(
        f" AND CAST(t.{q(c)} AS NUMERIC) + CAST(d.d{i} AS NUMERIC)"
        " BETWEEN CAST(%s AS NUMERIC) AND CAST(%s AS NUMERIC)"
        for i, c in enumerate(columnas)
    )
    return (
        f"UPDATE {q(meta.db_table)} AS t SET "  # noqa: S608
        + ", ".join(f"{q(c)} = t.{q(c)} + d.d{i}" for i, c in enumerate(columnas))
        + f" FROM json_to_recordset(%s::json) AS d({definicion})"
        + f" WHERE t.{q(pk.column)} = d.k"
        + limites
        + f" RETURNING t.{q(pk.column)}, "
        + ", ".join(f"t.{q(c)}" for c in columnas)
    )
