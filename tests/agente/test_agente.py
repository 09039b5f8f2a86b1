"""Fachada ``Agente`` con ficheros reales: validación, valores base, vista optimista, ventas,
búsqueda y estado."""

from __future__ import annotations

import sqlite3

import pytest

from agente.fachada import Agente
from agente.operacion import COMPLETADO, PENDIENTE
from protocolo.esquema import ErrorEsquema, ErrorValor
from tests.agente.conftest import CLIENTE, PRODUCTO, producto


def test_directorio_por_entorno(tmp_path, monkeypatch):
    monkeypatch.setenv("SINCRO_DATOS", str(tmp_path / "desde-entorno"))
    with Agente.abrir() as agente:
        assert agente.directorio == tmp_path / "desde-entorno"
        assert (agente.directorio / "cola.sqlite").exists()
        assert (agente.directorio / "cache.sqlite").exists()


def test_venta_de_dos_unidades_muestra_stock_8(agente):
    op = agente.ajustar(PRODUCTO, 1, "stock", -2)
    assert (op.version_base, op.valores_base) == (1, {"stock": 10})
    assert agente.obtener(PRODUCTO, "1")["stock"] == 8
    assert agente.cache.fila(PRODUCTO, "1")[0]["stock"] == 10  # la central no ha cambiado


def test_valores_base_son_los_de_la_central_no_los_optimistas(agente):
    agente.encolar(PRODUCTO, "actualizar", {"nombre": "Otro"}, objeto_id=2)
    agente.operaciones.preparar_envio()  # en vuelo: la siguiente no se fusiona
    segunda = agente.encolar(PRODUCTO, "actualizar", {"nombre": "Tercero"}, objeto_id=2)
    assert segunda.valores_base == {"nombre": "Producto 2"}
    assert agente.obtener(PRODUCTO, 2)["nombre"] == "Tercero"


@pytest.mark.parametrize(
    ("modelo", "tipo", "datos", "objeto", "mensaje"),
    [
        ("productos.Nada", "ajustar", {"stock": 1}, 1, "Modelo desconocido"),
        (PRODUCTO, "crear", {"nombre": "x"}, 9, "no admite operaciones «crear»"),
        (PRODUCTO, "ajustar", {"stock": "mucho"}, 1, "espera un entero"),
        (PRODUCTO, "ajustar", {"nombre": 1}, 1, "«nombre» de productos.Producto no se puede aj"),
        (PRODUCTO, "actualizar", {"id": 5}, 1, "no se puede escribir"),
        (PRODUCTO, "actualizar", {"color": "rojo"}, 1, "no tiene el campo «color»"),
        (
            PRODUCTO,
            "actualizar",
            {"precio": "1"},
            1,
            "«precio» de productos.Producto no se puede escribir desde las tiendas",
        ),
        (PRODUCTO, "actualizar", {"nombre": "x"}, None, "Indique el objeto"),
        (PRODUCTO, "actualizar", {"nombre": "x"}, "abc", "es un entero"),
        (PRODUCTO, "actualizar", [1, 2], 1, "objeto JSON"),
        (PRODUCTO, "volar", {}, 1, "Tipo de operación desconocido"),
        (CLIENTE, "crear", {"nombre": "A", "nif": "1", "puntos": "x"}, None, "entero"),
    ],
)
def test_entrada_mala_no_encola_nada(agente, modelo, tipo, datos, objeto, mensaje):
    with pytest.raises(ErrorValor, match=mensaje):
        agente.encolar(modelo, tipo, datos, objeto_id=objeto)
    assert agente.cola() == []


def test_crear_con_uuid_generado_y_visible_optimista(agente):
    op = agente.encolar(CLIENTE, "crear", {"nombre": "Ana Pérez", "nif": "X1", "puntos": 0})
    assert op.datos["id"] == op.objeto_id
    assert agente.obtener(CLIENTE, op.objeto_id)["nombre"] == "Ana Pérez"
    assert [r["id"] for r in agente.buscar("ana", modelo=CLIENTE)] == [op.objeto_id]
    with pytest.raises(ErrorValor, match="Ya existe"):
        agente.encolar(CLIENTE, "crear", {"nombre": "Otra", "nif": "X2"}, objeto_id=op.objeto_id)
    agente.encolar(CLIENTE, "actualizar", {"puntos": 5}, objeto_id=op.objeto_id)
    assert agente.obtener(CLIENTE, op.objeto_id)["puntos"] == 5
    assert len(agente.cola()) == 1  # crear + actualizar fusionadas


def test_vender_es_todo_o_nada_y_ajusta_stock(agente):
    ops = agente.vender(
        [
            {"producto": 1, "cantidad": 2, "precio_unitario": "1.95"},
            {"producto": 2, "cantidad": 1, "precio_unitario": "0.50"},
        ]
    )
    tipos = [(o.modelo, o.tipo) for o in ops]
    assert tipos == [
        ("ventas.Venta", "crear"),
        ("ventas.LineaVenta", "crear"),
        (PRODUCTO, "ajustar"),
        ("ventas.LineaVenta", "crear"),
        (PRODUCTO, "ajustar"),
    ]
    assert ops[0].datos["total"] == "4.40"
    assert ops[1].datos["venta"] == ops[0].objeto_id
    assert agente.obtener(PRODUCTO, 1)["stock"] == 8
    assert [r["datos"]["stock"] for r in agente.buscar("producto 2")] == [9]
    with pytest.raises(ErrorValor, match="Línea 2"):
        agente.vender(
            [
                {"producto": 3, "cantidad": 1, "precio_unitario": "1"},
                {"producto": 3, "cantidad": 0, "precio_unitario": "1"},
            ]
        )
    with pytest.raises(ErrorValor, match="Operación 2: El campo «producto»"):
        agente.vender([{"producto": "x", "cantidad": 1, "precio_unitario": "1"}])
    assert agente.obtener(PRODUCTO, 3)["stock"] == 10
    assert len(agente.cola()) == 5


def test_confirmada_pero_no_descargada_sigue_visible(agente):
    op = agente.ajustar(PRODUCTO, 1, "stock", -2)
    agente.operaciones.preparar_envio()
    agente.operaciones.registrar_resultados([(op.uuid, 50)])
    assert agente.obtener(PRODUCTO, 1)["stock"] == 8  # la caché aún tiene la versión 1
    agente.cache.aplicar_pagina(PRODUCTO, [producto(1, 50, stock=8)], "50")
    assert agente.obtener(PRODUCTO, 1)["stock"] == 8  # ahora viene de la central, sin doblar


def test_un_ajuste_que_saldria_de_los_limites_no_se_encola(agente):
    """El límite se mira sobre el valor optimista (caché + lo pendiente de esta terminal)."""
    agente.cache.aplicar_pagina(PRODUCTO, [producto(1, 50, stock=-999_995)], "50")
    agente.ajustar(PRODUCTO, 1, "stock", -5)  # deja justo el mínimo, -1 000 000
    with pytest.raises(ErrorValor, match="tras el ajuste"):
        agente.ajustar(PRODUCTO, 1, "stock", -1)
    assert len(agente.cola()) == 1
    assert agente.obtener(PRODUCTO, 1)["stock"] == -1_000_000


def test_guardar_el_mismo_esquema_conserva_la_cache(agente):
    agente.guardar_esquema(agente.esquema())
    assert agente.obtener(PRODUCTO, 1)["nombre"] == "Producto 1"
    assert not agente.cache.necesita_reconstruccion(PRODUCTO)


def test_estado(agente):
    agente.ajustar(PRODUCTO, 1, "stock", -1)
    estado = agente.estado()
    assert estado["cola"]["por_estado"][PENDIENTE] == 1
    assert estado["cola"]["por_estado"][COMPLETADO] == 0
    producto_estado = estado["modelos"][PRODUCTO]
    assert producto_estado["filas"] == 3 and producto_estado["completo"]
    assert producto_estado["critico"] and producto_estado["prioridad_dinamica"] == 1
    # Cliente (crítico) no está completo: todavía no se puede vender sin conexión.
    assert estado["lista_para_vender_offline"] is False
    agente.cache.iniciar_reconstruccion(CLIENTE)
    agente.cache.terminar_reconstruccion(CLIENTE, "0")
    assert agente.estado()["lista_para_vender_offline"] is True
    agente.partes_estado.append(lambda: {"conexion": "sin red"})
    assert agente.estado()["conexion"] == "sin red"


def test_sin_esquema(datos_dir):
    with Agente.abrir(datos_dir) as agente:
        with pytest.raises(ErrorValor, match="esquema"):
            agente.ajustar(PRODUCTO, 1, "stock", -1)
        assert agente.estado()["lista_para_vender_offline"] is False


def test_hilos_concurrentes_no_pierden_ni_doblan(agente):
    import threading

    def vender_uno():
        for _ in range(25):
            agente.ajustar(PRODUCTO, 1, "stock", -1)
            agente.obtener(PRODUCTO, 1)

    hilos = [threading.Thread(target=vender_uno) for _ in range(4)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    assert agente.obtener(PRODUCTO, 1)["stock"] == 10 - 100
    assert sum(op.datos["stock"] for op in agente.cola()) == -100


def test_dos_procesos_encolan_en_la_misma_cola(agente, datos_dir):
    import subprocess
    import sys
    from pathlib import Path

    codigo = (
        "import sys; from agente.fachada import Agente\n"
        "with Agente.abrir(sys.argv[1]) as a:\n"
        "    for i in range(50): a.ajustar('productos.Producto', 2, 'stock', -1)\n"
    )
    raiz = str(Path(__file__).resolve().parents[2])
    procesos = [
        subprocess.Popen([sys.executable, "-c", codigo, str(datos_dir)], cwd=raiz) for _ in range(2)
    ]
    for _ in range(50):
        agente.ajustar(PRODUCTO, 2, "stock", -1)
    assert [p.wait(timeout=120) for p in procesos] == [0, 0]
    assert agente.obtener(PRODUCTO, 2)["stock"] == 10 - 150


def test_abrir_poda_las_finales_antiguas(datos_dir, esquema_dict):
    import datetime as dt

    with Agente.abrir(datos_dir) as agente:
        agente.guardar_esquema(esquema_dict)
        vieja = agente.ajustar(PRODUCTO, 1, "stock", -1)
        agente.operaciones.preparar_envio()
        agente.operaciones.registrar_resultados([(vieja.uuid, 5)])
        pendiente = agente.ajustar(PRODUCTO, 2, "stock", -1)
        hace = (dt.datetime.now(dt.UTC) - dt.timedelta(days=31)).isoformat()
        with sqlite3.connect(agente.operaciones.ruta) as conexion:
            conexion.execute("UPDATE operaciones SET finalizada_en = ?", (hace,))
        conexion.close()
    with Agente.abrir(datos_dir) as agente:
        assert [op.uuid for op in agente.cola()] == [pendiente.uuid]


def test_sustitutos_sueltos_en_la_api_no_rompen_sqlite(agente):
    """Texto mal decodificado (un sustituto UTF-16 suelto) que llega por la API: la búsqueda
    no encuentra nada, un id de texto no existe y un modelo mal formado es ErrorEsquema;
    nunca un UnicodeEncodeError de SQLite."""
    assert agente.buscar("\ud800") == []
    assert agente.buscar("lech\udfff", modelo="productos.Producto") == []
    assert agente.cache.listar("productos.Producto", texto="\ud800") == []
    assert agente.cache.contar("productos.Producto", texto="\ud800") == 0
    assert agente.cache.fila("clientes.Cliente", "\ud800") is None
    with pytest.raises(ErrorEsquema):
        agente.cola(modelo="\ud800")


def test_lista_para_vender_tiene_una_sola_definicion(datos_dir, esquema_dict):
    """Sin modelos críticos, la terminal está lista cuando todos los modelos están completos; la
    fachada, el servicio de sincronización (lo que muestran ``sincro estado`` y la bandeja) y la
    caché dicen lo mismo en cada paso."""
    sin_criticos = {
        **esquema_dict,
        "modelos": {n: {**m, "critico": False} for n, m in esquema_dict["modelos"].items()},
    }
    with Agente.abrir(datos_dir) as a:
        a.guardar_esquema(sin_criticos)
        modelos = list(a.esquema().modelos)

        def dicen() -> set[bool]:
            return {
                a.estado()["lista_para_vender_offline"],
                a.sincronizacion.estado()["lista_para_vender_offline"],
                a.cache.lista_para_vender_offline(),
            }

        assert dicen() == {False}
        for i, modelo in enumerate(modelos):
            a.cache.iniciar_reconstruccion(modelo)
            a.cache.terminar_reconstruccion(modelo, "0")
            assert dicen() == {i == len(modelos) - 1}


def test_vender_guarda_los_pagos_y_los_lleva_si_el_esquema_tiene_donde(datos_dir, esquema_dict):
    """Sin campo ``pagos`` en ``ventas.Venta`` los pagos quedan en ``pagos_venta`` de la cola;
    si el esquema lo declara (``json``), viajan además en la cabecera. Pagos que no cuadran:
    nada encolado ni guardado."""
    lineas = [{"producto": 1, "cantidad": 2, "precio_unitario": "1.95"}]
    with Agente.abrir(datos_dir) as agente:
        agente.guardar_esquema(esquema_dict)
        ops = agente.vender(lineas, pagos=[{"metodo": "tarjeta", "importe": "3.90"}])
        assert "pagos" not in ops[0].datos
        assert agente.pagos_de_venta(ops[0].objeto_id) == [{"metodo": "tarjeta", "importe": "3.90"}]
        antes = len(agente.cola())
        with pytest.raises(ErrorValor, match=r"faltan 0\.90"):
            agente.vender(lineas, pagos=[{"metodo": "tarjeta", "importe": "3"}])
        with pytest.raises(ErrorValor, match="no es un UUID"):
            agente.vender(lineas, venta_id="venta-1")
        assert len(agente.cola()) == antes
        with agente.operaciones.lectura() as c:
            assert c.execute("SELECT COUNT(*) FROM pagos_venta").fetchone()[0] == 1

        venta = esquema_dict["modelos"]["ventas.Venta"]
        venta["campos_esenciales"].append("pagos")
        venta["tipos"]["pagos"] = "json"
        agente.guardar_esquema(esquema_dict)
        ops = agente.vender(lineas)
        assert ops[0].datos["pagos"] == [{"metodo": "efectivo", "importe": "3.90"}]
        assert agente.pagos_de_venta(ops[0].objeto_id) == ops[0].datos["pagos"]


def test_referencias_desconocidas_solo_con_el_catalogo_entero(datos_dir, esquema_dict):
    """Durante la primera carga (catálogo de productos incompleto) una venta de un producto que
    aún no está en la caché se encola; con el catálogo entero, se rechaza al encolar."""
    linea = [{"producto": 999, "cantidad": 1, "precio_unitario": "1.00"}]
    with Agente.abrir(datos_dir) as agente:
        agente.guardar_esquema(esquema_dict)
        agente.cache.aplicar_pagina(PRODUCTO, [producto(1)], "f0.1.-", completo=False)
        assert len(agente.vender(linea)) == 3
        agente.cache.aplicar_pagina(PRODUCTO, [producto(2)], "2", completo=True)
        with pytest.raises(ErrorValor, match="que esta terminal no conoce"):
            agente.vender(linea)
        assert len(agente.cola()) == 3
