"""Qué operaciones salen ahora y en qué orden (reglas puras en ``agente.reglas.orden`` y
``agente.reglas.prioridades``).

``preparar`` elige hasta ``limite`` operaciones listas y las marca ``PROCESANDO`` con su
propietario en una transacción duradera; ``retenidas`` dice qué espera a qué.

Parte de ``Cola``: cambia estados de ``operaciones`` por ella. Seguro desde cualquier hilo (el
cerrojo de la ``ConexionCola`` compartida); sin E/S de red.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterable, Sequence

from agente.almacen import cuarentena
from agente.almacen.conexion import ConexionCola
from agente.almacen.encolado import EN_SIN_CONFIRMAR
from agente.operacion import (
    CONFLICTO,
    ERROR,
    PROCESANDO,
    SELECT_COLUMNAS,
    Operacion,
    ahora_iso,
    desde_fila,
)
from agente.reglas import orden, prioridades
from protocolo.esquema import ConfigModelo

_TROZO = 500


class Envio:
    """Selección y marcado de lotes (ver docstring del módulo)."""

    def __init__(self, bd: ConexionCola, propietario: str) -> None:
        self._bd = bd
        self.propietario = propietario
        self._modelos: dict[str, ConfigModelo] = {}
        self._grafo = orden.Grafo.de({})

    def configurar_modelos(self, modelos: Iterable[ConfigModelo]) -> None:
        with self._bd.cerrojo:
            self._modelos = {m.nombre: m for m in modelos}
            self._grafo = orden.Grafo.de(
                {m.nombre: m.dependencias for m in self._modelos.values()},
                {m.nombre: set(m.referencias.values()) for m in self._modelos.values()},
            )

    def prioridades(self) -> dict[str, prioridades.PrioridadModelo]:
        """Prioridad dinámica actual por modelo (la que usa ``preparar``)."""
        with self._bd.leer() as c:
            return self._prioridades(c)

    def _prioridades(self, c: sqlite3.Connection) -> dict[str, prioridades.PrioridadModelo]:
        return prioridades.calcular(self._modelos.values(), _contar_recientes(c))

    def preparar(self, limite: int = 1000) -> list[Operacion]:
        """Elige hasta ``limite`` operaciones listas, en orden de envío, y las marca
        ``PROCESANDO`` (``intentos + 1``) en una transacción duradera.

        Lista = PENDIENTE sin operaciones anteriores sin confirmar sobre el mismo objeto, sobre
        un objeto que referencia, que (si es un «borrar») referencien a su objeto ni, donde no
        declara referencia, sobre un modelo del que depende (salvo las elegidas antes en esta
        misma llamada; ver ``agente.reglas.orden``). Así, una segunda llamada con el primer
        lote aún en vuelo sólo devuelve operaciones independientes de él. Orden: críticos,
        prioridad dinámica, prioridad propia, FIFO.
        """
        avisos: list[str] = []
        try:
            with self._bd.escribir() as c, cuarentena.lectura_tolerante(c):
                while True:
                    elegidas = self._elegir(c, limite, avisos)
                    if not elegidas:
                        return []
                    leidas = {}
                    for fila in _filas_de(c, elegidas):
                        op = cuarentena.operacion_o_motivo(fila)
                        if isinstance(op, str):
                            avisos.append(cuarentena.apartar(c, fila[0], op))
                        else:
                            leidas[op.seq] = op
                    if len(leidas) == len(elegidas):
                        break
                    # Una elegida era ilegible: ya está en ERROR y quizá retenía a otras de
                    # este lote; se vuelve a elegir con ella apartada.
                ahora = ahora_iso()
                c.executemany(
                    "UPDATE operaciones SET estado = ?, intentos = intentos + 1,"
                    " propietario = ?, en_vuelo_desde = ?, actualizada_en = ? WHERE seq = ?",
                    [(PROCESANDO, self.propietario, ahora, ahora, s) for s in elegidas],
                )
        finally:
            cuarentena.avisar(self._bd.ruta, avisos)
        return [_en_vuelo(leidas[s], ahora) for s in elegidas]

    def _elegir(self, c: sqlite3.Connection, limite: int, avisos: list[str]) -> list[int]:
        filas = c.execute(
            "SELECT seq, modelo, objeto_id, estado, prioridad, referidos, tipo"  # noqa: S608
            f" FROM operaciones WHERE estado IN {EN_SIN_CONFIRMAR} ORDER BY seq"
        ).fetchall()
        if not filas:
            return []
        rangos = self._prioridades(c)
        piezas = []
        for fila in filas:
            motivo = cuarentena.motivo_ilegible(_LIGERAS, fila)
            if motivo is not None:
                avisos.append(cuarentena.apartar(c, fila[0], motivo))
                fila = c.execute(
                    "SELECT seq, modelo, objeto_id, estado, prioridad, referidos, tipo"
                    " FROM operaciones WHERE seq = ?", (fila[0],)).fetchone()
            seq, modelo, objeto_id, estado, prioridad, referidos, tipo = fila
            piezas.append(orden.Pieza(
                seq,
                modelo,
                objeto_id,
                estado,
                prioridades.clave_envio(rangos, modelo, prioridad),
                json.loads(referidos) if referidos else None,
                borra=tipo == "borrar",
            ))
        return [piezas[i].seq for i in orden.elegir(piezas, self._grafo, limite)]

    def retenidas(self, limite: int = 50) -> list[tuple[Operacion, Operacion]]:
        """``(pendiente, retenedora)``: operaciones PENDIENTE que no saldrán mientras la
        retenedora (``ERROR``/``CONFLICTO``) no se resuelva, por la misma regla que
        ``preparar`` (mismo objeto, objeto referido, referencia al objeto que se borra o
        modelo). En orden de cola."""
        with self._bd.leer() as c:
            with cuarentena.lectura_tolerante(c):
                # Las ilegibles se apartan en el próximo envío; aquí no cuentan.
                filas = [
                    f for f in c.execute(
                        "SELECT seq, modelo, objeto_id, estado, referidos, tipo"  # noqa: S608
                        f" FROM operaciones WHERE estado IN {EN_SIN_CONFIRMAR} ORDER BY seq"
                    ).fetchall()
                    if cuarentena.motivo_ilegible(_LIGERAS_RETENIDAS, f) is None
                ]
            piezas = [
                orden.Pieza(seq, modelo, objeto_id, estado, (),
                            json.loads(referidos) if referidos else None,
                            borra=tipo == "borrar")
                for seq, modelo, objeto_id, estado, referidos, tipo in filas
            ]
            pares = sorted(
                orden.retenedoras(piezas, self._grafo, frozenset((ERROR, CONFLICTO))).items()
            )[: max(0, int(limite))]
            seqs = sorted({piezas[i].seq for par in pares for i in par})
            por_seq = {op.seq: op for op in leer_seqs(c, seqs)}
        return [(por_seq[piezas[i].seq], por_seq[piezas[j].seq]) for i, j in pares]


_LIGERAS = ("seq", "modelo", "objeto_id", "estado", "prioridad", "referidos", "tipo")
_LIGERAS_RETENIDAS = ("seq", "modelo", "objeto_id", "estado", "referidos", "tipo")


def _en_vuelo(op: Operacion, ahora: str) -> Operacion:
    """``op`` tal como queda tras marcarla ``PROCESANDO`` en ``preparar``."""
    return dataclasses.replace(op, estado=PROCESANDO, intentos=op.intentos + 1,
                               actualizada_en=ahora)


def _filas_de(c: sqlite3.Connection, seqs: Sequence[int]) -> list[tuple]:
    filas: list[tuple] = []
    for inicio in range(0, len(seqs), _TROZO):
        trozo = seqs[inicio : inicio + _TROZO]
        marcas = ", ".join("?" * len(trozo))
        filas.extend(c.execute(
            f"SELECT {SELECT_COLUMNAS} FROM operaciones WHERE seq IN ({marcas})", list(trozo)  # noqa: S608
        ).fetchall())
    return filas


def leer_seqs(c: sqlite3.Connection, seqs: Sequence[int]) -> list[Operacion]:
    resultado = []
    for inicio in range(0, len(seqs), _TROZO):
        trozo = seqs[inicio : inicio + _TROZO]
        marcas = ", ".join("?" * len(trozo))
        filas = c.execute(
            f"SELECT {SELECT_COLUMNAS} FROM operaciones WHERE seq IN ({marcas})", list(trozo)  # noqa: S608
        ).fetchall()
        resultado.extend(desde_fila(f) for f in filas)
    return resultado


def _contar_recientes(
    conexion: sqlite3.Connection, dias: float = prioridades.DIAS_VENTANA
) -> dict[str, int]:
    """Operaciones encoladas por modelo en los últimos ``dias`` (todas, confirmadas o no)."""
    filas = conexion.execute(
        "SELECT modelo, COUNT(*) FROM operaciones WHERE hora_terminal >= ? GROUP BY modelo",
        (prioridades.hace_dias(dias),),
    )
    return dict(filas.fetchall())
