"""Aplicación de ``POST /v1/operaciones``.

Reglas de transacción:
- Un lote = UNA transacción de base de datos; cada operación va en su propio punto de guardado,
  así que una operación mala (rechazada, o un error de base de datos) nunca tumba el lote.
- El registro de idempotencia (``OperacionRecibida``, sólo para ``aplicada``) y las entradas del
  registro de cambios se escriben en esa misma transacción que los efectos.
- En PostgreSQL el lote toma el cerrojo de orden de commit al empezar (``captura.bloquear``): los
  lotes se serializan entre sí y con el resto de escritores sincronizados.

Detección de conflictos (``actualizar``/``borrar``): sólo los campos que la operación cambia; hay
conflicto si su valor actual en la central difiere de ``valores_base``. Un campo sin valor base
entra en conflicto sólo si la fila cambió desde ``version_base``; un ``borrar`` sin valores base,
si la fila cambió desde ``version_base``. Sin ``version_base`` no se aplica ninguno de los dos
(``reglas.comprobar``). ``ajustar`` nunca entra en conflicto: ``campo = campo + delta`` en la
base de datos, sólo si el resultado queda dentro de los límites del campo.

No comparte estado entre hilos: cada petición crea su ``Lote``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from . import captura, ediciones, insercion, reglas, valores
from .configuracion import ConfigModelo, Configuracion
from .envoltura import Operacion
from .models import OperacionRecibida, RegistroCambio, Sobreventa, Terminal
from .valores import Rechazo


class ReintentarSeguro(Exception):
    """Un error de base de datos abortó la transacción de un lote sin puntos de guardado
    (PostgreSQL): se repite el lote entero con un punto de guardado por operación."""


def aplicar(terminal: Terminal, operaciones: Callable[[], list[Operacion]]) -> list[dict]:
    """Aplica un lote. ``operaciones`` construye las operaciones (se llama otra vez, con objetos
    nuevos, si el lote se repite en modo seguro). Nada queda a medias: cada intento es una
    transacción."""
    try:
        return Lote(terminal, operaciones()).aplicar()
    except ReintentarSeguro:
        return Lote(terminal, operaciones(), seguro=True).aplicar()


class ErrorFatal(Exception):
    """Fallo a mitad de una operación ya con efecto y sin punto de guardado: se deshace el lote
    entero (la vista responde 500 y la terminal reintenta)."""


def _clave_python(config: ConfigModelo, objeto_id: Any) -> Any:
    """Clave de la operación convertida al tipo de la clave primaria, o Rechazo."""
    tipo = config.tipos[config.clave]
    try:
        if tipo == "entero":
            if not isinstance(objeto_id, str) or not objeto_id.lstrip("-").isdigit():
                raise ValueError
            return int(objeto_id)
        if tipo == "uuid":
            return uuid.UUID(objeto_id)
        return str(objeto_id)
    except (ValueError, TypeError, AttributeError):
        raise Rechazo(f"«objeto_id» {objeto_id!r} no es una clave válida de {config.nombre}."
                      ) from None


def _iguales(config: ConfigModelo, campo: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if config.tipos[campo] == "fecha_hora":
        return dt.datetime.fromisoformat(a) == dt.datetime.fromisoformat(b)
    return a == b


class Lote:
    """Aplica un lote de operaciones de una terminal (una transacción)."""

    def __init__(self, terminal: Terminal, ops: list[Operacion], seguro: bool = False):
        self.terminal = terminal
        self.seguro = seguro
        self.tienda = terminal.tienda.codigo
        self.ops = ops
        self.objetos: dict[tuple[str, str], Model | None] = {}
        self.referencias: dict[tuple[str, str], str | None] = {}
        self.sin_volcar: set[tuple[str, str]] = set()
        # «crear» validados pendientes de insertar en bloque, por modelo.
        self.pendientes: dict[str, list[tuple[Operacion, Model]]] = {}
        self.claves_pendientes: set[tuple[str, str]] = set()
        self.sobreventas: list[Sobreventa] = []
        self.sql_ajustes: dict[tuple, str] = {}
        self.cursor_ajustes: Any = None

    # -- lote --------------------------------------------------------------------------------

    def aplicar(self) -> list[dict[str, Any]]:
        with transaction.atomic():
            captura.bloquear()
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:  # una FK rota falla en su operación, no al final
                    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            previas = {
                str(o.uuid): o
                for o in OperacionRecibida.objects.filter(uuid__in=[op.uuid for op in self.ops])
            }
            self._precargar()
            vistas: dict[str, Operacion] = {}
            with captura.diferida() as diferido:
                self.diferido = diferido
                for op in self.ops:
                    previa = previas.get(op.uuid)
                    if previa is not None:
                        op.resultado = self._duplicada(op, previa)
                    elif op.uuid in vistas:
                        op.resultado = {"resultado": "duplicada", "_de": vistas[op.uuid]}
                    else:
                        self._una(op)
                        if op.resultado["resultado"] == "aplicada":
                            vistas[op.uuid] = op
                self._volcar_creaciones()
            Sobreventa.objects.bulk_create(self.sobreventas)
            self.sobreventas = []
            aplicadas = [op for op in self.ops if op.resultado["resultado"] == "aplicada"]
            for op in aplicadas:
                op.resultado["version"] = (op.entradas[-1].id if op.entradas
                                           else self._version(op.config, op.objeto_id or "")[0])
            for op in self.ops:
                if "_de" in op.resultado:  # mismo UUID repetido dentro del lote
                    original = op.resultado["_de"].resultado
                    op.resultado = ({"resultado": "duplicada", "version": original["version"]}
                                    if original["resultado"] == "aplicada" else dict(original))
            fecha_bd, uuid_bd, json_bd = insercion.preparar()
            ahora = fecha_bd(timezone.now())
            insercion.insertar(OperacionRecibida, [
                "uuid", "tienda", "terminal", "modelo", "tipo", "objeto_id", "datos", "resultado",
                "hora_terminal", "desfase_ms", "recibida_en",
            ], [
                (uuid_bd(op.uuid if connection.vendor == "sqlite" else uuid.UUID(op.uuid)),
                 self.tienda, self.terminal.codigo, op.config.nombre,
                 op.tipo, op.objeto_id or "", json_bd(op.datos),
                 json_bd({"resultado": "aplicada", "version": op.resultado["version"]}),
                 op.hora_terminal, op.desfase_ms, ahora)
                for op in aplicadas
            ])
        return [{"uuid": op.uuid, **op.resultado} for op in self.ops]

    def _duplicada(self, op: Operacion, previa: OperacionRecibida) -> dict[str, Any]:
        if previa.tienda != self.tienda:
            return {"resultado": "rechazada", "motivo": "Ese UUID ya lo usó otra tienda."}
        return {"resultado": "duplicada", "version": previa.resultado.get("version")}

    def _precargar(self) -> None:
        """Una consulta por modelo para los objetos que tocan actualizar/borrar/ajustar."""
        por_modelo: dict[str, tuple[ConfigModelo, set]] = {}
        for op in self.ops:
            if op.tipo != "crear" and op.objeto_id is not None:
                try:
                    clave = _clave_python(op.config, op.objeto_id)
                except Rechazo:
                    continue
                op.objeto_id = str(clave)
                por_modelo.setdefault(op.config.nombre, (op.config, set()))[1].add(clave)
        for config, claves in por_modelo.values():
            claves = list(claves)
            for i in range(0, len(claves), 500):
                trozo = claves[i:i + 500]
                encontrados = config.modelo._default_manager.in_bulk(trozo)
                for clave in trozo:
                    self.objetos[(config.nombre, str(clave))] = encontrados.get(clave)
        self._precargar_referencias()

    def _precargar_referencias(self) -> None:
        """Para los ``crear``: a qué apuntan sus FK (una consulta por modelo destino en vez de
        una por operación), salvo a objetos que crea el propio lote. Las claves nuevas no se
        consultan: si ya existieran, la inserción en bloque falla y se aíslan una a una."""
        from . import configuracion

        def normal(config: ConfigModelo, campo: str, valor: Any) -> Any:
            try:
                return valores.a_python(config, campo, valores.normalizar(config, campo, valor))
            except (Rechazo, ValueError, TypeError, ArithmeticError):
                return None

        creadas: set[tuple[str, str]] = set()
        for op in self.ops:
            if op.tipo == "crear":
                clave = op.datos.get(op.config.clave, op.objeto_id)
                if clave is not None:
                    python = normal(op.config, op.config.clave, clave)
                    creadas.add((op.config.modelo._meta.label, str(python)))
        por_destino: dict[type[Model], set] = {}
        for op in self.ops:
            if op.tipo != "crear":
                continue
            config = op.config
            for campo, valor in op.datos.items():
                f = config.campos.get(campo)
                if f is None or valor is None or not f.is_relation:
                    continue
                if not f.target_field.primary_key:
                    continue  # FK a otro campo (p. ej. la tienda): se comprueba al aplicar
                python = normal(config, campo, valor)
                if python is None or (f.related_model._meta.label, str(python)) in creadas:
                    continue
                por_destino.setdefault(f.related_model, set()).add(python)
        conf = configuracion.obtener()
        for destino, claves in por_destino.items():
            conf_destino = conf.por_clase.get(destino)
            privado = conf_destino is not None and conf_destino.privado_por_tienda
            columnas = ["pk"] + (
                [destino._meta.get_field(conf_destino.campo_tienda).attname] if privado else [])
            claves = list(claves)
            for i in range(0, len(claves), 500):
                trozo = claves[i:i + 500]
                hallados = {
                    str(f[0]): (str(f[1]) if privado and f[1] is not None else "")
                    for f in destino._default_manager.filter(pk__in=trozo).values_list(*columnas)
                }
                for clave in trozo:
                    self.referencias[(destino._meta.label, str(clave))] = hallados.get(str(clave))

    def _una(self, op: Operacion) -> None:
        if op.tipo == "crear" and op.tipo in op.config.operaciones_permitidas:
            # Sólo valida (lecturas): la inserción va en bloque en ``_volcar_creaciones``.
            try:
                op.resultado = self._crear(op)
            except Rechazo as r:
                op.resultado = {"resultado": "rechazada", "motivo": r.motivo}
            except (ValueError, TypeError, ArithmeticError) as exc:
                op.resultado = {"resultado": "rechazada", "motivo": f"{type(exc).__name__}: "
                                                                    f"{str(exc)[:200]}"}
            return
        if self.pendientes and (op.tipo != "ajustar" or (
                op.config.nombre, op.objeto_id) in self.claves_pendientes):
            self._volcar_creaciones()
        llave = (op.config.nombre, op.objeto_id)
        if op.tipo in ("actualizar", "borrar") and llave in self.sin_volcar:
            # Su versión puede hacer falta para un conflicto: que ya esté escrita, y fuera del
            # punto de guardado de esta operación.
            self.diferido.volcar()
            self.sin_volcar.clear()
        if op.tipo == "borrar":
            self.referencias.clear()
        marca = self.diferido.marca()
        # «ajustar» es una única sentencia con efecto (UPDATE … RETURNING) y va sin punto de
        # guardado: en SQLite, si falla, se deshace sólo esa sentencia y la transacción sigue;
        # en PostgreSQL la transacción queda abortada y el lote entero se repite en modo seguro,
        # con punto de guardado por operación (``aplicar``). Un viaje a la base en vez de tres.
        sin_punto = op.tipo == "ajustar" and (connection.vendor == "sqlite" or not self.seguro)
        try:
            with contextlib.nullcontext() if sin_punto else transaction.atomic():
                op.resultado = self._aplicar_una(op)
        except Rechazo as r:
            self._deshacer(op, marca)
            op.resultado = {"resultado": "rechazada", "motivo": r.motivo}
        except (DatabaseError, ValueError, TypeError, ArithmeticError) as exc:
            if sin_punto and connection.vendor != "sqlite" and isinstance(exc, DatabaseError):
                raise ReintentarSeguro from exc
            self._deshacer(op, marca)
            op.resultado = {"resultado": "rechazada",
                            "motivo": f"La base de datos la rechazó: {type(exc).__name__}: "
                                      f"{str(exc)[:200]}"}
        else:
            op.entradas = self.diferido.entradas[marca:]
            if op.creado is not None:  # ya existe para las operaciones siguientes del lote
                self.referencias[op.creado[:2]] = op.creado[2]
            self.sin_volcar.update((e.modelo, e.objeto_id) for e in op.entradas)

    def _deshacer(self, op: Operacion, marca: int) -> None:
        self.diferido.deshacer(marca)
        if op.objeto_id is not None:
            self.objetos.pop((op.config.nombre, op.objeto_id), None)

    # -- una operación ----------------------------------------------------------------------

    def _aplicar_una(self, op: Operacion) -> dict[str, Any]:
        config = op.config
        if op.tipo not in config.operaciones_permitidas:
            raise Rechazo(f"Las tiendas no pueden «{op.tipo}» en {config.nombre}.")
        if op.tipo == "crear":
            return self._crear(op)
        objeto = self._objeto(op)
        if op.tipo == "ajustar":
            return self._ajustar(op, objeto)
        if op.tipo == "actualizar":
            return self._actualizar(op, objeto)
        return self._borrar(op, objeto)

    def _objeto(self, op: Operacion) -> Model:
        config = op.config
        if op.objeto_id is None:
            raise Rechazo(f"«{op.tipo}» necesita «objeto_id».")
        clave = _clave_python(config, op.objeto_id)
        op.objeto_id = str(clave)
        llave = (config.nombre, op.objeto_id)
        if llave not in self.objetos:
            self.objetos[llave] = config.modelo._default_manager.filter(pk=clave).first()
        objeto = self.objetos[llave]
        if objeto is None or (
            config.privado_por_tienda and captura.tienda_de(config, objeto) != self.tienda
        ):
            raise Rechazo(f"{config.nombre} «{op.objeto_id}» no existe"
                          + (" en tu tienda." if config.privado_por_tienda else "."))
        return objeto

    def _datos_escribibles(self, op: Operacion, permitir_clave: bool) -> dict[str, Any]:
        config = op.config
        normalizados = {}
        for campo, valor in op.datos.items():
            if campo not in config.tipos:
                raise Rechazo(f"{config.nombre} no sincroniza el campo «{str(campo)[:60]}».")
            if campo == config.clave and not permitir_clave:
                raise Rechazo(f"No se puede cambiar la clave «{campo}».")
            normal = valores.normalizar(config, campo, valor)
            if campo in config.campos_solo_lectura:
                if campo in (config.campo_tienda, config.campo_terminal):
                    continue  # la propia (``reglas.comprobar``): la pone la central del token
                raise Rechazo(f"El campo «{campo}» es de sólo lectura (lo pone la central).")
            normalizados[campo] = normal
        return normalizados

    def _asignar(self, config: ConfigModelo, objeto: Model, datos: dict[str, Any]) -> list[str]:
        attnames = []
        for campo, normal in datos.items():
            f = config.campos[campo]
            if f.is_relation and normal is not None:
                self._comprobar_referencia(config, campo, normal)
            setattr(objeto, f.attname, valores.a_python(config, campo, normal))
            attnames.append(f.name)
        return attnames

    def _comprobar_referencia(self, config: ConfigModelo, campo: str, valor: Any) -> None:
        """Una FK debe apuntar a un objeto existente y, si es privado, de la misma tienda
        (las FK de Django son diferidas: sin esto fallaría el commit del lote entero)."""
        f = config.campos[campo]
        destino = f.related_model
        llave = (destino._meta.label, str(valores.a_python(config, campo, valor)))
        if llave not in self.referencias:
            from . import configuracion

            conf_destino = configuracion.obtener().por_clase.get(destino)
            filtro = {f.target_field.name: valores.a_python(config, campo, valor)}
            if conf_destino is not None and conf_destino.privado_por_tienda:
                atributo = destino._meta.get_field(conf_destino.campo_tienda).attname
                fila = destino._default_manager.filter(**filtro).values_list(atributo).first()
                self.referencias[llave] = None if fila is None else str(fila[0])
            else:
                existe = destino._default_manager.filter(**filtro).exists()
                self.referencias[llave] = "" if existe else None
        tienda = self.referencias[llave]
        if tienda is None or (tienda != "" and tienda != self.tienda):
            # El mismo texto si no existe que si es de otra tienda: no revela nada ajeno.
            from . import configuracion

            conf_destino = configuracion.obtener().por_clase.get(destino)
            privado = conf_destino is not None and conf_destino.privado_por_tienda
            raise Rechazo(f"«{campo}» apunta a {destino._meta.label} «{valor}», que no existe"
                          + (" en tu tienda." if privado else "."))

    def _crear(self, op: Operacion) -> dict[str, Any]:
        config = op.config
        reglas.comprobar(op, self.tienda, self.terminal.codigo)
        datos = self._datos_escribibles(op, permitir_clave=True)
        if config.clave in datos and op.objeto_id is not None and str(
            _clave_python(config, op.objeto_id)
        ) != str(datos[config.clave]):
            raise Rechazo("«objeto_id» y la clave de «datos» no coinciden.")
        if config.clave not in datos and op.objeto_id is not None:
            datos[config.clave] = valores.normalizar(
                config, config.clave, str(_clave_python(config, op.objeto_id))
                if config.tipos[config.clave] != "entero" else _clave_python(config, op.objeto_id))
        if config.clave_generada_en_terminal and config.clave not in datos:
            raise Rechazo(f"«crear» en {config.nombre} necesita la clave «{config.clave}».")
        for campo in config.campos_esenciales:
            f = config.campos[campo]
            if (campo not in datos and campo not in (config.campo_tienda, config.campo_terminal)
                    and not f.null
                    and not f.has_default() and campo != config.clave):
                raise Rechazo(f"Falta el campo obligatorio «{campo}».")
        objeto = config.modelo()
        self._asignar(config, objeto, datos)
        if config.privado_por_tienda:
            f = config.modelo._meta.get_field(config.campo_tienda)
            setattr(objeto, f.attname, self.tienda)
        if config.campo_terminal is not None:  # del token, nunca de los datos
            setattr(objeto, config.campos[config.campo_terminal].attname, self.terminal.codigo)
        if config.clave in datos:
            llave = (config.modelo._meta.label, str(objeto.pk))
            # Optimista: si no se sabe, se supone nueva (la inserción en bloque lo comprueba).
            if self.referencias.get(llave) is not None:
                raise Rechazo(f"{config.nombre} «{objeto.pk}» ya existe.")
        self.pendientes.setdefault(config.nombre, []).append((op, objeto))
        if objeto.pk is not None:
            op.objeto_id = str(objeto.pk)
            self.claves_pendientes.add((config.nombre, op.objeto_id))
            # Existe ya para las operaciones siguientes del lote (FK, claves repetidas).
            self.referencias[(config.modelo._meta.label, op.objeto_id)] = (
                self.tienda if config.privado_por_tienda else "")
        return {"resultado": "aplicada"}

    # -- inserción en bloque de los «crear» -------------------------------------------------

    def _volcar_creaciones(self) -> None:
        """Inserta los «crear» pendientes: un ``bulk_create`` por modelo (dependencias primero)
        en un punto de guardado; si falla, uno a uno para aislar la operación mala, y se
        rechazan también los que apuntaban a ella."""
        from . import configuracion

        conf = configuracion.obtener()
        orden = sorted(self.pendientes, key=lambda n: _profundidad(conf, n))
        pendientes, self.pendientes = self.pendientes, {}
        self.claves_pendientes.clear()
        for nombre in orden:
            vivos = []
            for op, objeto in pendientes[nombre]:
                motivo = self._referencia_caida(op.config, objeto)
                if motivo:
                    self._rechazar_creacion(op, objeto, motivo)
                else:
                    vivos.append((op, objeto))
            if not vivos:
                continue
            config = vivos[0][0].config
            try:
                with transaction.atomic():
                    config.modelo._default_manager.bulk_create([o for _, o in vivos],
                                                               batch_size=500)
            except DatabaseError:
                self._crear_uno_a_uno(vivos)
                continue
            ahora = timezone.now()
            for op, objeto in vivos:
                entrada = captura.entrada_de(config, objeto, ahora=ahora)
                self.diferido.entradas.append(entrada)
                self._creada(op, objeto, [entrada])

    def _creada(self, op: Operacion, objeto: Model, entradas: list[captura.Entrada]) -> None:
        op.entradas = entradas
        op.objeto_id = str(objeto.pk)
        self.objetos[(op.config.nombre, op.objeto_id)] = objeto
        self.sin_volcar.update((e.modelo, e.objeto_id) for e in entradas)

    def _crear_uno_a_uno(self, grupo: list[tuple[Operacion, Model]]) -> None:
        for op, objeto in grupo:
            motivo = self._referencia_caida(op.config, objeto)
            if motivo:
                self._rechazar_creacion(op, objeto, motivo)
                continue
            marca = self.diferido.marca()
            try:
                with transaction.atomic():
                    objeto.save(force_insert=True)
            except DatabaseError as exc:
                self.diferido.deshacer(marca)
                dueña = self._tienda_de_existente(op.config, objeto.pk)
                if dueña is not None:
                    # Ya existía: las operaciones que apuntan a ella siguen valiendo si es de
                    # esta tienda (o no es privada).
                    op.resultado = {"resultado": "rechazada",
                                    "motivo": f"{op.config.nombre} «{objeto.pk}» ya existe."}
                    self.referencias[(op.config.modelo._meta.label, str(objeto.pk))] = dueña
                else:
                    self._rechazar_creacion(op, objeto, f"La base de datos la rechazó: "
                                                        f"{type(exc).__name__}: {str(exc)[:200]}")
            else:
                self._creada(op, objeto, self.diferido.entradas[marca:])

    def _sql_ajuste(self, config: ConfigModelo, campos: tuple[str, ...]) -> tuple[str, Any]:
        """SQL del ajuste (en caché por lote) y el cursor con que ejecutarlo: en SQLite el cursor
        DB-API directo con marcas ``?`` (ahorra la reescritura de la consulta en cada
        operación); en PostgreSQL el de Django."""
        llave = (config.nombre, campos)
        sql = self.sql_ajustes.get(llave)
        if sql is None:
            sql = self.sql_ajustes[llave] = _sql_ajuste(config, campos, connection.vendor)
        if self.cursor_ajustes is None:
            connection.ensure_connection()
            self.cursor_ajustes = (connection.connection.cursor() if connection.vendor == "sqlite"
                                   else connection.cursor())
        return sql, self.cursor_ajustes

    def _tienda_de_existente(self, config: ConfigModelo, pk: Any) -> str | None:
        """None si no existe; si existe, su tienda («» si el modelo no es privado)."""
        if pk is None:
            return None
        if not config.privado_por_tienda:
            return "" if config.modelo._default_manager.filter(pk=pk).exists() else None
        atributo = config.modelo._meta.get_field(config.campo_tienda).attname
        fila = config.modelo._default_manager.filter(pk=pk).values_list(atributo).first()
        return None if fila is None else str(fila[0])

    def _rechazar_creacion(self, op: Operacion, objeto: Model, motivo: str) -> None:
        op.resultado = {"resultado": "rechazada", "motivo": motivo}
        if objeto.pk is not None:
            self.referencias[(op.config.modelo._meta.label, str(objeto.pk))] = None

    def _referencia_caida(self, config: ConfigModelo, objeto: Model) -> str | None:
        """Motivo si alguna FK apunta a un «crear» de este lote que acabó rechazado."""
        for campo, f in config.campos.items():
            if f.is_relation:
                valor = getattr(objeto, f.attname)
                if valor is not None and self.referencias.get(
                        (f.related_model._meta.label, str(valor)), "") not in ("", self.tienda):
                    destino = f.related_model._meta.label
                    return f"«{campo}» apunta a {destino} «{valor}», que no se creó."
        return None

    def _conflicto(self, op: Operacion, objeto: Model, campos: list[str]) -> dict[str, Any] | None:
        config = op.config
        actuales = captura.instantanea(config, objeto)
        base = op.valores_base or {}
        cambiados, version = [], None
        for campo in campos:
            if campo in base:
                try:
                    b = valores.normalizar(config, campo, base[campo])
                except Rechazo:
                    raise Rechazo(f"«valores_base.{campo}» no es válido.") from None
                if not _iguales(config, campo, actuales[campo], b):
                    cambiados.append(campo)
            elif op.version_base is not None:
                version = version or self._version(config, op.objeto_id)
                if version[0] > op.version_base:
                    cambiados.append(campo)
        if not cambiados:
            return None
        version = version or self._version(config, op.objeto_id)
        # La hora de la edición que produjo los valores en disputa, no la de su llegada.
        editado = ediciones.hora_de_edicion(config, op.objeto_id, cambiados, actuales,
                                            version[1], _iguales)
        return {"resultado": "conflicto", "version": version[0], "modificado_en": editado,
                "valores": actuales, "campos_cambiados": cambiados,
                "modificado_por": self._autor(config, op.objeto_id)}

    @staticmethod
    def _autor(config: ConfigModelo, objeto_id: str) -> dict[str, str] | None:
        """Tienda y terminal de la última operación aplicada a ese objeto (``None`` si lo
        cambió otra vía, p. ej. el admin): el encargado ve quién cambió el valor central."""
        fila = (OperacionRecibida.objects.filter(modelo=config.nombre, objeto_id=objeto_id)
                .order_by("-recibida_en").values_list("tienda", "terminal").first())
        return None if fila is None else {"tienda": fila[0], "terminal": fila[1]}

    def _version(self, config: ConfigModelo, objeto_id: str) -> tuple[int, str]:
        fila = (RegistroCambio.objects.filter(modelo=config.nombre, objeto_id=objeto_id,
                                              vigente=True)
                .values_list("id", "modificado_en").first())
        if fila is None:
            return 0, ""
        return fila[0], fila[1].isoformat()

    def _actualizar(self, op: Operacion, objeto: Model) -> dict[str, Any]:
        config = op.config
        reglas.comprobar(op, self.tienda, self.terminal.codigo)
        datos = self._datos_escribibles(op, permitir_clave=False)
        if not datos:
            raise Rechazo("«actualizar» sin campos que cambiar.")
        conflicto = self._conflicto(op, objeto, list(datos))
        if conflicto:
            return conflicto
        nombres = self._asignar(config, objeto, datos)
        objeto.save(update_fields=nombres)
        return {"resultado": "aplicada"}

    def _borrar(self, op: Operacion, objeto: Model) -> dict[str, Any]:
        reglas.comprobar(op, self.tienda, self.terminal.codigo)
        if op.datos:
            raise Rechazo("«borrar» lleva «datos» vacío.")
        # Sin valores base, cualquier cambio desde ``version_base`` es conflicto.
        conflicto = self._conflicto(op, objeto, [c for c in (op.valores_base or {})
                                                 if c in op.config.tipos]
                                    or sorted(op.config.campos_escribibles))
        if conflicto:
            return conflicto
        objeto.delete()
        self.objetos[(op.config.nombre, op.objeto_id)] = None
        return {"resultado": "aplicada"}

    def _ajustar(self, op: Operacion, objeto: Model) -> dict[str, Any]:
        config = op.config
        reglas.comprobar(op, self.tienda, self.terminal.codigo)
        if not op.datos:
            raise Rechazo("«ajustar» necesita al menos un delta.")
        deltas = {}
        for campo, valor in op.datos.items():
            if campo not in config.tipos:
                raise Rechazo(f"{config.nombre} no sincroniza el campo «{str(campo)[:60]}».")
            if campo not in config.campos_escribibles:
                raise Rechazo(f"El campo «{campo}» no se puede ajustar.")
            deltas[campo] = valores.delta(config, campo, valor)
        meta = config.modelo._meta
        sql, cur = self._sql_ajuste(config, tuple(deltas))
        params = [*deltas.values(), meta.pk.get_db_prep_value(objeto.pk, connection),
                  *reglas.parametros_limites(config, deltas)]
        try:
            cur.execute(sql, params)
            fila = cur.fetchone()
        except DatabaseError as exc:  # la sentencia no tuvo efecto
            if connection.vendor != "sqlite" and not self.seguro:
                raise ReintentarSeguro from exc
            raise Rechazo(f"La base de datos rechazó el ajuste: {str(exc)[:200]}") from None
        if fila is None:
            if config.modelo._default_manager.filter(pk=objeto.pk).exists():
                raise Rechazo(reglas.motivo_fuera_de_limites(config, deltas))
            raise Rechazo(f"{config.nombre} «{op.objeto_id}» ya no existe.")
        try:  # ya hay efecto: a partir de aquí un fallo tumba el lote entero (nada se confirma)
            for (campo, delta), nuevo in zip(deltas.items(), fila, strict=True):
                f = config.campos[campo]
                valor = f.to_python(nuevo)
                setattr(objeto, f.attname, valor)
                if delta < 0 and valor < 0:
                    self.sobreventas.append(Sobreventa(
                        modelo=config.nombre, objeto_id=op.objeto_id, campo=campo,
                        valor_resultante=Decimal(valor), delta=Decimal(delta),
                        tienda=self.tienda, terminal=self.terminal.codigo, operacion=op.uuid,
                    ))
            captura.registrar_instancias([objeto])
        except Exception as exc:
            raise ErrorFatal("Fallo tras aplicar un ajuste") from exc
        return {"resultado": "aplicada"}


def _sql_ajuste(config: ConfigModelo, campos: tuple[str, ...], vendor: str) -> str:
    meta = config.modelo._meta
    q = connection.ops.quote_name
    marca = "?" if vendor == "sqlite" else "%s"
    columnas = [config.campos[c].column for c in campos]
    # Columnas de campos validados y citadas; los valores van como parámetros. Sólo se aplica
    # si cada resultado queda dentro de los límites del campo (``reglas.limites_sql``): sin
    # desbordar la columna (SQLite pasaría a coma flotante, PostgreSQL fallaría).
    return (f"UPDATE {q(meta.db_table)} SET "  # noqa: S608
            + ", ".join(f"{q(c)} = {q(c)} + {marca}" for c in columnas)
            + f" WHERE {q(meta.pk.column)} = {marca}"
            + reglas.limites_sql([q(c) for c in columnas], marca)
            + " RETURNING " + ", ".join(q(c) for c in columnas))


def _profundidad(conf: Configuracion, nombre: str, visto: frozenset = frozenset()) -> int:
    """Niveles de dependencias de un modelo (0 = no depende de nadie)."""
    config = conf.modelos[nombre]
    if not config.dependencias or nombre in visto:
        return 0
    return 1 + max(_profundidad(conf, d, visto | {nombre}) for d in config.dependencias)
