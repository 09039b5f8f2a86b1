"""Verificación completa del diario guardado (``sincro-central verificar-diario``): recorre la
cadena de cada terminal desde los bytes guardados (``RegistroDiario.contenido``), en el orden en
que llegó, con ``protocolo.diario.verificar``. Detecta lo que se cambió en la base después de
recibirlo: un contenido editado, un registro borrado o insertado, columnas que ya no dicen lo
mismo que los bytes sellados.

Coste: un SHA-256 y tres búsquedas de bytes por registro, sin analizar JSON; lee por páginas
de ``PAGINA`` filas por la clave única (terminal, orden), así que la memoria no crece con el
diario.

Sólo lectura, salvo ``anotar`` (escribe las incidencias nuevas). Sin estado compartido: seguro
en cualquier hilo (la conexión es la de Django del hilo).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction

from protocolo import diario

from .models import IncidenciaDiario, RegistroDiario, Terminal

PAGINA = 20_000


@dataclass
class CadenaVerificada:
    """Resultado de verificar la cadena de una terminal."""

    terminal_id: int
    tienda: str
    terminal: str
    registros: int = 0
    incidencias: list[diario.Incidencia] = field(default_factory=list)

    def textos(self) -> list[str]:
        return [f"Tienda {self.tienda}, {i.texto(self.terminal)}" for i in self.incidencias]

    def a_dict(self) -> dict:
        return {
            "tienda": self.tienda,
            "terminal": self.terminal,
            "registros": self.registros,
            "incidencias": [
                {"tipo": i.tipo, "serie": i.serie, "numero": i.numero, "detalle": i.detalle}
                for i in self.incidencias
            ],
        }


def incoherencia(e: diario.Eslabon) -> diario.Incidencia | None:
    """Si las columnas de un registro guardado no dicen lo mismo que sus bytes sellados (p. ej.
    alguien cambió ``huella_anterior`` o ``numero`` en la base para tapar un borrado). En los
    bytes canónicos las claves van ordenadas y ``huella_anterior`` va antes que ``numero``."""
    contenido = e.contenido
    donde = contenido.find(b'"huella_anterior":"' + e.huella_anterior.encode() + b'"')
    if (
        donde < 0
        or contenido.find(b'"numero":%d,' % e.numero, donde) < 0
        or b'"serie":"' + e.serie.encode() + b'"' not in contenido
    ):
        return diario.Incidencia(
            "alterado",
            e.serie,
            e.numero,
            "sus columnas en la base no coinciden con su contenido sellado.",
        )
    return None


def _terminales(tienda: str | None) -> list[Terminal]:
    consulta = Terminal.objects.select_related("tienda").filter(
        id__in=RegistroDiario.objects.values("terminal_id")
    )
    if tienda:
        consulta = consulta.filter(tienda__codigo=tienda)
    return list(consulta.order_by("tienda__codigo", "codigo"))


def _inicio(terminal: Terminal, desde: dt.date | None) -> tuple[int, diario.Punto]:
    """Orden a partir del que se verifica y el punto de partida (el registro anterior)."""
    if desde is None:
        return 0, diario.Punto()
    primero = (
        RegistroDiario.objects.filter(terminal=terminal, dia__gte=desde)
        .order_by("orden")
        .values_list("orden", flat=True)
        .first()
    )
    if primero is None:
        return -1, diario.Punto()
    anteriores = RegistroDiario.objects.filter(terminal=terminal, orden__lt=primero)
    previo = anteriores.order_by("-orden").values_list("huella", "serie", "numero").first()
    if previo is None:
        return 0, diario.Punto()
    series: dict[str, int] = {}
    for serie, numero in anteriores.values_list("serie", "numero"):
        series[serie] = max(series.get(serie, 0), numero)
    return primero - 1, diario.Punto(
        huella=previo[0], serie=previo[1], numero=previo[2], series=series
    )


def _paginas(terminal_id: int, despues: int, pagina: int) -> Iterator[list[diario.Eslabon]]:
    tabla = connection.ops.quote_name(RegistroDiario._meta.db_table)
    # Sólo el nombre de la tabla (del modelo) y un entero van en el texto de la consulta.
    consulta = (
        f"SELECT orden, serie, numero, huella_anterior, huella, contenido FROM {tabla} "  # noqa: S608
        f"WHERE terminal_id = %s AND orden > %s ORDER BY orden LIMIT {int(pagina)}"
    )
    eslabon = diario.Eslabon
    with connection.cursor() as cur:
        while True:
            cur.execute(consulta, [terminal_id, despues])
            filas = cur.fetchall()
            if not filas:
                return
            despues = filas[-1][0]
            yield [
                eslabon(s, n, ha, h, c if type(c) is bytes else bytes(c))
                for _, s, n, ha, h, c in filas
            ]
            if len(filas) < pagina:
                return


def verificar_terminal(
    terminal: Terminal, desde: dt.date | None = None, pagina: int = PAGINA
) -> CadenaVerificada:
    resultado = CadenaVerificada(terminal.id, terminal.tienda.codigo, terminal.codigo)
    despues, punto = _inicio(terminal, desde)
    if despues < 0:
        return resultado
    for eslabones in _paginas(terminal.id, despues, pagina):
        resultado.registros += len(eslabones)
        for e in eslabones:
            mala = incoherencia(e)
            if mala is not None:
                resultado.incidencias.append(mala)
        resultado.incidencias.extend(diario.verificar(eslabones, punto))
    return resultado


def verificar_todo(
    tienda: str | None = None, desde: dt.date | None = None, pagina: int = PAGINA
) -> Iterator[CadenaVerificada]:
    """La cadena verificada de cada terminal con diario (de ``tienda`` si se da), por tienda y
    terminal. ``desde``: sólo desde el primer registro de ese día o posterior."""
    for terminal in _terminales(tienda):
        yield verificar_terminal(terminal, desde, pagina)


def anotar(cadena: CadenaVerificada) -> int:
    """Guarda como incidencias (origen «verificación») las que aún no estaban anotadas para esa
    terminal, serie, número y tipo. Devuelve cuántas nuevas."""
    if not cadena.incidencias:
        return 0
    with transaction.atomic():
        previas = set(
            IncidenciaDiario.objects.filter(
                terminal_id=cadena.terminal_id,
                numero__in={i.numero for i in cadena.incidencias},
            ).values_list("serie", "numero", "tipo")
        )
        nuevas = []
        for i in cadena.incidencias:
            llave = (i.serie[:64], i.numero, i.tipo)
            if llave in previas:
                continue
            previas.add(llave)
            nuevas.append(
                IncidenciaDiario(
                    terminal_id=cadena.terminal_id,
                    tienda=cadena.tienda,
                    serie=llave[0],
                    numero=i.numero,
                    tipo=i.tipo,
                    detalle=i.detalle[:300],
                    origen="verificacion",
                )
            )
        IncidenciaDiario.objects.bulk_create(nuevas)
    return len(nuevas)
