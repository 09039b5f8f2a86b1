"""Etiquetas de campo en el idioma de la interfaz.

La central sirve en su esquema una etiqueta por campo (``etiquetas``, del ``verbose_name`` de
Django: «Código EAN-13», «Precio unitario»); sin ella, el nombre del campo legible
(``ui.nombres.humanizar``). Son textos de la tienda en el idioma de la central: la interfaz los
pasa por la traducción de Qt (contexto ``Campo``) y, si el catálogo de traducciones no los
tiene, los muestra tal cual. ``ETIQUETAS_CONOCIDAS`` declara las del esquema de demostración
para que ``pyside6-lupdate`` las lleve al ``.ts``.

Sólo hilo de la GUI (usa ``QCoreApplication.translate``).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from ui.nombres import Presentacion, humanizar

ETIQUETAS_CONOCIDAS = (
    QT_TRANSLATE_NOOP("Campo", "ID"),
    QT_TRANSLATE_NOOP("Campo", "Nombre"),
    QT_TRANSLATE_NOOP("Campo", "Código EAN-13"),
    QT_TRANSLATE_NOOP("Campo", "Precio"),
    QT_TRANSLATE_NOOP("Campo", "Stock"),
    QT_TRANSLATE_NOOP("Campo", "Categoría"),
    QT_TRANSLATE_NOOP("Campo", "Descripción"),
    QT_TRANSLATE_NOOP("Campo", "Imagen"),
    QT_TRANSLATE_NOOP("Campo", "NIF"),
    QT_TRANSLATE_NOOP("Campo", "Email"),
    QT_TRANSLATE_NOOP("Campo", "Teléfono"),
    QT_TRANSLATE_NOOP("Campo", "Puntos"),
    QT_TRANSLATE_NOOP("Campo", "Tienda"),
    QT_TRANSLATE_NOOP("Campo", "Terminal"),
    QT_TRANSLATE_NOOP("Campo", "Cliente"),
    QT_TRANSLATE_NOOP("Campo", "Fecha"),
    QT_TRANSLATE_NOOP("Campo", "Total"),
    QT_TRANSLATE_NOOP("Campo", "Pagos"),
    QT_TRANSLATE_NOOP("Campo", "Venta"),
    QT_TRANSLATE_NOOP("Campo", "Producto"),
    QT_TRANSLATE_NOOP("Campo", "Cantidad"),
    QT_TRANSLATE_NOOP("Campo", "Precio unitario"),
)


def traducir(texto: str) -> str:
    return QCoreApplication.translate("Campo", texto)


def etiqueta(campo: str, etiquetas: Mapping[str, str] | Presentacion | None = None) -> str:
    """La etiqueta de ``campo`` traducida: de ``etiquetas`` (un dict o una ``Presentacion``)
    o, sin ella, el nombre legible."""
    if isinstance(etiquetas, Presentacion):
        texto = etiquetas.etiqueta(campo)
    else:
        texto = (etiquetas or {}).get(campo) or humanizar(campo)
    return traducir(texto)
