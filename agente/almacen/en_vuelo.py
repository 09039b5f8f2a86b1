"""Operaciones en vuelo (``PROCESANDO``) que nadie va a confirmar: vuelven a ``PENDIENTE``.

``recuperar`` devuelve las que dejó en vuelo una instancia que ya no existe (su cerrojo de vida
está libre: ``agente.almacen.propietarios``) o cuyo envío empezó hace más de
``PLAZO_EN_VUELO_S``; reenviarlas es seguro porque la central deduplica por UUID. Nunca toca
las de una instancia viva (p. ej. la bandeja enviando mientras la caja abre la cola). Corre al
abrir la cola y en cada empuje; si no hay nada que devolver sólo lee las filas
``PROCESANDO``. ``devolver_propias`` devuelve lo de esta instancia al cerrarla.

Parte de ``Cola`` (cambia estados de ``operaciones`` por ella). Seguro desde cualquier hilo:
cada llamada es una transacción duradera bajo el cerrojo de la ``ConexionCola``.
"""

from __future__ import annotations

import datetime as dt

from agente.almacen import propietarios
from agente.almacen.conexion import ConexionCola
from agente.operacion import PENDIENTE, PROCESANDO, ahora_iso

PLAZO_EN_VUELO_S = 600


class EnVuelo:
    """Recuperación de lo que quedó en vuelo (ver docstring del módulo)."""

    def __init__(self, bd: ConexionCola, propietario: str, carpeta_vida: str) -> None:
        self._bd = bd
        self.propietario = propietario
        self._carpeta_vida = carpeta_vida

    def recuperar(self, forzar: bool = False) -> int:
        """``PROCESANDO`` de instancias muertas (o en vuelo desde hace más de
        ``PLAZO_EN_VUELO_S``, o todas con ``forzar``) vuelven a ``PENDIENTE``. Nunca las de
        esta instancia salvo con ``forzar``. Devuelve cuántas volvieron."""
        limite = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=PLAZO_EN_VUELO_S)).isoformat(
            timespec="microseconds"
        )
        with self._bd.leer() as lectura:
            filas = lectura.execute(
                "SELECT seq, propietario, en_vuelo_desde FROM operaciones WHERE estado = ?",
                (PROCESANDO,),
            ).fetchall()
            vivos: dict[str | None, bool] = {}

            def vivo(propietario: str | None) -> bool:
                if propietario not in vivos:
                    vivos[propietario] = propietarios.propietario_vivo(
                        propietario, self._carpeta_vida
                    )
                return vivos[propietario]

            devolver = [
                (seq, propietario, desde)
                for seq, propietario, desde in filas
                if forzar
                or (
                    propietario != self.propietario
                    and ((desde or "") < limite or not vivo(propietario))
                )
            ]
            if not devolver:
                return 0
            with self._bd.escribir() as c:
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
                        (
                            PENDIENTE,
                            "Recuperada tras un cierre inesperado.",
                            ahora,
                            seq,
                            PROCESANDO,
                            propietario,
                            desde,
                        ),
                    ).rowcount
                    for seq, propietario, desde in devolver
                )

    def devolver_propias(self) -> int:
        """Lo que esta instancia tiene en vuelo vuelve a ``PENDIENTE`` (al cerrar la cola)."""
        with self._bd.escribir() as c:
            return c.execute(
                "UPDATE operaciones SET estado = ?, propietario = NULL,"
                " en_vuelo_desde = NULL, actualizada_en = ?"
                " WHERE estado = ? AND propietario = ?",
                (PENDIENTE, ahora_iso(), PROCESANDO, self.propietario),
            ).rowcount
