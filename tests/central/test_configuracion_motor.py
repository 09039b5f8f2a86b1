"""La central y la terminal validan el esquema con el mismo código (``protocolo.esquema``).

Lo que la central acepta en ``MODELOS_SINCRONIZABLES`` lo acepta la terminal tal como se sirve en
``/v1/esquema`` (ida y vuelta idéntica, huellas incluidas), y un ajuste que el motor rechazaría
hace fallar el arranque de la central con un mensaje que nombra el modelo y el valor.

Django se arranca en un subproceso (como en ``test_configuracion.py``); el motor valida aquí, en
el proceso de las pruebas, igual que lo haría una terminal.
"""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
import textwrap

import pytest

from protocolo.esquema import (
    ESTRATEGIAS,
    REGLAS,
    TIPOS_OPERACION,
    VERSION_PROTOCOLO,
    ErrorEsquema,
    esquema_desde_dict,
    huella_de,
)

SCRIPT = textwrap.dedent("""
    import json, os, sys, tempfile
    os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
    os.environ["SINCRO_CENTRAL_DATOS"] = tempfile.mkdtemp()
    import django
    django.setup()
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from central import configuracion
    ajustes = json.loads(sys.stdin.read())
    salida = []
    for ajuste in [settings.MODELOS_SINCRONIZABLES, *ajustes]:
        try:
            conf = configuracion.construir(ajuste)
            salida.append(["ok", {c.nombre: c.a_dict() for c in conf.en_orden}])
        except ImproperlyConfigured as exc:
            salida.append(["error", str(exc)])
    print(json.dumps(salida))
""")

#: Campos concretos de los modelos de la demo (con alguno que no existe).
CAMPOS = {
    "productos.Producto": [
        "id",
        "nombre",
        "codigo",
        "precio",
        "categoria",
        "descripcion",
        "imagen",
    ],
    "productos.Existencia": ["id", "tienda", "producto", "cantidad"],
    "clientes.Cliente": ["id", "nombre", "nif", "email", "telefono", "puntos"],
    "ventas.Venta": ["id", "tienda", "terminal", "cliente", "fecha", "total"],
    "ventas.LineaVenta": ["id", "venta", "tienda", "producto", "cantidad", "precio_unitario"],
}


def central(*ajustes: dict) -> tuple[list, list]:
    """Construye la configuración de la central para cada ajuste. Devuelve el resultado con el
    ajuste de la demo (``settings``) y la lista de resultados de ``ajustes``: ``["ok", modelos
    servidos]`` o ``["error", mensaje]``."""
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        input=json.dumps(ajustes),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    demo, *resto = json.loads(r.stdout)
    return demo, resto


def terminal(modelos: dict) -> dict:
    """Lo que haría una terminal con ``/v1/esquema``: validarlo con el motor (lanza
    ``ErrorEsquema``). Devuelve su forma servida de vuelta."""
    esquema = esquema_desde_dict({"version_protocolo": VERSION_PROTOCOLO, "modelos": modelos})
    return esquema.a_dict()["modelos"]


@pytest.fixture(scope="module")
def demo() -> dict:
    estado, modelos = central()[0]
    assert estado == "ok", modelos
    return modelos


def test_el_esquema_de_la_demo_lo_acepta_el_motor_sin_cambios(demo):
    assert terminal(demo) == demo
    for config in demo.values():
        assert config["huella"] == huella_de(config)


def _ajuste_de(demo: dict) -> dict:
    """``MODELOS_SINCRONIZABLES`` que da el esquema servido ``demo`` (sin lo deducido)."""
    return {
        n: {k: v for k, v in c.items() if k not in ("tipos", "nulos", "huella")}
        for n, c in demo.items()
    }


def _al_azar(azar: random.Random, ajuste: dict) -> dict:
    """Cambia al azar unas pocas opciones del ajuste por valores válidos o no."""
    ajuste = copy.deepcopy(ajuste)
    modelos = list(ajuste)
    for _ in range(azar.randint(1, 3)):
        nombre = azar.choice(modelos)
        campos = [*CAMPOS[nombre], "peso", "x; DROP TABLE y"]
        opciones = ajuste[nombre]

        def algunos(poblacion: list, n: int = 3) -> list:
            return azar.sample(poblacion, azar.randint(0, min(n, len(poblacion))))

        opcion = azar.choice(
            [
                "estrategia_conflicto",
                "reglas_por_campo",
                "operaciones_permitidas",
                "prioridad",
                "critico",
                "privado_por_tienda",
                "campos_busqueda",
                "campos_indice",
                "campos_solo_lectura",
                "campos_excluidos",
                "campos_esenciales",
                "dependencias",
                "referencias",
                "quitar_modelo",
            ]
        )
        if opcion == "quitar_modelo":
            if len(ajuste) > 1:
                del ajuste[nombre]
                modelos.remove(nombre)
            continue
        valores = {
            "estrategia_conflicto": [*ESTRATEGIAS, "gana_yo", None, 3],
            "reglas_por_campo": [
                {c: azar.choice([*REGLAS, "al_azar"]) for c in algunos(campos, 2)} for _ in range(3)
            ]
            + [["precio"]],
            "operaciones_permitidas": [algunos([*TIPOS_OPERACION, "fusionar"], 5), "crear"],
            "prioridad": [0, 7, -3, "alta", True, 2.5],
            "critico": [True, False, 1, "si"],
            "privado_por_tienda": [True, False, 0],
            "campos_busqueda": [algunos(campos), ["nombre", "nombre"]],
            "campos_indice": [algunos(campos)],
            "campos_solo_lectura": [algunos(campos)],
            "campos_excluidos": [algunos(campos, 2)],
            "campos_esenciales": [["id", *algunos(campos[1:], 5)], []],
            "dependencias": [algunos([*CAMPOS, "otros.Modelo", "sin_punto"], 2)],
            "referencias": [{c: azar.choice([*CAMPOS, 5]) for c in algunos(campos, 1)}, ["x"]],
        }[opcion]
        opciones[opcion] = azar.choice(valores)
    return ajuste


def test_lo_que_acepta_la_central_lo_acepta_el_motor(demo):
    """Cientos de ajustes al azar (semilla fija): cada uno que la central acepta pasa
    ``esquema_desde_dict`` y vuelve idéntico; ninguno hace fallar a la central con otra cosa que
    ``ImproperlyConfigured``."""
    azar = random.Random(20260)
    base = _ajuste_de(demo)
    ajustes = [_al_azar(azar, base) for _ in range(400)]
    _, resultados = central(*ajustes)
    aceptados = [modelos for estado, modelos in resultados if estado == "ok"]
    rechazados = [mensaje for estado, mensaje in resultados if estado == "error"]
    # Que la prueba no sea vacía: hay de los dos.
    assert len(aceptados) >= 40 and len(rechazados) >= 40, (len(aceptados), len(rechazados))
    for modelos in aceptados:
        assert terminal(modelos) == modelos
        for config in modelos.values():
            assert config["huella"] == huella_de(config)


# (modelo, opción, valor en el ajuste, lo que debe decir el mensaje de la central)
MALOS = [
    ("productos.Producto", "estrategia_conflicto", "gana_yo", "'gana_yo' desconocida (válidas"),
    ("productos.Producto", "reglas_por_campo", {"precio": "al_azar"}, "'al_azar' desconocida"),
    ("productos.Producto", "reglas_por_campo", {"precio": "concatenar"}, "precio: «concatenar»"),
    ("productos.Producto", "reglas_por_campo", {"descripcion": "mayor_valor"}, "«descripcion»"),
    ("productos.Producto", "reglas_por_campo", ["precio"], "reglas_por_campo"),
    ("productos.Producto", "operaciones_permitidas", ["fusionar"], "'fusionar'"),
    ("productos.Producto", "operaciones_permitidas", "crear", "'crear'"),
    ("productos.Producto", "prioridad", "alta", "'alta'"),
    ("productos.Producto", "prioridad", True, "True"),
    ("productos.Producto", "critico", "si", "«critico» debe ser true o false, no 'si'"),
    ("ventas.Venta", "privado_por_tienda", 1, "«privado_por_tienda»"),
    ("productos.Producto", "campos_busqueda", ["descripcion"], "'descripcion'"),
    ("productos.Producto", "campos_indice", ["x; DROP TABLE y"], "'x; DROP TABLE y'"),
    ("productos.Producto", "campos_solo_lectura", ["imagen"], "'imagen'"),
    ("productos.Producto", "campos_excluidos", ["nombre"], "['nombre']"),
    ("productos.Producto", "dependencias", ["sin_punto"], "'sin_punto'"),
    ("productos.Producto", "dependencias", ["otros.Modelo"], "otros.Modelo"),
    ("productos.Producto", "dependencias", "clientes.Cliente", "«dependencias»"),
    ("clientes.Cliente", "dependencias", ["ventas.Venta"], "circulares"),
    ("ventas.Venta", "referencias", {"nota": "clientes.Cliente"}, "«nota»"),
    ("ventas.Venta", "referencias", {"id": "clientes.Cliente"}, "«id»"),
    ("ventas.Venta", "referencias", {"terminal": "productos.Producto"}, "'productos.Producto'"),
    ("ventas.Venta", "referencias", ["cliente"], "«referencias»"),
]


def test_la_central_rechaza_lo_que_rechaza_el_motor(demo):
    """Cada valor malo: el motor rechaza el esquema servido con ese valor y la central rechaza
    el ajuste con el mismo valor, con un mensaje que nombra el modelo y el valor."""
    base = _ajuste_de(demo)
    ajustes = []
    for modelo, opcion, valor, _ in MALOS:
        servido = copy.deepcopy(demo)
        servido[modelo][opcion] = valor
        with pytest.raises(ErrorEsquema):
            terminal(servido)
        ajuste = copy.deepcopy(base)
        ajuste[modelo][opcion] = valor
        ajustes.append(ajuste)
    _, resultados = central(*ajustes)
    for (modelo, opcion, valor, texto), (estado, mensaje) in zip(MALOS, resultados, strict=True):
        assert estado == "error", (opcion, valor)
        assert modelo in mensaje and texto in mensaje, (opcion, valor, mensaje)


def test_estrategia_desconocida_en_ajustes_da_un_error_claro(demo):
    ajuste = _ajuste_de(demo)
    ajuste["productos.Producto"]["estrategia_conflicto"] = "la_tienda_gana"
    ((estado, mensaje),) = central(ajuste)[1]
    assert estado == "error"
    assert mensaje == (
        "productos.Producto: estrategia_conflicto 'la_tienda_gana' desconocida "
        f"(válidas: {', '.join(ESTRATEGIAS)})."
    )
