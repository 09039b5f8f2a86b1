"""Aplicación de ``POST /v1/operaciones``: el lote y el orden de sus pasos.

Reglas de transacción:
- Un lote = UNA transacción de base de datos; cada operación va en su propio punto de guardado,
  así que una operación mala (rechazada, o un error de base de datos) nunca tumba el lote.
- El registro de idempotencia (``OperacionRecibida``, sólo para ``aplicada``) se escribe en esa
  misma transacción que los efectos; las entradas del registro de cambios las escriben los
  disparadores de la base de datos en la sentencia de cada efecto (``central.captura``).
- Ningún cerrojo global: lotes concurrentes sólo se esperan si tocan las mismas filas.

Quién hace qué: ``Objetos`` (los objetos que se tocan, cargados una vez), ``Referencias`` (a
qué apuntan las FK y de qué tienda es cada objeto), ``Creaciones`` (los «crear», insertados en
bloque), ``Ajustes`` (``campo = campo + delta``, en bloque en PostgreSQL, y sobreventas),
``conflictos`` (conflictos y versiones), ``lecturas`` (idempotencia y versiones del lote en
una consulta), ``dialecto`` (lo que cambia entre PostgreSQL y SQLite). ``Lote`` sólo ordena
los pasos y arma los resultados.

No comparte estado entre hilos: cada petición crea su ``Lote``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Model
from django.utils import timezone

from . import conflictos, dialecto, insercion, lecturas, orden, reglas
from .ajustes import Ajustes, ErrorFatal, ReintentarSeguro
from .asignacion import asignar, datos_escribibles
from .creaciones import Creaciones
from .envoltura import Operacion
from .models import OperacionRecibida, Terminal
from .objetos import Objetos
from .referencias import Referencias
from .valores import Rechazo

__all__ = ["CentralOcupada", "ErrorFatal", "Lote", "ReintentarSeguro", "aplicar"]


registro = logging.getLogger("central.operaciones")

INTENTOS_TRANSITORIOS = dialecto.INTENTOS_TRANSITORIOS
CentralOcupada = dialecto.CentralOcupada


def aplicar(
    terminal: Terminal,
    operaciones: Callable[[], list[Operacion]],
    primeras: list[Operacion] | None = None,
) -> list[dict]:
    """Aplica un lote. ``primeras``: las operaciones ya construidas para el primer intento;
    ``operaciones`` las construye de nuevo (un lote cambia sus objetos al aplicarse) cada vez
    que el lote se repite. Nada queda a medias: cada intento es una transacción. Un error
    transitorio de la base (``dialecto.es_transitorio``) deshace el intento y repite el lote
    entero (``dialecto.repetir_si_transitorio``); nunca rechaza una operación."""
    pendientes = [primeras]

    def construir() -> list[Operacion]:
        ya = pendientes.pop() if pendientes else None
        return ya if ya is not None else operaciones()

    def intento() -> list[dict]:
        try:
            return Lote(terminal, construir()).aplicar()
        except ReintentarSeguro as exc:
            causa = exc.__cause__
            registro.info(
                "Lote de %s repetido en modo seguro (uno a uno): %s: %s",
                terminal,
                type(causa).__name__,
                str(causa)[:200],
            )
            return Lote(terminal, construir(), seguro=True).aplicar()

    return dialecto.repetir_si_transitorio(intento)


class Lote:
    """Aplica un lote de operaciones de una terminal (una transacción)."""

    def __init__(self, terminal: Terminal, ops: list[Operacion], seguro: bool = False):
        self.terminal = terminal
        self.seguro = seguro
        self.tienda = terminal.tienda.codigo
        self.ops = ops
        self.objetos = Objetos()
        self.referencias = Referencias(self.tienda)
        self.creaciones = Creaciones(
            self.tienda,
            terminal.codigo,
            self.referencias,
            self.objetos,
        )
        self.ajustes = Ajustes(self.tienda, terminal.codigo, seguro)
        self.en_bloque = dialecto.ajustes_en_bloque(seguro)

    def aplicar(self) -> list[dict[str, Any]]:
        with transaction.atomic():
            orden.tomar_cerrojo_de_lote()
            dialecto.preparar_lote()
            previas = lecturas.previas(op.uuid for op in self.ops)
            self.objetos.precargar(self.ops, self.referencias)
            self.referencias.precargar(self.ops)
            vistas: dict[str, Operacion] = {}
            for op in self.ops:
                previa = previas.get(op.uuid)
                if previa is not None:
                    op.resultado = self._duplicada(previa)
                elif op.uuid in vistas:
                    op.resultado = {"resultado": "duplicada", "_de": vistas[op.uuid]}
                else:
                    self._una(op)
                    if op.resultado["resultado"] == "aplicada":
                        vistas[op.uuid] = op
            self.creaciones.volcar()
            self.ajustes.volcar()
            self.ajustes.guardar_sobreventas()
            aplicadas = [op for op in self.ops if op.resultado["resultado"] == "aplicada"]
            self._versiones_finales(aplicadas)
            for op in self.ops:
                if "_de" in op.resultado:  # mismo UUID repetido dentro del lote
                    original = op.resultado["_de"].resultado
                    op.resultado = (
                        {"resultado": "duplicada", "version": original["version"]}
                        if original["resultado"] == "aplicada"
                        else dict(original)
                    )
            self._registrar(aplicadas)
        return [{"uuid": op.uuid, **op.resultado} for op in self.ops]

    def _duplicada(self, previa: lecturas.Previa) -> dict[str, Any]:
        if previa.tienda != self.tienda:
            return {"resultado": "rechazada", "motivo": "Ese UUID ya lo usó otra tienda."}
        return {"resultado": "duplicada", "version": previa.version}

    def _registrar(self, aplicadas: list[Operacion]) -> None:
        """Registro de idempotencia de las aplicadas (una sentencia)."""
        fecha_bd, uuid_bd, json_bd = insercion.preparar()
        ahora = fecha_bd(timezone.now())
        insercion.insertar(
            OperacionRecibida,
            [
                "uuid",
                "tienda",
                "terminal",
                "modelo",
                "tipo",
                "objeto_id",
                "datos",
                "resultado",
                "hora_terminal",
                "desfase_ms",
                "recibida_en",
            ],
            [
                (
                    uuid_bd(dialecto.uuid_operacion(op.uuid)),
                    self.tienda,
                    self.terminal.codigo,
                    op.config.nombre,
                    op.tipo,
                    op.objeto_id or "",
                    json_bd(op.datos),
                    json_bd({"resultado": "aplicada", "version": op.resultado["version"]}),
                    op.hora_terminal,
                    op.desfase_ms,
                    ahora,
                )
                for op in aplicadas
            ],
        )

    # -- versiones ---------------------------------------------------------------------------

    def _versiones_finales(self, aplicadas: list[Operacion]) -> None:
        """La versión de cada aplicada es la de su objeto al confirmar el lote (una consulta por
        modelo): si el lote toca un objeto varias veces, todas llevan la misma, la única que
        llega a existir fuera de la transacción (las intermedias se superan dentro de ella)."""
        faltan = [op for op in aplicadas if "version" not in op.resultado]
        versiones = lecturas.versiones((op.config.nombre, op.objeto_id or "") for op in faltan)
        for op in faltan:
            op.resultado["version"] = versiones.get((op.config.nombre, op.objeto_id or ""), 0)

    # -- una operación ----------------------------------------------------------------------

    def _una(self, op: Operacion) -> None:
        if op.tipo == "crear" and op.tipo in op.config.operaciones_permitidas:
            # Sólo valida (lecturas): la inserción va en bloque (``Creaciones.volcar``).
            try:
                op.resultado = self.creaciones.validar(op)
            except Rechazo as r:
                op.resultado = {"resultado": "rechazada", "motivo": r.motivo}
            except (ValueError, TypeError, ArithmeticError) as exc:
                op.resultado = {
                    "resultado": "rechazada",
                    "motivo": f"{type(exc).__name__}: {str(exc)[:200]}",
                }
            return
        if op.tipo != "ajustar":  # puede leer lo que ajustan los pendientes
            self.ajustes.volcar()
        if self.creaciones.hay_que_volcar_antes(op):
            self.creaciones.volcar()
        if op.tipo == "borrar":
            self.referencias.olvidar_todo()
        # «ajustar» es una única sentencia con efecto (UPDATE … RETURNING) y puede ir sin punto
        # de guardado (``dialecto.ajuste_sin_punto``). Un viaje a la base en vez de tres; en
        # bloque (``dialecto.ajustes_en_bloque``), sólo se valida aquí y se aplica al volcar.
        sin_punto = op.tipo == "ajustar" and (
            self.en_bloque or dialecto.ajuste_sin_punto(self.seguro)
        )
        try:
            with contextlib.nullcontext() if sin_punto else transaction.atomic():
                op.resultado = self._aplicar_una(op)
        except Rechazo as r:
            self.objetos.olvidar(op)
            op.resultado = {"resultado": "rechazada", "motivo": r.motivo}
        except (DatabaseError, ValueError, TypeError, ArithmeticError) as exc:
            dialecto.si_transitorio(exc)
            if (
                sin_punto
                and isinstance(exc, DatabaseError)
                and dialecto.error_aborta_lote(self.seguro)
            ):
                raise ReintentarSeguro from exc
            self.objetos.olvidar(op)
            op.resultado = {
                "resultado": "rechazada",
                "motivo": f"La base de datos la rechazó: {type(exc).__name__}: {str(exc)[:200]}",
            }

    def _aplicar_una(self, op: Operacion) -> dict[str, Any]:
        config = op.config
        if op.tipo not in config.operaciones_permitidas:
            raise Rechazo(f"Las tiendas no pueden «{op.tipo}» en {config.nombre}.")
        objeto = self.objetos.de(op, self.tienda)
        if op.tipo == "ajustar":
            if self.en_bloque:
                return self.ajustes.encolar(op, objeto)
            return self.ajustes.aplicar(op, objeto)
        if op.tipo == "actualizar":
            return self._actualizar(op, objeto)
        return self._borrar(op, objeto)

    def _actualizar(self, op: Operacion, objeto: Model) -> dict[str, Any]:
        reglas.comprobar(op, self.tienda, self.terminal.codigo)
        datos = datos_escribibles(op, self.tienda, permitir_clave=False)
        if not datos:
            raise Rechazo("«actualizar» sin campos que cambiar.")
        conflicto = conflictos.conflicto(op, objeto, list(datos))
        if conflicto:
            return conflicto
        nombres = asignar(op.config, objeto, datos, self.referencias)
        objeto.save(update_fields=nombres)
        return {"resultado": "aplicada"}

    def _borrar(self, op: Operacion, objeto: Model) -> dict[str, Any]:
        reglas.comprobar(op, self.tienda, self.terminal.codigo)
        if op.datos:
            raise Rechazo("«borrar» lleva «datos» vacío.")
        # Sin valores base, cualquier cambio desde ``version_base`` es conflicto.
        conflicto = conflictos.conflicto(
            op,
            objeto,
            [c for c in (op.valores_base or {}) if c in op.config.tipos]
            or sorted(op.config.campos_escribibles),
        )
        if conflicto:
            return conflicto
        objeto.delete()
        self.objetos.poner(op, None)
        return {"resultado": "aplicada"}
