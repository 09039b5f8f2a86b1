"""Cola real sobre SQLite: encolar, fusionar, orden de envío, transiciones y recuperación."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from agente.almacen.cola import Cola, ErrorCola, NuevaOperacion
from agente.operacion import (
    COMPLETADO,
    CONFLICTO,
    DESCARTADO,
    ERROR,
    PENDIENTE,
    PROCESANDO,
)
from tests.agente.conftest import cola_configurada

PRODUCTO = "productos.Producto"
CLIENTE = "clientes.Cliente"
VENTA = "ventas.Venta"
LINEA = "ventas.LineaVenta"


@pytest.fixture
def cola(datos_dir, esquema):
    yield from cola_configurada(datos_dir / "cola.sqlite", esquema)


def _sql_aparte(ruta, sql, parametros=()):
    """Escribe en el fichero de la cola por otra conexión (como otro proceso)."""
    conexion = sqlite3.connect(ruta)
    with conexion:
        conexion.execute(sql, parametros)
    conexion.close()


def op(modelo, objeto, tipo="actualizar", datos=None, **extra):
    return NuevaOperacion(
        modelo=modelo, objeto_id=str(objeto), tipo=tipo, datos=datos or {}, **extra
    )


def test_encolar_guarda_todo_y_sobrevive_a_reabrir(datos_dir, esquema):
    with Cola(datos_dir / "cola.sqlite") as cola:
        cola.guardar_terminal("caja-1")
        cola.guardar_desfase_ms(1250)
        encolada = cola.encolar(
            op(
                PRODUCTO,
                7,
                "ajustar",
                {"stock": -2},
                version_base=456,
                valores_base={"stock": 10},
                prioridad=10,
            )
        )
    with Cola(datos_dir / "cola.sqlite") as cola:
        leida = cola.obtener(encolada.uuid)
    assert leida == encolada
    assert leida.terminal == "caja-1" and leida.desfase_ms == 1250
    assert leida.estado == PENDIENTE and leida.intentos == 0
    assert leida.a_protocolo() == {
        "uuid": encolada.uuid,
        "modelo": PRODUCTO,
        "tipo": "ajustar",
        "objeto_id": "7",
        "datos": {"stock": -2},
        "version_base": 456,
        "valores_base": {"stock": 10},
        "hora_terminal": encolada.hora_terminal,
        "desfase_ms": 1250,
    }
    assert dt.datetime.fromisoformat(leida.hora_terminal).tzinfo is not None


def test_pragmas_de_la_cola(cola):
    conexion = sqlite3.connect(cola.ruta)
    assert conexion.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # synchronous es por conexión: comprobamos la de la cola.
    assert cola._bd.conexion.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    conexion.close()


def test_encolar_varias_es_todo_o_nada(cola):
    buenas = op(PRODUCTO, 1, "ajustar", {"stock": -1})
    mala = op(PRODUCTO, 2, "inventado", {"stock": -1})  # viola el CHECK del tipo
    with pytest.raises(sqlite3.IntegrityError):
        cola.encolar_varias([buenas, mala])
    assert cola.listar() == []
    hechas = cola.encolar_varias([buenas, op(PRODUCTO, 2, "ajustar", {"stock": -3})])
    assert [o.objeto_id for o in cola.listar()] == ["1", "2"]
    assert [o.uuid for o in hechas] == [o.uuid for o in cola.listar()]


@pytest.mark.parametrize(
    ("primera", "segunda", "esperado"),
    [
        (
            ("actualizar", {"nombre": "a", "precio": "1"}),
            ("actualizar", {"precio": "2"}),
            ("actualizar", {"nombre": "a", "precio": "2"}),
        ),
        (
            ("crear", {"nombre": "a"}),
            ("actualizar", {"nombre": "b", "nif": "X"}),
            ("crear", {"nombre": "b", "nif": "X"}),
        ),
        (("actualizar", {"nombre": "a"}), ("borrar", {}), ("borrar", {})),
        (
            ("ajustar", {"stock": -2}),
            ("ajustar", {"stock": -3, "puntos": 1}),
            ("ajustar", {"stock": -5, "puntos": 1}),
        ),
    ],
)
def test_fusiones_seguras(cola, primera, segunda, esperado):
    a = cola.encolar(op(PRODUCTO, 5, primera[0], primera[1], valores_base={"nombre": "central"}))
    b = cola.encolar(op(PRODUCTO, 5, segunda[0], segunda[1], valores_base={"nombre": "otra"}))
    (unica,) = cola.listar()
    assert b.uuid == a.uuid == unica.uuid
    assert (unica.tipo, unica.datos) == esperado
    # Los valores base de la primera operación se conservan.
    assert unica.valores_base["nombre"] == "central"


def test_crear_y_borrar_no_envia_nada(cola):
    creada = cola.encolar(op(CLIENTE, "c1", "crear", {"nombre": "Ana"}))
    resultado = cola.encolar(op(CLIENTE, "c1", "borrar"))
    assert resultado.uuid == creada.uuid and resultado.estado == DESCARTADO
    assert cola.preparar_envio() == []
    assert cola.contar_por_estado()[DESCARTADO] == 1


def _orden_de_envio(cola):
    """Envía de una en una, confirmando cada una: el orden en que salen."""
    salidas = []
    while lote := cola.preparar_envio(limite=1):
        (enviada,) = lote
        salidas.append(enviada.uuid)
        cola.registrar_resultados([(enviada.uuid, 1)])
    return salidas


def test_crear_y_borrar_de_un_cliente_que_nombra_una_venta_pendiente(cola):
    """Crear c1, una venta con cliente=c1 y borrar c1: anular el «crear» dejaría a la venta
    apuntando a un cliente que la central nunca recibe. Se conservan las tres, el «borrar»
    avisa y sale después de la venta (aunque Cliente sea crítico y la venta no)."""
    creada = cola.encolar(op(CLIENTE, "c1", "crear", {"nombre": "Ana"}))
    venta = cola.encolar(op(VENTA, "v1", "crear", {"total": "3", "cliente": "c1"}))
    borrado = cola.encolar(op(CLIENTE, "c1", "borrar"))
    assert borrado.uuid not in (creada.uuid, venta.uuid) and borrado.tipo == "borrar"
    assert borrado.aviso and "referencia" in borrado.aviso
    assert [(o.uuid, o.estado) for o in cola.listar()] == [
        (creada.uuid, PENDIENTE),
        (venta.uuid, PENDIENTE),
        (borrado.uuid, PENDIENTE),
    ]
    # En una sola llamada ...
    assert [o.uuid for o in cola.preparar_envio()] == [creada.uuid, venta.uuid, borrado.uuid]
    # ... y de una en una, confirmando (el «borrar» ya no puede adelantar a la venta).
    cola.devolver([creada.uuid, venta.uuid, borrado.uuid])
    assert _orden_de_envio(cola) == [creada.uuid, venta.uuid, borrado.uuid]


def test_actualizar_y_borrar_de_un_cliente_referido_no_se_fusionan(cola):
    """Fusionar dejaría el «borrar» en el sitio del «actualizar», antes de la venta."""
    cambio = cola.encolar(op(CLIENTE, "c1", "actualizar", {"nombre": "Eva"}))
    venta = cola.encolar(op(VENTA, "v1", "crear", {"total": "3", "cliente": "c1"}))
    borrado = cola.encolar(op(CLIENTE, "c1", "borrar"))
    assert borrado.uuid != cambio.uuid and "referencia" in borrado.aviso
    assert cola.obtener(cambio.uuid).tipo == "actualizar"
    assert _orden_de_envio(cola) == [cambio.uuid, venta.uuid, borrado.uuid]


def test_borrar_espera_a_la_venta_que_lo_referencia_aunque_este_en_error(cola):
    creada = cola.encolar(op(CLIENTE, "c1", "crear", {"nombre": "Ana"}))
    venta = cola.encolar(op(VENTA, "v1", "crear", {"total": "3", "cliente": "c1"}))
    borrado = cola.encolar(op(CLIENTE, "c1", "borrar"))
    assert [o.uuid for o in cola.preparar_envio(limite=2)] == [creada.uuid, venta.uuid]
    cola.registrar_resultados([(creada.uuid, 1)])
    cola.registrar_resultados([], [(venta.uuid, "total no válido")])
    assert cola.preparar_envio() == []
    assert [(a.uuid, b.uuid) for a, b in cola.retenidas()] == [(borrado.uuid, venta.uuid)]


def test_crear_y_borrar_anula_si_nada_sin_confirmar_lo_referencia(cola):
    vieja = cola.encolar(op(VENTA, "v1", "crear", {"total": "3", "cliente": "c1"}))
    cola.preparar_envio()
    cola.registrar_resultados([(vieja.uuid, 1)])  # confirmada: ya no cuenta
    cola.encolar(op(VENTA, "v2", "crear", {"total": "3", "cliente": "c10"}))  # otro cliente
    creada = cola.encolar(op(CLIENTE, "c1", "crear", {"nombre": "Ana"}))
    resultado = cola.encolar(op(CLIENTE, "c1", "borrar"))
    assert (resultado.uuid, resultado.estado, resultado.aviso) == (creada.uuid, DESCARTADO, None)


def test_no_fusiona_con_operaciones_en_vuelo_ni_ya_intentadas(cola):
    primera = cola.encolar(op(PRODUCTO, 1, "ajustar", {"stock": -1}))
    assert [o.uuid for o in cola.preparar_envio()] == [primera.uuid]
    segunda = cola.encolar(op(PRODUCTO, 1, "ajustar", {"stock": -1}))
    assert segunda.uuid != primera.uuid
    assert segunda.aviso and "PROCESANDO" in segunda.aviso
    # Vuelve a PENDIENTE tras un fallo de red: puede estar aplicada en la central, así que
    # tampoco se fusiona con ella.
    cola.devolver([primera.uuid], "sin red")
    tercera = cola.encolar(op(PRODUCTO, 1, "ajustar", {"stock": -1}))
    assert cola.obtener(primera.uuid).datos == {"stock": -1}
    # La tercera sí se fusiona con la segunda (nunca enviada).
    assert tercera.uuid == segunda.uuid and tercera.datos == {"stock": -2}


def test_operaciones_dudosas_se_encolan_con_aviso(cola):
    cola.encolar(op(CLIENTE, "c1", "borrar"))
    despues = cola.encolar(op(CLIENTE, "c1", "actualizar", {"nombre": "x"}))
    assert despues.aviso and "borrar" in despues.aviso
    assert len(cola.listar()) == 2


def test_mismo_objeto_sale_en_orden_y_en_lotes_independientes(cola):
    a = cola.encolar(op(PRODUCTO, 1, "actualizar", {"precio": "1"}))
    b = cola.encolar(op(PRODUCTO, 1, "ajustar", {"stock": -1}))  # no se fusiona (tipos)
    # ... y lo dice: va detrás del «actualizar» pendiente, sin combinarse.
    assert b.aviso and "«actualizar»" in b.aviso and "después" in b.aviso
    assert cola.obtener(b.uuid).aviso == b.aviso
    c = cola.encolar(op(PRODUCTO, 2, "ajustar", {"stock": -1}))
    assert c.aviso is None
    lote1 = cola.preparar_envio(limite=1)
    assert [o.uuid for o in lote1] == [a.uuid]
    # Con a en vuelo, b (mismo objeto) no puede salir; c sí.
    lote2 = cola.preparar_envio()
    assert [o.uuid for o in lote2] == [c.uuid]
    assert all(o.estado == PROCESANDO and o.intentos == 1 for o in lote1 + lote2)
    cola.registrar_resultados([(a.uuid, 10)])
    assert [o.uuid for o in cola.preparar_envio()] == [b.uuid]


def test_dependencias_entre_modelos(cola):
    # Venta depende de Cliente; LineaVenta de Venta y Producto.
    venta = cola.encolar(op(VENTA, "v1", "crear", {"total": "3"}))
    cliente = cola.encolar(op(CLIENTE, "c1", "crear", {"nombre": "Ana"}))
    venta2 = cola.encolar(op(VENTA, "v2", "crear", {"total": "4", "cliente": "c1"}))
    linea = cola.encolar(op(LINEA, "l1", "crear", {"venta": "v2"}))
    lote = cola.preparar_envio()
    orden_uuids = [o.uuid for o in lote]
    # La venta 1 es anterior al cliente: puede salir, pero detrás de nada de Cliente pendiente.
    assert orden_uuids.index(cliente.uuid) < orden_uuids.index(venta2.uuid)
    assert orden_uuids.index(venta2.uuid) < orden_uuids.index(linea.uuid)
    assert set(orden_uuids) == {venta.uuid, cliente.uuid, venta2.uuid, linea.uuid}


def test_error_en_un_modelo_retiene_a_sus_dependientes(cola):
    cliente = cola.encolar(op(CLIENTE, "c1", "crear", {"nombre": "Ana"}))
    (enviado,) = cola.preparar_envio()
    cola.registrar_resultados([], [(enviado.uuid, "NIF no válido")])
    venta = cola.encolar(op(VENTA, "v1", "crear", {"cliente": "c1"}))
    producto = cola.encolar(op(PRODUCTO, 3, "ajustar", {"stock": -1}))
    assert [o.uuid for o in cola.preparar_envio()] == [producto.uuid]
    cola.descartar(cliente.uuid, "cliente duplicado", por="encargada")
    assert [o.uuid for o in cola.preparar_envio()] == [venta.uuid]
    descartada = cola.obtener(cliente.uuid)
    assert (descartada.estado, descartada.resuelta_por, descartada.motivo_resolucion) == (
        DESCARTADO,
        "encargada",
        "cliente duplicado",
    )


def test_criticos_primero_y_luego_fifo(cola):
    venta = cola.encolar(op(VENTA, "v1", "crear", {"total": "1"}))
    producto = cola.encolar(op(PRODUCTO, 1, "ajustar", {"stock": -1}))
    cliente = cola.encolar(op(CLIENTE, "c9", "actualizar", {"nombre": "x"}))
    lote = [o.uuid for o in cola.preparar_envio()]
    # Producto y Cliente son críticos; la venta (no crítica) va la última pese a ser anterior.
    assert lote[-1] == venta.uuid
    assert set(lote[:2]) == {producto.uuid, cliente.uuid}


def test_prioridad_dinamica_por_frecuencia(cola):
    for i in range(3):
        cola.encolar(op(CLIENTE, f"c{i}", "actualizar", {"nombre": "x"}))
    cola.encolar(op(PRODUCTO, 1, "ajustar", {"stock": -1}))
    rangos = cola.prioridades()
    # Ambos críticos; Cliente tiene más operaciones en 7 días aunque declare menos prioridad.
    assert rangos[CLIENTE].rango == 1 and rangos[PRODUCTO].rango == 2
    assert rangos[CLIENTE].operaciones_recientes == 3
    assert rangos[VENTA].rango > 2 and not rangos[VENTA].critico
    lote = cola.preparar_envio()
    assert lote[0].modelo == CLIENTE and lote[-1].modelo == PRODUCTO


def test_transiciones(cola):
    a = cola.encolar(op(PRODUCTO, 1, "actualizar", {"precio": "2"}))
    b = cola.encolar(op(PRODUCTO, 2, "actualizar", {"precio": "3"}))
    cola.preparar_envio()
    cola.registrar_resultados([(a.uuid, 99)])
    hecho = cola.obtener(a.uuid)
    assert (hecho.estado, hecho.version_resultado) == (COMPLETADO, 99)
    cola.registrar_resultados([(a.uuid, 100)])  # idempotente: una final no cambia
    cola.registrar_resultados([], [(a.uuid, "tarde")])
    assert cola.obtener(a.uuid) == hecho
    conflicto = cola.marcar_conflicto(b.uuid, {"campos": ["precio"]})
    assert conflicto.estado == CONFLICTO and '"precio"' in conflicto.ultimo_error
    with pytest.raises(ErrorCola):
        cola.marcar_conflicto(a.uuid, "tarde")
    reintentada = cola.reintentar(
        b.uuid, {"precio": "4"}, version_base=7, valores_base={"precio": "5"}, nuevo_uuid=True
    )
    assert reintentada.uuid != b.uuid and reintentada.seq == b.seq
    assert (reintentada.estado, reintentada.datos, reintentada.version_base) == (
        PENDIENTE,
        {"precio": "4"},
        7,
    )
    with pytest.raises(ErrorCola):
        cola.reintentar(reintentada.uuid)
    with pytest.raises(ErrorCola):
        cola.descartar(a.uuid, "no")
    with pytest.raises(ErrorCola):
        cola.reintentar("no-existe")
    with pytest.raises(ErrorCola):
        cola.listar(estado="RARO")


def test_devolver_tras_fallo_de_red(cola):
    a = cola.encolar(op(PRODUCTO, 1, "ajustar", {"stock": -1}))
    cola.preparar_envio()
    assert cola.devolver([a.uuid], "tiempo agotado") == 1
    leida = cola.obtener(a.uuid)
    assert (leida.estado, leida.ultimo_error, leida.intentos) == (PENDIENTE, "tiempo agotado", 1)
    assert cola.devolver([a.uuid], "otra vez") == 0  # sólo desde PROCESANDO
    (otra_vez,) = cola.preparar_envio()
    assert otra_vez.uuid == a.uuid and otra_vez.intentos == 2


def test_recuperar_respeta_procesos_vivos(datos_dir):
    ruta = datos_dir / "cola.sqlite"
    cola = Cola(ruta)
    a = cola.encolar(op(PRODUCTO, 1, "ajustar", {"stock": -1}))
    cola.preparar_envio()
    # Otra instancia (otro proceso vivo en la práctica) no le quita lo que tiene en vuelo.
    otra = Cola(ruta)
    assert otra.obtener(a.uuid).estado == PROCESANDO
    # Un propietario muerto sí: simulamos el de un pid inexistente.
    _sql_aparte(
        ruta,
        "UPDATE operaciones SET propietario = ? WHERE uuid = ?",
        (f"999999999@{_maquina()}:x", a.uuid),
    )
    assert otra.recuperar() == 1
    assert otra.obtener(a.uuid).estado == PENDIENTE
    otra.cerrar()
    cola.cerrar()


def test_cerrar_devuelve_lo_propio_en_vuelo(datos_dir):
    ruta = datos_dir / "cola.sqlite"
    cola = Cola(ruta)
    a = cola.encolar(op(PRODUCTO, 1, "ajustar", {"stock": -1}))
    cola.preparar_envio()
    cola.cerrar()
    with Cola(ruta) as otra:
        assert otra.obtener(a.uuid).estado == PENDIENTE


def test_podar_solo_finales_antiguas(cola):
    a = cola.encolar(op(PRODUCTO, 1, "ajustar", {"stock": -1}))
    b = cola.encolar(op(PRODUCTO, 2, "ajustar", {"stock": -1}))
    cola.preparar_envio()
    cola.registrar_resultados([(a.uuid, 1)])
    cola.registrar_resultados([], [(b.uuid, "malo")])
    antigua = (dt.datetime.now(dt.UTC) - dt.timedelta(days=40)).isoformat()
    _sql_aparte(cola.ruta, "UPDATE operaciones SET finalizada_en = ?", (antigua,))
    assert cola.podar(30) == 1
    assert cola.obtener(a.uuid) is None
    assert cola.obtener(b.uuid).estado == ERROR
    assert cola.podar(30) == 0


def test_conteos_y_antiguedad(cola):
    assert cola.antiguedad_pendiente_s() is None
    cola.encolar(op(PRODUCTO, 1, "ajustar", {"stock": -1}))
    conteos = cola.contar_por_estado()
    assert conteos[PENDIENTE] == 1 and conteos[COMPLETADO] == 0
    assert cola.antiguedad_pendiente_s() >= 0


def _maquina():
    import socket

    return socket.gethostname()


def test_actividad_reconstruye_la_serie_desde_la_cola_y_sobrevive_a_reabrir(datos_dir, esquema):
    """El gráfico de la ventana sale de la cola, no de la memoria de la bandeja: tras reabrir,
    la profundidad y las enviadas por minuto siguen ahí."""
    with Cola(datos_dir / "cola.sqlite") as cola:
        cola.configurar_modelos(esquema.modelos.values())
        for objeto in (1, 2, 3):
            cola.encolar(op(PRODUCTO, objeto, "ajustar", {"stock": -1}))
        enviadas = cola.preparar_envio(limite=2)
        for operacion in enviadas:
            cola.registrar_resultados([(operacion.uuid, 10)])
    with Cola(datos_dir / "cola.sqlite") as cola:
        serie = cola.actividad(horas=1)
    assert serie, "sin muestras"
    assert serie[-1]["cola"] == 1  # queda la tercera
    assert sum(m["enviadas"] for m in serie) == 2
    assert max(m["cola"] for m in serie) >= 1
    # Fuera de la ventana no hay nada que contar: una hora en el futuro, todo finalizado
    # antes de la ventana salvo la pendiente, que sigue en cola desde el principio.
    futuro = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    with Cola(datos_dir / "cola.sqlite") as cola:
        lejana = cola.actividad(horas=1, ahora=futuro)
    assert [m["cola"] for m in lejana] == [1]
    assert sum(m["enviadas"] for m in lejana) == 0


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="cuenta descriptores con /proc")
def test_cola_sin_cerrar_suelta_su_cerrojo_al_liberarse(tmp_path):
    """Una Cola que nadie cierra no deja su descriptor ni su fichero de cerrojo cuando el
    recolector la libera (antes quedaban hasta el final del proceso)."""
    import gc

    ruta = tmp_path / "cola.sqlite"
    Cola(ruta).cerrar()
    gc.collect()
    antes = len(list(Path("/proc/self/fd").iterdir()))
    for _ in range(20):
        Cola(ruta)  # sin cerrar
    gc.collect()
    assert list(Path(f"{ruta}.propietarios").glob("*.cerrojo")) == []
    assert len(list(Path("/proc/self/fd").iterdir())) <= antes


_PIEZAS_DE_LA_COLA = {
    "cola.py",
    "encolado.py",
    "envio.py",
    "en_vuelo.py",
    "cuarentena.py",
    "migraciones.py",
}


def test_solo_la_cola_escribe_operaciones():
    """Un solo escritor de estados: fuera de las piezas de ``Cola`` ningún módulo del motor
    escribe la tabla ``operaciones`` (los conflictos pasan por los métodos de la cola)."""
    import re

    raiz = Path(__file__).resolve().parents[2] / "agente"
    escritura = re.compile(
        r"(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+operaciones\b", re.IGNORECASE
    )
    infractores = sorted(
        str(ruta.relative_to(raiz))
        for ruta in raiz.rglob("*.py")
        if escritura.search(ruta.read_text(encoding="utf-8"))
        and not (ruta.parent.name == "almacen" and ruta.name in _PIEZAS_DE_LA_COLA)
        and ruta.name != "recuperacion.py"  # copia filas a un fichero nuevo al rescatar
    )
    assert infractores == []


def test_una_sesion_no_escribe_operaciones(cola):
    from agente.almacen.conexion import ErrorSesion

    a = cola.encolar(op(PRODUCTO, 1, "ajustar", {"stock": -1}))
    with cola.transaccion() as sesion:
        with pytest.raises(ErrorSesion):
            sesion.execute("UPDATE operaciones SET estado = 'COMPLETADO'")
        with pytest.raises(ErrorSesion):
            sesion.execute("delete from  operaciones")
        sesion.execute("INSERT INTO ajustes (clave, valor) VALUES ('x', '1')")
    with cola.lectura() as sesion, pytest.raises(ErrorSesion):
        sesion.execute("INSERT INTO ajustes (clave, valor) VALUES ('y', '1')")
    with pytest.raises(ErrorSesion):
        sesion.execute("SELECT 1")  # fuera de su with ya no vale
    assert cola.obtener(a.uuid).estado == PENDIENTE and cola.ajuste("x") == "1"


def test_lote_grande_sale_entero_y_en_orden_de_prioridad(cola):
    """Más candidatas que un trozo de lectura (se leen a trozos por el índice): salen todas,
    por prioridad propia y, a igualdad, en orden de cola."""
    hechas = cola.encolar_varias(
        [op(PRODUCTO, i, "ajustar", {"stock": -1}, prioridad=i % 3) for i in range(700)]
    )
    esperado = [o.uuid for o in sorted(hechas, key=lambda o: (o.prioridad, o.seq))]
    assert [o.uuid for o in cola.preparar_envio(400)] == esperado[:400]
    assert [o.uuid for o in cola.preparar_envio(1000)] == esperado[400:]


def test_una_venta_libre_que_pasa_a_nombrar_un_cliente_en_vuelo_espera(cola):
    """Encolada sin cliente, ninguna anterior podía retenerla (columna ``libre``); al fusionarse
    con un cambio que nombra al cliente en vuelo, deja de estar libre y espera."""
    cliente = cola.encolar(op(CLIENTE, "c1", "crear", {"nombre": "Ana"}))
    assert [o.uuid for o in cola.preparar_envio()] == [cliente.uuid]
    venta = cola.encolar(op(VENTA, "v1", "crear", {"total": "3"}))
    otra = cola.encolar(op(VENTA, "v2", "crear", {"total": "4"}))
    assert cola.encolar(op(VENTA, "v1", "actualizar", {"cliente": "c1"})).uuid == venta.uuid
    assert [o.uuid for o in cola.preparar_envio()] == [otra.uuid]
    cola.registrar_resultados([(cliente.uuid, 1)])
    assert [o.uuid for o in cola.preparar_envio()] == [venta.uuid]


def test_un_resultado_tardio_no_toca_la_operacion_reencolada_con_otro_uuid(cola):
    """Los resultados de lo que esta instancia envió se anotan por ``seq``, pero sólo si la
    fila sigue teniendo el UUID enviado: una resuelta y reencolada con UUID nuevo no se da por
    completada con el resultado de la anterior."""
    a = cola.encolar(op(PRODUCTO, 1, "actualizar", {"precio": "2"}))
    (enviada,) = cola.preparar_envio()
    cola.marcar_conflicto(enviada.uuid, "la central también lo cambió")
    nueva = cola.reintentar(enviada.uuid, {"precio": "3"}, nuevo_uuid=True)
    cola.registrar_resultados([(a.uuid, 7)])
    assert cola.obtener(nueva.uuid).estado == PENDIENTE
    (otra_vez,) = cola.preparar_envio()
    cola.registrar_resultados([(otra_vez.uuid, 8)])
    assert (cola.obtener(nueva.uuid).estado, cola.obtener(nueva.uuid).version_resultado) == (
        COMPLETADO,
        8,
    )


def test_al_abrir_repone_indices_y_disparadores_del_envio_que_falten(datos_dir, esquema):
    """Un rescate que no pudo leer una definición deja la cola sin ese índice o disparador:
    al abrirla se repone (y los recuentos se rehacen desde las operaciones)."""
    ruta = datos_dir / "cola.sqlite"
    with Cola(ruta) as cola:
        cola.configurar_modelos(esquema.modelos.values())
        a = cola.encolar(op(PRODUCTO, 1, "ajustar", {"stock": -1}))
    for sql in (
        "DROP INDEX operaciones_listas",
        "DROP TRIGGER operaciones_libre_obsoleto",
        "DROP TABLE recuentos",
        "DROP TRIGGER operaciones_referidos_obsoletos",
    ):
        _sql_aparte(ruta, sql)
    with Cola(ruta) as cola:
        cola.configurar_modelos(esquema.modelos.values())
        assert cola.prioridades()[PRODUCTO].operaciones_recientes == 1
        assert [o.uuid for o in cola.preparar_envio()] == [a.uuid]
    conexion = sqlite3.connect(ruta)
    nombres = {n for (n,) in conexion.execute("SELECT name FROM sqlite_master")}
    conexion.close()
    assert {
        "operaciones_listas",
        "operaciones_libre_obsoleto",
        "recuentos",
        "operaciones_referidos_obsoletos",
    } <= nombres
