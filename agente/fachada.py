"""``Agente``: la fachada que usan la caja, la CLI y la UI.

Una puerta delgada: cada método delega en el módulo que hace ese trabajo, salvo ``vender``
(arma la venta con sus líneas, pagos y registro del diario). Detrás: ``agente.apertura``
(abrir el directorio de datos y recuperar), ``agente.preparacion`` (validar antes de
encolar), ``agente.almacen.cola`` (encolar, duradero), ``agente.lectura`` (la vista
optimista: obtener, buscar, listar), ``agente.estado`` (las partes de ``estado()``),
``agente.caja`` (anular, devolver, cierre de caja), ``agente.almacen.conflictos`` (lo que
decide el encargado) y ``agente.sincronizacion.servicio`` (la red).

Ejemplo::

    with Agente.abrir("/ruta/datos") as agente:
        agente.ajustar("productos.Existencia", "T001:123", "cantidad", -2)
        agente.existencia("123")   # stock optimista en esta tienda: 8 si la central dice 10
        agente.buscar("coca")

Durabilidad: ``encolar``/``encolar_varias``/``ajustar``/``vender`` vuelven cuando la operación
está en disco (``cola.sqlite``, ``synchronous=FULL``); si algo no valida, lanzan ``ErrorValor``
con un mensaje que dice qué corregir y no encolan nada.

Hilos: todos los métodos son seguros desde cualquier hilo (``Cola`` y ``Cache`` serializan sus
escrituras con su cerrojo; las lecturas de caché usan una conexión por hilo). Sólo hacen E/S
de red los que lo dicen («red»: sincronizar, verificar, probar la conexión, comprobar un token,
configurar con token); el resto sólo toca el disco. La UI los llama desde un hilo de trabajo,
nunca desde el hilo de la GUI.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid as uuidlib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

from agente import apertura, caja
from agente import estado as partes
from agente.almacen import diario as almacen_diario
from agente.almacen import pagos as almacen_pagos
from agente.almacen.cache import Cache, clave_sql
from agente.almacen.cola import DIAS_AUDITORIA, Cola, NuevaOperacion
from agente.almacen.conflictos import Conflictos
from agente.lectura import LecturaOptimista, esquema_exigido
from agente.operacion import Operacion
from agente.preparacion import Preparacion
from agente.reglas import diario as reglas_diario
from agente.reglas import pagos as reglas_pagos
from agente.soporte import rutas
from protocolo import existencias
from protocolo.esquema import ErrorValor, Esquema, validar_nombre_modelo

VENTA = "ventas.Venta"
LINEA_VENTA = "ventas.LineaVenta"
PRODUCTO = "productos.Producto"
EXISTENCIA = existencias.EXISTENCIA


class Agente:
    """Motor de una terminal: cola (preciosa) + caché (desechable) + esquema local."""

    def __init__(self, directorio: Path, cola: Cola, cache: Cache) -> None:
        self.directorio = directorio
        self._cola = cola
        self._cache = cache
        self._conflictos = Conflictos(cola)
        self._lectura = LecturaOptimista(cola, cache)
        self._preparacion = Preparacion(cache, self._lectura)
        self.partes_estado: list[Callable[[], dict[str, Any]]] = [
            partial(partes.general, directorio, cola, cache),
            partial(partes.de_la_cola, cola),
            partial(partes.de_los_modelos, cola, cache),
            self._estado_sincronizacion,
            partial(partes.avisos, directorio),
            partial(partes.del_diario, cola),
        ]
        """Funciones que componen ``estado()``, en orden (``agente.estado``; la de la
        sincronización, del servicio). Cada una devuelve un dict plano."""
        esquema = cache.esquema()
        if esquema is not None:
            cola.configurar_modelos(esquema.modelos.values())

    @classmethod
    def abrir(
        cls,
        directorio: str | os.PathLike[str] | None = None,
        *,
        recuperar: bool = True,
        dias_auditoria: float | None = DIAS_AUDITORIA,
    ) -> Agente:
        """Abre (o crea) el directorio de datos: ``directorio`` > ``SINCRO_DATOS`` >
        directorio de usuario. ``recuperar`` devuelve a PENDIENTE lo que un proceso muerto dejó
        en vuelo (nunca lo de un proceso vivo) y, al arrancar, comprueba la tienda y el diario.
        Se podan las operaciones finales más antiguas que ``dias_auditoria`` (``None``: no
        podar). Ver ``agente.apertura``."""
        ruta, cola, cache = apertura.abrir_ficheros(
            directorio, recuperar=recuperar, dias_auditoria=dias_auditoria
        )
        agente = cls(ruta, cola, cache)
        if recuperar:
            apertura.al_arrancar(agente)
        return agente

    def cerrar(self) -> None:
        """Para la sincronización de esta fachada (si la hay) y cierra la caché y la cola."""
        servicio = self.__dict__.get("_servicio_sincro")
        if servicio is not None:  # sincronización: parar el bucle antes de cerrar
            servicio.cerrar()
        self._cache.cerrar()
        self._cola.cerrar()

    def __enter__(self) -> Agente:
        return self

    def __exit__(self, *excepcion: object) -> None:
        self.cerrar()

    @property
    def operaciones(self) -> Cola:
        """La ``Cola`` (para el sincronizador: ``preparar_envio``, ``registrar_resultados``...)."""
        return self._cola

    @property
    def cache(self) -> Cache:
        """La ``Cache`` (para la descarga: ``aplicar_pagina``, reconstrucción...)."""
        return self._cache

    # -- esquema -----------------------------------------------------------------------------

    def esquema(self) -> Esquema | None:
        """El esquema guardado de la central (``None`` si aún no hay)."""
        return self._cache.esquema()

    def guardar_esquema(self, datos: Mapping[str, Any] | Esquema) -> Esquema:
        """Valida y guarda el esquema de la central (``/v1/esquema``) para arrancar sin red."""
        esquema = self._cache.guardar_esquema(datos)
        self._cola.configurar_modelos(esquema.modelos.values())
        return esquema

    def _esquema_exigido(self) -> Esquema:
        """El esquema guardado o ``ErrorValor`` (``agente.lectura.esquema_exigido``)."""
        return esquema_exigido(self._cache)

    # -- encolar -----------------------------------------------------------------------------

    def encolar(
        self,
        modelo: str,
        tipo: str,
        datos: Mapping[str, Any] | None = None,
        objeto_id: Any = None,
        prioridad: int | None = None,
    ) -> Operacion:
        """Valida y encola una operación (fusionándola con la pendiente del mismo objeto si es
        seguro). Vuelve cuando es duradera. ``ErrorValor`` si algo no valida."""
        return self._cola.encolar(
            self._preparacion.preparar(modelo, tipo, datos, objeto_id, prioridad, creados=set())
        )

    def encolar_varias(self, operaciones: Sequence[Mapping[str, Any]]) -> list[Operacion]:
        """Varias operaciones ``{"modelo", "tipo", "datos", "objeto_id"?, "prioridad"?}`` en una
        transacción: o todas o ninguna (una venta con sus líneas y sus ajustes de stock)."""
        return self._cola.encolar_varias(self._preparar_varias(operaciones))

    def _preparar_varias(self, operaciones: Sequence[Mapping[str, Any]]) -> list[NuevaOperacion]:
        """Valida y prepara sin encolar (``agente.preparacion``; ``vender`` y ``agente.caja``
        las encolan con el diario en su transacción)."""
        return self._preparacion.preparar_varias(operaciones)

    def ajustar(self, modelo: str, objeto_id: Any, campo: str, delta: Any) -> Operacion:
        """Suma ``delta`` a un campo numérico (p. ej. stock -2), sin conflictos posibles."""
        return self.encolar(modelo, "ajustar", {campo: delta}, objeto_id)

    def vender(
        self,
        lineas: Sequence[Mapping[str, Any]],
        cliente: str | None = None,
        pagos: Sequence[Mapping[str, Any]] | None = None,
        *,
        venta_id: str | None = None,
    ) -> list[Operacion]:
        """Registra una venta del esquema de demo (``ventas.Venta`` + ``ventas.LineaVenta`` +
        ``ajustar`` el stock de cada producto en esta tienda, ``_ajuste_stock``) en una sola
        transacción. La primera operación
        devuelta es la cabecera: su ``objeto_id`` es el id de la venta.

        ``lineas``: ``[{"producto": id, "cantidad": n, "precio_unitario": "1.95"}]``.
        ``pagos``: ``[{"metodo": "efectivo", "importe": "3.90"}]`` que sumen el total (sin
        pagos: uno en efectivo del total); van en la cabecera si ``ventas.Venta`` tiene un
        campo ``pagos`` y siempre en ``agente.almacen.pagos``.

        Pagos, el registro ``venta`` del diario (número, huella; ``agente.almacen.diario``) y
        las operaciones van en UNA transacción de la cola: tras un ``kill -9``, todo o nada.
        Si líneas, total y pagos no cuadran, ``ErrorValor`` y no se guarda nada.
        ``venta_id``: UUID elegido por quien llama (la API local lo usa para que un reintento
        con la misma clave de idempotencia no venda dos veces).
        """
        esquema = self._esquema_exigido()
        for nombre in (VENTA, LINEA_VENTA, PRODUCTO):
            if nombre not in esquema.modelos:
                raise ErrorValor(f"Este esquema no tiene {nombre}: «vender» no está disponible.")
        if not lineas:
            raise ErrorValor("Una venta necesita al menos una línea.")
        if venta_id is None:
            venta_id = str(uuidlib.uuid4())
        else:
            try:
                venta_id = str(uuidlib.UUID(str(venta_id)))
            except ValueError:
                raise ErrorValor(f"El id de la venta ({venta_id}) no es un UUID.") from None
        total = Decimal(0)
        operaciones: list[dict[str, Any]] = []
        lineas_diario: list[dict[str, Any]] = []
        for i, linea in enumerate(lineas, start=1):
            try:
                cantidad = linea["cantidad"]
                precio = Decimal(str(linea["precio_unitario"]))
                producto = linea["producto"]
            except (KeyError, TypeError, InvalidOperation):
                raise ErrorValor(
                    f'Línea {i}: se espera {{"producto", "cantidad", "precio_unitario"}}.'
                ) from None
            if not precio.is_finite():
                raise ErrorValor(f"Línea {i}: el precio unitario no es un importe.")
            if isinstance(cantidad, bool) or not isinstance(cantidad, int) or cantidad <= 0:
                raise ErrorValor(f"Línea {i}: la cantidad debe ser un entero positivo.")
            total += precio * cantidad
            lineas_diario.append(
                {
                    "producto": producto,
                    "cantidad": cantidad,
                    "precio_unitario": reglas_diario.texto_precio(precio),
                    "importe": reglas_diario.importe_linea(precio, cantidad, i),
                }
            )
            operaciones.append(
                {
                    "modelo": LINEA_VENTA,
                    "tipo": "crear",
                    "datos": {
                        "venta": venta_id,
                        "producto": producto,
                        "cantidad": cantidad,
                        "precio_unitario": str(precio),
                    },
                }
            )
            operaciones.extend(self._ajuste_stock(esquema, producto, -cantidad))
        cabecera = {
            "id": venta_id,
            "cliente": cliente,
            "total": str(total),
            "fecha": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        if "terminal" in esquema.modelo(VENTA).campos_escribibles:
            cabecera["terminal"] = self._cola.terminal()
        pagos_venta = reglas_pagos.normalizar(pagos, total)
        if "pagos" in esquema.modelo(VENTA).campos_escribibles:
            cabecera["pagos"] = pagos_venta
        registro = {
            "tipo": reglas_diario.VENTA,
            "venta": venta_id,
            "lineas": lineas_diario,
            "total": reglas_pagos.texto_importe(total),
            "pagos": pagos_venta,
        }
        reglas_diario.comprobar_cuadre(registro)
        nuevas = self._preparar_varias(
            [{"modelo": VENTA, "tipo": "crear", "datos": cabecera}, *operaciones]
        )
        # El producto de cada línea tal como lo guarda la central (p. ej. 12, no "12").
        validadas = [n for n in nuevas if n.modelo == LINEA_VENTA]
        for linea, validada in zip(lineas_diario, validadas, strict=True):
            linea["producto"] = validada.datos.get("producto", linea["producto"])
        # Pagos, registro del diario y operaciones: UNA transacción (todo o nada).
        with self._cola.transaccion() as sesion:
            almacen_pagos.guardar_en(sesion, venta_id, total, pagos_venta)
            almacen_diario.anotar(sesion, registro)
            return self._cola.encolar_varias(nuevas, en=sesion)

    def _ajuste_stock(self, esquema: Esquema, producto: Any, delta: int) -> list[dict[str, Any]]:
        """La operación que ajusta el stock de ``producto`` en esta tienda: su
        ``productos.Existencia`` si el esquema la tiene (``protocolo.existencias``); si no, el
        campo ``stock`` del producto (esquemas sin stock por tienda). Ninguna si el esquema no
        lo permite."""
        if EXISTENCIA in esquema.modelos:
            config = esquema.modelo(EXISTENCIA)
            if "ajustar" not in config.operaciones_permitidas:
                return []
            clave = existencias.clave(self._tienda(), clave_sql(esquema.modelo(PRODUCTO), producto))
            datos = {existencias.CANTIDAD: delta}
            return [{"modelo": EXISTENCIA, "tipo": "ajustar", "objeto_id": clave, "datos": datos}]
        config = esquema.modelo(PRODUCTO)
        if "stock" not in config.tipos or "ajustar" not in config.operaciones_permitidas:
            return []
        datos = {"stock": delta}
        return [{"modelo": PRODUCTO, "tipo": "ajustar", "objeto_id": producto, "datos": datos}]

    def _tienda(self) -> str:
        """Código de la tienda de esta terminal (el de su configuración, que la cola guarda al
        arrancar y al configurar). ``ErrorValor`` si aún no se configuró."""
        tienda = self._cola.ajuste(almacen_diario.TIENDA)
        if not tienda or tienda == almacen_diario.SIN_TIENDA:
            raise ErrorValor(
                "Esta terminal aún no sabe de qué tienda es: ejecute «sincro configurar»."
            )
        return tienda

    def existencia(self, producto: Any) -> dict[str, Any] | None:
        """La existencia de ``producto`` en esta tienda con lo pendiente de esta terminal
        aplicado (``{"cantidad": …}``), o ``None`` si aún no se ha descargado."""
        esquema = self._esquema_exigido()
        if EXISTENCIA not in esquema.modelos:
            return None
        clave = existencias.clave(self._tienda(), clave_sql(esquema.modelo(PRODUCTO), producto))
        return self.obtener(EXISTENCIA, clave)

    # -- diario de ventas: número, anulaciones, devoluciones, cierre (``agente.caja``) --------

    def registro_de_venta(self, venta_id: str) -> dict[str, Any] | None:
        """El registro ``venta`` del diario de esa venta (con ``serie`` y ``numero``)."""
        return caja.registro_de_venta(self, venta_id)

    def anular(self, referencia: str) -> dict[str, Any]:
        """Anula entera una venta de esta terminal (``referencia``: su UUID, ``SERIE/NUMERO``
        o el número en la serie actual): un registro ``anulacion`` nuevo que la referencia y
        las operaciones que devuelven su stock, en una transacción. Devuelve el registro."""
        return caja.anular(self, referencia)

    def devolver(
        self,
        referencia: str,
        lineas: Sequence[Mapping[str, Any]],
        pagos: Sequence[Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Devuelve parte de una venta (``lineas``: ``[{"producto", "cantidad"}]``, al precio
        original): un registro ``devolucion`` nuevo y el stock de vuelta, en una transacción.
        ``pagos``: cómo se devuelve el dinero (por defecto, como se cobró si fue un solo método;
        si no, en efectivo)."""
        return caja.devolver(self, referencia, lineas, pagos)

    def resumen_caja(self) -> dict[str, Any]:
        """Lo que cubriría el cierre ahora (ver ``agente.caja.resumen_caja``)."""
        return caja.resumen_caja(self)

    def cerrar_caja(
        self,
        efectivo_contado: Any = None,
        forzar_por: str | None = None,
        motivo: str | None = None,
    ) -> dict[str, Any]:
        """Cierre de caja (Z): un registro ``cierre`` encadenado que cubre lo registrado desde
        el cierre anterior. ``CierreBloqueado`` si la central aún no tiene alguno de esos
        registros, salvo que se fuerce con nombre (``forzar_por``) y ``motivo``."""
        return caja.cerrar_caja(self, efectivo_contado, forzar_por, motivo)

    def cierre_pendiente(self, ahora: dt.datetime | None = None) -> bool:
        """¿Toca ofrecer el cierre? (pasada la ``hora_cierre`` configurada y sin cerrar)."""
        return caja.cierre_pendiente(self, ahora)

    def verificar_diario(self) -> list[Any]:
        """Verifica la cadena local: lista de ``protocolo.diario.Incidencia`` (vacía: bien)."""
        return almacen_diario.verificar(self._cola)

    def pagos_de_venta(self, venta_id: str) -> list[dict[str, str]] | None:
        """Los pagos guardados de una venta de esta terminal (``None`` si no hay)."""
        return almacen_pagos.de_venta(self._cola, str(venta_id))

    def catalogo_reconstruyendo(self) -> bool:
        """El catálogo local aún no está entero (primera carga, o caché apartada por daños y
        rehaciéndose desde la central): una búsqueda vacía no significa «no existe»."""
        return self._lectura.catalogo_reconstruyendo()

    # -- lectura optimista -------------------------------------------------------------------

    def obtener(self, modelo: str, objeto_id: Any) -> dict[str, Any] | None:
        """Los campos esenciales de un objeto con las operaciones de esta terminal aplicadas
        (``None`` si no existe o está borrado)."""
        return self._lectura.obtener(modelo, objeto_id)

    def referido(
        self, modelo: str, objeto_id: Any, datos: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """El objeto que nombra a uno sin título (la existencia, por su producto) para
        mostrarlo a personas, o ``None`` (``LecturaOptimista.referido``). Sólo lee."""
        return self._lectura.referido(modelo, objeto_id, datos)

    def buscar(
        self, texto: str, modelo: str | None = None, limite: int = 50
    ) -> list[dict[str, Any]]:
        """Búsqueda para la caja: exactos (código, NIF, clave) primero y luego por prefijo,
        con valores optimistas y lo creado aquí (``LecturaOptimista.buscar``)."""
        return self._lectura.buscar(texto, modelo, limite)

    def contar(self, modelo: str, texto: str | None = None) -> int:
        """Filas de ``modelo`` en la caché (con ``texto``: las que casan, como ``listar``)."""
        return self._lectura.contar(modelo, texto)

    def listar(
        self, modelo: str, desde: int = 0, limite: int = 200, texto: str | None = None
    ) -> list[dict[str, Any]]:
        """Una página del catálogo local con valores optimistas, una entrada por fila de la
        caché (la pestaña Catálogo; ver ``LecturaOptimista.listar``)."""
        return self._lectura.listar(modelo, desde, limite, texto)

    def cola(
        self, estado: str | None = None, modelo: str | None = None, limite: int | None = None
    ) -> list[Operacion]:
        """Operaciones de la cola en orden, filtradas por estado y/o modelo (``ErrorEsquema`` si
        ``modelo`` no tiene la forma «app.Modelo»)."""
        if modelo is not None:
            validar_nombre_modelo(modelo)
        return self._cola.listar(estado=estado, modelo=modelo, limite=limite)

    # -- estado ------------------------------------------------------------------------------

    def estado(self) -> dict[str, Any]:
        """Dict plano (para la UI y ``sincro estado --json``) compuesto por ``partes_estado``."""
        resultado: dict[str, Any] = {}
        for parte in self.partes_estado:
            resultado.update(parte())
        return resultado

    def ventas_pendientes(self) -> dict[str, Any]:
        """Ventas que la central aún no ha confirmado: ``{"n", "importe", "antiguedad_s"}``
        (``agente.estado.ventas_pendientes``). Sólo lee."""
        return partes.ventas_pendientes(self._cola, self._cache)

    # -- sincronización (delega en agente.sincronizacion.servicio.ServicioSincronizacion) -----

    @property
    def sincronizacion(self) -> Any:
        """El ``ServicioSincronizacion`` de esta terminal (se crea al primer uso y añade su
        parte a ``estado()``: conexión, últimos éxitos, conflictos, operaciones retenidas)."""
        servicio = self.__dict__.get("_servicio_sincro")
        if servicio is None:
            from agente.sincronizacion.servicio import ServicioSincronizacion

            servicio = ServicioSincronizacion(self.directorio, self._cola, self._cache)
            self.__dict__["_servicio_sincro"] = servicio
        return servicio

    def _estado_sincronizacion(self) -> dict[str, Any]:
        """La parte de ``estado()`` del servicio de sincronización."""
        return self.sincronizacion.parte_estado()

    def configurar(
        self, servidor: str, tienda: str, terminal: str, token: str | None, **opciones: Any
    ) -> Any:
        """Guarda ``config.json`` (sin token) y el token en el llavero. Ver ``servicio``."""
        return self.sincronizacion.configurar(servidor, tienda, terminal, token, **opciones)

    def enrolar(self, codigo: str, **configuracion: Any) -> Any:
        """Canjea un código de enrolamiento por un token nuevo (sólo al llavero); red. Con
        ``servidor``, ``tienda`` y ``terminal`` configura la terminal a la vez."""
        return self.sincronizacion.enrolar(codigo, **configuracion)

    def resumen_configuracion(self) -> dict[str, Any]:
        """Servidor, tienda, terminal, si hay token en el llavero (nunca el token), qué llavero
        y si arranca con la sesión. Sin red."""
        from agente.sincronizacion import comprobacion
        from agente.soporte import autoarranque

        datos = comprobacion.resumen_configuracion(self.directorio)
        datos["autoarranque"] = autoarranque.estado().activo
        return datos

    def probar_conexion(
        self,
        servidor: str,
        token: str | None = None,
        *,
        permitir_http: bool = False,
        terminal: str = "",
    ) -> dict[str, Any]:
        """Red: salud y esquema de ``servidor`` con ``token`` (o el guardado de ``terminal``).
        No guarda nada. Ver ``agente.sincronizacion.comprobacion``."""
        from agente.sincronizacion import comprobacion

        return comprobacion.probar_conexion(
            self.directorio, servidor, token, permitir_http, terminal
        )

    def comprobar_token(
        self,
        servidor: str,
        token: str | None = None,
        *,
        permitir_http: bool = False,
        terminal: str = "",
    ) -> bool:
        """Red: prueba un token ANTES de ``configurar`` con él; ``TokenRechazado`` si guardarlo
        dejaría sin servicio a la terminal. Ver ``comprobacion.comprobar_antes_de_guardar``."""
        from agente.sincronizacion import comprobacion

        return comprobacion.comprobar_antes_de_guardar(
            self.directorio, servidor, token, permitir_http, terminal
        )

    def autoarranque(self, activo: bool | None = None) -> bool:
        """Arranque con la sesión (Windows: carpeta Inicio; Linux: XDG): lo activa o lo quita
        si se da ``activo``; devuelve si queda activo."""
        from agente.soporte import autoarranque

        if activo is True:
            autoarranque.activar(self.directorio)
        elif activo is False:
            autoarranque.desactivar()
        return autoarranque.estado().activo

    def estado_terminal(self) -> dict[str, Any]:
        """``estado()`` como lo muestra un proceso que no sincroniza él mismo (la bandeja), con
        ventas pendientes, la cola por clase y si toca cerrar (``agente.estado``). Sólo lee."""
        return partes.de_la_terminal(self)

    def recuento_cola(self) -> dict[str, dict[str, int]]:
        """La cola por estado contada como la tienda: ``{estado: {"ventas", "ajustes",
        "cambios"}}`` (ver ``agente.almacen.recuento``). Sólo lee."""
        from agente.almacen import recuento

        return recuento.por_estado(self._cola)

    def operacion(self, uuid: str) -> Operacion | None:
        """La operación ``uuid`` de la cola (``None`` si no está)."""
        return self._cola.obtener(uuid)

    def actividad(self, horas: float = 6) -> list[dict[str, Any]]:
        """Serie por minuto de lo encolado y lo confirmado (``enviadas``) en las últimas
        ``horas``, para el gráfico y los recuentos de la interfaz."""
        return self._cola.actividad(horas)

    def registro_reciente(self, n: int = 500) -> list[str]:
        """Las ``n`` líneas más recientes del registro de todos los programas de esta
        terminal (la más antigua primero)."""
        from agente.soporte import registro

        return registro.leer_recientes(n, registro.directorio_registro(self.directorio))

    def sincronizar_una_vez(self, al_progreso: Callable[[str], None] | None = None) -> Any:
        """Un pase (empuje + descarga); red: nunca desde el hilo de la GUI."""
        return self.sincronizacion.sincronizar_una_vez(al_progreso)

    def verificar(self, modelos: list[str] | None = None) -> Any:
        """Descarga lo nuevo y verifica la caché contra la central, reparando sólo los cubos
        que difieran; red: nunca desde el hilo de la GUI. Devuelve el informe."""
        return self.sincronizacion.verificar(modelos)

    def iniciar_sincronizacion(self, al_progreso: Callable[[str], None] | None = None) -> None:
        """Bucle de sincronización en un hilo de fondo (para la bandeja)."""
        self.sincronizacion.iniciar(al_progreso)

    def detener_sincronizacion(self) -> None:
        """Para el bucle de ``iniciar_sincronizacion`` (espera hasta 30 s a que acabe su pase)."""
        self.sincronizacion.detener()

    def ejecutar_sincronizacion(
        self, detener: Any, al_progreso: Callable[[str], None] | None = None
    ) -> None:
        """Bucle en el hilo que llama hasta ``detener.set()`` (la CLI)."""
        self.sincronizacion.ejecutar_bucle(detener, al_progreso)

    def despertar(self) -> None:
        """Que el bucle de sincronización haga un pase ya (si hay bucle)."""
        self.sincronizacion.despertar()

    def al_cambiar_estado(self, funcion: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        """``funcion(estado_conexion)`` en cada cambio; devuelve cómo quitarla."""
        return self.sincronizacion.al_cambiar_estado(funcion)

    # -- conflictos y errores: lo que decide el encargado ------------------------------------

    def conflictos(self, estado: str | None = "ABIERTO") -> list[dict[str, Any]]:
        """Los conflictos en ``estado`` (``None``: todos), como dicts."""
        return [c.a_dict() for c in self._conflictos.listar(estado)]

    def resolver(
        self,
        identificador: int,
        elecciones: Mapping[str, Any] | None = None,
        *,
        usar: str | None = None,
        quien: str | None = None,
        motivo: str | None = None,
    ) -> Operacion:
        """Resuelve un conflicto campo a campo (``elecciones``) o entero (``usar``) y despierta
        la sincronización para que la operación resultante salga cuanto antes."""
        conflicto = self._conflictos.obtener(identificador)
        config = self._esquema_exigido().modelo(conflicto.modelo)
        op = self._conflictos.resolver(
            identificador, config, elecciones or {}, usar=usar, quien=quien, motivo=motivo
        )
        self.despertar()
        return op

    def descartar_conflicto(
        self, identificador: int, motivo: str, *, quien: str | None = None
    ) -> Operacion:
        """Descarta la operación de un conflicto (gana la central); el motivo es obligatorio."""
        return self._conflictos.descartar(identificador, motivo, quien)

    def reintentar(
        self,
        uuid: str,
        datos: Mapping[str, Any] | None = None,
        *,
        quien: str | None = None,
        motivo: str | None = None,
    ) -> Operacion:
        """Una operación en ERROR vuelve a la cola (con ``datos`` corregidos, validados con las
        reglas del esquema, si se dan)."""
        if datos is not None:
            op = self._cola.obtener(uuid)
            if op is not None:
                datos = self._esquema_exigido().modelo(op.modelo).validar_datos(op.tipo, datos)
        op = self._conflictos.reintentar_error(uuid, datos, quien=quien, motivo=motivo)
        self.despertar()
        return op

    def descartar(self, uuid: str, motivo: str, *, quien: str | None = None) -> Operacion:
        """Descarta una operación en ERROR o, si está en CONFLICTO, su conflicto."""
        return self._conflictos.descartar_operacion(uuid, motivo, quien)

    def auditoria(self, limite: int = 100) -> list[dict[str, Any]]:
        """Las últimas ``limite`` decisiones sobre operaciones (quién, qué, por qué)."""
        return self._conflictos.auditoria(limite)


def preparar_directorio(datos: str | os.PathLike[str] | None = None) -> Path:
    """El directorio de datos (``datos`` > ``SINCRO_DATOS`` > el del usuario), creado y sólo
    para este usuario; para quien necesita el directorio antes de abrir el ``Agente``."""
    return rutas.asegurar_directorio(rutas.directorio_datos(datos))


def configurar_registro(directorio: str | os.PathLike[str], programa: str) -> Path:
    """Registro rotativo de ``programa`` (``bandeja``, ``sincro``…) en ese directorio."""
    from agente.soporte import registro

    return registro.configurar(directorio, programa=programa)


def abrir(directorio: str | os.PathLike[str] | None = None, **opciones: Any) -> Agente:
    """Atajo de ``Agente.abrir``."""
    return Agente.abrir(directorio, **opciones)


__all__ = ["Agente", "abrir", "configurar_registro", "preparar_directorio"]
