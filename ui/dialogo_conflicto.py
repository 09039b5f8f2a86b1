"""Diálogo de revisión de conflictos (estilo ``gui2/metadata/diff.py`` de calibre).

Una fila por campo con columnas rotuladas sin ambigüedad: «Base», «Esta terminal», «Central»;
los campos que difieren van resaltados. Por campo se elige terminal, central o se escribe un
valor; «Usar todo de esta terminal / de la central»; «[n de N]» con Anterior/Siguiente
(Alt+← / Alt+→, también RePág/AvPág). Nombre del encargado y motivo son obligatorios: van a la
auditoría.

«Aplicar la misma elección a los parecidos» sólo copia lados por campo (terminal, central,
base o la regla de cada conflicto): con un valor escrito a mano la casilla se desactiva y dice
por qué, y antes de aplicar en bloque una vista previa enseña cada objeto afectado por su nombre
con el valor de la central ahora y el que quedará.

La lógica (elecciones → resolución) está en ``ui.resolucion``; este diálogo no habla con el
motor: emite ``resolver_pedido(lista_de_resoluciones)`` y la pestaña se la pasa al puente.
Sólo hilo de la GUI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from protocolo.esquema import ErrorValor
from ui import etiquetas, formato
from ui.nombres import Presentacion, nombrar_conflicto
from ui.resolucion import (
    BASE,
    CENTRAL,
    REGLA,
    TERMINAL,
    VALOR,
    FilaCampo,
    Resolucion,
    parecidos,
)
from ui.vista_previa import VistaPreviaResolucion

translate = QCoreApplication.translate

COL_CAMPO, COL_BASE, COL_TERMINAL, COL_CENTRAL, COL_USAR, COL_FINAL = range(6)
RESALTADO = QColor("#fff3c4")


def textos_origen() -> dict[str, str]:
    return {
        TERMINAL: translate("DialogoConflicto", "Esta terminal"),
        CENTRAL: translate("DialogoConflicto", "Central"),
        BASE: translate("DialogoConflicto", "Base"),
        REGLA: translate("DialogoConflicto", "Regla"),
        VALOR: translate("DialogoConflicto", "Otro valor…"),
    }


def titulos_columnas() -> list[str]:
    return [
        translate("DialogoConflicto", "Campo"),
        translate("DialogoConflicto", "Base"),
        translate("DialogoConflicto", "Esta terminal"),
        translate("DialogoConflicto", "Central"),
        translate("DialogoConflicto", "Usar"),
        translate("DialogoConflicto", "Valor final"),
    ]


def texto_detalle(conflicto: Mapping[str, Any]) -> str:
    """Quién cambió qué y cuándo, en palabras: lo capturado en esta terminal y el cambio de la
    central (con la tienda y la terminal que lo hicieron si la central las da). El «último
    error» de la operación no se repite: es el propio conflicto."""
    operacion = conflicto.get("operacion") or {}
    partes = [
        translate("DialogoConflicto", "{tipo} capturado en esta terminal: {hora}").format(
            tipo=formato.tipo_operacion(
                conflicto.get("tipo") or operacion.get("tipo")
            ).capitalize(),
            hora=formato.hora(operacion.get("hora_terminal") or conflicto.get("creado_en")),
        )
    ]
    if conflicto.get("central") is None:
        partes.append(translate("DialogoConflicto", "la central ya lo había borrado"))
    else:
        autor = conflicto.get("modificado_por_central") or {}
        quien = " / ".join(str(autor[k]) for k in ("tienda", "terminal") if autor.get(k))
        cuando = formato.hora(conflicto.get("modificado_en_central"))
        partes.append(
            translate("DialogoConflicto", "la central lo cambió ({quien}): {hora}").format(
                quien=quien, hora=cuando
            )
            if quien
            else translate("DialogoConflicto", "la central lo cambió: {hora}").format(hora=cuando)
        )
    return " · ".join(partes)


class DialogoConflicto(QDialog):
    """Revisión de ``conflictos`` (lista de dicts del motor) empezando en ``indice``."""

    resolver_pedido = Signal(list)  # lista de dicts para Agente.resolver

    def __init__(
        self,
        conflictos: Sequence[Mapping[str, Any]],
        indice: int = 0,
        tipos_por_modelo: Mapping[str, Mapping[str, str]] | None = None,
        encargado: str = "",
        parent: QWidget | None = None,
        presentaciones: Mapping[str, Presentacion] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("DialogoConflicto", "Revisar conflicto"))
        self.resize(900, 520)
        self._conflictos = list(conflictos)
        self._tipos = dict(tipos_por_modelo or {})
        self._presentaciones = dict(presentaciones or {})
        self._restantes = 0
        self._resueltos: set[Any] = set()
        self._indice = max(0, min(indice, len(self._conflictos) - 1))
        self.resolucion: Resolucion | None = None
        self._construir(encargado)
        self._mostrar()

    # -- construcción ----------------------------------------------------------------------

    def _construir(self, encargado: str) -> None:
        self.posicion = QLabel()
        self.posicion.setObjectName("posicion")
        fuente = QFont(self.posicion.font())
        fuente.setBold(True)
        self.posicion.setFont(fuente)
        self.objeto = QLabel()
        self.detalle = QLabel()
        self.detalle.setWordWrap(True)
        self.detalle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.tabla = QTableWidget(0, 6)
        self.tabla.setWordWrap(True)
        self.tabla.setHorizontalHeaderLabels(titulos_columnas())
        self.tabla.verticalHeader().setVisible(False)
        cabecera = self.tabla.horizontalHeader()
        cabecera.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        cabecera.setSectionResizeMode(COL_CAMPO, QHeaderView.ResizeMode.ResizeToContents)
        cabecera.setSectionResizeMode(COL_USAR, QHeaderView.ResizeMode.ResizeToContents)

        self.boton_todo_terminal = QPushButton(
            translate("DialogoConflicto", "Usar todo de esta &terminal")
        )
        self.boton_todo_central = QPushButton(
            translate("DialogoConflicto", "Usar todo de la &central")
        )
        self.boton_todo_terminal.clicked.connect(lambda: self._usar_todo(TERMINAL))
        self.boton_todo_central.clicked.connect(lambda: self._usar_todo(CENTRAL))

        self.boton_anterior = QPushButton(translate("DialogoConflicto", "← Anterior"))
        self.boton_siguiente = QPushButton(translate("DialogoConflicto", "Siguiente →"))
        self.boton_anterior.setToolTip("Alt+←")
        self.boton_siguiente.setToolTip("Alt+→")
        self.boton_anterior.clicked.connect(self.anterior)
        self.boton_siguiente.clicked.connect(self.siguiente)
        for tecla in ("Alt+Left", "PgUp"):
            QShortcut(QKeySequence(tecla), self, activated=self.anterior)
        for tecla in ("Alt+Right", "PgDown"):
            QShortcut(QKeySequence(tecla), self, activated=self.siguiente)

        self.aplicar_parecidos = QCheckBox()
        self.aviso_parecidos = QLabel()
        self.aviso_parecidos.setWordWrap(True)
        self.encargado = QLineEdit(encargado)
        self.encargado.setObjectName("encargado")
        self.motivo = QLineEdit()
        self.motivo.setObjectName("motivo")
        self.motivo.setPlaceholderText(
            translate("DialogoConflicto", "Obligatorio: queda en el registro de auditoría")
        )
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e")
        self.error.setWordWrap(True)

        self.boton_aplicar = QPushButton(translate("DialogoConflicto", "&Aplicar resolución"))
        self.boton_aplicar.setDefault(True)
        self.boton_aplicar.clicked.connect(self.aplicar)
        self.boton_cerrar = QPushButton(translate("DialogoConflicto", "Cerrar"))
        self.boton_cerrar.clicked.connect(self.reject)

        navegacion = QHBoxLayout()
        navegacion.addWidget(self.posicion)
        navegacion.addWidget(self.objeto, 1)
        navegacion.addWidget(self.boton_anterior)
        navegacion.addWidget(self.boton_siguiente)

        todo = QHBoxLayout()
        todo.addWidget(self.boton_todo_terminal)
        todo.addWidget(self.boton_todo_central)
        todo.addStretch(1)

        formulario = QFormLayout()
        formulario.addRow(translate("DialogoConflicto", "Encargado:"), self.encargado)
        formulario.addRow(translate("DialogoConflicto", "Motivo:"), self.motivo)

        parecidos_caja = QVBoxLayout()
        parecidos_caja.addWidget(self.aplicar_parecidos)
        parecidos_caja.addWidget(self.aviso_parecidos)
        botones = QHBoxLayout()
        botones.addLayout(parecidos_caja, 1)
        botones.addWidget(self.boton_aplicar)
        botones.addWidget(self.boton_cerrar)

        capa = QVBoxLayout(self)
        capa.addLayout(navegacion)
        capa.addWidget(self.detalle)
        capa.addWidget(self.tabla, 1)
        capa.addLayout(todo)
        capa.addLayout(formulario)
        capa.addWidget(self.error)
        capa.addLayout(botones)

    # -- navegación ------------------------------------------------------------------------

    @property
    def indice(self) -> int:
        return self._indice

    @property
    def conflicto(self) -> Mapping[str, Any]:
        return self._conflictos[self._indice]

    def pendientes(self) -> list[Mapping[str, Any]]:
        return [c for c in self._conflictos if c.get("id") not in self._resueltos]

    def anterior(self) -> None:
        if self._indice > 0:
            self._indice -= 1
            self._mostrar()

    def siguiente(self) -> None:
        if self._indice < len(self._conflictos) - 1:
            self._indice += 1
            self._mostrar()

    def _mostrar(self) -> None:
        self.error.clear()
        total = len(self._conflictos)
        if total == 0:
            self.posicion.setText("[0 / 0]")
            self.tabla.setRowCount(0)
            self.boton_aplicar.setEnabled(False)
            return
        conflicto = self.conflicto
        self.posicion.setText(
            translate("DialogoConflicto", "[{n} de {total}]").format(
                n=self._indice + 1, total=total
            )
        )
        self.objeto.setText(
            nombrar_conflicto(conflicto, self._presentaciones, formato.plantilla_referido())
        )
        self.detalle.setText(texto_detalle(conflicto))
        self.detalle.setToolTip(
            translate("DialogoConflicto", "Identificador: {uuid}").format(
                uuid=conflicto.get("uuid_operacion") or "—"
            )
        )
        tipos = self._tipos.get(str(conflicto.get("modelo")), {})
        self.resolucion = Resolucion(conflicto, tipos=tipos)
        resuelto = conflicto.get("id") in self._resueltos
        self.boton_aplicar.setEnabled(not resuelto)
        if resuelto:
            self.error.setText(translate("DialogoConflicto", "Este conflicto ya está resuelto."))
        self.boton_anterior.setEnabled(self._indice > 0)
        self.boton_siguiente.setEnabled(self._indice < total - 1)
        restantes = parecidos(conflicto, self.pendientes())
        self.aplicar_parecidos.setText(
            formato.plural(
                len(restantes),
                translate(
                    "DialogoConflicto", "Aplicar la misma elección al otro conflicto parecido"
                ),
                translate(
                    "DialogoConflicto",
                    "Aplicar la misma elección a los %n conflictos parecidos restantes",
                ),
            )
        )
        self._restantes = len(restantes)
        self.aplicar_parecidos.setChecked(False)
        self._llenar_tabla()
        self._revisar_parecidos()

    def _revisar_parecidos(self) -> None:
        """La casilla de parecidos sólo se activa si no hay valores escritos a mano."""
        assert self.resolucion is not None
        admite = self.resolucion.admite_copia
        self.aplicar_parecidos.setEnabled(bool(self._restantes) and admite)
        if not admite:
            self.aplicar_parecidos.setChecked(False)
            self.aviso_parecidos.setText(
                translate(
                    "DialogoConflicto",
                    "Un valor escrito a mano sólo vale para este objeto: "
                    "no se puede aplicar a los parecidos.",
                )
            )
        else:
            self.aviso_parecidos.clear()

    def _texto(self, fila: FilaCampo, columna: int) -> str:
        conflicto = self.conflicto
        if columna == COL_TERMINAL and conflicto.get("tipo") == "borrar":
            return translate("DialogoConflicto", "(borra el objeto)")
        if columna == COL_CENTRAL and conflicto.get("central") is None:
            return translate("DialogoConflicto", "(borrado en la central)")
        if (
            columna in (COL_BASE, COL_TERMINAL)
            and not fila.elegible
            and not self.resolucion.borrado
        ):
            return translate("DialogoConflicto", "(sin cambios)")
        valor = {COL_BASE: fila.base, COL_TERMINAL: fila.terminal, COL_CENTRAL: fila.central}[
            columna
        ]
        return formato.valor(valor)

    def _llenar_tabla(self) -> None:
        assert self.resolucion is not None
        self.tabla.clearContents()
        self.tabla.setRowCount(len(self.resolucion.filas))
        borrado = self.resolucion.borrado
        for fila, datos in enumerate(self.resolucion.filas):
            regla = self.resolucion.decidido_por_regla(datos.campo)
            textos = (
                translate("DialogoConflicto", "{campo} (lo decidió una regla)").format(
                    campo=self.etiqueta(datos.campo)
                )
                if regla
                else self.etiqueta(datos.campo),
                self._texto(datos, COL_BASE),
                self._texto(datos, COL_TERMINAL),
                self._texto(datos, COL_CENTRAL),
            )
            for columna, texto in enumerate(textos):
                celda = QTableWidgetItem(texto)
                celda.setToolTip(texto)  # el valor entero, aunque la columna lo corte
                celda.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if datos.difiere or (borrado and columna != COL_BASE):
                    celda.setBackground(QBrush(RESALTADO))
                if not datos.elegible and not borrado:
                    celda.setForeground(QBrush(QColor("#5f6368")))
                    celda.setToolTip(
                        translate("DialogoConflicto", "Esta operación no cambia este campo")
                    )
                if columna == COL_CAMPO and datos.difiere:
                    negrita = QFont(celda.font())
                    negrita.setBold(True)
                    celda.setFont(negrita)
                    celda.setToolTip(
                        translate("DialogoConflicto", "Terminal y central difieren en este campo")
                    )
                self.tabla.setItem(fila, columna, celda)
            if datos.elegible:
                combo = QComboBox()
                textos = textos_origen()
                origenes = [TERMINAL, CENTRAL, BASE]
                if datos.campo in self.resolucion.propuesta:
                    origenes.append(REGLA)
                origenes.append(VALOR)
                for origen in origenes:
                    combo.addItem(textos[origen], origen)
                combo.currentIndexChanged.connect(
                    lambda i, campo=datos.campo, c=combo: self._al_elegir(campo, c.itemData(i))
                )
                self.tabla.setCellWidget(fila, COL_USAR, combo)
                editor = QLineEdit()
                editor.editingFinished.connect(lambda campo=datos.campo: self._al_escribir(campo))
                self.tabla.setCellWidget(fila, COL_FINAL, editor)
            else:
                final = QTableWidgetItem(formato.valor(self.resolucion.valor_final(datos.campo)))
                final.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.tabla.setItem(fila, COL_FINAL, final)
            self._refrescar_fila(fila)
        self.tabla.resizeRowsToContents()

    # -- elecciones ------------------------------------------------------------------------

    def etiqueta(self, campo: str, conflicto: Mapping[str, Any] | None = None) -> str:
        """Cómo llamar a ``campo`` del modelo del conflicto (el mostrado, si no se da)."""
        modelo = str((conflicto or self.conflicto or {}).get("modelo", ""))
        return etiquetas.etiqueta(campo, self._presentaciones.get(modelo))

    def combo(self, campo: str) -> QComboBox:
        return self.tabla.cellWidget(self._fila_de(campo), COL_USAR)

    def editor(self, campo: str) -> QLineEdit:
        return self.tabla.cellWidget(self._fila_de(campo), COL_FINAL)

    def _fila_de(self, campo: str) -> int:
        assert self.resolucion is not None
        for i, fila in enumerate(self.resolucion.filas):
            if fila.campo == campo:
                return i
        raise KeyError(campo)

    def _al_elegir(self, campo: str, origen: str) -> None:
        assert self.resolucion is not None
        if origen == VALOR:
            editor = self.editor(campo)
            editor.setReadOnly(False)
            editor.setFocus()
            self._al_escribir(campo)
            return
        self.resolucion.elegir(campo, origen)
        self.error.clear()  # el aviso de un valor escrito ya no aplica
        self._refrescar_fila(self._fila_de(campo))
        self._revisar_parecidos()

    def _al_escribir(self, campo: str) -> None:
        assert self.resolucion is not None
        if self.combo(campo).currentData() != VALOR:
            return
        try:
            self.resolucion.elegir(campo, VALOR, self.editor(campo).text())
        except ErrorValor as error:
            self.error.setText(str(error))
            return
        finally:
            self._revisar_parecidos()
        self.error.clear()

    def _refrescar_fila(self, fila: int) -> None:
        assert self.resolucion is not None
        datos = self.resolucion.filas[fila]
        if not datos.elegible:
            celda = self.tabla.item(fila, COL_FINAL)
            if celda is not None:
                celda.setText(formato.valor(self.resolucion.valor_final(datos.campo)))
            return
        origen, _ = self.resolucion.eleccion(datos.campo)
        combo: QComboBox = self.tabla.cellWidget(fila, COL_USAR)
        editor: QLineEdit = self.tabla.cellWidget(fila, COL_FINAL)
        combo.blockSignals(True)
        combo.setCurrentIndex(combo.findData(origen))
        combo.blockSignals(False)
        editor.setReadOnly(origen != VALOR)
        final = self.resolucion.valor_final(datos.campo)
        editor.setText("" if origen == VALOR and final is None else formato.valor(final))
        editor.setCursorPosition(0)

    def _usar_todo(self, origen: str) -> None:
        assert self.resolucion is not None
        self.resolucion.usar_todo(origen)
        for fila in range(self.tabla.rowCount()):
            self._refrescar_fila(fila)
        self._revisar_parecidos()

    # -- aplicar ---------------------------------------------------------------------------

    def aplicar(self) -> list[dict[str, Any]] | None:
        """Construye las resoluciones (la actual y, si se marcó, las parecidas), pide
        confirmación si afecta a varias y emite ``resolver_pedido``. Devuelve la lista."""
        if self.resolucion is None:
            return None
        for campo in [f.campo for f in self.resolucion.elegibles]:
            if self.combo(campo).currentData() == VALOR:
                try:
                    self.resolucion.elegir(campo, VALOR, self.editor(campo).text())
                except ErrorValor as error:
                    self.error.setText(str(error))
                    return None
        try:
            lista = [self.resolucion.para_motor(self.encargado.text(), self.motivo.text())]
        except ValueError as error:
            self.error.setText(str(error))
            return None
        self._revisar_parecidos()
        if self.aplicar_parecidos.isChecked() and self.aplicar_parecidos.isEnabled():
            resoluciones = [self.resolucion]
            for otro in parecidos(self.conflicto, self.pendientes()):
                tipos = self._tipos.get(str(otro.get("modelo")), {})
                copia = Resolucion(otro, tipos=tipos)
                self.resolucion.copiar_a(copia)
                resoluciones.append(copia)
                lista.append(copia.para_motor(self.encargado.text(), self.motivo.text()))
            if not self._confirmar(resoluciones):
                return None
        self._resueltos.update(r["id"] for r in lista)
        self.resolver_pedido.emit(lista)
        self._avanzar()
        return lista

    def _confirmar(self, resoluciones: Sequence[Resolucion]) -> bool:
        """Vista previa modal: cada objeto por su nombre con antes/después por campo."""
        self.vista_previa = VistaPreviaResolucion(
            [
                (
                    nombrar_conflicto(
                        r.conflicto, self._presentaciones, formato.plantilla_referido()
                    ),
                    [
                        (c if c == "(objeto)" else self.etiqueta(c, r.conflicto), antes, despues)
                        for c, antes, despues in r.cambios()
                    ],
                )
                for r in resoluciones
            ],
            parent=self,
        )
        return self.vista_previa.exec() == QDialog.DialogCode.Accepted

    def _avanzar(self) -> None:
        pendientes = self.pendientes()
        if not pendientes:
            self.accept()
            return
        for i in list(range(self._indice + 1, len(self._conflictos))) + list(range(self._indice)):
            if self._conflictos[i].get("id") not in self._resueltos:
                self._indice = i
                break
        self._mostrar()
