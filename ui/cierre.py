"""Cierre de caja (Z) desde la ventana: resumen desde el último cierre, efectivo contado y, si
la central aún no tiene todo, el cierre forzado con nombre y motivo.

Flujo (todo lo del motor pasa por el puente, en su hilo ``motor``; la GUI nunca espera):

1. «Cerrar caja…» pide ``Agente.resumen_caja()`` y abre ``DialogoCierre`` con él: cuántas
   ventas, anulaciones y devoluciones, primer y último número, importe por forma de pago y
   total; el efectivo contado (opcional) y la diferencia con el esperado según se teclea.
2. Si hay registros que la central aún no tiene, el diálogo lo dice antes de intentarlo
   («La central aún no tiene 3 registros (desde las 10:42)…») y sólo deja cerrar forzando,
   con quién y por qué (el cierre forzado queda marcado en la central).
3. «Cerrar caja» llama ``Agente.cerrar_caja``; si el motor lo rechaza (algo quedó sin
   confirmar entre medias) el diálogo sigue abierto con el aviso al día; si lo acepta, se
   cierra y la ventana dice el número del cierre.

Textos en el idioma de la interfaz: el rechazo se cuenta con los números del resumen, no con
el mensaje del motor. Sólo hilo de la GUI.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui import formato, trabajos
from ui.nombres import humanizar
from ui.puente import Puente

translate = QCoreApplication.translate


def texto_metodo(metodo: str) -> str:
    textos = {
        "efectivo": translate("Cierre", "Efectivo"),
        "tarjeta": translate("Cierre", "Tarjeta"),
        "bizum": translate("Cierre", "Bizum"),
        "vale": translate("Cierre", "Vale"),
    }
    return textos.get(metodo, humanizar(metodo))


def texto_registros(resumen: Mapping[str, Any]) -> str:
    """«12 ventas · 1 anulación · 2 devoluciones» (sólo lo que no es cero) o «nada»."""
    por_tipo = dict(resumen.get("por_tipo") or {})
    partes = []
    for tipo, singular, plural in (
        ("venta", translate("Cierre", "%n venta"), translate("Cierre", "%n ventas")),
        ("anulacion", translate("Cierre", "%n anulación"), translate("Cierre", "%n anulaciones")),
        (
            "devolucion",
            translate("Cierre", "%n devolución"),
            translate("Cierre", "%n devoluciones"),
        ),
    ):
        n = int(por_tipo.get(tipo, 0))
        if n:
            partes.append(formato.plural(n, singular, plural))
    return " · ".join(partes) if partes else translate("Cierre", "ninguna venta")


def texto_numeros(resumen: Mapping[str, Any]) -> str:
    if resumen.get("desde") is None:
        return formato.VACIO
    serie = resumen.get("serie") or ""
    texto = translate("Cierre", "del nº {desde} al nº {hasta}").format(
        desde=resumen["desde"], hasta=resumen["hasta"]
    )
    return f"{texto} ({serie})" if serie else texto


def texto_sin_confirmar(resumen: Mapping[str, Any]) -> str:
    """Por qué no se puede cerrar sin forzar (vacío si se puede)."""
    n = int(resumen.get("sin_confirmar") or 0)
    if not n:
        return ""
    return formato.plural(
        n,
        translate(
            "Cierre",
            "La central aún no tiene %n registro de esta caja (desde las {hora}). "
            "Sincroniza antes de cerrar o fuerza el cierre indicando quién y por qué.",
        ),
        translate(
            "Cierre",
            "La central aún no tiene %n registros de esta caja (desde las {hora}). "
            "Sincroniza antes de cerrar o fuerza el cierre indicando quién y por qué.",
        ),
    ).format(hora=formato.hora_corta(resumen.get("sin_confirmar_desde")))


def importe_escrito(texto: str) -> Decimal | None:
    """«120,50» o «120.50» → Decimal; ``None`` si está vacío; ``ValueError`` si no vale."""
    limpio = texto.strip().replace("€", "").replace(" ", "")
    if not limpio:
        return None
    if "," in limpio:
        limpio = limpio.replace(".", "").replace(",", ".")
    try:
        cantidad = Decimal(limpio)
    except InvalidOperation:
        raise ValueError(texto) from None
    if not cantidad.is_finite() or cantidad < 0 or cantidad.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(texto)
    return cantidad


class DialogoCierre(QDialog):
    """Resumen desde el último cierre, efectivo contado y, si hace falta, forzar."""

    cerrar_pedido = Signal(dict)  # {"efectivo_contado", "forzar_por", "motivo"}

    def __init__(self, resumen: Mapping[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("Cierre", "Cerrar caja"))
        self.setObjectName("dialogo_cierre")
        self.resize(560, 460)
        self.resumen: dict[str, Any] = dict(resumen)
        self.desde_cierre = QLabel()
        self.registros = QLabel()
        self.registros.setObjectName("registros")
        self.numeros = QLabel()
        self.numeros.setObjectName("numeros")
        self.total = QLabel()
        self.total.setObjectName("total")
        self.metodos = QTableWidget(0, 2)
        self.metodos.setObjectName("metodos")
        self.metodos.setHorizontalHeaderLabels(
            [translate("Cierre", "Forma de pago"), translate("Cierre", "Importe")]
        )
        self.metodos.verticalHeader().setVisible(False)
        self.metodos.horizontalHeader().setStretchLastSection(True)
        self.metodos.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.efectivo = QLineEdit()
        self.efectivo.setObjectName("efectivo_contado")
        self.efectivo.setPlaceholderText(translate("Cierre", "opcional, p. ej. 120,50"))
        self.efectivo.textChanged.connect(self._revisar)
        self.diferencia = QLabel()
        self.diferencia.setObjectName("diferencia")
        self.aviso = QLabel()
        self.aviso.setObjectName("aviso_cierre")
        self.aviso.setWordWrap(True)
        self.aviso.setStyleSheet("color: #b3261e")
        self.forzar = QGroupBox(translate("Cierre", "Forzar el cierre"))
        self.forzar.setObjectName("forzar")
        self.forzar.setCheckable(True)
        self.forzar.setChecked(False)
        self.forzar.toggled.connect(self._revisar)
        self.quien = QLineEdit()
        self.quien.setObjectName("quien")
        self.quien.setPlaceholderText(translate("Cierre", "nombre de quien fuerza el cierre"))
        self.motivo = QLineEdit()
        self.motivo.setObjectName("motivo")
        self.motivo.setPlaceholderText(translate("Cierre", "por qué se cierra sin confirmar"))
        for campo in (self.quien, self.motivo):
            campo.textChanged.connect(self._revisar)
        forma_forzar = QFormLayout(self.forzar)
        forma_forzar.addRow(translate("Cierre", "Quién:"), self.quien)
        forma_forzar.addRow(translate("Cierre", "Motivo:"), self.motivo)

        forma = QFormLayout()
        forma.addRow(translate("Cierre", "Desde:"), self.desde_cierre)
        forma.addRow(translate("Cierre", "Registros:"), self.registros)
        forma.addRow(translate("Cierre", "Números:"), self.numeros)
        forma.addRow(translate("Cierre", "Total:"), self.total)
        contado = QFormLayout()
        contado.addRow(translate("Cierre", "Efectivo contado:"), self.efectivo)
        contado.addRow("", self.diferencia)
        botones = QDialogButtonBox()
        self.boton_cerrar: QPushButton = botones.addButton(
            translate("Cierre", "Cerrar caja"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.boton_cerrar.setObjectName("boton_cerrar")
        botones.addButton(QDialogButtonBox.StandardButton.Cancel)
        botones.accepted.connect(self._pedir_cierre)
        botones.rejected.connect(self.reject)
        capa = QVBoxLayout(self)
        capa.addLayout(forma)
        capa.addWidget(self.metodos, 1)
        capa.addLayout(contado)
        capa.addWidget(self.aviso)
        capa.addWidget(self.forzar)
        capa.addWidget(botones)
        self.fijar_resumen(resumen)

    # -- contenido ---------------------------------------------------------------------------

    def fijar_resumen(self, resumen: Mapping[str, Any]) -> None:
        self.resumen = dict(resumen)
        ultimo = resumen.get("ultimo_cierre")
        self.desde_cierre.setText(
            translate("Cierre", "el cierre nº {numero} ({hora})").format(
                numero=ultimo.get("numero"), hora=formato.hora(ultimo.get("fecha"))
            )
            if ultimo
            else translate("Cierre", "el principio (primer cierre de esta caja)")
        )
        self.registros.setText(texto_registros(resumen))
        self.numeros.setText(texto_numeros(resumen))
        self.total.setText(f"<b>{formato.dinero(resumen.get('total'))}</b>")
        metodos = dict(resumen.get("por_metodo") or {})
        self.metodos.setRowCount(len(metodos))
        for fila, (metodo, importe) in enumerate(metodos.items()):
            self.metodos.setItem(fila, 0, QTableWidgetItem(texto_metodo(metodo)))
            celda = QTableWidgetItem(formato.dinero(importe))
            celda.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.metodos.setItem(fila, 1, celda)
        self.metodos.resizeColumnsToContents()
        self.aviso.setText(texto_sin_confirmar(resumen))
        self.aviso.setVisible(bool(self.aviso.text()))
        if self.aviso.text():
            self.forzar.setVisible(True)
        else:
            self.forzar.setChecked(False)
            self.forzar.setVisible(False)
        self._revisar()

    def esperado_en_efectivo(self) -> Decimal:
        return Decimal(str(dict(self.resumen.get("por_metodo") or {}).get("efectivo", "0")))

    def _revisar(self, *_args: Any) -> None:
        """Diferencia de efectivo al teclear y si se puede pulsar «Cerrar caja»."""
        valido = True
        try:
            contado = importe_escrito(self.efectivo.text())
        except ValueError:
            contado, valido = None, False
            self.diferencia.setText(translate("Cierre", "Escribe un importe, p. ej. 120,50."))
        if valido and contado is None:
            self.diferencia.setText(
                translate("Cierre", "Esperado en efectivo: {importe}").format(
                    importe=formato.dinero(self.esperado_en_efectivo())
                )
            )
        elif valido and contado is not None:
            diferencia = contado - self.esperado_en_efectivo()
            self.diferencia.setText(
                translate("Cierre", "Esperado {esperado}; diferencia {diferencia}").format(
                    esperado=formato.dinero(self.esperado_en_efectivo()),
                    diferencia=formato.dinero(diferencia),
                )
            )
        bloqueado = bool(self.resumen.get("sin_confirmar"))
        forzado = (
            self.forzar.isChecked()
            and bool(self.quien.text().strip())
            and bool(self.motivo.text().strip())
        )
        self.boton_cerrar.setEnabled(valido and (not bloqueado or forzado))

    def datos(self) -> dict[str, Any]:
        contado = importe_escrito(self.efectivo.text())
        forzar = self.forzar.isVisible() and self.forzar.isChecked()
        return {
            "efectivo_contado": None if contado is None else str(contado),
            "forzar_por": self.quien.text().strip() if forzar else None,
            "motivo": self.motivo.text().strip() if forzar else None,
        }

    def _pedir_cierre(self) -> None:
        if self.boton_cerrar.isEnabled():
            self.boton_cerrar.setEnabled(False)  # hasta que responda el motor
            self.cerrar_pedido.emit(self.datos())


def texto_cerrada(registro: Mapping[str, Any]) -> str:
    """«Caja cerrada: cierre nº 14 · total 1.234,50 € · diferencia de efectivo −2,00 €»."""
    partes = [
        translate("Cierre", "Caja cerrada: cierre nº {numero}").format(
            numero=registro.get("numero", "?")
        ),
        translate("Cierre", "total {importe}").format(
            importe=formato.dinero(registro.get("total"))
        ),
    ]
    if registro.get("diferencia") is not None:
        partes.append(
            translate("Cierre", "diferencia de efectivo {importe}").format(
                importe=formato.dinero(registro["diferencia"])
            )
        )
    if registro.get("forzado"):
        partes.append(translate("Cierre", "forzado"))
    return " · ".join(partes)


class CierreDeCaja:
    """Une el botón, el diálogo y el puente. Sólo hilo de la GUI."""

    def __init__(self, puente: Puente, padre: QWidget, al_cerrar: Any = None) -> None:
        self.puente = puente
        self.padre = padre
        self.al_cerrar = al_cerrar  # función(texto) al cerrar la caja
        self.dialogo: DialogoCierre | None = None
        self.ultimo_cierre: dict[str, Any] | None = None

    def abrir(self) -> bool:
        """Pide el resumen y abre el diálogo (no modal: la ventana sigue viva)."""
        return self.puente.llamar(
            trabajos.resumen_caja, al_terminar=self._mostrar, que="cierre de caja"
        )

    def _mostrar(self, resumen: dict[str, Any]) -> None:
        if self.dialogo is not None and self.dialogo.isVisible():
            self.dialogo.fijar_resumen(resumen)
            self.dialogo.raise_()
            return
        self.dialogo = DialogoCierre(resumen, self.padre)
        self.dialogo.cerrar_pedido.connect(self._cerrar)
        self.dialogo.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialogo.show()

    def _cerrar(self, datos: dict[str, Any]) -> None:
        self.puente.llamar(
            trabajos.cerrar_caja,
            datos.get("efectivo_contado"),
            datos.get("forzar_por"),
            datos.get("motivo"),
            al_terminar=self._al_cerrar,
            al_fallar=self._al_fallar,
            que="cierre de caja",
        )

    def _al_cerrar(self, resultado: dict[str, Any]) -> None:
        dialogo = self.dialogo
        if resultado.get("bloqueado"):
            if dialogo is not None:
                dialogo.fijar_resumen(resultado["resumen"])
            return
        self.ultimo_cierre = dict(resultado["cierre"])
        if dialogo is not None:
            dialogo.accept()
        if self.al_cerrar is not None:
            self.al_cerrar(texto_cerrada(self.ultimo_cierre))

    def _al_fallar(self, mensaje: str) -> None:
        if self.dialogo is not None:
            self.dialogo.aviso.setText(mensaje)
            self.dialogo.aviso.setVisible(True)
            self.dialogo._revisar()
