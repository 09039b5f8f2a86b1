"""PySide6 6.12.0 resta una referencia a ``True`` en cada ``Signal.emit()`` desde Python: en
Python 3.11 (``True`` no es inmortal) la bandeja se cae con «bool_dealloc» tras unos miles de
señales. ``pyproject.toml`` pide ``<6.12``; esta prueba lo detecta si alguien lo sube."""

import sys

from PySide6.QtCore import QObject, Signal


class _Emisor(QObject):
    senal = Signal()
    con_datos = Signal(object, object, object)


def test_emit_no_pierde_referencias_de_true_ni_de_none(qapp):
    emisor = _Emisor()
    emisor.senal.connect(lambda: None)
    emisor.con_datos.connect(lambda *_: None)
    antes = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(50):
        emisor.senal.emit()
        emisor.con_datos.emit(None, True, None)
    assert (sys.getrefcount(True), sys.getrefcount(None)) == antes
