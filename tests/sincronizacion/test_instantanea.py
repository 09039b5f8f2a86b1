"""La terminal usa ``GET /v1/instantanea`` en su primera descarga y al resincronizar, con la
central real detrás del proxy de fallos: deja la caché igual que por páginas, vuelve a las
páginas si la central no la sirve, y una instantánea hostil (enorme, bomba gzip, tipos
erróneos, JSON roto, incompleta) se rechaza con un mensaje claro sin tocar la caché ni la cola.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
import requests

from agente.almacen.cache import Cache
from agente.almacen.cola import Cola, NuevaOperacion
from agente.almacen.conflictos import Conflictos
from agente.fachada import Agente
from agente.operacion import PENDIENTE
from agente.sincronizacion.cliente import Cliente, ErrorServidor, RespuestaInvalida
from agente.sincronizacion.descarga import Descarga
from tests.sincronizacion.terminales import sincro

PRODUCTO = "productos.Producto"


class _Terminal:
    def __init__(self, ruta) -> None:
        ruta.mkdir(parents=True, exist_ok=True)
        self.ruta = ruta
        self.cola = Cola(ruta / "cola.sqlite")
        self.cache = Cache(ruta / "cache.sqlite")

    def descarga(self, cliente: Cliente, **extra) -> Descarga:
        return Descarga(self.cache, self.cola, Conflictos(self.cola), cliente, **extra)

    def cerrar(self) -> None:
        self.cache.cerrar()
        self.cola.cerrar()

    def contenido(self) -> dict[str, tuple[list, str | None]]:
        """Por modelo: todas sus filas (con versión) y su cursor."""
        esquema = self.cache.esquema()
        salida = {}
        with sqlite3.connect(self.ruta / "cache.sqlite") as c:
            for config in esquema.modelos.values():
                filas = c.execute(f'SELECT * FROM "{config.tabla}" ORDER BY 1').fetchall()  # noqa: S608
                salida[config.nombre] = (filas, self.cache.cursor(config.nombre))
        return salida


@pytest.fixture
def terminales(tmp_path):
    creadas: list[_Terminal] = []

    def nueva(nombre: str) -> _Terminal:
        t = _Terminal(tmp_path / nombre)
        creadas.append(t)
        return t

    yield nueva
    for t in creadas:
        t.cerrar()


def _cliente(proxy, central, **extra) -> Cliente:
    return Cliente(proxy.url, central.token, reintentos=1, espera_base=0.01, **extra)


def _cargar(terminal: _Terminal, cliente: Cliente, **extra):
    descarga = terminal.descarga(cliente, **extra)
    esquema = descarga.actualizar_esquema()
    resumen = descarga.descargar(esquema)
    assert resumen.lista_para_vender_offline and not resumen.avisos
    return descarga, esquema, resumen


def test_primera_descarga_por_instantanea_igual_que_por_paginas(central, proxy, terminales):
    por_instantanea = terminales("a")
    _, esquema, resumen = _cargar(por_instantanea, _cliente(proxy, central))
    pedidas = [v for v in proxy.vistas if "/v1/" in v]
    assert sum("/v1/instantanea" in v for v in pedidas) == len(esquema.modelos)
    assert not any("/v1/cambios" in v for v in pedidas)
    assert resumen.paginas == len(esquema.modelos)
    por_paginas = terminales("b")
    _cargar(por_paginas, Cliente(central.url, central.token), tamano_pagina=7, instantanea=False)
    assert por_instantanea.contenido() == por_paginas.contenido()
    assert len(por_instantanea.contenido()[PRODUCTO][0]) == 50


def test_central_sin_instantanea_descarga_por_paginas(central, proxy, terminales):
    terminal = terminales("a")
    proxy.fallar("404", "/v1/instantanea", fallos=100)
    _cargar(terminal, _cliente(proxy, central))
    assert any("/v1/cambios" in v for v in proxy.vistas)
    assert terminal.cache.estado_modelo(PRODUCTO)["filas"] == 50


def _encolar(terminal: _Terminal) -> str:
    op = NuevaOperacion(
        modelo="productos.Existencia", objeto_id="T001:1", tipo="ajustar", datos={"cantidad": -1}
    )
    return terminal.cola.encolar(op).uuid


@pytest.mark.parametrize(
    ("modo", "error", "mensaje"),
    [
        ("gzip_bomba", ErrorServidor, "más de 4 MB"),
        ("enorme", ErrorServidor, "más de 4 MB"),
        ("tipos", RespuestaInvalida, "«hay_mas» en la página de cambios tiene tipo str"),
        ("fila_mala", RespuestaInvalida, "productos.Producto.precio de 7 no es decimal"),
        ("json_roto", RespuestaInvalida, "JSON mal formado"),
        ("incompleta", RespuestaInvalida, "no es una descarga completa"),
    ],
)
def test_instantanea_hostil_no_toca_cache_ni_cola(central, proxy, terminales, modo, error, mensaje):
    """Resincronizar contra una instantánea hostil falla con un mensaje claro; la caché sigue
    con su tabla viva y su cursor, la cola intacta, y el siguiente intento bueno termina."""
    terminal = terminales("a")
    _, esquema, _ = _cargar(terminal, Cliente(central.url, central.token))
    uuid = _encolar(terminal)
    antes = terminal.contenido()
    proxy.tamano = 300 * 1024 * 1024
    if modo in ("incompleta", "fila_mala"):
        pagina = requests.get(
            central.url + "/v1/instantanea",
            params={"modelo": PRODUCTO},
            headers=central.cabeceras(),
            timeout=60,
        ).json()
        if modo == "incompleta":
            pagina["completo"] = False
        else:  # una sola fila con el precio como número de coma flotante
            next(c for c in pagina["cambios"] if c["id"] == "7")["datos"]["precio"] = 1.5
        proxy.texto = json.dumps(pagina)
        modo = "responder"
    proxy.fallar(modo, "/v1/instantanea", fallos=100)
    descarga = terminal.descarga(_cliente(proxy, central, cuerpo_maximo=4 * 1024 * 1024))
    descarga.actualizar_esquema()
    with pytest.raises(error, match=mensaje) as exc:
        descarga.resincronizar(esquema.modelo(PRODUCTO))
    assert "\n" not in str(exc.value)
    assert terminal.contenido() == antes
    assert terminal.cache.estado_modelo(PRODUCTO)["completo"]
    assert terminal.cola.obtener(uuid).estado == PENDIENTE
    proxy.fallar("pasar")
    resumen = descarga.resincronizar(esquema.modelo(PRODUCTO))
    assert resumen.resincronizados == [PRODUCTO]
    assert terminal.contenido() == antes
    assert terminal.cola.obtener(uuid).estado == PENDIENTE


def test_sincro_sincronizar_usa_la_instantanea(central, proxy, tmp_path):
    """De punta a punta con la CLI: la primera sincronización de una caja nueva pide la
    instantánea de cada modelo y ninguna página de la descarga completa."""
    datos = tmp_path / "caja"
    with Agente.abrir(datos) as agente:
        agente.configurar(proxy.url, central.tienda, central.terminal, central.token)
    r = sincro(datos, "sincronizar", "--una-vez")
    assert r.returncode == 0, r.stderr + r.stdout
    instantaneas = [v for v in proxy.vistas if "/v1/instantanea" in v]
    modelos = Cliente(central.url, central.token).esquema()[0].modelos
    assert sorted(v.split("modelo=")[1] for v in instantaneas) == sorted(modelos), proxy.vistas
    assert not any("/v1/cambios" in v and "cursor=" not in v for v in proxy.vistas)


def test_instantanea_por_trozos_interrumpida_empieza_de_cero(central, proxy, terminales):
    """La instantánea se aplica en trozos de ``tamano_pagina`` filas; si se interrumpe a mitad,
    la tabla sombra queda sin cursor y el siguiente pase la vacía y empieza de cero (una fila
    que sobraba en la sombra no llega a la caché). El resultado es el de la descarga por
    páginas."""
    import threading

    from agente.sincronizacion.descarga import Detenido

    terminal = terminales("a")
    descarga = terminal.descarga(_cliente(proxy, central), tamano_pagina=7)
    esquema = descarga.actualizar_esquema()
    detener = threading.Event()
    aplicar = terminal.cache.aplicar_pagina
    trozos: list[int] = []

    def aplicar_y_contar(modelo, cambios, cursor, *resto):
        trozos.append(len(cambios))
        if modelo == PRODUCTO and len(trozos) >= 2:
            detener.set()  # se pide parar tras el segundo trozo
        return aplicar(modelo, cambios, cursor, *resto)

    terminal.cache.aplicar_pagina = aplicar_y_contar
    with pytest.raises(Detenido):
        descarga.descargar(esquema, modelos=[PRODUCTO], detener=detener)
    terminal.cache.aplicar_pagina = aplicar
    config = esquema.modelo(PRODUCTO)
    estado = terminal.cache.estado_modelo(PRODUCTO)
    assert estado["reconstruyendo"] and not estado["completo"] and trozos == [7, 7]
    with sqlite3.connect(terminal.ruta / "cache.sqlite") as c:
        sombra = next(
            n
            for (n,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if n == config.tabla + "__sombra"
        )
        columnas = [f[1] for f in c.execute(f'PRAGMA table_info("{sombra}")')]
        fila = dict.fromkeys(columnas)
        fila.update(id=999_999, _version=1, nombre="sobra", codigo="x", precio="1.00", stock=0)
        c.execute(
            f'INSERT INTO "{sombra}" ({", ".join(columnas)}) VALUES '  # noqa: S608
            f"({', '.join('?' * len(columnas))})",
            [fila.get(k) for k in columnas],
        )
    resumen = descarga.descargar(esquema)
    assert not resumen.avisos and terminal.cache.estado_modelo(PRODUCTO)["completo"]
    por_paginas = terminales("b")
    _cargar(por_paginas, Cliente(central.url, central.token), instantanea=False)
    assert terminal.contenido() == por_paginas.contenido()


def test_instantanea_demasiado_grande_404_y_por_paginas(central_factory, tmp_path):
    """Por encima de ``SINCRO_INSTANTANEA_MAXIMA`` la central responde 404
    ``instantanea_no_disponible`` (y no la guarda) y la caja descarga por páginas."""
    pequena = central_factory(demo=20, entorno={"SINCRO_INSTANTANEA_MAXIMA": "2000"})
    r = requests.get(
        pequena.url + "/v1/instantanea",
        params={"modelo": PRODUCTO},
        headers=pequena.cabeceras(),
        timeout=60,
    )
    assert r.status_code == 404 and r.json()["error"] == "instantanea_no_disponible"
    terminal = _Terminal(tmp_path / "caja")
    try:
        _cargar(terminal, Cliente(pequena.url, pequena.token))
        assert terminal.cache.estado_modelo(PRODUCTO)["filas"] == 20
    finally:
        terminal.cerrar()
