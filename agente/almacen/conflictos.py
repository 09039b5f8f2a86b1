"""Conflictos para el encargado y auditoría de cada resolución, en ``cola.sqlite`` (preciosa).

Un conflicto nace cuando la central devuelve ``conflicto`` para una operación (o la descarga
ve un cambio central sobre un objeto con una operación pendiente) y la fusión a tres
bandas (``agente.reglas.fusion``) no lo resuelve entero. Guarda base/local/central, los campos en
disputa, lo que las reglas ya decidieron (``propuesta``) y la operación exactamente como se
capturó; la operación queda en ``CONFLICTO``.

Resolver (por campo: ``local``, ``central`` o un valor editado) reencola el resultado como la
misma operación con **UUID nuevo** contra la nueva versión central (el protocolo lo exige: el
UUID anterior no se aplicó). Si el resultado coincide con la central, no hay nada que enviar y
la operación se completa. Toda resolución, automática o manual, deja una entrada en
``auditoria`` (quién, cuándo, regla o motivo, antes/después).

Durabilidad: cada cambio de estado de la operación va en la MISMA transacción que su conflicto
y su entrada de auditoría (``Cola.transaccion``), así que un ``kill -9`` deja todo o nada. Los
cambios de estado los hace ``Cola`` (``reintentar``, ``completar``, ``marcar_conflicto``,
``descartar`` con ``en=sesion``); aquí sólo se escriben las tablas ``conflictos`` y
``auditoria``.
Hilos: seguro desde cualquier hilo (serializa el cerrojo de la cola); sin E/S de red.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agente.almacen.cola import Cola, ErrorCola, Sesion
from agente.operacion import (
    CONFLICTO,
    DESCARTADO,
    ERROR,
    PROCESANDO,
    SIN_CONFIRMAR,
    Operacion,
)
from agente.reglas import fusion
from protocolo.esquema import ConfigModelo, ErrorValor

ABIERTO = "ABIERTO"
RESUELTO = "RESUELTO"
DESCARTADO_CONFLICTO = "DESCARTADO"
SISTEMA = "sincro"

USAR_LOCAL = "local"
USAR_CENTRAL = "central"


class ErrorConflicto(ValueError):
    """Conflicto desconocido o resolución no válida. El mensaje dice qué corregir."""


def _ahora() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _json(valor: Any) -> str:
    return json.dumps(valor, ensure_ascii=False, separators=(",", ":"), default=str)


def usuario_actual() -> str:
    try:
        return getpass.getuser()
    except Exception:  # sin usuario en el entorno (servicio): se anota como desconocido
        return "desconocido"


@dataclass(frozen=True)
class Conflicto:
    id: int
    uuid_operacion: str
    modelo: str
    objeto_id: str
    tipo: str
    estado: str
    base: dict[str, Any]
    local: dict[str, Any]
    central: dict[str, Any] | None
    version_central: int | None
    modificado_en_central: str | None
    campos_en_disputa: list[str]
    propuesta: dict[str, Any]
    operacion: dict[str, Any]
    creado_en: str
    resuelto_en: str | None
    resuelto_por: str | None
    resolucion: dict[str, Any] | None
    #: ``{"tienda", "terminal"}`` que cambió el valor central, si la central lo dijo.
    modificado_por_central: dict[str, str] | None = None

    def a_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_COLUMNAS = (
    "id",
    "uuid_operacion",
    "modelo",
    "objeto_id",
    "tipo",
    "estado",
    "base",
    "local",
    "central",
    "version_central",
    "modificado_en_central",
    "campos_en_disputa",
    "propuesta",
    "operacion",
    "creado_en",
    "resuelto_en",
    "resuelto_por",
    "resolucion",
    "modificado_por_central",
)
_JSON = {
    "base",
    "local",
    "central",
    "campos_en_disputa",
    "propuesta",
    "operacion",
    "resolucion",
    "modificado_por_central",
}


def _conflicto(fila: tuple) -> Conflicto:
    valores = dict(zip(_COLUMNAS, fila, strict=True))
    for clave in _JSON:
        if valores[clave] is not None:
            valores[clave] = json.loads(valores[clave])
    return Conflicto(**valores)


def auditar(
    c: Sesion,
    *,
    quien: str,
    accion: str,
    regla_o_motivo: str,
    op: Operacion | None = None,
    antes: Any = None,
    despues: Any = None,
) -> None:
    """Entrada de auditoría dentro de la transacción ``c`` de quien llama."""
    c.execute(
        "INSERT INTO auditoria (momento, quien, accion, uuid_operacion, modelo, objeto_id,"
        " regla_o_motivo, antes, despues) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            _ahora(),
            quien,
            accion,
            op.uuid if op else None,
            op.modelo if op else None,
            op.objeto_id if op else None,
            regla_o_motivo,
            _json(antes or {}),
            _json(despues or {}),
        ),
    )


class Conflictos:
    """Conflictos y auditoría de una terminal sobre su ``Cola`` (ver docstring del módulo)."""

    def __init__(self, cola: Cola) -> None:
        self.cola = cola

    def _leer_op(self, c: Sesion, uuid: str) -> Operacion | None:
        return self.cola.obtener(uuid, en=c)

    def _reencolar(
        self,
        c: Sesion,
        op: Operacion,
        datos: dict[str, Any],
        version: int | None,
        valores_base: dict[str, Any],
        quien: str,
        motivo: str,
    ) -> Operacion:
        """La operación vuelve a PENDIENTE en su sitio de la cola, con UUID nuevo."""
        return self.cola.reintentar(
            op.uuid,
            datos,
            version_base=version,
            valores_base=valores_base,
            nuevo_uuid=True,
            por=quien,
            motivo=motivo,
            desde=SIN_CONFIRMAR,
            en=c,
        )

    def _completar(
        self, c: Sesion, op: Operacion, version: int | None, quien: str, motivo: str
    ) -> Operacion:
        """Nada que enviar: la central ya tiene el resultado. ``COMPLETADO`` sin petición."""
        return self.cola.completar(op.uuid, version, por=quien, motivo=motivo, en=c)

    # -- desde el empuje y la descarga ------------------------------------------------------

    def tratar(
        self,
        op: Operacion,
        config: ConfigModelo,
        *,
        version: int | None,
        central: Mapping[str, Any] | None,
        modificado_en: str | None,
        campos_cambiados: tuple[str, ...] = (),
        estados: tuple[str, ...] = (PROCESANDO,),
        origen: str = "empuje",
        modificado_por: Mapping[str, str] | None = None,
    ) -> tuple[str, Operacion | None]:
        """Fusiona ``op`` con el estado central y lo deja anotado en una transacción.

        Devuelve ``("reencolada"|"completada"|"conflicto"|"ignorada", operación)``.
        ``estados``: estados en los que se espera la operación (si otro hilo o proceso ya la
        cambió, no se toca: ``ignorada``).
        """
        resultado = fusion.fusionar(
            config,
            op.valores_base,
            op.datos,
            central,
            tipo_operacion=op.tipo,
            hora_local=fusion.hora_corregida(op.hora_terminal, op.desfase_ms),
            hora_central=fusion.leer_hora(modificado_en),
            campos_cambiados=campos_cambiados,
        )
        with self.cola.transaccion() as c:
            actual = self._leer_op(c, op.uuid)
            if actual is None or actual.estado not in estados:
                return "ignorada", actual
            if resultado.resuelto:
                return self._resolver_automatico(c, actual, resultado, version, central, origen)
            return "conflicto", self._abrir(
                c, actual, resultado, version, central, modificado_en, origen, modificado_por
            )

    def _resolver_automatico(
        self,
        c: Sesion,
        op: Operacion,
        resultado: fusion.ResultadoFusion,
        version: int | None,
        central: Mapping[str, Any] | None,
        origen: str,
    ) -> tuple[str, Operacion]:
        reglas = sorted({d.regla for d in resultado.decisiones}) or list(resultado.notas)
        motivo = f"Fusión automática ({origen}): {', '.join(reglas) or 'sin cambios'}"
        antes = {"operacion": op.a_dict(), "central": central}
        if op.tipo == "borrar":
            if resultado.borrar and central is not None:
                nueva = self._reencolar(c, op, {}, version, dict(central), SISTEMA, motivo)
                estado = "reencolada"
            else:
                nueva = self._completar(c, op, version, SISTEMA, motivo)
                estado = "completada"
        else:
            central = central or {}
            datos = resultado.datos(central)
            if datos:
                base = {campo: central.get(campo) for campo in datos}
                nueva = self._reencolar(c, op, datos, version, base, SISTEMA, motivo)
                estado = "reencolada"
            else:
                nueva = self._completar(c, op, version, SISTEMA, motivo)
                estado = "completada"
        auditar(
            c,
            quien=SISTEMA,
            accion="fusion_automatica",
            regla_o_motivo=motivo,
            op=op,
            antes=antes,
            despues={
                "operacion": nueva.a_dict(),
                "decisiones": [d.a_dict() for d in resultado.decisiones],
            },
        )
        return estado, nueva

    def _abrir(
        self,
        c: Sesion,
        op: Operacion,
        resultado: fusion.ResultadoFusion,
        version: int | None,
        central: Mapping[str, Any] | None,
        modificado_en: str | None,
        origen: str,
        modificado_por: Mapping[str, str] | None = None,
    ) -> Operacion:
        propuesta = {
            d.campo: d.resultado for d in resultado.decisiones if d.regla != fusion.EN_DISPUTA
        }
        ahora = _ahora()
        detalle = (
            f"Conflicto en {', '.join(resultado.en_disputa)}: la central también lo "
            "cambió. Resuélvalo con «sincro resolver»."
        )
        c.execute(
            "DELETE FROM conflictos WHERE seq_operacion = ? AND estado = ?", (op.seq, ABIERTO)
        )
        c.execute(
            "INSERT INTO conflictos (uuid_operacion, seq_operacion, modelo, objeto_id, tipo,"
            " estado, base, local, central, version_central, modificado_en_central,"
            " campos_en_disputa, propuesta, operacion, creado_en, modificado_por_central)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                op.uuid,
                op.seq,
                op.modelo,
                op.objeto_id,
                op.tipo,
                ABIERTO,
                _json(op.valores_base),
                _json(op.datos),
                None if central is None else _json(dict(central)),
                version,
                modificado_en,
                _json(list(resultado.en_disputa)),
                _json(propuesta),
                _json(op.a_protocolo()),
                ahora,
                None if modificado_por is None else _json(dict(modificado_por)),
            ),
        )
        marcada = self.cola.marcar_conflicto(op.uuid, detalle, en=c)
        auditar(
            c,
            quien=SISTEMA,
            accion="conflicto_abierto",
            regla_o_motivo=f"{origen}: {detalle}",
            op=op,
            antes={"central": central},
            despues={"propuesta": propuesta},
        )
        return marcada

    # -- para el encargado ------------------------------------------------------------------

    def listar(self, estado: str | None = ABIERTO) -> list[Conflicto]:
        with self.cola.lectura() as c:
            if estado is None:
                filas = c.execute(
                    f"SELECT {', '.join(_COLUMNAS)} FROM conflictos ORDER BY id"  # noqa: S608
                ).fetchall()
            else:
                filas = c.execute(
                    f"SELECT {', '.join(_COLUMNAS)} FROM conflictos WHERE estado = ?"  # noqa: S608
                    " ORDER BY id",
                    (estado,),
                ).fetchall()
        return [_conflicto(f) for f in filas]

    def obtener(self, identificador: int) -> Conflicto:
        with self.cola.lectura() as c:
            return self._obtener(c, identificador)

    def _obtener(self, c: Sesion, identificador: int) -> Conflicto:
        fila = c.execute(
            f"SELECT {', '.join(_COLUMNAS)} FROM conflictos WHERE id = ?",  # noqa: S608
            (int(identificador),),
        ).fetchone()
        if fila is None:
            raise ErrorConflicto(
                f"No hay ningún conflicto con id {identificador}: vea la lista "
                "con «sincro conflictos»."
            )
        return _conflicto(fila)

    def _abierto_con_su_operacion(
        self, c: Sesion, identificador: int
    ) -> tuple[Conflicto, Operacion]:
        """El conflicto, que debe seguir abierto, y su operación, que debe seguir en CONFLICTO
        (si no, otra resolución ganó la carrera: ``ErrorConflicto`` y nada cambia)."""
        conflicto = self._obtener(c, identificador)
        if conflicto.estado != ABIERTO:
            raise ErrorConflicto(f"El conflicto {identificador} ya está {conflicto.estado}.")
        op = self._leer_op(c, conflicto.uuid_operacion)
        if op is None or op.estado != CONFLICTO:
            raise ErrorConflicto(
                f"La operación del conflicto {identificador} ya no está en CONFLICTO."
            )
        return conflicto, op

    def resolver(
        self,
        identificador: int,
        config: ConfigModelo,
        elecciones: Mapping[str, Any],
        *,
        usar: str | None = None,
        quien: str | None = None,
        motivo: str | None = None,
    ) -> Operacion:
        """Resuelve un conflicto abierto y reencola el resultado contra la versión central.

        ``usar``: ``local`` o ``central`` para los campos en disputa (los que ya resolvió una
        regla siguen su regla); ``elecciones``:
        ``{campo: "local" | "central" | valor}`` por campo (gana sobre ``usar``). Un campo en
        disputa sin elección es un error que dice cuáles faltan. Devuelve la operación.
        """
        quien = quien or usuario_actual()
        if usar not in (None, USAR_LOCAL, USAR_CENTRAL):
            raise ErrorConflicto("«usar» debe ser «local» o «central».")
        with self.cola.transaccion() as c:
            conflicto, op = self._abierto_con_su_operacion(c, identificador)
            central = conflicto.central
            desconocidos = set(elecciones) - set(conflicto.local) - set(conflicto.campos_en_disputa)
            if desconocidos:
                raise ErrorConflicto(
                    f"Campos que la operación no cambia: {', '.join(sorted(desconocidos))} "
                    f"(en disputa: {', '.join(conflicto.campos_en_disputa)})."
                )
            if conflicto.tipo == "borrar" or central is None:
                eleccion = usar or elecciones.get("(objeto)")
                if eleccion not in (USAR_LOCAL, USAR_CENTRAL):
                    raise ErrorConflicto(
                        "Este conflicto es de un borrado: use «--usar local» "
                        "(borrar) o «--usar central» (conservar la central)."
                    )
                return self._resolver_objeto(c, conflicto, op, eleccion, quien, motivo)
            resueltos: dict[str, Any] = {}
            faltan = []
            for campo in conflicto.local:
                # «usar» cubre los campos en disputa; los que ya decidió una regla la siguen
                # salvo elección explícita por campo.
                eleccion = elecciones.get(
                    campo, usar if campo in conflicto.campos_en_disputa else None
                )
                if eleccion is None:
                    if campo in conflicto.campos_en_disputa:
                        faltan.append(campo)
                        continue
                    resueltos[campo] = conflicto.propuesta.get(campo, conflicto.local[campo])
                elif eleccion == USAR_LOCAL:
                    resueltos[campo] = conflicto.local[campo]
                elif eleccion == USAR_CENTRAL:
                    resueltos[campo] = central.get(campo)
                else:
                    try:
                        resueltos[campo] = config.normalizar_valor(campo, eleccion)
                    except ErrorValor as exc:
                        raise ErrorConflicto(str(exc)) from None
            if faltan:
                raise ErrorConflicto(
                    f"Falta elegir valor para: {', '.join(faltan)} (use --usar local|central o "
                    "--campo CAMPO=local|central|VALOR)."
                )
            datos = {k: v for k, v in resueltos.items() if v != central.get(k)}
            motivo_texto = motivo or "Resolución manual: " + ", ".join(
                f"{k}={elecciones.get(k, usar) if k in conflicto.campos_en_disputa else 'regla'}"
                for k in resueltos
            )
            if datos:
                base = {k: central.get(k) for k in datos}
                nueva = self._reencolar(
                    c, op, datos, conflicto.version_central, base, quien, motivo_texto
                )
            else:
                nueva = self._completar(c, op, conflicto.version_central, quien, motivo_texto)
            self._cerrar(c, conflicto, RESUELTO, quien, {"valores": resueltos, "enviar": datos})
            auditar(
                c,
                quien=quien,
                accion="resolucion_manual",
                regla_o_motivo=motivo_texto,
                op=op,
                antes={"base": conflicto.base, "local": conflicto.local, "central": central},
                despues={"valores": resueltos, "operacion": nueva.a_dict()},
            )
            return nueva

    def _resolver_objeto(
        self,
        c: Sesion,
        conflicto: Conflicto,
        op: Operacion,
        eleccion: str,
        quien: str,
        motivo: str | None,
    ) -> Operacion:
        texto = motivo or f"Resolución manual: usar {eleccion}"
        if eleccion == USAR_CENTRAL or conflicto.central is None:
            if conflicto.central is None and eleccion == USAR_LOCAL and op.tipo != "borrar":
                raise ErrorConflicto(
                    "La central borró el objeto: sólo se puede usar la central "
                    "(o descartar la operación)."
                )
            nueva = self._completar(c, op, conflicto.version_central, quien, texto)
        else:
            nueva = self._reencolar(
                c,
                op,
                op.datos if op.tipo != "borrar" else {},
                conflicto.version_central,
                dict(conflicto.central),
                quien,
                texto,
            )
        self._cerrar(c, conflicto, RESUELTO, quien, {"usar": eleccion})
        auditar(
            c,
            quien=quien,
            accion="resolucion_manual",
            regla_o_motivo=texto,
            op=op,
            antes={"central": conflicto.central, "local": conflicto.local},
            despues={"operacion": nueva.a_dict()},
        )
        return nueva

    def descartar(self, identificador: int, motivo: str, quien: str | None = None) -> Operacion:
        """Descarta la operación del conflicto (gana la central) con un motivo obligatorio."""
        quien = _exigir_motivo(
            motivo, quien, ErrorConflicto("Indique por qué se descarta (--motivo).")
        )
        with self.cola.transaccion() as c:
            conflicto, op = self._abierto_con_su_operacion(c, identificador)
            self._cerrar(c, conflicto, DESCARTADO_CONFLICTO, quien, {"motivo": motivo})
            return self._descartar(c, op, motivo, quien, CONFLICTO, "descartar_conflicto")

    def _descartar(
        self, c: Sesion, op: Operacion, motivo: str, quien: str, desde: str, accion: str
    ) -> Operacion:
        """Descarta ``op`` (que está en ``desde``) y lo anota en la auditoría, en ``c``."""
        descartada = self.cola.descartar(op.uuid, motivo, quien, desde=(desde,), en=c)
        auditar(
            c,
            quien=quien,
            accion=accion,
            regla_o_motivo=motivo,
            op=op,
            antes=op.a_dict(),
            despues={"estado": DESCARTADO},
        )
        return descartada

    def _cerrar(
        self, c: Sesion, conflicto: Conflicto, estado: str, quien: str, resolucion: dict[str, Any]
    ) -> None:
        c.execute(
            "UPDATE conflictos SET estado = ?, resuelto_en = ?, resuelto_por = ?, resolucion = ?"
            " WHERE id = ?",
            (estado, _ahora(), quien, _json(resolucion), conflicto.id),
        )

    # -- errores (rechazadas) ----------------------------------------------------------------

    def reintentar_error(
        self,
        uuid: str,
        datos: Mapping[str, Any] | None = None,
        *,
        quien: str | None = None,
        motivo: str | None = None,
    ) -> Operacion:
        """Una operación en ``ERROR`` vuelve a ``PENDIENTE`` (con datos editados si se dan,
        ya validados por quien llama). Mismo UUID: la central no la aplicó."""
        quien = quien or usuario_actual()
        with self.cola.transaccion() as c:
            op = self._en_error(
                c, uuid, "Sólo se reintentan operaciones en ERROR; {uuid} está {estado}."
            )
            texto = motivo or ("Reintentada con datos editados" if datos else "Reintentada")
            nueva = self.cola.reintentar(uuid, datos, por=quien, motivo=texto, desde=(ERROR,), en=c)
            auditar(
                c,
                quien=quien,
                accion="reintentar",
                regla_o_motivo=texto,
                op=op,
                antes=op.a_dict(),
                despues=nueva.a_dict(),
            )
            return nueva

    def descartar_operacion(self, uuid: str, motivo: str, quien: str | None = None) -> Operacion:
        """Descarta la operación ``uuid``: su conflicto abierto si está en CONFLICTO (gana la
        central), o ella misma si está en ERROR."""
        op = self.cola.obtener(uuid)
        if op is not None and op.estado == CONFLICTO:
            for conflicto in self.listar():
                if conflicto.uuid_operacion == uuid:
                    return self.descartar(conflicto.id, motivo, quien)
        return self.descartar_error(uuid, motivo, quien)

    def descartar_error(self, uuid: str, motivo: str, quien: str | None = None) -> Operacion:
        quien = _exigir_motivo(
            motivo, quien, ErrorCola("Indique por qué se descarta la operación (--motivo).")
        )
        with self.cola.transaccion() as c:
            op = self._en_error(
                c,
                uuid,
                "Sólo se descartan así operaciones en ERROR; {uuid} está "
                "{estado} (un conflicto se descarta desde su conflicto).",
            )
            return self._descartar(c, op, motivo, quien, ERROR, "descartar")

    def _en_error(self, c: Sesion, uuid: str, si_no: str) -> Operacion:
        """La operación ``uuid`` de la cola, que debe estar en ``ERROR``; si no lo está,
        ``ErrorCola`` con ``si_no`` (admite ``{uuid}`` y ``{estado}``)."""
        op = self._leer_op(c, uuid)
        if op is None:
            raise ErrorCola(f"No hay ninguna operación con UUID {uuid} en la cola.")
        if op.estado != ERROR:
            raise ErrorCola(si_no.format(uuid=uuid, estado=op.estado))
        return op

    def contar_abiertos(self) -> int:
        with self.cola.lectura() as c:
            return c.execute(
                "SELECT COUNT(*) FROM conflictos WHERE estado = ?", (ABIERTO,)
            ).fetchone()[0]

    def bloqueadas(self, limite: int = 50) -> list[dict[str, Any]]:
        """Operaciones PENDIENTE retenidas por un ERROR/CONFLICTO anterior: del mismo objeto,
        de un objeto que referencian o (sin referencia) de un modelo del que dependen, directa
        o indirectamente (``Cola.retenidas``, la misma regla que el envío)."""
        salida = []
        for op, r in self.cola.retenidas(limite):
            if (r.modelo, r.objeto_id) == (op.modelo, op.objeto_id):
                donde = "del mismo objeto"
            else:
                donde = f"de {r.modelo} {r.objeto_id}"
            salida.append(
                {
                    "uuid": op.uuid,
                    "modelo": op.modelo,
                    "objeto_id": op.objeto_id,
                    "espera_a": r.uuid,
                    "motivo": f"Espera a la operación {r.uuid} {donde}, en {r.estado}: "
                    f"{r.ultimo_error or ''}".strip(),
                }
            )
        return salida

    # -- auditoría ---------------------------------------------------------------------------

    def auditoria(self, limite: int = 100) -> list[dict[str, Any]]:
        with self.cola.lectura() as c:
            filas = c.execute(
                "SELECT id, momento, quien, accion, uuid_operacion, modelo, objeto_id,"
                " regla_o_motivo, antes, despues FROM auditoria ORDER BY id DESC LIMIT ?",
                (int(limite),),
            ).fetchall()
        claves = (
            "id",
            "momento",
            "quien",
            "accion",
            "uuid_operacion",
            "modelo",
            "objeto_id",
            "regla_o_motivo",
            "antes",
            "despues",
        )
        salida = []
        for fila in filas:
            entrada = dict(zip(claves, fila, strict=True))
            entrada["antes"] = json.loads(entrada["antes"])
            entrada["despues"] = json.loads(entrada["despues"])
            salida.append(entrada)
        return salida


def _exigir_motivo(motivo: str | None, quien: str | None, si_falta: Exception) -> str:
    """Quien descarta (por defecto, el usuario del sistema); lanza ``si_falta`` si no hay
    motivo: descartar pierde un cambio y la auditoría dice siempre por qué."""
    if not motivo or not motivo.strip():
        raise si_falta
    return quien or usuario_actual()
