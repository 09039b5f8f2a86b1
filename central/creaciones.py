"""Los «crear» de un lote: se validan uno a uno al llegar (sólo lecturas) y se insertan juntos,
una sentencia por modelo (dependencias primero; ``insercion.insertar_objetos`` o
``bulk_create``), todos en un punto de guardado; si eso
falla, cada modelo en el suyo y, si su bloque falla, uno a uno para aislar la operación mala, y
se rechazan también los que apuntaban a ella.

Una instancia por lote; no se comparte entre hilos.
"""

from __future__ import annotations

import graphlib
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Model

from . import configuracion, dialecto, insercion, reglas, valores
from .asignacion import asignar, datos_escribibles
from .configuracion import ConfigModelo
from .envoltura import Operacion
from .objetos import Objetos, clave_python
from .referencias import Referencias
from .valores import Rechazo


class Creaciones:
    def __init__(
        self,
        tienda: str,
        terminal: str,
        referencias: Referencias,
        objetos: Objetos,
    ):
        self.tienda = tienda
        self.terminal = terminal
        self.referencias = referencias
        self.objetos = objetos
        self._pendientes: dict[str, list[tuple[Operacion, Model]]] = {}
        self._claves: set[tuple[str, str]] = set()

    def validar(self, op: Operacion) -> dict[str, Any]:
        """Valida un «crear» y lo deja pendiente de insertar. Lanza Rechazo."""
        config = op.config
        reglas.comprobar(op, self.tienda, self.terminal)
        datos = datos_escribibles(op, self.tienda, permitir_clave=True)
        if (
            config.clave in datos
            and op.objeto_id is not None
            and str(clave_python(config, op.objeto_id)) != str(datos[config.clave])
        ):
            raise Rechazo("«objeto_id» y la clave de «datos» no coinciden.")
        if config.clave not in datos and op.objeto_id is not None:
            datos[config.clave] = valores.normalizar(
                config,
                config.clave,
                str(clave_python(config, op.objeto_id))
                if config.tipos[config.clave] != "entero"
                else clave_python(config, op.objeto_id),
            )
        if config.clave_generada_en_terminal and config.clave not in datos:
            raise Rechazo(f"«crear» en {config.nombre} necesita la clave «{config.clave}».")
        for campo in config.campos_esenciales:
            f = config.campos[campo]
            if (
                campo not in datos
                and campo not in (config.campo_tienda, config.campo_terminal)
                and not f.null
                and not f.has_default()
                and campo != config.clave
            ):
                raise Rechazo(f"Falta el campo obligatorio «{campo}».")
        objeto = config.modelo()
        asignar(config, objeto, datos, self.referencias)
        if config.privado_por_tienda:
            f = config.modelo._meta.get_field(config.campo_tienda)
            setattr(objeto, f.attname, self.tienda)
        if config.campo_terminal is not None:  # del token, nunca de los datos
            setattr(objeto, config.campos[config.campo_terminal].attname, self.terminal)
        # Optimista: si no se sabe, se supone nueva (la inserción en bloque lo comprueba).
        if (
            config.clave in datos
            and self.referencias.conocida(config.modelo, objeto.pk) is not None
        ):
            raise Rechazo(f"{config.nombre} «{objeto.pk}» ya existe.")
        self._pendientes.setdefault(config.nombre, []).append((op, objeto))
        if objeto.pk is not None:
            op.objeto_id = str(objeto.pk)
            self._claves.add((config.nombre, op.objeto_id))
            # Existe ya para las operaciones siguientes del lote (FK, claves repetidas).
            self.referencias.anotar(
                config.modelo, op.objeto_id, self.tienda if config.privado_por_tienda else ""
            )
        return {"resultado": "aplicada"}

    def hay_que_volcar_antes(self, op: Operacion) -> bool:
        """Si los pendientes deben estar insertados antes de aplicar ``op``: siempre, salvo un
        «ajustar» de un objeto que no crea este lote (no lee nada de lo pendiente)."""
        return bool(self._pendientes) and (
            op.tipo != "ajustar" or (op.config.nombre, op.objeto_id) in self._claves
        )

    def volcar(self) -> None:
        """Inserta los pendientes."""
        conf = configuracion.obtener()
        pendientes, self._pendientes = self._pendientes, {}
        self._claves.clear()
        orden = _en_orden_de_dependencias(conf, pendientes)
        if len(orden) > 1 and self._todo_junto(orden, pendientes):
            return
        for nombre in orden:
            vivos = []
            for op, objeto in pendientes[nombre]:
                motivo = self.referencias.caida(op.config, objeto)
                if motivo:
                    self._rechazar(op, objeto, motivo)
                else:
                    vivos.append((op, objeto))
            if not vivos:
                continue
            config = vivos[0][0].config
            try:
                with transaction.atomic():
                    config.modelo._default_manager.bulk_create(
                        [o for _, o in vivos], batch_size=500
                    )
            except DatabaseError as exc:
                dialecto.si_transitorio(exc)
                self._uno_a_uno(vivos)
                continue
            for op, objeto in vivos:
                self._creada(op, objeto)

    def _todo_junto(self, orden: list[str], pendientes: dict[str, list]) -> bool:
        """Camino habitual (una venta y sus líneas): todos los modelos en UN punto de guardado.
        Sólo si ninguno apunta a un «crear» rechazado y todos traen su clave (si el bloque
        falla, ningún objeto queda con una clave que la base no llegó a guardar). Si algo
        falla, no queda nada insertado y devuelve False: ``volcar`` sigue modelo a modelo."""
        grupos = [pendientes[nombre] for nombre in orden]
        if any(
            objeto.pk is None or self.referencias.caida(op.config, objeto)
            for grupo in grupos
            for op, objeto in grupo
        ):
            return False
        try:
            with transaction.atomic():
                for grupo in grupos:
                    modelo = grupo[0][0].config.modelo
                    objetos = [o for _, o in grupo]
                    if not insercion.insertar_objetos(modelo, objetos):
                        modelo._default_manager.bulk_create(objetos, batch_size=500)
        except DatabaseError as exc:
            dialecto.si_transitorio(exc)
            return False
        for grupo in grupos:
            for op, objeto in grupo:
                self._creada(op, objeto)
        return True

    def _creada(self, op: Operacion, objeto: Model) -> None:
        op.objeto_id = str(objeto.pk)
        self.objetos.poner(op, objeto)

    def _uno_a_uno(self, grupo: list[tuple[Operacion, Model]]) -> None:
        for op, objeto in grupo:
            motivo = self.referencias.caida(op.config, objeto)
            if motivo:
                self._rechazar(op, objeto, motivo)
                continue
            try:
                with transaction.atomic():
                    objeto.save(force_insert=True)
            except DatabaseError as exc:
                dialecto.si_transitorio(exc)
                dueña = _tienda_de_existente(op.config, objeto.pk)
                if dueña is not None:
                    # Ya existía: las operaciones que apuntan a ella siguen valiendo si es de
                    # esta tienda (o no es privada).
                    op.resultado = {
                        "resultado": "rechazada",
                        "motivo": f"{op.config.nombre} «{objeto.pk}» ya existe.",
                    }
                    self.referencias.anotar(op.config.modelo, objeto.pk, dueña)
                else:
                    self._rechazar(
                        op,
                        objeto,
                        f"La base de datos la rechazó: {type(exc).__name__}: {str(exc)[:200]}",
                    )
            else:
                self._creada(op, objeto)

    def _rechazar(self, op: Operacion, objeto: Model, motivo: str) -> None:
        op.resultado = {"resultado": "rechazada", "motivo": motivo}
        if objeto.pk is not None:
            self.referencias.anotar(op.config.modelo, objeto.pk, None)


def _tienda_de_existente(config: ConfigModelo, pk: Any) -> str | None:
    """None si no existe; si existe, su tienda («» si el modelo no es privado)."""
    if pk is None:
        return None
    if not config.privado_por_tienda:
        return "" if config.modelo._default_manager.filter(pk=pk).exists() else None
    atributo = config.modelo._meta.get_field(config.campo_tienda).attname
    fila = config.modelo._default_manager.filter(pk=pk).values_list(atributo).first()
    return None if fila is None else str(fila[0])


def _en_orden_de_dependencias(
    conf: configuracion.Configuracion, pendientes: dict[str, Any]
) -> list[str]:
    """Los modelos con «crear» pendientes, cada uno después de sus dependencias (la
    configuración ya garantiza que no hay ciclos)."""
    grafo = graphlib.TopologicalSorter(
        {n: [d for d in conf.modelos[n].dependencias if d in pendientes] for n in pendientes}
    )
    return list(grafo.static_order())
