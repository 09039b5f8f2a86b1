"""Qué operaciones salen ahora y en qué orden (reglas puras en ``agente.reglas.orden`` y
``agente.reglas.prioridades``).

``preparar`` elige hasta ``limite`` operaciones listas y las marca ``PROCESANDO`` con su
propietario en una transacción duradera; ``retenidas`` dice qué espera a qué.

Coste de ``preparar``: proporcional al lote, no a la cola
    Sale primero la lista de menor clave (críticos, prioridad dinámica, prioridad propia) y, a
    igualdad, la más antigua. Las candidatas de cada modelo se leen ya en ese orden del índice
    ``operaciones_listas`` (sólo ``PENDIENTE``) y se mezclan en un montículo; para cada una, unas
    pocas consultas por índice dicen si la retiene una anterior sin confirmar (la última del
    mismo objeto, la de cada objeto que referencia, las que referencian al objeto que borra, la
    primera de cada modelo del que depende sin referencia), salvo que ya se haya elegido en esta
    misma llamada: es la regla de ``agente.reglas.orden.elegir``, evaluada sólo donde hace falta.
    La prioridad dinámica suma la tabla ``recuentos`` (por modelo y hora; la ventana de siete
    días se redondea a la hora) en vez de contar operaciones.

    Recordar a quién espera cada candidata retenida evita volver a comprobarla en cada lote: la
    memoria sólo se cree mientras la cola no cambie salvo por caminos que la mantienen (este
    mismo, resultados del envío, devoluciones, inserciones al encolar). Cualquier otro cambio
    (otro proceso: ``PRAGMA data_version``; esta conexión: ``total_changes``; el esquema) la
    borra y se vuelve a comprobar todo lo que se encuentre.

Filas ilegibles: van a cuarentena (``agente.almacen.cuarentena``) y no paran el lote.

Parte de ``Cola``: cambia estados de ``operaciones`` por ella. Seguro desde cualquier hilo (el
cerrojo de la ``ConexionCola`` compartida); sin E/S de red.
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from agente.almacen import cuarentena
from agente.almacen.conexion import ConexionCola
from agente.almacen.encolado import EN_SIN_CONFIRMAR
from agente.operacion import (
    COLUMNAS,
    CONFLICTO,
    ERROR,
    PENDIENTE,
    PROCESANDO,
    SELECT_COLUMNAS,
    Operacion,
    a_json,
    ahora_iso,
    desde_fila,
)
from agente.reglas import orden, prioridades
from protocolo.esquema import ConfigModelo

_TROZO = 500
_PRIMER_TROZO = 64
_LIGERAS = ("seq", "prioridad", "modelo", "objeto_id", "tipo", "referidos", "libre")
_SELECT_LIGERAS = ", ".join(_LIGERAS)
_LIGERAS_RETENIDAS = ("seq", "modelo", "objeto_id", "estado", "referidos", "tipo")


@dataclasses.dataclass(frozen=True)
class _Candidata:
    seq: int
    modelo: str
    objeto_id: str
    borra: bool
    referidos: dict[str, list[str]] | None
    libre: bool


class Envio:
    """Selección y marcado de lotes (ver docstring del módulo)."""

    def __init__(self, bd: ConexionCola, propietario: str) -> None:
        self._bd = bd
        self.propietario = propietario
        self._modelos: dict[str, ConfigModelo] = {}
        self._grafo = orden.Grafo.de({})
        self._referentes: dict[str, tuple[str, ...]] = {}
        self._huella_reglas = ""
        # Memoria de retenidas: candidata -> retenedora sin confirmar, y al revés. Vale sólo
        # mientras la huella (data_version, total_changes) sea la guardada.
        self._retenida_por: dict[int, int] = {}
        self._retiene: dict[int, set[int]] = {}
        self._huella: tuple[int, int] | None = None
        #: UUID -> seq de lo que esta instancia marcó ``PROCESANDO`` y aún no anotó: los
        #: resultados se escriben por ``seq`` (filas contiguas) sin buscar cada UUID. Sólo se
        #: toca con el cerrojo de la conexión.
        self.en_vuelo: dict[str, int] = {}

    def configurar_modelos(self, modelos: Iterable[ConfigModelo]) -> None:
        with self._bd.cerrojo:
            self._modelos = {m.nombre: m for m in modelos}
            self._grafo = orden.Grafo.de(
                {m.nombre: m.dependencias for m in self._modelos.values()},
                {m.nombre: set(m.referencias.values()) for m in self._modelos.values()},
            )
            self._huella_reglas = hashlib.sha256(
                a_json(
                    sorted(
                        (m.nombre, sorted(m.dependencias), sorted(m.referencias.items()))
                        for m in self._modelos.values()
                    )
                ).encode()
            ).hexdigest()[:16]
            self._referentes = {
                destino: tuple(
                    sorted(
                        m.nombre
                        for m in self._modelos.values()
                        if destino in m.referencias.values()
                    )
                )
                for destino in self._modelos
            }
            self._olvidar()

    def libre(self, modelo: str, tipo: str, referidos: str | None) -> str | None:
        """Columna ``libre`` de una operación nueva sin anterior sin confirmar de su objeto:
        la huella de las reglas si ninguna anterior puede retenerla nunca (no es un «borrar»,
        no referencia objetos concretos y no espera a nadie por modelo), si no ``None``.
        Así ``preparar`` no consulta nada para ella mientras las reglas no cambien."""
        if tipo == "borrar":
            return None
        leidos = json.loads(referidos) if referidos else None
        if leidos and any(leidos.values()):
            return None
        pieza = orden.Pieza(0, modelo, "", PENDIENTE, (), leidos)
        if modelo not in self._modelos or self._grafo.por_modelo(pieza):
            return None
        return self._huella_reglas

    # -- memoria de retenidas ----------------------------------------------------------------

    def _olvidar(self) -> None:
        self._retenida_por.clear()
        self._retiene.clear()
        self._huella = None

    @staticmethod
    def huella(c: sqlite3.Connection) -> tuple[int, int]:
        """Cambia si otro proceso (``data_version``) o esta conexión (``total_changes``)
        escribieron en la cola."""
        return c.execute("PRAGMA data_version").fetchone()[0], c.total_changes

    def tras_escribir(
        self, c: sqlite3.Connection, antes: tuple[int, int], finalizadas: Sequence[str] = ()
    ) -> None:
        """Para ``Cola``, dentro de su transacción: acaba de escribir por un camino que
        mantiene la memoria (resultados, devoluciones, inserciones). ``antes``: la huella antes
        de escribir; ``finalizadas``: UUID de operaciones que ya no retienen a nadie
        (``COMPLETADO``/``DESCARTADO``)."""
        if antes != self._huella:
            return
        if self._retiene and finalizadas:
            for inicio in range(0, len(finalizadas), _TROZO):
                trozo = list(finalizadas[inicio : inicio + _TROZO])
                marcas = ", ".join("?" * len(trozo))
                for (seq,) in c.execute(
                    f"SELECT seq FROM operaciones WHERE uuid IN ({marcas})",  # noqa: S608
                    trozo,
                ).fetchall():
                    for candidata in self._retiene.pop(seq, ()):
                        self._retenida_por.pop(candidata, None)
        self._huella = self.huella(c)

    def _recordar(self, candidata: int, retenedora: int) -> None:
        anterior = self._retenida_por.get(candidata)
        if anterior is not None:
            self._retiene.get(anterior, set()).discard(candidata)
        self._retenida_por[candidata] = retenedora
        self._retiene.setdefault(retenedora, set()).add(candidata)

    def _soltar(self, candidata: int) -> None:
        retenedora = self._retenida_por.pop(candidata, None)
        if retenedora is not None:
            self._retiene.get(retenedora, set()).discard(candidata)

    # -- prioridades -------------------------------------------------------------------------

    def prioridades(self) -> dict[str, prioridades.PrioridadModelo]:
        """Prioridad dinámica actual por modelo (la que usa ``preparar``)."""
        with self._bd.leer() as c:
            return self._prioridades(c)

    def _prioridades(self, c: sqlite3.Connection) -> dict[str, prioridades.PrioridadModelo]:
        return prioridades.calcular(self._modelos.values(), contar_recientes(c))

    # -- preparar ----------------------------------------------------------------------------

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
        if limite <= 0:
            return []
        avisos: list[str] = []
        try:
            with self._bd.escribir() as c:
                if self._huella != self.huella(c):
                    self._olvidar()
                ahora = ahora_iso()
                while True:
                    elegidas = self._elegir(c, limite, avisos)
                    leidas: dict[int, Operacion] = {}
                    for fila in _filas_de(c, elegidas):
                        op = cuarentena.operacion_o_motivo(_en_vuelo(fila, ahora))
                        if isinstance(op, str):
                            avisos.append(cuarentena.apartar(c, fila[0], op))
                        else:
                            leidas[op.seq] = op
                    if len(leidas) == len(elegidas):
                        break
                    # Una elegida era ilegible: ya está en ERROR y quizá retenía a otras de
                    # este lote; se vuelve a elegir con ella apartada.
                    self._olvidar()
                if elegidas:
                    self.en_vuelo.update((leidas[s].uuid, s) for s in elegidas)
                    c.executemany(
                        "UPDATE operaciones SET estado = ?, intentos = intentos + 1,"
                        " propietario = ?, en_vuelo_desde = ?, actualizada_en = ?"
                        " WHERE seq = ?",
                        [(PROCESANDO, self.propietario, ahora, ahora, s) for s in elegidas],
                    )
                self._huella = self.huella(c)
        finally:
            cuarentena.avisar(self._bd.ruta, avisos)
        return [leidas[s] for s in elegidas]

    def _elegir(self, c: sqlite3.Connection, limite: int, avisos: list[str]) -> list[int]:
        rangos = self._prioridades(c)
        monticulo: list[tuple[Any, ...]] = []
        lectores: dict[str, Iterator[tuple]] = {}

        def siguiente_de(modelo: str) -> None:
            fila = next(lectores[modelo], None)
            if fila is not None:
                clave = prioridades.clave_envio(rangos, modelo, fila[1])
                heapq.heappush(monticulo, (clave, fila[0], modelo, fila))

        for modelo in _modelos_con_pendientes(c):
            lectores[modelo] = _pendientes_de(c, modelo)
            siguiente_de(modelo)
        elegidas: list[int] = []
        elegida: set[int] = set()
        while monticulo and len(elegidas) < limite:
            _, seq, modelo, fila = heapq.heappop(monticulo)
            if modelo is not None:
                siguiente_de(modelo)
            if seq in elegida:
                continue
            retenedora = self._retenida_por.get(seq)
            if retenedora is not None and retenedora not in elegida:
                continue
            candidata = self._candidata(c, fila, avisos)
            if candidata is None:
                continue
            retenedora = self._retenedora(c, candidata, elegida)
            if retenedora is not None:
                self._recordar(seq, retenedora)
                continue
            self._soltar(seq)
            elegidas.append(seq)
            elegida.add(seq)
            # Las que esperaban a ésta pueden salir en este mismo lote, detrás de ella.
            for otra in sorted(self._retiene.pop(seq, ())):
                self._retenida_por.pop(otra, None)
                encontradas = cuarentena.filas(
                    c,
                    f"SELECT {_SELECT_LIGERAS} FROM operaciones"  # noqa: S608
                    " WHERE seq = ? AND estado = ?",
                    (otra, PENDIENTE),
                )
                if encontradas:
                    fila_otra = encontradas[0]
                    clave = prioridades.clave_envio(rangos, fila_otra[2], fila_otra[1])
                    heapq.heappush(monticulo, (clave, otra, None, fila_otra))
        return elegidas

    def _candidata(
        self, c: sqlite3.Connection, fila: tuple, avisos: list[str]
    ) -> _Candidata | None:
        seq, _prioridad, modelo, objeto_id, tipo, referidos, libre = fila
        try:
            leidos = json.loads(referidos) if referidos else None
            if (
                type(modelo) is str
                and type(objeto_id) is str
                and type(tipo) is str
                and (leidos is None or isinstance(leidos, dict))
            ):
                return _Candidata(
                    seq,
                    modelo,
                    objeto_id,
                    tipo == "borrar",
                    leidos,
                    libre == self._huella_reglas and tipo != "borrar",
                )
        except (TypeError, ValueError):
            pass
        avisos.append(
            cuarentena.apartar(
                c, seq, cuarentena.motivo_ilegible(_LIGERAS, fila) or "fila no válida"
            )
        )
        return None

    def _retenedora(self, c: sqlite3.Connection, op: _Candidata, elegida: set[int]) -> int | None:
        """Una operación anterior sin confirmar, no elegida en esta llamada, que retiene a
        ``op`` (``None`` si ninguna): la regla de ``agente.reglas.orden.elegir``."""
        if op.libre:
            return None
        objetos = [(op.modelo, op.objeto_id)]
        for modelo_referido, claves in (op.referidos or {}).items():
            objetos.extend((modelo_referido, clave) for clave in claves)
        for modelo, objeto_id in objetos:
            fila = c.execute(
                "SELECT seq FROM operaciones WHERE modelo = ? AND objeto_id = ?"  # noqa: S608
                " AND finalizada_en IS NULL AND seq < ?"
                f" AND estado IN {EN_SIN_CONFIRMAR} ORDER BY seq DESC LIMIT 1",
                (modelo, objeto_id, op.seq),
            ).fetchone()
            # Basta la última: las anteriores del mismo objeto salen antes que ella.
            if fila is not None and fila[0] not in elegida:
                return fila[0]
        if op.borra:
            for seq in self._referentes_sin_confirmar(c, op):
                if seq not in elegida:
                    return seq
        pieza = orden.Pieza(
            op.seq, op.modelo, op.objeto_id, PENDIENTE, (), op.referidos, borra=op.borra
        )
        for dependencia in sorted(self._grafo.por_modelo(pieza)):
            for (seq,) in c.execute(
                "SELECT seq FROM operaciones WHERE modelo = ?"  # noqa: S608
                f" AND finalizada_en IS NULL AND seq < ? AND estado IN {EN_SIN_CONFIRMAR}"
                " ORDER BY seq",
                (dependencia, op.seq),
            ):
                if seq not in elegida:
                    return seq
        return None

    def _referentes_sin_confirmar(self, c: sqlite3.Connection, op: _Candidata) -> list[int]:
        """Operaciones anteriores sin confirmar que referencian el objeto que ``op`` borra."""
        referentes = self._referentes.get(op.modelo, ())
        if not referentes:
            return []
        marcas = ", ".join("?" * len(referentes))
        filas = c.execute(
            "SELECT seq, referidos FROM operaciones"  # noqa: S608
            f" WHERE modelo IN ({marcas}) AND finalizada_en IS NULL AND seq < ?"
            f" AND estado IN {EN_SIN_CONFIRMAR}"
            " AND referidos IS NOT NULL AND instr(referidos, ?) > 0 ORDER BY seq",
            (*referentes, op.seq, a_json(op.objeto_id)),
        )
        resultado = []
        for seq, texto in filas:
            try:
                referidos = json.loads(texto)
            except (TypeError, ValueError):
                continue  # ilegible: se apartará al llegarle su turno
            if op.objeto_id in referidos.get(op.modelo, ()):
                resultado.append(seq)
        return resultado

    # -- retenidas ---------------------------------------------------------------------------

    def retenidas(self, limite: int = 50) -> list[tuple[Operacion, Operacion]]:
        """``(pendiente, retenedora)``: operaciones PENDIENTE que no saldrán mientras la
        retenedora (``ERROR``/``CONFLICTO``) no se resuelva, por la misma regla que
        ``preparar`` (mismo objeto, objeto referido, referencia al objeto que se borra o
        modelo). En orden de cola. Lee todas las sin confirmar (para el estado, no el envío)."""
        with self._bd.leer() as c:
            with cuarentena.lectura_tolerante(c):
                # Las ilegibles se apartan en el próximo envío; aquí no cuentan.
                filas = [
                    f
                    for f in c.execute(
                        "SELECT seq, modelo, objeto_id, estado, referidos, tipo"  # noqa: S608
                        f" FROM operaciones WHERE estado IN {EN_SIN_CONFIRMAR} ORDER BY seq"
                    ).fetchall()
                    if cuarentena.motivo_ilegible(_LIGERAS_RETENIDAS, f) is None
                ]
            piezas = [
                orden.Pieza(
                    seq,
                    modelo,
                    objeto_id,
                    estado,
                    (),
                    json.loads(referidos) if referidos else None,
                    borra=tipo == "borrar",
                )
                for seq, modelo, objeto_id, estado, referidos, tipo in filas
            ]
            pares = sorted(
                orden.retenedoras(piezas, self._grafo, frozenset((ERROR, CONFLICTO))).items()
            )[: max(0, int(limite))]
            seqs = sorted({piezas[i].seq for par in pares for i in par})
            por_seq = {op.seq: op for op in leer_seqs(c, seqs)}
        return [(por_seq[piezas[i].seq], por_seq[piezas[j].seq]) for i, j in pares]


def _modelos_con_pendientes(c: sqlite3.Connection) -> list[str]:
    """Modelos con alguna ``PENDIENTE``, saltando por el índice (un paso por modelo)."""
    return [
        m
        for (m,) in c.execute(
            "WITH RECURSIVE m(modelo) AS ("
            " SELECT (SELECT MIN(modelo) FROM operaciones INDEXED BY operaciones_listas"
            " WHERE estado = 'PENDIENTE')"
            " UNION ALL SELECT (SELECT MIN(modelo) FROM operaciones INDEXED BY operaciones_listas"
            " WHERE estado = 'PENDIENTE' AND modelo > m.modelo) FROM m WHERE m.modelo IS NOT NULL)"
            " SELECT modelo FROM m WHERE modelo IS NOT NULL"
        ).fetchall()
    ]


def _pendientes_de(c: sqlite3.Connection, modelo: str) -> Iterator[tuple]:
    """Las ``PENDIENTE`` de ``modelo`` en orden (prioridad, seq), a trozos crecientes. Cada
    trozo sigue por el índice donde acabó el anterior (misma prioridad y ``seq`` mayor, o
    prioridad mayor): dos búsquedas, nunca un recorrido desde el principio."""
    trozo = _PRIMER_TROZO
    filas = cuarentena.filas(
        c,
        f"SELECT {_SELECT_LIGERAS} FROM operaciones WHERE modelo = ?"  # noqa: S608
        " AND estado = 'PENDIENTE' ORDER BY prioridad, seq LIMIT ?",
        (modelo, trozo),
    )
    while filas:
        yield from filas
        if len(filas) < trozo:
            return
        seq, prioridad = filas[-1][0], filas[-1][1]
        trozo = min(trozo * 4, _TROZO * 8)
        filas = cuarentena.filas(
            c,
            f"SELECT {_SELECT_LIGERAS} FROM operaciones WHERE modelo = ?"  # noqa: S608
            " AND estado = 'PENDIENTE' AND prioridad = ? AND seq > ? ORDER BY seq LIMIT ?",
            (modelo, prioridad, seq, trozo),
        )
        if len(filas) < trozo:
            filas += cuarentena.filas(
                c,
                f"SELECT {_SELECT_LIGERAS} FROM operaciones WHERE modelo = ?"  # noqa: S608
                " AND estado = 'PENDIENTE' AND prioridad > ? ORDER BY prioridad, seq LIMIT ?",
                (modelo, prioridad, trozo - len(filas)),
            )


_ESTADO = COLUMNAS.index("estado")
_INTENTOS = COLUMNAS.index("intentos")
_ACTUALIZADA_EN = COLUMNAS.index("actualizada_en")


def _en_vuelo(fila: tuple, ahora: str) -> tuple:
    """La fila tal como queda tras marcarla ``PROCESANDO`` en ``preparar``."""
    valores = list(fila)
    valores[_ESTADO] = PROCESANDO
    if type(valores[_INTENTOS]) is int:
        valores[_INTENTOS] += 1
    valores[_ACTUALIZADA_EN] = ahora
    return tuple(valores)


def _filas_de(c: sqlite3.Connection, seqs: Sequence[int]) -> list[tuple]:
    filas: list[tuple] = []
    for inicio in range(0, len(seqs), _TROZO):
        trozo = seqs[inicio : inicio + _TROZO]
        marcas = ", ".join("?" * len(trozo))
        filas.extend(
            cuarentena.filas(
                c,
                f"SELECT {SELECT_COLUMNAS} FROM operaciones WHERE seq IN ({marcas})",  # noqa: S608
                trozo,
            )
        )
    return filas


def leer_seqs(c: sqlite3.Connection, seqs: Sequence[int]) -> list[Operacion]:
    return [desde_fila(f) for f in _filas_de(c, seqs)]


def contar_recientes(
    conexion: sqlite3.Connection, dias: float = prioridades.DIAS_VENTANA
) -> dict[str, int]:
    """Operaciones encoladas por modelo en los últimos ``dias`` (todas, confirmadas o no),
    de los totales por hora de ``recuentos`` (la hora del límite cuenta entera)."""
    desde = prioridades.hace_dias(dias)[:13]
    filas = conexion.execute(
        "SELECT modelo, SUM(n) FROM recuentos WHERE hora >= ? GROUP BY modelo", (desde,)
    )
    return {modelo: n for modelo, n in filas.fetchall() if n}
