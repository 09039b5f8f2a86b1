"""``Cola``: las operaciones de esta terminal, duraderas hasta que la central las confirma.

``Cola`` es la dueña de ``cola.sqlite`` y la única que cambia el estado de una operación
(``PENDIENTE`` -> ``PROCESANDO`` -> ``COMPLETADO``/``ERROR``/``CONFLICTO``/``DESCARTADO``).
Cada trabajo vive en su pieza, todas sobre una ``ConexionCola`` que nadie más ve:

- ``agente.almacen.encolado``: encolar (insertar, fusionar con la anterior, anular);
- ``agente.almacen.envio``: elegir el siguiente lote y marcarlo en vuelo; qué retiene a qué;
- ``agente.almacen.en_vuelo``: devolver lo que dejó en vuelo una instancia muerta;
- ``agente.almacen.ajustes``: ajustes de la terminal (nombre, desfase de reloj...);
- ``agente.almacen.actividad``: la serie por minuto del gráfico de la ventana;
- ``agente.almacen.cuarentena``: apartar una fila ilegible sin parar el envío;
- aquí: los resultados del envío, reintentar, descartar, los conflictos y las consultas.

Quien guarda tablas propias en el mismo fichero (``agente.almacen.conflictos``) abre una
``Sesion`` con ``transaccion()``/``lectura()`` y cambia estados con los métodos de la cola
pasándole ``en=sesion``: todo va en la misma transacción.

Durabilidad
    ``cola.sqlite`` va en WAL con ``synchronous=FULL``. Cada método que cambia algo es UNA
    transacción ``BEGIN IMMEDIATE`` ... ``COMMIT`` (o parte de la de ``en=``); cuando vuelve
    el ``COMMIT``, el cambio sobrevive a ``kill -9`` y a un corte de luz. Nada se borra salvo
    la poda de operaciones finales (``COMPLETADO``/``DESCARTADO``) más antiguas que el periodo
    de auditoría.

Hilos y procesos
    Una conexión por ``Cola`` protegida por un cerrojo (``RLock``): todos los métodos son
    seguros desde cualquier hilo y se serializan entre sí; ninguno hace E/S de red. Quien
    envía llama a ``preparar_envio`` (toma el cerrojo un momento), suelta, envía por la red sin
    cerrojo y vuelve con ``registrar_resultados``/``devolver``. Entre procesos (la caja y la
    bandeja) serializa SQLite (``BEGIN IMMEDIATE`` + ``busy_timeout``).

En vuelo
    ``preparar_envio`` marca sus operaciones ``PROCESANDO`` con su propietario
    (``pid@máquina:instancia``); ``recuperar`` (``agente.almacen.en_vuelo``) devuelve las de
    instancias muertas. Vida de un propietario: ``agente.almacen.propietarios``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import sqlite3
import uuid as uuidlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from agente.almacen import actividad, propietarios
from agente.almacen.ajustes import DESFASE_MS, TERMINAL, Ajustes
from agente.almacen.conexion import ConexionCola, Sesion
from agente.almacen.en_vuelo import PLAZO_EN_VUELO_S, EnVuelo
from agente.almacen.encolado import (
    EN_SIN_CONFIRMAR,
    Encolador,
    NuevaOperacion,
    leer_seq,
    referidos_de,
)
from agente.almacen.envio import Envio
from agente.almacen.migraciones import MIGRACIONES_COLA, reponer_objetos_cola
from agente.almacen.sqlite import migrar
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
    Operacion,
    a_json,
    ahora_iso,
    desde_fila,
)
from agente.reglas import prioridades
from protocolo.esquema import ConfigModelo

__all__ = [
    "DIAS_AUDITORIA",
    "PLAZO_EN_VUELO_S",
    "Cola",
    "ErrorCola",
    "NuevaOperacion",
    "Sesion",
    "ahora_iso",
    "referidos_de",
]

DIAS_AUDITORIA = 30
_TROZO = 500
_log = logging.getLogger(__name__)


class ErrorCola(Exception):
    """Operación desconocida o transición de estado no permitida. El mensaje dice por qué."""


@contextlib.contextmanager
def _sesion(c: sqlite3.Connection, *, escritura: bool) -> Iterator[Sesion]:
    """Una ``Sesion`` sobre la conexión ``c`` que termina al salir (vaya bien o mal)."""
    sesion = Sesion(c, escritura=escritura)
    try:
        yield sesion
    finally:
        sesion.terminar()


class Cola:
    """La cola de operaciones de una terminal (ver el docstring del módulo)."""

    def __init__(self, ruta: str | os.PathLike[str], *, recuperar: bool = True) -> None:
        self.ruta = os.fspath(ruta)
        self._bd = ConexionCola(self.ruta)
        # Ruta real: dos procesos que abren la cola por enlaces distintos miran la misma carpeta.
        self._vida = propietarios.CerrojoDeVida(
            os.path.realpath(self.ruta) + propietarios.SUFIJO_PROPIETARIOS
        )
        self.propietario = f"{os.getpid()}@{socket.gethostname()}:{self._vida.instancia}"
        self.ajustes = Ajustes(self._bd)
        self._encolado = Encolador(self._bd)
        self._envio = Envio(self._bd, self.propietario)
        self._en_vuelo = EnVuelo(self._bd, self.propietario, self._vida.carpeta)
        self._encolado.libre = self._envio.libre
        try:
            with self._bd.leer() as c:
                migrar(c, MIGRACIONES_COLA)
                repuestos = reponer_objetos_cola(c)
            if repuestos:
                _log.warning(
                    "Cola %s: repuestos %s (faltaban en el fichero).",
                    self.ruta,
                    ", ".join(repuestos),
                )
            if recuperar:
                self.recuperar()
                self._vida.barrer_otros()
        except BaseException:
            self._vida.soltar()
            self._bd.cerrar()
            raise

    # -- ciclo de vida -----------------------------------------------------------------------

    def cerrar(self) -> None:
        """Devuelve a PENDIENTE lo que esta instancia tenía en vuelo y cierra la conexión."""
        with self._bd.cerrojo:
            if self._bd.conexion is None:
                return
            try:
                self._en_vuelo.devolver_propias()
            finally:
                # Aunque falle devolverlas (disco lleno...): la conexión y el cerrojo se
                # sueltan, y quien abra la cola después las recupera por cerrojo libre.
                self._bd.cerrar()
                self._vida.soltar()

    def __enter__(self) -> Cola:
        return self

    def __exit__(self, *excepcion: object) -> None:
        self.cerrar()

    def configurar_modelos(self, modelos: Iterable[ConfigModelo]) -> None:
        """Modelos del esquema: sus dependencias ordenan el envío; ``critico`` y ``prioridad``
        entran en la prioridad dinámica. Llamar al abrir y cuando cambie el esquema."""
        lista = list(modelos)
        with self._bd.cerrojo:
            self._encolado.modelos = {m.nombre: m for m in lista}
            self._envio.configurar_modelos(lista)

    # -- ajustes de la terminal (``self.ajustes``) --------------------------------------------

    def ajuste(self, clave: str, por_defecto: str | None = None) -> str | None:
        return self.ajustes.leer(clave, por_defecto)

    def fijar_ajuste(self, clave: str, valor: str) -> None:
        """Guarda un ajuste (duradero). Lo usan el sincronizador (desfase) y la configuración."""
        self.ajustes.fijar(clave, valor)

    def desfase_ms(self) -> int:
        """Desfase medido del reloj de la terminal respecto a la central (0 si no se midió)."""
        return self.ajustes.desfase_ms()

    def guardar_desfase_ms(self, desfase: int) -> None:
        self.ajustes.fijar(DESFASE_MS, str(int(desfase)))

    def terminal(self) -> str:
        return self.ajustes.terminal()

    def guardar_terminal(self, nombre: str) -> None:
        self.ajustes.fijar(TERMINAL, nombre)

    # -- encolar (``agente.almacen.encolado``) ------------------------------------------------

    def encolar(self, nueva: NuevaOperacion) -> Operacion:
        """Encola (o fusiona) una operación y vuelve cuando es duradera."""
        return self.encolar_varias([nueva])[0]

    def encolar_varias(
        self, nuevas: Sequence[NuevaOperacion], *, en: Sesion | None = None
    ) -> list[Operacion]:
        """Encola varias en UNA transacción: o todas o ninguna (ver
        ``Encolador.encolar_varias``). Con ``en`` (una ``transaccion()`` abierta), dentro de
        ella: quien guarda también sus tablas (los pagos, el diario) confirma todo junto."""
        with self._escribir(en) as c:
            antes = self._envio.huella(c)
            hechas = self._encolado.encolar_varias(nuevas)
            if self._encolado.solo_inserciones:  # una fila nueva no retiene a las anteriores
                self._envio.tras_escribir(c, antes)
            return hechas

    # -- envío (``agente.almacen.envio``) ----------------------------------------------------

    def preparar_envio(self, limite: int = 1000) -> list[Operacion]:
        """Hasta ``limite`` operaciones listas, en orden de envío, ya ``PROCESANDO`` (ver
        ``Envio.preparar``)."""
        return self._envio.preparar(limite)

    def retenidas(self, limite: int = 50) -> list[tuple[Operacion, Operacion]]:
        """``(pendiente, retenedora en ERROR/CONFLICTO)`` en orden de cola."""
        return self._envio.retenidas(limite)

    def prioridades(self) -> dict[str, prioridades.PrioridadModelo]:
        """Prioridad dinámica actual por modelo (la que usa ``preparar_envio``)."""
        return self._envio.prioridades()

    def registrar_resultados(
        self,
        confirmadas: Sequence[tuple[str, int | None]],
        rechazadas: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Resultados de un lote en UNA transacción (un fsync por lote, no por operación):
        ``(uuid, version)`` -> ``COMPLETADO``; ``(uuid, motivo)`` -> ``ERROR``. Sólo cambia
        operaciones que no estén ya en un estado final."""
        ahora = ahora_iso()
        completar = [((COMPLETADO, v, ahora, ahora), u) for u, v in confirmadas]
        rechazar = [((ERROR, m, ahora), u) for u, m in rechazadas]
        with self._bd.escribir() as c:
            antes = self._envio.huella(c)
            self._por_operacion(
                c,
                "estado = ?, version_resultado = ?, ultimo_error = NULL, propietario = NULL,"
                " en_vuelo_desde = NULL, actualizada_en = ?, finalizada_en = ?",
                completar,
            )
            self._por_operacion(
                c,
                "estado = ?, ultimo_error = ?, propietario = NULL, en_vuelo_desde = NULL,"
                " actualizada_en = ?",
                rechazar,
            )
            # En ERROR siguen reteniendo; las completadas sueltan a quien esperaba por ellas.
            self._envio.tras_escribir(c, antes, [u for u, _ in confirmadas])

    def _por_operacion(
        self, c: sqlite3.Connection, asignaciones: str, filas: Sequence[tuple[tuple[Any, ...], str]]
    ) -> None:
        """``UPDATE operaciones SET {asignaciones}`` para cada ``(valores, uuid)`` que no esté
        ya en un estado final. Las que esta instancia envió (``Envio.en_vuelo``) se buscan por
        ``seq`` en orden (filas contiguas, sin buscar cada UUID en su índice) comprobando el
        UUID en la fila; las demás, por UUID."""
        por_seq: list[tuple[int, tuple[Any, ...], str]] = []
        por_uuid: list[tuple[Any, ...]] = []
        for valores, u in filas:
            seq = self._envio.en_vuelo.pop(u, None)
            if seq is None:
                por_uuid.append((*valores, u, COMPLETADO, DESCARTADO))
            else:
                por_seq.append((seq, valores, u))
        por_seq.sort(key=lambda t: t[0])
        c.executemany(
            f"UPDATE operaciones SET {asignaciones} WHERE seq = ? AND +uuid = ?"  # noqa: S608
            " AND estado NOT IN (?, ?)",
            [(*valores, seq, u, COMPLETADO, DESCARTADO) for seq, valores, u in por_seq],
        )
        c.executemany(
            f"UPDATE operaciones SET {asignaciones} WHERE uuid = ?"  # noqa: S608
            " AND estado NOT IN (?, ?)",
            por_uuid,
        )

    def devolver(self, uuids: Iterable[str], error: str | None = None) -> int:
        """Fallo de red: las ``PROCESANDO`` indicadas vuelven a ``PENDIENTE`` (con el error
        anotado). Devuelve cuántas volvieron."""
        lista = list(uuids)
        with self._bd.escribir() as c:
            antes = self._envio.huella(c)
            ahora = ahora_iso()
            for uuid in lista:
                self._envio.en_vuelo.pop(uuid, None)
            total = sum(
                c.execute(
                    "UPDATE operaciones SET estado = ?, ultimo_error = ?, propietario = NULL,"
                    " en_vuelo_desde = NULL, actualizada_en = ? WHERE uuid = ? AND estado = ?",
                    (PENDIENTE, error, ahora, uuid, PROCESANDO),
                ).rowcount
                for uuid in lista
            )
            # Sin confirmar antes y después: retiene a las mismas.
            self._envio.tras_escribir(c, antes)
            return total

    def recuperar(self, forzar: bool = False) -> int:
        """``PROCESANDO`` de instancias muertas vuelven a ``PENDIENTE`` (ver
        ``agente.almacen.en_vuelo``). Devuelve cuántas volvieron."""
        if forzar:
            with self._bd.cerrojo:
                self._envio.en_vuelo.clear()
        return self._en_vuelo.recuperar(forzar)

    def podar(self, dias_auditoria: float = DIAS_AUDITORIA) -> int:
        """Borra las operaciones finales (COMPLETADO/DESCARTADO) con más de ``dias_auditoria``
        días. Nunca toca las sin confirmar. Devuelve cuántas borró."""
        limite = prioridades.hace_dias(dias_auditoria)
        with self._bd.escribir() as c:
            return c.execute(
                "DELETE FROM operaciones WHERE estado IN (?, ?) AND finalizada_en < ?",
                (COMPLETADO, DESCARTADO, limite),
            ).rowcount

    # -- resolución: reintentar, descartar, conflictos ---------------------------------------

    @contextlib.contextmanager
    def transaccion(self) -> Iterator[Sesion]:
        """Una transacción duradera de la cola para quien tiene tablas propias en
        ``cola.sqlite`` (``agente.almacen.conflictos``): su SQL va por la ``Sesion`` y los
        cambios de estado por los métodos de la cola con ``en=sesion``. Todo o nada."""
        with self._bd.escribir() as c, _sesion(c, escritura=True) as sesion:
            yield sesion

    @contextlib.contextmanager
    def lectura(self) -> Iterator[Sesion]:
        """Como ``transaccion`` pero sólo para consultar (no toma el cerrojo de escritura)."""
        with self._bd.leer() as c, _sesion(c, escritura=False) as sesion:
            yield sesion

    @contextlib.contextmanager
    def _escribir(self, en: Sesion | None) -> Iterator[sqlite3.Connection]:
        if en is not None:
            if not en.escritura:
                raise ErrorCola("Cambiar una operación necesita una transacción de la cola.")
            en.conexion_de(self._bd)
        with self._bd.escribir() as c:
            yield c

    def reintentar(
        self,
        uuid: str,
        datos: Mapping[str, Any] | None = None,
        *,
        version_base: int | None = None,
        valores_base: Mapping[str, Any] | None = None,
        tipo: str | None = None,
        nuevo_uuid: bool = False,
        por: str | None = None,
        motivo: str | None = None,
        desde: Collection[str] = (ERROR, CONFLICTO),
        en: Sesion | None = None,
    ) -> Operacion:
        """Vuelve a ``PENDIENTE`` en su mismo lugar de la cola una operación en uno de los
        estados ``desde`` (por defecto ``ERROR``/``CONFLICTO``).

        ``datos`` (ya validados por quien llama) sustituyen a los anteriores; tras una fusión a
        tres bandas pase también ``version_base``/``valores_base`` nuevos y ``nuevo_uuid=True``
        (el protocolo reenvía un conflicto resuelto con UUID nuevo: ``ultimo_error`` se
        limpia). Devuelve la operación."""
        with self._escribir(en) as c:
            op = self._tomar_desde(c, uuid, desde, "reintentan")
            nuevo = str(uuidlib.uuid4()) if nuevo_uuid else uuid
            c.execute(
                "UPDATE operaciones SET estado = ?, uuid = ?, tipo = ?, datos = ?,"
                " version_base = ?, valores_base = ?, ultimo_error = ?, propietario = NULL,"
                " en_vuelo_desde = NULL, finalizada_en = NULL, resuelta_por = ?,"
                " motivo_resolucion = ?,"
                " actualizada_en = ? WHERE seq = ?",
                (
                    PENDIENTE,
                    nuevo,
                    tipo or op.tipo,
                    a_json(dict(datos) if datos is not None else op.datos),
                    version_base if version_base is not None else op.version_base,
                    a_json(dict(valores_base) if valores_base is not None else op.valores_base),
                    None if nuevo_uuid else op.ultimo_error,
                    por,
                    motivo or "Reintentada",
                    ahora_iso(),
                    op.seq,
                ),
            )
            if datos is not None or tipo is not None or valores_base is not None:
                self._encolado.recalcular_referidos(c, op.seq)
            return leer_seq(c, op.seq)

    def descartar(
        self,
        uuid: str,
        motivo: str,
        por: str | None = None,
        *,
        desde: Collection[str] = (ERROR, CONFLICTO),
        en: Sesion | None = None,
    ) -> Operacion:
        """``ERROR``/``CONFLICTO`` (o los estados ``desde``) -> ``DESCARTADO``: no se enviará;
        queda para auditoría. ``motivo`` es obligatorio."""
        if not motivo or not motivo.strip():
            raise ErrorCola("Indique por qué se descarta la operación.")
        with self._escribir(en) as c:
            op = self._tomar_desde(c, uuid, desde, "descartan")
            ahora = ahora_iso()
            c.execute(
                "UPDATE operaciones SET estado = ?, resuelta_por = ?, motivo_resolucion = ?,"
                " actualizada_en = ?, finalizada_en = ? WHERE seq = ?",
                (DESCARTADO, por, motivo, ahora, ahora, op.seq),
            )
            return leer_seq(c, op.seq)

    def marcar_conflicto(
        self, uuid: str, detalle: str | Mapping[str, Any], *, en: Sesion | None = None
    ) -> Operacion:
        """Conflicto que necesita al encargado: ``CONFLICTO`` con ``detalle`` (texto, o dict que
        se guarda como JSON) en ``ultimo_error``. Retiene a las que dependen de ella."""
        texto = detalle if isinstance(detalle, str) else a_json(detalle)
        with self._escribir(en) as c:
            op = self._tomar_no_final(c, uuid, CONFLICTO)
            c.execute(
                "UPDATE operaciones SET estado = ?, ultimo_error = ?, propietario = NULL,"
                " en_vuelo_desde = NULL, finalizada_en = NULL, actualizada_en = ? WHERE seq = ?",
                (CONFLICTO, texto, ahora_iso(), op.seq),
            )
            return leer_seq(c, op.seq)

    def completar(
        self,
        uuid: str,
        version: int | None,
        *,
        por: str | None,
        motivo: str,
        en: Sesion | None = None,
    ) -> Operacion:
        """Nada que enviar (la central ya tiene el resultado de un conflicto resuelto):
        ``COMPLETADO`` sin petición, con quién y por qué."""
        with self._escribir(en) as c:
            op = self._tomar_no_final(c, uuid, COMPLETADO)
            ahora = ahora_iso()
            c.execute(
                "UPDATE operaciones SET estado = ?, version_resultado = ?, ultimo_error = NULL,"
                " propietario = NULL, en_vuelo_desde = NULL, resuelta_por = ?,"
                " motivo_resolucion = ?, actualizada_en = ?, finalizada_en = ? WHERE seq = ?",
                (COMPLETADO, version, por, motivo, ahora, ahora, op.seq),
            )
            return leer_seq(c, op.seq)

    # -- lectura -----------------------------------------------------------------------------

    def obtener(self, uuid: str, *, en: Sesion | None = None) -> Operacion | None:
        if en is not None:
            en.conexion_de(self._bd)
        with self._bd.leer() as c:
            fila = c.execute(
                f"SELECT {SELECT_COLUMNAS} FROM operaciones WHERE uuid = ?",  # noqa: S608
                (uuid,),
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
        with self._bd.leer() as c:
            filas = c.execute(
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
        estados = EN_SIN_CONFIRMAR
        if incluir_completadas:
            estados = estados[:-1] + f", '{COMPLETADO}')"
        resultado: dict[str, list[Operacion]] = {}
        with self._bd.leer() as c:
            for inicio in range(0, len(ids), _TROZO):
                trozo = ids[inicio : inicio + _TROZO]
                marcas = ", ".join("?" * len(trozo))
                filas = c.execute(
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
        with self._bd.leer() as c:
            filas = c.execute(
                "SELECT DISTINCT objeto_id FROM operaciones WHERE modelo = ? AND tipo = 'crear'"  # noqa: S608
                f" AND estado IN {EN_SIN_CONFIRMAR} ORDER BY seq",
                (modelo,),
            ).fetchall()
        return [f[0] for f in filas]

    def contar_por_estado(self) -> dict[str, int]:
        with self._bd.leer() as c:
            filas = c.execute("SELECT estado, COUNT(*) FROM operaciones GROUP BY estado").fetchall()
        conteos = dict.fromkeys(ESTADOS, 0)
        conteos.update(dict(filas))
        return conteos

    def antiguedad_pendiente_s(self, ahora: dt.datetime | None = None) -> float | None:
        """Segundos desde que se encoló la operación sin enviar más antigua (PENDIENTE o
        PROCESANDO); ``None`` si no hay."""
        with self._bd.leer() as c:
            fila = c.execute(
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
        import json
        from decimal import Decimal, InvalidOperation

        with self._bd.leer() as c:
            filas = c.execute(
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
        antiguedad = (
            None
            if mas_antigua is None
            else max(0.0, ((ahora or dt.datetime.now(dt.UTC)) - mas_antigua).total_seconds())
        )
        return {"n": len(filas), "importe": str(importe), "antiguedad_s": antiguedad}

    def actividad(self, horas: float = 6, ahora: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Serie por minuto para el gráfico de la ventana (``agente.almacen.actividad``)."""
        return actividad.serie(self._bd, horas, ahora)

    # -- auxiliares --------------------------------------------------------------------------

    def _tomar(self, c: sqlite3.Connection, uuid: str) -> Operacion:
        """La operación ``uuid``, que deja de contar como en vuelo (va a cambiar de estado)."""
        self._envio.en_vuelo.pop(uuid, None)
        return self._leer_uuid(c, uuid)

    def _tomar_desde(
        self, c: sqlite3.Connection, uuid: str, desde: Collection[str], verbo: str
    ) -> Operacion:
        """``_tomar`` de una operación que debe estar en uno de los estados ``desde``."""
        op = self._tomar(c, uuid)
        if op.estado not in desde:
            raise ErrorCola(
                f"Sólo se {verbo} operaciones en {' o '.join(desde)}; {uuid} está {op.estado}."
            )
        return op

    def _tomar_no_final(self, c: sqlite3.Connection, uuid: str, destino: str) -> Operacion:
        """``_tomar`` de una operación que aún no está en un estado final."""
        op = self._tomar(c, uuid)
        if op.estado in FINALES:
            raise ErrorCola(f"La operación {uuid} ya está {op.estado}; no puede pasar a {destino}.")
        return op

    def _leer_uuid(self, c: sqlite3.Connection, uuid: str) -> Operacion:
        fila = c.execute(
            f"SELECT {SELECT_COLUMNAS} FROM operaciones WHERE uuid = ?",  # noqa: S608
            (uuid,),
        ).fetchone()
        if fila is None:
            raise ErrorCola(f"No hay ninguna operación con UUID {uuid} en la cola.")
        return desde_fila(fila)
