"""Descripción para personas de las líneas del registro (eventos ``agente.soporte.registro``).

``describir(entrada)`` recibe el dict de ``ui.trabajos.interpretar_linea`` y devuelve una frase
traducible. Los eventos sin descripción propia se muestran como «tipo: clave=valor…». Sólo
hilo de la GUI (traduce).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from ui import errores, formato
from ui.nombres import Presentacion, nombrar, presentacion_por_defecto

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
        presentacion=(
            Presentacion(nombre=_modelo(c), campo_titulo=c.get("campo_titulo") or None)
            if c.get("modelo_visible")
            else None
        ),
        referido=c.get("referido"),
        plantilla=formato.plantilla_referido(),
    )


def detalle(entrada: dict[str, Any]) -> str:
    """El texto técnico de una línea (para el consejo de la fila): el mensaje de un error tal
    como llegó, o la línea entera; vacío si no añade nada a ``describir``."""
    campos = entrada.get("campos") or {}
    if entrada.get("evento") == "sincronizacion_fallida":
        return str(campos.get("mensaje") or "")
    return "" if entrada.get("evento") else str(entrada.get("mensaje", "")).strip()


def _modelo(c: dict[str, Any]) -> str:
    """«Existencia», no «productos.Existencia» (``modelo_visible`` lo añade quien lee el
    registro con el esquema a mano)."""
    modelo = str(c.get("modelo") or "?")
    return str(c.get("modelo_visible") or presentacion_por_defecto(modelo).nombre)


def _articulo_y_tipo(tipo: Any) -> str:
    """«el alta», «el cambio», «la baja», «el ajuste»."""
    textos = {
        "crear": translate("Eventos", "el alta"),
        "actualizar": translate("Eventos", "el cambio"),
        "borrar": translate("Eventos", "la baja"),
        "ajustar": translate("Eventos", "el ajuste"),
    }
    return textos.get(str(tipo or ""), translate("Eventos", "la operación"))


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
        frase, detalle_tecnico = errores.frase(str(_c(c, "mensaje")))
        if errores.es_generica(frase, detalle_tecnico):  # el detalle está en el consejo
            return translate(
                "Eventos",
                "La sincronización no se completó; se volverá a intentar. El detalle técnico "
                "sale al dejar el ratón encima.",
            )
        return translate("Eventos", "La sincronización falló: {mensaje}").format(mensaje=frase)
    if evento == "operacion_rechazada":
        if c.get("modelo"):
            return translate("Eventos", "La central rechazó {tipo} de {objeto}: {motivo}").format(
                tipo=_articulo_y_tipo(c.get("operacion")), objeto=_objeto(c), motivo=_c(c, "motivo")
            )
        return translate("Eventos", "La central rechazó la operación {uuid}: {motivo}").format(
            uuid=_c(c, "uuid"), motivo=_c(c, "motivo")
        )
    if evento == "resincronizacion":
        return translate(
            "Eventos", "Se vuelve a descargar entero el modelo {modelo} ({motivo})."
        ).format(modelo=_modelo(c), motivo=_c(c, "motivo"))
    if evento == "descarga_completa":
        return translate("Eventos", "Descarga completa del modelo {modelo} ({motivo}).").format(
            modelo=_modelo(c), motivo=_c(c, "motivo")
        )
    detalle = " ".join(f"{k}={v}" for k, v in c.items())
    return f"{evento}: {detalle}".strip()
