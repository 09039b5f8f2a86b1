"""Cómo llega a existir una ``Existencia`` por cada par (tienda, producto) en la demo.

Regla: toda tienda tiene una fila por cada producto, desde que existen los dos, con cantidad 0
(hasta que alguien cuenta o repone: un ``actualizar`` o un ``ajustar`` desde una caja de la
tienda, o el admin).

- Al crear un producto o una tienda con ``save()`` (también ``get_or_create``, que es lo que
  hace ``crear_terminal``), las señales ``post_save`` de ``conectar`` crean sus filas en la
  misma transacción.
- ``bulk_create`` no envía señales: quien crea productos o tiendas en bloque llama después a
  ``crear_que_faltan`` (lo hacen la semilla de la demo y los bancos de pruebas).
- Los datos anteriores al modelo los crea la migración ``0002`` de ``productos`` (con el stock
  que tenía cada producto).

``crear_que_faltan`` es una sola sentencia ``INSERT … SELECT`` (nada de objetos del ORM), así
que vale igual para 10 filas que para millones; los disparadores de captura la registran como
cualquier otra escritura. Usa la transacción en curso; sin estado compartido.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connections, router, transaction
from django.db.models.signals import post_save

from protocolo import existencias

from .models import Existencia, Producto


def crear_que_faltan(
    tiendas: Iterable[str] | None = None,
    productos: Iterable[Any] | None = None,
    cantidad: int = 0,
    using: str | None = None,
    variar: int | None = None,
) -> int:
    """Crea las existencias que falten (de las ``tiendas`` y ``productos`` dados, o de todos)
    con ``cantidad``; con ``variar``, ``cantidad`` más un número entre 0 y ``variar - 1``
    determinista por producto (datos de demostración). Devuelve cuántas creó."""
    from central.models import Tienda

    using = using or router.db_for_write(Existencia)
    conexion = connections[using]
    q = conexion.ops.quote_name
    tabla = q(Existencia._meta.db_table)
    valor = "%s"
    condiciones, params = [], [existencias.SEPARADOR, cantidad]
    if variar is not None:
        valor = "%s + (p.id * 7919) %% %s"  # «%%»: el operador módulo, en los dos motores
        params.append(variar)
    for columna, valores in (("t.codigo", tiendas), ("p.id", productos)):
        if valores is not None:
            valores = list(valores)
            if not valores:
                return 0
            condiciones.append(f"{columna} IN ({', '.join(['%s'] * len(valores))})")
            params += valores
    where = "".join(f" AND {c}" for c in condiciones)
    # La clave es la de ``protocolo.existencias.clave``: «tienda» + separador + producto.
    sql = (
        f"INSERT INTO {tabla} (id, tienda_id, producto_id, cantidad) "  # noqa: S608
        f"SELECT t.codigo || %s || CAST(p.id AS TEXT), t.codigo, p.id, {valor} "
        f"FROM {q(Tienda._meta.db_table)} t CROSS JOIN {q(Producto._meta.db_table)} p "
        f"WHERE NOT EXISTS (SELECT 1 FROM {tabla} e "
        f"WHERE e.tienda_id = t.codigo AND e.producto_id = p.id){where} "
        f"ORDER BY t.codigo, p.id"
    )
    with transaction.atomic(using=using), conexion.cursor() as cur:
        cur.execute(sql, params)
        return max(cur.rowcount, 0)


def _al_guardar_producto(sender, instance: Producto, created: bool, using: str, **_: Any) -> None:
    if created:
        crear_que_faltan(productos=[instance.pk], using=using)


def _al_guardar_tienda(sender, instance: Any, created: bool, using: str, **_: Any) -> None:
    if created:
        crear_que_faltan(tiendas=[instance.codigo], using=using)


def conectar() -> None:
    """Conecta las señales (una vez por proceso, desde ``ProductosConfig.ready``)."""
    from central.models import Tienda

    post_save.connect(_al_guardar_producto, sender=Producto, dispatch_uid="existencias-producto")
    post_save.connect(_al_guardar_tienda, sender=Tienda, dispatch_uid="existencias-tienda")
