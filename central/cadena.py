"""Verificación completa del diario guardado (``sincro-central verificar-diario``): recorre la
cadena de cada terminal desde los bytes guardados (``RegistroDiario.contenido``), en el orden en
que llegó, con ``protocolo.diario.verificar``. Detecta lo que se cambió en la base después de
recibirlo: un contenido editado, un registro borrado o insertado, una columna de encadenamiento
que ya no dice lo mismo que los bytes sellados.

Coste: un SHA-256 y una búsqueda de bytes por registro, sin analizar JSON; lee cada cadena en
flujo por la clave única (terminal, orden), así que la memoria no crece con el diario.

Sólo lectura, salvo ``anotar`` (escribe las incidencias nuevas). Sin estado compartido: seguro
en cualquier hilo (la conexión es la de Django del hilo).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from protocolo import diario

from .models import IncidenciaDiario, RegistroDiario, Terminal

BLOQUE = 2_000


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
    """Si la columna ``huella_anterior`` de un registro guardado no es la de sus bytes sellados.
    La verificación encadena por esa columna (sin analizar JSON), así que es la única que hay
    que cotejar: quien borra o inserta un registro en la base y «arregla» la columna del
    siguiente para que encadene queda aquí; un ``numero`` o una ``serie`` cambiados ya rompen
    la numeración que comprueba ``verificar``."""
    if e.contenido.find(b'"huella_anterior":"%s"' % e.huella_anterior.encode()) < 0:
        return diario.Incidencia(
            "alterado",
            e.serie,
            e.numero,
            "su columna huella_anterior en la base no es la de su contenido sellado.",
        )
    return None


def _terminales(tienda: str | None) -> list[Terminal]:
    """Todas las terminales (de ``tienda``): pocas, y buscar cuáles tienen diario costaría
    recorrer la tabla del diario entera. Las que no tienen registros se descartan después."""
    consulta = Terminal.objects.select_related("tienda")
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


def _filas(terminal_id: int, despues: int) -> Iterator[tuple]:
    """(serie, numero, huella_anterior, huella, contenido) de los registros de una terminal con
    ``orden`` mayor que ``despues``, en orden, según llegan de la base (nunca todos en memoria).

    En PostgreSQL, un cursor de psycopg sobre la conexión de Django en modo flujo
    (``stream``: la base sigue enviando filas mientras se verifican las anteriores) y con
    resultados binarios (el de Django pide texto: ``bytea`` en hexadecimal, el doble de bytes
    que viajar y decodificar). En SQLite, el cursor de Django, que también lee según avanza."""
    tabla = connection.ops.quote_name(RegistroDiario._meta.db_table)
    # Sólo el nombre de la tabla (del modelo) va en el texto de la consulta.
    consulta = (
        f"SELECT serie, numero, huella_anterior, huella, contenido FROM {tabla} "  # noqa: S608
        "WHERE terminal_id = %s AND orden > %s ORDER BY orden"
    )
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        opciones: dict[str, Any] = {"binary": True}
        if psycopg.pq.version() >= 170000:
            opciones["size"] = BLOQUE  # filas por mensaje (libpq 17+), no una a una
        with psycopg.Cursor(connection.connection) as cur:
            yield from cur.stream(consulta, [terminal_id, despues], **opciones)
        return
    with connection.cursor() as cur:
        cur.execute(consulta, [terminal_id, despues])
        yield from cur


def verificar_terminal(terminal: Terminal, desde: dt.date | None = None) -> CadenaVerificada:
    resultado = CadenaVerificada(terminal.id, terminal.tienda.codigo, terminal.codigo)
    despues, punto = _inicio(terminal, desde)
    if despues < 0:
        return resultado
    incidencias = resultado.incidencias
    eslabon = diario.Eslabon
    vistos = 0

    def eslabones() -> Iterator[diario.Eslabon]:
        nonlocal vistos
        for serie, numero, anterior, huella, contenido in _filas(terminal.id, despues):
            if type(contenido) is not bytes:
                contenido = bytes(contenido)
            e = eslabon(serie, numero, anterior, huella, contenido)
            mala = incoherencia(e)
            if mala is not None:
                incidencias.append(mala)
            vistos += 1
            yield e

    for incidencia in diario.verificar(eslabones(), punto):  # en orden, con las de columnas
        incidencias.append(incidencia)
    resultado.registros = vistos
    return resultado


def verificar_todo(
    tienda: str | None = None, desde: dt.date | None = None
) -> Iterator[CadenaVerificada]:
    """La cadena verificada de cada terminal con diario (de ``tienda`` si se da), por tienda y
    terminal. ``desde``: sólo desde el primer registro de ese día o posterior."""
    for terminal in _terminales(tienda):
        cadena = verificar_terminal(terminal, desde)
        if cadena.registros or cadena.incidencias:
            yield cadena


def anotar(cadena: CadenaVerificada) -> int:
    """Guarda como incidencias (origen «verificación») las que aún no estaban anotadas para esa
    terminal, serie, número y tipo. Devuelve cuántas nuevas."""
    if not cadena.incidencias:
        return 0
    with transaction.atomic():
        previas = set(
            IncidenciaDiario.objects.filter(terminal_id=cadena.terminal_id).values_list(
                "serie", "numero", "tipo"
            )
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
        IncidenciaDiario.objects.bulk_create(nuevas, batch_size=500)
    return len(nuevas)
