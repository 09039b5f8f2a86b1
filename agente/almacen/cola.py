"""``Cola``: las operaciones de esta terminal, duraderas hasta que la central las confirma.

Durabilidad
    ``cola.sqlite`` va en WAL con ``synchronous=FULL``. Cada método que cambia algo es UNA
    transacción ``BEGIN IMMEDIATE`` ... ``COMMIT``; cuando vuelve, el cambio sobrevive a
    ``kill -9`` y a un corte de luz. Nada se borra salvo la poda de operaciones finales
    (``COMPLETADO``/``DESCARTADO``) más antiguas que el periodo de auditoría.

Hilos y procesos
    Una conexión por ``Cola`` protegida por un cerrojo (``RLock``): todos los métodos son
    seguros desde cualquier hilo y se serializan entre sí; ninguno hace E/S de red. Quien
    envía llama a ``preparar_envio`` (toma el cerrojo un momento), suelta, envía por la red sin
    cerrojo y vuelve con ``confirmar``/``marcar_error``/``marcar_conflicto``/``devolver``.
    Entre procesos (la caja y la bandeja) serializa SQLite (``BEGIN IMMEDIATE`` +
    ``busy_timeout``).

En vuelo y recuperación
    ``preparar_envio`` marca sus operaciones ``PROCESANDO`` con su propietario
    (``pid@máquina:instancia``). ``recuperar`` devuelve a ``PENDIENTE`` las que dejó en vuelo
    una instancia que ya no existe, o cuyo envío empezó hace más de ``PLAZO_EN_VUELO_S``:
    reenviarlas es seguro porque la central deduplica por UUID. No toca las de una instancia
    viva (p. ej. la bandeja enviando mientras la caja abre la cola). Corre al abrir y en cada
    empuje (``agente.sincronizacion.empuje``), así que el bucle de sincronización libera lo
    atascado sin reiniciar; si no hay nada que devolver sólo lee las filas ``PROCESANDO``.

    Vida de un propietario: ``agente.almacen.propietarios`` (un cerrojo del sistema por ``Cola``
    abierta; un PID reutilizado tras reiniciar no resucita a un propietario muerto).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sqlite3
import threading
import uuid as uuidlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agente.almacen import propietarios
from agente.almacen.migraciones import MIGRACIONES_COLA
from agente.almacen.sqlite import abrir_cola, migrar, transaccion
from agente.operacion import (
    COMPLETADO,
    CONFLICTO,
    DESCARTADO,
    ERROR,
    ESTADOS,
    FINALES,
    PENDIENTE,
    PROCESANDO,
    SELECT_COLUMNAS,
    SIN_CONFIRMAR,
    Operacion,
    desde_fila,
)
from agente.reglas import coalescer, orden, prioridades
from protocolo.esquema import ConfigModelo

PLAZO_EN_VUELO_S = 600
DIAS_AUDITORIA = 30
_EN_SIN_CONFIRMAR = "(" + ", ".join(f"'{e}'" for e in SIN_CONFIRMAR) + ")"
_TROZO = 500


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
    return _json(resueltos) if resueltos else None


class ErrorCola(Exception):
    """Operación desconocida o transición de estado no permitida. El mensaje dice por qué."""


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


def ahora_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _json(valor: Any) -> str:
    return json.dumps(valor, separators=(",", ":"), ensure_ascii=False)


class Cola:
    """La cola de operaciones de una terminal (ver el docstring del módulo)."""

    def __init__(self, ruta: str | os.PathLike[str], *, recuperar: bool = True) -> None:
        self.ruta = os.fspath(ruta)
        self._conexion = abrir_cola(self.ruta)
        self._cerrojo = threading.RLock()
        # Ruta real: dos procesos que abren la cola por enlaces distintos miran la misma carpeta.
        self._vida = propietarios.CerrojoDeVida(
            os.path.realpath(self.ruta) + propietarios.SUFIJO_PROPIETARIOS
        )
        self.propietario = f"{os.getpid()}@{socket.gethostname()}:{self._vida.instancia}"
        self._modelos: dict[str, ConfigModelo] = {}
        self._grafo = orden.Grafo.de({})
        try:
            migrar(self._conexion, MIGRACIONES_COLA)
            if recuperar:
                self.recuperar()
                self._vida.barrer_otros()
        except BaseException:
            self._vida.soltar()
            self._conexion.close()
            raise

    # -- ciclo de vida -----------------------------------------------------------------------

    def cerrar(self) -> None:
        """Devuelve a PENDIENTE lo que esta instancia tenía en vuelo y cierra la conexión."""
        with self._cerrojo:
            if self._conexion is None:
                return
            try:
                with transaccion(self._conexion) as c:
                    c.execute(
                        "UPDATE operaciones SET estado = ?, propietario = NULL,"
                        " en_vuelo_desde = NULL, actualizada_en = ?"
                        " WHERE estado = ? AND propietario = ?",
                        (PENDIENTE, ahora_iso(), PROCESANDO, self.propietario),
                    )
            finally:
                # Aunque falle devolverlas (disco lleno...): la conexión y el cerrojo se
                # sueltan, y quien abra la cola después las recupera por cerrojo libre.
                self._conexion.close()
                self._conexion = None  # type: ignore[assignment]
                self._vida.soltar()

    def __enter__(self) -> Cola:
        return self

    def __exit__(self, *excepcion: object) -> None:
        self.cerrar()

    def configurar_modelos(self, modelos: Iterable[ConfigModelo]) -> None:
        """Modelos del esquema: sus dependencias ordenan el envío; ``critico`` y ``prioridad``
        entran en la prioridad dinámica. Llamar al abrir y cuando cambie el esquema."""
        with self._cerrojo:
            self._modelos = {m.nombre: m for m in modelos}
            self._grafo = orden.Grafo.de(
                {m.nombre: m.dependencias for m in self._modelos.values()},
                {m.nombre: set(m.referencias.values()) for m in self._modelos.values()},
            )

    # -- ajustes de la terminal --------------------------------------------------------------

    def ajuste(self, clave: str, por_defecto: str | None = None) -> str | None:
        with self._cerrojo:
            fila = self._conexion.execute(
                "SELECT valor FROM ajustes WHERE clave = ?", (clave,)
            ).fetchone()
        return fila[0] if fila else por_defecto

    def fijar_ajuste(self, clave: str, valor: str) -> None:
        """Guarda un ajuste (duradero). Lo usan el sincronizador (desfase) y la configuración."""
        with self._cerrojo, transaccion(self._conexion) as c:
            c.execute(
                "INSERT INTO ajustes (clave, valor) VALUES (?, ?) "
                "ON CONFLICT (clave) DO UPDATE SET valor = excluded.valor",
                (clave, str(valor)),
            )

    def desfase_ms(self) -> int:
        """Desfase medido del reloj de la terminal respecto a la central (0 si no se midió)."""
        return int(self.ajuste("desfase_ms", "0") or 0)

    def guardar_desfase_ms(self, desfase: int) -> None:
        self.fijar_ajuste("desfase_ms", str(int(desfase)))

    def terminal(self) -> str:
        return self.ajuste("terminal", "") or ""

    def guardar_terminal(self, nombre: str) -> None:
        self.fijar_ajuste("terminal", nombre)

    # -- encolar -----------------------------------------------------------------------------

    def encolar(self, nueva: NuevaOperacion) -> Operacion:
        """Encola (o fusiona) una operación y vuelve cuando es duradera."""
        return self.encolar_varias([nueva])[0]

    def encolar_varias(self, nuevas: Sequence[NuevaOperacion]) -> list[Operacion]:
        """Encola varias en UNA transacción: o todas o ninguna (una venta con sus líneas).

        Devuelve, por cada una, la operación que lleva su efecto: la nueva, la anterior con la
        que se fusionó, o la anterior anulada (``DESCARTADO``) en ``crear + borrar`` (sólo si
        ninguna operación sin confirmar referencia al objeto; si alguna lo hace, el «borrar» se
        encola con aviso y sale después de ellas).
        """
        with self._cerrojo, transaccion(self._conexion) as c:
            ajustes = dict(
                c.execute(
                    "SELECT clave, valor FROM ajustes WHERE clave IN ('terminal', 'desfase_ms')"
                ).fetchall()
            )
            terminal = ajustes.get("terminal", "")
            desfase = int(ajustes.get("desfase_ms", "0") or 0)
            return [self._encolar_una(c, n, terminal, desfase) for n in nuevas]

    def _encolar_una(
        self, c: sqlite3.Connection, nueva: NuevaOperacion, terminal: str, desfase: int
    ) -> Operacion:
        ahora = ahora_iso()
        fila = c.execute(
            "SELECT seq, tipo, datos, valores_base, estado, intentos FROM operaciones "  # noqa: S608
            f"WHERE modelo = ? AND objeto_id = ? AND estado IN {_EN_SIN_CONFIRMAR} "
            "ORDER BY seq DESC LIMIT 1",
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
            # La fusionada lleva la hora de la última edición (y el desfase de entonces): es la
            # que cuenta para «ultima_modificacion» en la central.
            c.execute(
                "UPDATE operaciones SET tipo = ?, datos = ?, valores_base = ?, actualizada_en = ?,"
                " hora_terminal = ?, desfase_ms = ? WHERE seq = ?",
                (
                    decision.tipo,
                    _json(decision.datos),
                    _json(decision.valores_base),
                    ahora,
                    ahora,
                    desfase,
                    fila[0],
                ),
            )
            self._recalcular_referidos(c, fila[0])
            return self._leer_seq(c, fila[0])
        if decision.accion == coalescer.ANULAR:
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
            return self._leer_seq(c, fila[0])
        identificador = nueva.uuid or str(uuidlib.uuid4())
        cursor = c.execute(
            "INSERT INTO operaciones (uuid, modelo, objeto_id, tipo, datos, version_base,"
            " valores_base, hora_terminal, desfase_ms, terminal, prioridad, estado,"
            " actualizada_en, aviso, referidos)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                identificador,
                nueva.modelo,
                nueva.objeto_id,
                nueva.tipo,
                _json(decision.datos),
                nueva.version_base,
                _json(decision.valores_base),
                ahora,
                desfase,
                terminal,
                nueva.prioridad,
                PENDIENTE,
                ahora,
                decision.aviso,
                referidos_de(
                    self._modelos.get(nueva.modelo),
                    nueva.tipo,
                    decision.datos,
                    decision.valores_base,
                ),
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
            m.nombre for m in self._modelos.values() if modelo in m.referencias.values()
        )
        if not referentes:
            return False
        marcas = ", ".join("?" * len(referentes))
        filas = c.execute(
            "SELECT referidos FROM operaciones"  # noqa: S608
            f" WHERE estado IN {_EN_SIN_CONFIRMAR} AND modelo IN ({marcas})"
            " AND referidos IS NOT NULL AND instr(referidos, ?) > 0"
            " AND NOT (modelo = ? AND objeto_id = ?)",
            (*referentes, _json(objeto_id), modelo, objeto_id),
        )
        return any(objeto_id in json.loads(texto).get(modelo, ()) for (texto,) in filas)

    def _recalcular_referidos(self, c: sqlite3.Connection, seq: int) -> None:
        """Tras reescribir ``datos`` (el disparador de la migración 0004 dejó NULL)."""
        modelo, tipo, datos, valores_base = c.execute(
            "SELECT modelo, tipo, datos, valores_base FROM operaciones WHERE seq = ?", (seq,)
        ).fetchone()
        c.execute(
            "UPDATE operaciones SET referidos = ? WHERE seq = ?",
            (
                referidos_de(
                    self._modelos.get(modelo), tipo, json.loads(datos), json.loads(valores_base)
                ),
                seq,
            ),
        )

    # -- envío -------------------------------------------------------------------------------

    def preparar_envio(self, limite: int = 1000) -> list[Operacion]:
        """Elige hasta ``limite`` operaciones listas, en orden de envío, y las marca
        ``PROCESANDO`` (``intentos + 1``) en una transacción duradera.

        Lista = PENDIENTE sin operaciones anteriores sin confirmar sobre el mismo objeto, sobre
        un objeto que referencia, que (si es un «borrar») referencien a su objeto ni, donde no
        declara referencia, sobre un modelo del que depende (salvo las elegidas antes en esta
        misma llamada; ver ``agente.reglas.orden``). Así,
        una segunda llamada con el primer lote aún en vuelo sólo devuelve operaciones
        independientes de él. Orden: críticos, prioridad dinámica, prioridad propia, FIFO.
        """
        with self._cerrojo, transaccion(self._conexion) as c:
            filas = c.execute(
                "SELECT seq, modelo, objeto_id, estado, prioridad, referidos, tipo"  # noqa: S608
                f" FROM operaciones WHERE estado IN {_EN_SIN_CONFIRMAR} ORDER BY seq"
            ).fetchall()
            if not filas:
                return []
            rangos = self._prioridades(c)
            piezas = [
                orden.Pieza(
                    seq,
                    modelo,
                    objeto_id,
                    estado,
                    prioridades.clave_envio(rangos, modelo, prioridad),
                    json.loads(referidos) if referidos else None,
                    borra=tipo == "borrar",
                )
                for seq, modelo, objeto_id, estado, prioridad, referidos, tipo in filas
            ]
            elegidas = [piezas[i].seq for i in orden.elegir(piezas, self._grafo, limite)]
            if not elegidas:
                return []
            ahora = ahora_iso()
            c.executemany(
                "UPDATE operaciones SET estado = ?, intentos = intentos + 1, propietario = ?,"
                " en_vuelo_desde = ?, actualizada_en = ? WHERE seq = ?",
                [(PROCESANDO, self.propietario, ahora, ahora, s) for s in elegidas],
            )
            por_seq = {op.seq: op for op in self._leer_seqs(c, elegidas)}
        return [por_seq[s] for s in elegidas]

    def retenidas(self, limite: int = 50) -> list[tuple[Operacion, Operacion]]:
        """``(pendiente, retenedora)``: operaciones PENDIENTE que no saldrán mientras la
        retenedora (``ERROR``/``CONFLICTO``) no se resuelva, por la misma regla que
        ``preparar_envio`` (mismo objeto, objeto referido, referencia al objeto que se borra o
        modelo). En orden de cola."""
        with self.lectura() as c:
            filas = c.execute(
                "SELECT seq, modelo, objeto_id, estado, referidos, tipo"  # noqa: S608
                f" FROM operaciones WHERE estado IN {_EN_SIN_CONFIRMAR} ORDER BY seq"
            ).fetchall()
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
            por_seq = {op.seq: op for op in self._leer_seqs(c, seqs)}
        return [(por_seq[piezas[i].seq], por_seq[piezas[j].seq]) for i, j in pares]

    def confirmar(self, uuid: str, version: int | None) -> Operacion:
        """La central aplicó la operación (``aplicada`` o ``duplicada``): ``COMPLETADO``."""
        with self._cerrojo, transaccion(self._conexion) as c:
            op = self._leer_uuid(c, uuid)
            if op.estado == COMPLETADO:
                return op
            ahora = ahora_iso()
            c.execute(
                "UPDATE operaciones SET estado = ?, version_resultado = ?, ultimo_error = NULL,"
                " propietario = NULL, en_vuelo_desde = NULL, actualizada_en = ?,"
                " finalizada_en = ? WHERE uuid = ?",
                (COMPLETADO, version, ahora, ahora, uuid),
            )
            return self._leer_uuid(c, uuid)

    def marcar_error(self, uuid: str, motivo: str) -> Operacion:
        """La central rechazó la operación: ``ERROR`` visible hasta reintentar o descartar.
        Retiene a las posteriores del mismo objeto, a las que lo referencian y a las de modelos
        que dependen del suyo sin referencia (ver ``agente.reglas.orden``; ``retenidas``)."""
        return self._marcar(uuid, ERROR, motivo)

    def marcar_conflicto(self, uuid: str, detalle: str | Mapping[str, Any]) -> Operacion:
        """Conflicto que necesita resolución (``detalle``: texto o dict, se guarda como JSON)."""
        texto = detalle if isinstance(detalle, str) else _json(detalle)
        return self._marcar(uuid, CONFLICTO, texto)

    def _marcar(self, uuid: str, estado: str, motivo: str) -> Operacion:
        with self._cerrojo, transaccion(self._conexion) as c:
            op = self._leer_uuid(c, uuid)
            if op.estado in FINALES:
                raise ErrorCola(
                    f"La operación {uuid} ya está {op.estado}; no puede pasar a {estado}."
                )
            c.execute(
                "UPDATE operaciones SET estado = ?, ultimo_error = ?, propietario = NULL,"
                " en_vuelo_desde = NULL, actualizada_en = ? WHERE uuid = ?",
                (estado, motivo, ahora_iso(), uuid),
            )
            return self._leer_uuid(c, uuid)

    def devolver(self, uuids: Iterable[str], error: str | None = None) -> int:
        """Fallo de red: las ``PROCESANDO`` indicadas vuelven a ``PENDIENTE`` (con el error
        anotado). Devuelve cuántas volvieron."""
        lista = list(uuids)
        with self._cerrojo, transaccion(self._conexion) as c:
            ahora = ahora_iso()
            total = 0
            for uuid in lista:
                total += c.execute(
                    "UPDATE operaciones SET estado = ?, ultimo_error = ?, propietario = NULL,"
                    " en_vuelo_desde = NULL, actualizada_en = ? WHERE uuid = ? AND estado = ?",
                    (PENDIENTE, error, ahora, uuid, PROCESANDO),
                ).rowcount
            return total

    def recuperar(self, forzar: bool = False) -> int:
        """``PROCESANDO`` de instancias muertas (o en vuelo desde hace más de
        ``PLAZO_EN_VUELO_S``, o todas con ``forzar``) vuelven a ``PENDIENTE``. Nunca las de esta
        instancia salvo con ``forzar``. Corre al abrir y en cada empuje: si no hay nada que
        devolver, sólo lee las filas ``PROCESANDO`` (sin transacción de escritura). Devuelve
        cuántas volvieron."""
        limite = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=PLAZO_EN_VUELO_S)).isoformat(
            timespec="microseconds"
        )
        with self._cerrojo:
            filas = self._conexion.execute(
                "SELECT seq, propietario, en_vuelo_desde FROM operaciones WHERE estado = ?",
                (PROCESANDO,),
            ).fetchall()
            vivos: dict[str | None, bool] = {}

            def vivo(propietario: str | None) -> bool:
                if propietario not in vivos:
                    vivos[propietario] = propietarios.propietario_vivo(
                        propietario, self._vida.carpeta
                    )
                return vivos[propietario]

            devolver = [
                (seq, propietario, desde)
                for seq, propietario, desde in filas
                if forzar
                or (propietario != self.propietario
                    and ((desde or "") < limite or not vivo(propietario)))
            ]
            if not devolver:
                return 0
            with transaccion(self._conexion) as c:
                ahora = ahora_iso()
                # Sólo si sigue como se leyó (también la hora de envío): entre la lectura y
                # este BEGIN IMMEDIATE otro proceso pudo confirmarla, o devolverla y volver a
                # enviarla, y ese envío nuevo no se le quita.
                return sum(
                    c.execute(
                        "UPDATE operaciones SET estado = ?, propietario = NULL,"
                        " en_vuelo_desde = NULL, ultimo_error = COALESCE(ultimo_error, ?),"
                        " actualizada_en = ? WHERE seq = ? AND estado = ? AND propietario IS ?"
                        " AND en_vuelo_desde IS ?",
                        (PENDIENTE, "Recuperada tras un cierre inesperado.", ahora, seq,
                         PROCESANDO, propietario, desde),
                    ).rowcount
                    for seq, propietario, desde in devolver
                )

    def podar(self, dias_auditoria: float = DIAS_AUDITORIA) -> int:
        """Borra las operaciones finales (COMPLETADO/DESCARTADO) con más de ``dias_auditoria``
        días. Nunca toca las sin confirmar. Devuelve cuántas borró."""
        limite = prioridades.hace_dias(dias_auditoria)
        with self._cerrojo, transaccion(self._conexion) as c:
            return c.execute(
                "DELETE FROM operaciones WHERE estado IN (?, ?) AND finalizada_en < ?",
                (COMPLETADO, DESCARTADO, limite),
            ).rowcount

    def reintentar(
        self,
        uuid: str,
        datos: Mapping[str, Any] | None = None,
        *,
        version_base: int | None = None,
        valores_base: Mapping[str, Any] | None = None,
        nuevo_uuid: bool = False,
        por: str | None = None,
        motivo: str | None = None,
    ) -> Operacion:
        """``ERROR``/``CONFLICTO`` -> ``PENDIENTE`` en su mismo lugar de la cola.

        ``datos`` (ya validados por quien llama) sustituyen a los anteriores; tras una fusión a
        tres bandas pase también ``version_base``/``valores_base`` nuevos y ``nuevo_uuid=True``
        (el protocolo reenvía un conflicto resuelto con UUID nuevo). Devuelve la operación.
        """
        with self._cerrojo, transaccion(self._conexion) as c:
            op = self._leer_uuid(c, uuid)
            if op.estado not in (ERROR, CONFLICTO):
                raise ErrorCola(
                    f"Sólo se reintentan operaciones en ERROR o CONFLICTO; {uuid} está {op.estado}."
                )
            nuevo = str(uuidlib.uuid4()) if nuevo_uuid else uuid
            c.execute(
                "UPDATE operaciones SET estado = ?, uuid = ?, datos = ?, version_base = ?,"
                " valores_base = ?, resuelta_por = ?, motivo_resolucion = ?, actualizada_en = ?"
                " WHERE seq = ?",
                (
                    PENDIENTE,
                    nuevo,
                    _json(dict(datos) if datos is not None else op.datos),
                    version_base if version_base is not None else op.version_base,
                    _json(dict(valores_base) if valores_base is not None else op.valores_base),
                    por,
                    motivo or "Reintentada",
                    ahora_iso(),
                    op.seq,
                ),
            )
            if datos is not None:
                self._recalcular_referidos(c, op.seq)
            return self._leer_seq(c, op.seq)

    def descartar(self, uuid: str, motivo: str, por: str | None = None) -> Operacion:
        """``ERROR``/``CONFLICTO`` -> ``DESCARTADO`` (no se enviará; queda para auditoría)."""
        if not motivo or not motivo.strip():
            raise ErrorCola("Indique por qué se descarta la operación.")
        with self._cerrojo, transaccion(self._conexion) as c:
            op = self._leer_uuid(c, uuid)
            if op.estado not in (ERROR, CONFLICTO):
                raise ErrorCola(
                    f"Sólo se descartan operaciones en ERROR o CONFLICTO; {uuid} está {op.estado}."
                )
            ahora = ahora_iso()
            c.execute(
                "UPDATE operaciones SET estado = ?, resuelta_por = ?, motivo_resolucion = ?,"
                " actualizada_en = ?, finalizada_en = ? WHERE seq = ?",
                (DESCARTADO, por, motivo, ahora, ahora, op.seq),
            )
            return self._leer_seq(c, op.seq)

    # -- para módulos con tablas propias en cola.sqlite (conflictos, auditoría) -------------

    @contextlib.contextmanager
    def transaccion(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` bajo el cerrojo de la cola: ``agente.almacen.conflictos`` guarda sus
        registros y cambia el estado de la operación en UNA transacción duradera."""
        with self._cerrojo, transaccion(self._conexion) as c:
            yield c

    @contextlib.contextmanager
    def lectura(self) -> Iterator[sqlite3.Connection]:
        """La conexión de la cola bajo su cerrojo, sin transacción de escritura (consultas de
        ``agente.almacen.conflictos`` y del estado que no deben tomar el cerrojo de escritura)."""
        with self._cerrojo:
            yield self._conexion

    def registrar_resultados(
        self, confirmadas: Sequence[tuple[str, int | None]],
        rechazadas: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Resultados de un lote en UNA transacción (un fsync por lote, no por operación):
        ``(uuid, version)`` -> ``COMPLETADO``; ``(uuid, motivo)`` -> ``ERROR``. Sólo cambia
        operaciones que no estén ya en un estado final."""
        ahora = ahora_iso()
        with self._cerrojo, transaccion(self._conexion) as c:
            c.executemany(
                "UPDATE operaciones SET estado = ?, version_resultado = ?, ultimo_error = NULL,"
                " propietario = NULL, en_vuelo_desde = NULL, actualizada_en = ?,"
                " finalizada_en = ? WHERE uuid = ? AND estado NOT IN (?, ?)",
                [(COMPLETADO, v, ahora, ahora, u, COMPLETADO, DESCARTADO)
                 for u, v in confirmadas],
            )
            c.executemany(
                "UPDATE operaciones SET estado = ?, ultimo_error = ?, propietario = NULL,"
                " en_vuelo_desde = NULL, actualizada_en = ? WHERE uuid = ? AND estado NOT IN"
                " (?, ?)",
                [(ERROR, m, ahora, u, COMPLETADO, DESCARTADO) for u, m in rechazadas],
            )

    # -- lectura -----------------------------------------------------------------------------

    def obtener(self, uuid: str) -> Operacion | None:
        with self._cerrojo:
            fila = self._conexion.execute(
                f"SELECT {SELECT_COLUMNAS} FROM operaciones WHERE uuid = ?", (uuid,)  # noqa: S608
            ).fetchone()
        return desde_fila(fila) if fila else None

    def listar(
        self, estado: str | None = None, modelo: str | None = None, limite: int | None = None
    ) -> list[Operacion]:
        """Operaciones en orden de cola, filtradas por estado y/o modelo."""
        if estado is not None and estado not in ESTADOS:
            raise ErrorCola(f"Estado desconocido: {estado!r}. Estados: {', '.join(ESTADOS)}.")
        condiciones, parametros = [], []
        if estado is not None:
            condiciones.append("estado = ?")
            parametros.append(estado)
        if modelo is not None:
            condiciones.append("modelo = ?")
            parametros.append(modelo)
        donde = f"WHERE {' AND '.join(condiciones)}" if condiciones else ""
        limite_sql = f"LIMIT {int(limite)}" if limite is not None else ""
        with self._cerrojo:
            filas = self._conexion.execute(
                f"SELECT {SELECT_COLUMNAS} FROM operaciones {donde} ORDER BY seq {limite_sql}",  # noqa: S608
                parametros,
            ).fetchall()
        return [desde_fila(f) for f in filas]

    def sin_confirmar_de(
        self, modelo: str, objeto_ids: Iterable[str], incluir_completadas: bool = False
    ) -> dict[str, list[Operacion]]:
        """Operaciones sin confirmar de esos objetos, en orden de cola (para la vista
        optimista). Con ``incluir_completadas`` también las COMPLETADO (que la caché quizá aún
        no refleja: compare su ``version_resultado`` con la versión de la fila)."""
        ids = list(dict.fromkeys(objeto_ids))
        estados = _EN_SIN_CONFIRMAR
        if incluir_completadas:
            estados = estados[:-1] + f", '{COMPLETADO}')"
        resultado: dict[str, list[Operacion]] = {}
        with self._cerrojo:
            for inicio in range(0, len(ids), _TROZO):
                trozo = ids[inicio : inicio + _TROZO]
                marcas = ", ".join("?" * len(trozo))
                filas = self._conexion.execute(
                    f"SELECT {SELECT_COLUMNAS} FROM operaciones WHERE modelo = ? AND objeto_id IN"  # noqa: S608
                    f" ({marcas}) AND estado IN {estados} ORDER BY seq",
                    [modelo, *trozo],
                ).fetchall()
                for fila in filas:
                    op = desde_fila(fila)
                    resultado.setdefault(op.objeto_id, []).append(op)
        return resultado

    def objetos_creados_sin_confirmar(self, modelo: str) -> list[str]:
        """Objetos de ``modelo`` con un ``crear`` sin confirmar (la central aún no los tiene)."""
        with self._cerrojo:
            filas = self._conexion.execute(
                "SELECT DISTINCT objeto_id FROM operaciones WHERE modelo = ? AND tipo = 'crear'"  # noqa: S608
                f" AND estado IN {_EN_SIN_CONFIRMAR} ORDER BY seq",
                (modelo,),
            ).fetchall()
        return [f[0] for f in filas]

    def contar_por_estado(self) -> dict[str, int]:
        with self._cerrojo:
            filas = self._conexion.execute(
                "SELECT estado, COUNT(*) FROM operaciones GROUP BY estado"
            ).fetchall()
        conteos = dict.fromkeys(ESTADOS, 0)
        conteos.update(dict(filas))
        return conteos

    def antiguedad_pendiente_s(self, ahora: dt.datetime | None = None) -> float | None:
        """Segundos desde que se encoló la operación sin enviar más antigua (PENDIENTE o
        PROCESANDO); ``None`` si no hay."""
        with self._cerrojo:
            fila = self._conexion.execute(
                "SELECT MIN(hora_terminal) FROM operaciones WHERE estado IN (?, ?)",
                (PENDIENTE, PROCESANDO),
            ).fetchone()
        if not fila or fila[0] is None:
            return None
        momento = dt.datetime.fromisoformat(fila[0])
        return max(0.0, ((ahora or dt.datetime.now(dt.UTC)) - momento).total_seconds())

    def resumen_sin_confirmar(
        self, modelo: str, campo_importe: str | None = None, ahora: dt.datetime | None = None
    ) -> dict[str, Any]:
        """Lo que la central aún no ha confirmado de las creaciones de ``modelo`` (p. ej. las
        ventas): ``{"n", "importe", "antiguedad_s"}``. ``n``: operaciones ``crear`` en
        PENDIENTE, PROCESANDO, CONFLICTO o ERROR; ``importe``: suma exacta (``Decimal`` en
        texto) de ``datos[campo_importe]`` (los valores que no son números no suman);
        ``antiguedad_s``: segundos desde la más antigua (``None`` si no hay). Sólo lee."""
        from decimal import Decimal, InvalidOperation

        with self._cerrojo:
            filas = self._conexion.execute(
                "SELECT datos, hora_terminal FROM operaciones WHERE modelo = ? AND tipo = 'crear'"
                " AND estado IN (?, ?, ?, ?)",
                (modelo, PENDIENTE, PROCESANDO, CONFLICTO, ERROR),
            ).fetchall()
        importe = Decimal(0)
        mas_antigua: dt.datetime | None = None
        for datos, hora in filas:
            if campo_importe:
                try:
                    valor = Decimal(str(json.loads(datos).get(campo_importe)))
                    if valor.is_finite():
                        importe += valor
                except (ValueError, AttributeError, InvalidOperation):
                    pass
            momento = dt.datetime.fromisoformat(hora)
            if momento.tzinfo is None:
                momento = momento.replace(tzinfo=dt.UTC)
            mas_antigua = momento if mas_antigua is None else min(mas_antigua, momento)
        antiguedad = None if mas_antigua is None else max(
            0.0, ((ahora or dt.datetime.now(dt.UTC)) - mas_antigua).total_seconds())
        return {"n": len(filas), "importe": str(importe), "antiguedad_s": antiguedad}

    def actividad(
        self, horas: float = 6, ahora: dt.datetime | None = None
    ) -> list[dict[str, Any]]:
        """Serie por minuto de las últimas ``horas`` para el gráfico de la ventana, reconstruida
        de la propia cola (sobrevive a reinicios): ``{"minuto", "cola", "enviadas"}``, donde
        ``cola`` = operaciones encoladas y aún sin finalizar al acabar ese minuto y
        ``enviadas`` = las que la central confirmó en ese minuto. Sólo minutos con algo que
        contar. Usa la hora de la terminal al encolar y la de finalización; lee sin escribir."""
        ahora = (ahora or dt.datetime.now(dt.UTC)).replace(second=0, microsecond=0)
        desde = ahora - dt.timedelta(hours=horas)
        with self._cerrojo:
            filas = self._conexion.execute(
                "SELECT hora_terminal, finalizada_en, estado FROM operaciones"
                " WHERE finalizada_en IS NULL OR finalizada_en >= ?",
                (desde.isoformat(),),
            ).fetchall()

        def minuto(texto: str) -> dt.datetime:
            momento = dt.datetime.fromisoformat(texto)
            if momento.tzinfo is None:
                momento = momento.replace(tzinfo=dt.UTC)
            return max(desde, momento.astimezone(dt.UTC).replace(second=0, microsecond=0))

        cambios: dict[dt.datetime, int] = {}
        enviadas: dict[dt.datetime, int] = {}
        for hora_terminal, finalizada_en, estado in filas:
            entra = minuto(hora_terminal)
            cambios[entra] = cambios.get(entra, 0) + 1
            if finalizada_en is not None:
                sale = minuto(finalizada_en)
                cambios[sale] = cambios.get(sale, 0) - 1
                if estado == COMPLETADO:
                    enviadas[sale] = enviadas.get(sale, 0) + 1
        serie, profundidad = [], 0
        for momento in sorted(set(cambios) | set(enviadas)):
            profundidad += cambios.get(momento, 0)
            if momento <= ahora:
                serie.append({"minuto": momento.isoformat(), "cola": max(0, profundidad),
                              "enviadas": enviadas.get(momento, 0)})
        return serie

    def prioridades(self) -> dict[str, prioridades.PrioridadModelo]:
        """Prioridad dinámica actual por modelo (la que usa ``preparar_envio``)."""
        with self._cerrojo:
            return self._prioridades(self._conexion)

    def _prioridades(self, c: sqlite3.Connection) -> dict[str, prioridades.PrioridadModelo]:
        return prioridades.calcular(self._modelos.values(), _contar_recientes(c))

    # -- auxiliares --------------------------------------------------------------------------

    def _leer_uuid(self, c: sqlite3.Connection, uuid: str) -> Operacion:
        fila = c.execute(
            f"SELECT {SELECT_COLUMNAS} FROM operaciones WHERE uuid = ?", (uuid,)  # noqa: S608
        ).fetchone()
        if fila is None:
            raise ErrorCola(f"No hay ninguna operación con UUID {uuid} en la cola.")
        return desde_fila(fila)

    def _leer_seq(self, c: sqlite3.Connection, seq: int) -> Operacion:
        fila = c.execute(
            f"SELECT {SELECT_COLUMNAS} FROM operaciones WHERE seq = ?", (seq,)  # noqa: S608
        ).fetchone()
        return desde_fila(fila)

    def _leer_seqs(self, c: sqlite3.Connection, seqs: Sequence[int]) -> list[Operacion]:
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
