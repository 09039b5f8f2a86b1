"""Carga de traducciones Qt y elección de idioma.

Los textos de la interfaz están en español y se marcan con
``translate("Contexto", "texto")`` con contexto explícito (nunca ``self.tr()``,
que en PySide6 usa el nombre de la subclase en tiempo de ejecución y pierde traducciones). Los
huecos van con nombre, ``{n}``, y se rellenan con ``str.format`` después de traducir; una prueba
comprueba que cada traducción conserva los huecos de su original.

Los ``.qm`` se generan de sus ``.ts`` (``ui.recursos.qm``). Además se carga la traducción de Qt
(``qtbase_<idioma>.qm``, que PySide6 trae y el bundle incluye) para los botones propios de Qt
(Aceptar/Cancelar, Sí/No), y el idioma elegido fija el ``QLocale`` por defecto (números y
dinero: «184,30 €» / «€184.30»). Sólo desde el hilo de la GUI.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from ui import recursos

translate = QCoreApplication.translate

IDIOMAS = ("es", "en")
IDIOMA_ORIGEN = "es"

_instalado: QTranslator | None = None
_qt: QTranslator | None = None
_LOCALES = {"es": QLocale.Language.Spanish, "en": QLocale.Language.English}
_PAISES = {"es": QLocale.Country.Spain, "en": QLocale.Country.UnitedKingdom}


def idioma_del_sistema() -> str:
    """``"es"`` o ``"en"`` según la configuración regional; español si no hay traducción."""
    nombre = QLocale.system().name().split("_")[0]
    return nombre if nombre in IDIOMAS else IDIOMA_ORIGEN


def instalar(idioma: str | None) -> str:
    """Instala la traducción de ``idioma`` (``None`` o ``"sistema"`` = la del sistema).

    Devuelve el idioma efectivo. El español es el idioma de origen: no carga nada.
    """
    global _instalado, _qt
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("Crea la QApplication antes de instalar traducciones.")
    if idioma in (None, "", "sistema"):
        idioma = idioma_del_sistema()
    if idioma not in IDIOMAS:
        raise ValueError(f"Idioma no soportado: {idioma!r} (soportados: {', '.join(IDIOMAS)}).")
    if _instalado is not None:
        app.removeTranslator(_instalado)
        _instalado = None
    if _qt is not None:
        app.removeTranslator(_qt)
        _qt = None
    sistema = QLocale.system()
    QLocale.setDefault(
        sistema
        if sistema.language() == _LOCALES[idioma]
        else QLocale(_LOCALES[idioma], _PAISES[idioma])
    )
    qt = QTranslator(app)
    if qt.load(f"qtbase_{idioma}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _qt = qt
    if idioma != IDIOMA_ORIGEN:
        traductor = QTranslator(app)
        compilada = recursos.qm(idioma)
        if compilada is None or not traductor.load(str(compilada)):
            raise RuntimeError(f"No se encontró la traducción compilada sincro_{idioma}.qm.")
        app.installTranslator(traductor)
        _instalado = traductor
    return idioma
