"""Descripción para personas de las líneas del registro (eventos ``agente.soporte.registro``).

``describir(entrada)`` recibe el dict de ``ui.trabajos.interpretar_linea`` y devuelve una frase
traducible. Los eventos sin descripción propia se muestran como «tipo: clave=valor…». Sólo
hilo de la GUI (traduce).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from ui import formato
from ui.nombres import nombrar

translate = QCoreApplication.translate


def _entero(valor: Any) -> int:
    try:
        return int(valor)
    except (TypeError, ValueError):
        return 0


def _objeto(c: dict[str, Any]) -> str:
    valores = c.get("valores") if isinstance(c.get("valores"), dict) else {}
    return nombrar(
        str(c.get("modelo") or ""),
        c.get("objeto_id"),
        valores,
        referido=c.get("referido"),
        plantilla=formato.plantilla_referido(),
    )


def _c(campos: dict[str, Any], clave: str, defecto: Any = "?") -> Any:
    return campos.get(clave, defecto)


def describir(entrada: dict[str, Any]) -> str:
    evento = entrada.get("evento")
    if not evento:  # una línea corriente: sólo su primera línea (la traza queda en el fichero)
        return str(entrada.get("mensaje", "")).strip().split("\n", 1)[0]
    c = entrada.get("campos") or {}
    if evento == "pase":
        enviadas = _entero(_c(c, "enviadas", 0))
        filas = formato.plural(
            _entero(_c(c, "filas", 0)),
            translate("Eventos", "%n fila descargada"),
            translate("Eventos", "%n filas descargadas"),
        )
        if not enviadas:
            return translate(
                "Eventos", "Sincronización completa: nada nuevo que enviar; {filas}."
            ).format(filas=filas)
        return formato.plural(
            enviadas,
            translate(
                "Eventos",
                "Sincronización completa: %n operación enviada ({completadas} "
                "confirmadas, {conflictos} en conflicto, {rechazadas} rechazadas); {filas}.",
            ),
            translate(
                "Eventos",
                "Sincronización completa: %n operaciones enviadas ({completadas} "
                "confirmadas, {conflictos} en conflicto, {rechazadas} rechazadas); {filas}.",
            ),
        ).format(
            completadas=_c(c, "completadas", 0),
            conflictos=_c(c, "conflictos", 0),
            rechazadas=_c(c, "rechazadas", 0),
            filas=filas,
        )
    if evento == "resolucion_manual":
        return translate(
            "Eventos", "{quien} resolvió a mano el conflicto de {objeto}: {motivo}"
        ).format(quien=_c(c, "quien"), objeto=_objeto(c), motivo=_c(c, "motivo"))
    if evento == "descartar_conflicto":
        return translate(
            "Eventos", "{quien} descartó el cambio en conflicto de {objeto}: {motivo}"
        ).format(quien=_c(c, "quien"), objeto=_objeto(c), motivo=_c(c, "motivo"))
    if evento == "descartar":
        return translate(
            "Eventos", "{quien} descartó la operación rechazada de {objeto}: {motivo}"
        ).format(quien=_c(c, "quien"), objeto=_objeto(c), motivo=_c(c, "motivo"))
    if evento == "reintentar":
        return translate("Eventos", "{quien} volvió a enviar la operación de {objeto}.").format(
            quien=_c(c, "quien"), objeto=_objeto(c)
        )
    if evento == "sincronizacion_fallida":
        return translate("Eventos", "La sincronización falló: {mensaje}").format(
            mensaje=_c(c, "mensaje")
        )
    if evento == "operacion_rechazada":
        return translate("Eventos", "La central rechazó la operación {uuid}: {motivo}").format(
            uuid=_c(c, "uuid"), motivo=_c(c, "motivo")
        )
    if evento == "resincronizacion":
        return translate(
            "Eventos", "Se vuelve a descargar entero el modelo {modelo} ({motivo})."
        ).format(modelo=_c(c, "modelo"), motivo=_c(c, "motivo"))
    if evento == "descarga_completa":
        return translate("Eventos", "Descarga completa del modelo {modelo} ({motivo}).").format(
            modelo=_c(c, "modelo"), motivo=_c(c, "motivo")
        )
    detalle = " ".join(f"{k}={v}" for k, v in c.items())
    return f"{evento}: {detalle}".strip()
