"""A qué apuntan las FK de las operaciones de un lote: si el objeto destino existe y, si es de un
modelo privado, de qué tienda es. Una consulta por modelo destino al empezar (para los «crear»)
en vez de una por operación; lo que crea o rechaza el propio lote se anota al vuelo.

Valores de la caché: ``None`` = no existe; ``""`` = existe (modelo no privado); un código de
tienda = existe y es de esa tienda. Una instancia por lote; no se comparte entre hilos.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model

from . import configuracion, valores
from .configuracion import ConfigModelo
from .envoltura import Operacion
from .valores import Rechazo, para_personas


def _normal(config: ConfigModelo, campo: str, valor: Any) -> Any:
    try:
        return valores.a_python(config, campo, valores.normalizar(config, campo, valor))
    except (Rechazo, ValueError, TypeError, ArithmeticError):
        return None


class Referencias:
    def __init__(self, tienda: str):
        self.tienda = tienda
        self._cache: dict[tuple[str, str], str | None] = {}

    def precargar(self, ops: list[Operacion]) -> None:
        """Para los ``crear``: a qué apuntan sus FK, salvo a objetos que crea el propio lote. Las
        claves nuevas no se consultan: si ya existieran, la inserción en bloque falla y se aíslan
        una a una."""
        creadas: set[tuple[str, str]] = set()
        for op in ops:
            if op.tipo == "crear":
                clave = op.datos.get(op.config.clave, op.objeto_id)
                if clave is not None:
                    python = _normal(op.config, op.config.clave, clave)
                    creadas.add((op.config.modelo._meta.label, str(python)))
        por_destino: dict[type[Model], set] = {}
        for op in ops:
            if op.tipo != "crear":
                continue
            config = op.config
            for campo, valor in op.datos.items():
                f = config.campos.get(campo)
                if f is None or valor is None or not f.is_relation:
                    continue
                if not f.target_field.primary_key:
                    continue  # FK a otro campo (p. ej. la tienda): se comprueba al aplicar
                python = _normal(config, campo, valor)
                llave = (f.related_model._meta.label, str(python))
                if python is None or llave in creadas or llave in self._cache:
                    continue  # lo crea el propio lote, o ya se sabe (``Objetos.precargar``)
                por_destino.setdefault(f.related_model, set()).add(python)
        conf = configuracion.obtener()
        for destino, claves in por_destino.items():
            conf_destino = conf.por_clase.get(destino)
            privado = conf_destino is not None and conf_destino.privado_por_tienda
            meta = destino._meta
            campos = [meta.pk] + ([meta.get_field(conf_destino.campo_tienda)] if privado else [])
            q = connection.ops.quote_name
            claves = list(claves)
            for i in range(0, len(claves), 500):
                trozo = claves[i : i + 500]
                # SQL escrito a mano (camino caliente): sin compilar una consulta del ORM.
                with connection.cursor() as cur:
                    cur.execute(
                        f"SELECT {', '.join(q(f.column) for f in campos)} "  # noqa: S608
                        f"FROM {q(meta.db_table)} WHERE {q(meta.pk.column)} IN "
                        f"({', '.join(['%s'] * len(trozo))})",
                        [meta.pk.get_db_prep_value(c, connection) for c in trozo],
                    )
                    filas = cur.fetchall()
                hallados = {
                    str(meta.pk.to_python(f[0])): (
                        str(f[1]) if privado and f[1] is not None else ""
                    )
                    for f in filas
                }
                for clave in trozo:
                    self._cache[(meta.label, str(clave))] = hallados.get(str(clave))

    def conocida(self, modelo: type[Model], clave: Any) -> str | None:
        """Lo que se sabe de un objeto sin consultar (None si no existe o no se sabe)."""
        return self._cache.get((modelo._meta.label, str(clave)))

    def anotar(self, modelo: type[Model], clave: Any, dueña: str | None) -> None:
        """El lote creó (``dueña`` = tienda o «») o rechazó (None) este objeto."""
        self._cache[(modelo._meta.label, str(clave))] = dueña

    def olvidar_todo(self) -> None:
        """Tras un «borrar»: cualquier destino puede haber desaparecido (cascadas)."""
        self._cache.clear()

    def comprobar(self, config: ConfigModelo, campo: str, valor: Any) -> None:
        """Una FK debe apuntar a un objeto existente y, si es privado, de la misma tienda
        (las FK de Django son diferidas: sin esto fallaría el commit del lote entero)."""
        f = config.campos[campo]
        destino = f.related_model
        llave = (destino._meta.label, str(valores.a_python(config, campo, valor)))
        if llave not in self._cache:
            conf_destino = configuracion.obtener().por_clase.get(destino)
            filtro = {f.target_field.name: valores.a_python(config, campo, valor)}
            if conf_destino is not None and conf_destino.privado_por_tienda:
                atributo = destino._meta.get_field(conf_destino.campo_tienda).attname
                fila = destino._default_manager.filter(**filtro).values_list(atributo).first()
                self._cache[llave] = None if fila is None else str(fila[0])
            else:
                existe = destino._default_manager.filter(**filtro).exists()
                self._cache[llave] = "" if existe else None
        tienda = self._cache[llave]
        if tienda is None or (tienda != "" and tienda != self.tienda):
            # El mismo texto si no existe que si es de otra tienda: no revela nada ajeno.
            conf_destino = configuracion.obtener().por_clase.get(destino)
            privado = conf_destino is not None and conf_destino.privado_por_tienda
            raise Rechazo(
                f"«{campo}» apunta a {para_personas(destino)} «{valor}», que no existe"
                + (" en tu tienda." if privado else ".")
            )

    def caida(self, config: ConfigModelo, objeto: Model) -> str | None:
        """Motivo si alguna FK apunta a un «crear» de este lote que acabó rechazado."""
        for campo, f in config.campos.items():
            if f.is_relation:
                valor = getattr(objeto, f.attname)
                if valor is not None and self._cache.get(
                    (f.related_model._meta.label, str(valor)), ""
                ) not in ("", self.tienda):
                    destino = para_personas(f.related_model)
                    return f"«{campo}» apunta a {destino} «{valor}», que no se creó."
        return None
