"""Encolar: cada operación nueva se inserta, se fusiona con la anterior del mismo objeto que
aún no salió, o anula su «crear» (reglas puras en ``agente.reglas.coalescer``).

Parte de ``Cola``: escribe ``operaciones`` por ella. ``encolar_varias`` es UNA transacción
duradera (o todas o ninguna). Calcula también la columna ``referidos`` (objetos que
referencia cada operación; la usa ``agente.almacen.envio``). Seguro desde cualquier hilo (el
cerrojo de la ``ConexionCola`` compartida); sin E/S de red.
"""

from __future__ import annotations

import json
import sqlite3
import uuid as uuidlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agente.almacen import ajustes
from agente.almacen.conexion import ConexionCola
from agente.operacion import (
    DESCARTADO,
    PENDIENTE,
    SELECT_COLUMNAS,
    SIN_CONFIRMAR,
    Operacion,
    a_json,
    ahora_iso,
    desde_fila,
)
from agente.reglas import coalescer
from protocolo.esquema import ConfigModelo

EN_SIN_CONFIRMAR = "(" + ", ".join(f"'{e}'" for e in SIN_CONFIRMAR) + ")"
"""Para ``estado IN ...``. Las consultas de las sin confirmar añaden ``finalizada_en IS NULL``
(toda operación sin confirmar lo tiene; sólo al pasar a final se fija): así usan los índices
parciales de la migración 0007, que no cambian al pasar a ``PROCESANDO`` o ``ERROR``."""


@dataclass(frozen=True)
class NuevaOperacion:
    """Una operación ya validada que ``Agente`` pide encolar."""

    modelo: str
    objeto_id: str
    tipo: str
    datos: dict[str, Any]
    version_base: int | None = None
    valores_base: dict[str, Any] = field(default_factory=dict)
    prioridad: int = 0
    uuid: str | None = None


def referidos_de(
    config: ConfigModelo | None,
    tipo: str,
    datos: Mapping[str, Any],
    valores_base: Mapping[str, Any],
) -> str | None:
    """Columna ``referidos`` de una operación: ``{"app.Modelo": [claves]}`` en JSON con los
    objetos que referencia por las ``referencias`` de su modelo, o ``None`` si no resuelve
    ninguna (espera por modelo).

    Un modelo destino se resuelve si todos sus campos de referencia tienen valor en ``datos``
    (o en ``valores_base``); en ``crear`` un campo ausente no referencia nada. Si a un
    ``actualizar``/``borrar`` le falta el campo, ese destino queda sin resolver.
    """
    if config is None or not config.referencias:
        return None
    por_destino: dict[str, set[str]] = {}
    sin_resolver: set[str] = set()
    for campo, destino in config.referencias.items():
        if campo in datos:
            valor = datos[campo]
        elif campo in valores_base:
            valor = valores_base[campo]
        elif tipo == "crear":
            valor = None
        else:
            sin_resolver.add(destino)
            continue
        claves = por_destino.setdefault(destino, set())
        if valor is not None:
            claves.add(str(valor))
    resueltos = {d: sorted(c) for d, c in por_destino.items() if d not in sin_resolver}
    return a_json(resueltos) if resueltos else None


def leer_seq(c: sqlite3.Connection, seq: int) -> Operacion:
    fila = c.execute(
        f"SELECT {SELECT_COLUMNAS} FROM operaciones WHERE seq = ?",  # noqa: S608
        (seq,),
    ).fetchone()
    return desde_fila(fila)


class Encolador:
    """Inserta, fusiona o anula al encolar (ver docstring del módulo)."""

    def __init__(self, bd: ConexionCola) -> None:
        self._bd = bd
        self.modelos: dict[str, ConfigModelo] = {}
        #: ``(modelo, tipo, referidos) -> huella | None``: la columna ``libre`` de una
        #: operación nueva sin anterior sin confirmar del mismo objeto (``Envio.libre``).
        self.libre: Callable[[str, str, str | None], str | None] = lambda *_: None
        #: Tras cada ``encolar_varias``: ¿sólo insertó filas nuevas? (una fusión o una
        #: anulación cambia filas que ya estaban: ``agente.almacen.envio`` lo tiene en cuenta).
        self.solo_inserciones = True

    def encolar_varias(self, nuevas: Sequence[NuevaOperacion]) -> list[Operacion]:
        """Encola varias en UNA transacción: o todas o ninguna (una venta con sus líneas).

        Devuelve, por cada una, la operación que lleva su efecto: la nueva, la anterior con la
        que se fusionó, o la anterior anulada (``DESCARTADO``) en ``crear + borrar`` (sólo si
        ninguna operación sin confirmar referencia al objeto; si alguna lo hace, el «borrar» se
        encola con aviso y sale después de ellas).
        """
        self.solo_inserciones = True
        with self._bd.escribir() as c:
            terminal, desfase = ajustes.terminal_y_desfase(c)
            return [self._encolar_una(c, n, terminal, desfase) for n in nuevas]

    def _encolar_una(
        self, c: sqlite3.Connection, nueva: NuevaOperacion, terminal: str, desfase: int
    ) -> Operacion:
        ahora = ahora_iso()
        fila = c.execute(
            "SELECT seq, tipo, datos, valores_base, estado, intentos FROM operaciones "  # noqa: S608
            "WHERE modelo = ? AND objeto_id = ? AND finalizada_en IS NULL"
            f" AND estado IN {EN_SIN_CONFIRMAR} ORDER BY seq DESC LIMIT 1",
            (nueva.modelo, nueva.objeto_id),
        ).fetchone()
        anterior = None
        if fila is not None:
            anterior = coalescer.Anterior(
                tipo=fila[1],
                datos=json.loads(fila[2]),
                valores_base=json.loads(fila[3]),
                estado=fila[4],
                intentos=fila[5],
                referida=nueva.tipo == "borrar"
                and self._referido(c, nueva.modelo, nueva.objeto_id),
            )
        decision = coalescer.decidir(anterior, nueva.tipo, nueva.datos, nueva.valores_base)
        if decision.accion == coalescer.FUSIONAR:
            self.solo_inserciones = False
            # La fusionada lleva la hora de la última edición (y el desfase de entonces): es la
            # que cuenta para «ultima_modificacion» en la central.
            c.execute(
                "UPDATE operaciones SET tipo = ?, datos = ?, valores_base = ?, actualizada_en = ?,"
                " hora_terminal = ?, desfase_ms = ? WHERE seq = ?",
                (
                    decision.tipo,
                    a_json(decision.datos),
                    a_json(decision.valores_base),
                    ahora,
                    ahora,
                    desfase,
                    fila[0],
                ),
            )
            self.recalcular_referidos(c, fila[0])
            return leer_seq(c, fila[0])
        if decision.accion == coalescer.ANULAR:
            self.solo_inserciones = False
            c.execute(
                "UPDATE operaciones SET estado = ?, motivo_resolucion = ?, resuelta_por = ?,"
                " actualizada_en = ?, finalizada_en = ? WHERE seq = ?",
                (
                    DESCARTADO,
                    "Anulada: el objeto se borró antes de enviarse su «crear».",
                    "sincro",
                    ahora,
                    ahora,
                    fila[0],
                ),
            )
            return leer_seq(c, fila[0])
        identificador = nueva.uuid or str(uuidlib.uuid4())
        referidos = referidos_de(
            self.modelos.get(nueva.modelo), nueva.tipo, decision.datos, decision.valores_base
        )
        cursor = c.execute(
            "INSERT INTO operaciones (uuid, modelo, objeto_id, tipo, datos, version_base,"
            " valores_base, hora_terminal, desfase_ms, terminal, prioridad, estado,"
            " actualizada_en, aviso, referidos, libre)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                identificador,
                nueva.modelo,
                nueva.objeto_id,
                nueva.tipo,
                a_json(decision.datos),
                nueva.version_base,
                a_json(decision.valores_base),
                ahora,
                desfase,
                terminal,
                nueva.prioridad,
                PENDIENTE,
                ahora,
                decision.aviso,
                referidos,
                # Sin anterior sin confirmar del mismo objeto ahora, nunca la tendrá: las
                # anteriores sólo pueden pasar a final.
                self.libre(nueva.modelo, nueva.tipo, referidos) if fila is None else None,
            ),
        )
        return Operacion(
            uuid=identificador,
            seq=cursor.lastrowid or 0,
            modelo=nueva.modelo,
            objeto_id=nueva.objeto_id,
            tipo=nueva.tipo,
            datos=decision.datos,
            version_base=nueva.version_base,
            valores_base=decision.valores_base,
            hora_terminal=ahora,
            desfase_ms=desfase,
            terminal=terminal,
            prioridad=nueva.prioridad,
            estado=PENDIENTE,
            actualizada_en=ahora,
            aviso=decision.aviso,
        )

    def _referido(self, c: sqlite3.Connection, modelo: str, objeto_id: str) -> bool:
        """¿Alguna operación sin confirmar de otro objeto lo referencia (columna ``referidos``)?
        Un «borrar» no anula su «crear» si es así (ver ``agente.reglas.coalescer``).

        Sólo se miran las operaciones de los modelos cuyas ``referencias`` apuntan a
        ``modelo`` (sin ninguno, ni se consulta); su coste crece con las operaciones sin
        confirmar de esos modelos (p. ej. borrar un cliente con miles de ventas en espera)."""
        referentes = sorted(
            m.nombre for m in self.modelos.values() if modelo in m.referencias.values()
        )
        if not referentes:
            return False
        marcas = ", ".join("?" * len(referentes))
        filas = c.execute(
            "SELECT referidos FROM operaciones"  # noqa: S608
            f" WHERE finalizada_en IS NULL AND estado IN {EN_SIN_CONFIRMAR}"
            f" AND modelo IN ({marcas})"
            " AND referidos IS NOT NULL AND instr(referidos, ?) > 0"
            " AND NOT (modelo = ? AND objeto_id = ?)",
            (*referentes, a_json(objeto_id), modelo, objeto_id),
        )
        return any(objeto_id in json.loads(texto).get(modelo, ()) for (texto,) in filas)

    def recalcular_referidos(self, c: sqlite3.Connection, seq: int) -> None:
        """Tras reescribir ``datos`` (el disparador de la migración 0004 dejó NULL)."""
        modelo, tipo, datos, valores_base = c.execute(
            "SELECT modelo, tipo, datos, valores_base FROM operaciones WHERE seq = ?", (seq,)
        ).fetchone()
        c.execute(
            "UPDATE operaciones SET referidos = ? WHERE seq = ?",
            (
                referidos_de(
                    self.modelos.get(modelo), tipo, json.loads(datos), json.loads(valores_base)
                ),
                seq,
            ),
        )
