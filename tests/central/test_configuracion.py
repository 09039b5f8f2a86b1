"""Validación de MODELOS_SINCRONIZABLES (en un subproceso con Django real y los modelos de la
demo): cada configuración inválida se rechaza al arrancar con un mensaje que dice qué corregir."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

BUENA = {
    "clave": "id",
    "campos_esenciales": ["id", "nombre", "codigo", "precio", "categoria"],
    "campos_excluidos": ["descripcion"],
    "operaciones_permitidas": ["actualizar", "ajustar"],
}
# Un modelo con un campo entero (la cantidad de una existencia).
ENTERO = {
    "campos_esenciales": ["id", "tienda", "producto", "cantidad"],
    "operaciones_permitidas": ["actualizar", "ajustar"],
}

CLIENTE = {"campos_esenciales": ["id", "nombre", "nif"]}
VENTA = {
    "campos_esenciales": ["id", "terminal", "cliente", "fecha", "total"],
    "dependencias": ["clientes.Cliente"],
}

CASOS = {
    "buena": {"productos.Producto": BUENA, "productos.Existencia": ENTERO},
    # La ForeignKey esencial hacia una dependencia se vuelve referencia sin declararla.
    "referencia_derivada": {"clientes.Cliente": CLIENTE, "ventas.Venta": VENTA},
    # Sin la dependencia, la ForeignKey no es referencia (el motor no la admitiría).
    "fk_sin_dependencia": {
        "clientes.Cliente": CLIENTE,
        "ventas.Venta": {**VENTA, "dependencias": []},
    },
    "referencia_explicita": {
        "clientes.Cliente": CLIENTE,
        "ventas.Venta": {**VENTA, "referencias": {"terminal": "clientes.Cliente"}},
    },
    "referencia_no_esencial": {
        "clientes.Cliente": CLIENTE,
        "ventas.Venta": {**VENTA, "referencias": {"tienda": "clientes.Cliente"}},
    },
    "referencia_fuera_de_dependencias": {
        "clientes.Cliente": CLIENTE,
        "ventas.Venta": {**VENTA, "referencias": {"terminal": "productos.Producto"}},
    },
    "modelo_con_sql": {"productos.Producto; DROP TABLE x": BUENA},
    "modelo_inexistente": {"productos.Fantasma": BUENA},
    "campo_no_identificador": {
        "productos.Producto": {**BUENA, "campos_esenciales": ["id", 'nombre"; --']}
    },
    "campo_inexistente": {"productos.Producto": {**BUENA, "campos_esenciales": ["id", "peso"]}},
    "clave_no_primaria": {"productos.Producto": {**BUENA, "clave": "codigo"}},
    "esencial_y_excluido": {"productos.Producto": {**BUENA, "campos_excluidos": ["nombre"]}},
    "estrategia_mala": {"productos.Producto": {**BUENA, "estrategia_conflicto": "gana_yo"}},
    "regla_numerica_en_texto": {
        "productos.Producto": {**BUENA, "reglas_por_campo": {"nombre": "mayor_valor"}}
    },
    "operacion_mala": {"productos.Producto": {**BUENA, "operaciones_permitidas": ["fusionar"]}},
    "opcion_desconocida": {"productos.Producto": {**BUENA, "essential_fields": ["id"]}},
    "dependencia_fuera": {"productos.Producto": {**BUENA, "dependencias": ["clientes.Cliente"]}},
    "privado_sin_campo_tienda": {"productos.Producto": {**BUENA, "privado_por_tienda": True}},
    "busqueda_no_esencial": {"productos.Producto": {**BUENA, "campos_busqueda": ["descripcion"]}},
    # Reglas de negocio: las declaradas estrechan las de la columna, nunca las ensanchan.
    "restricciones_declaradas": {
        "productos.Producto": {
            **BUENA,
            "restricciones": {
                "precio": {"minimo": "0", "operaciones": []},
                "nombre": {"longitud_maxima": 50},
            },
        },
        "productos.Existencia": {
            **ENTERO,
            "restricciones": {
                "cantidad": {"delta_minimo": -5, "delta_maximo": 5, "operaciones": ["ajustar"]},
            },
        },
    },
    "longitud_mayor_que_la_columna": {
        "productos.Producto": {**BUENA, "restricciones": {"nombre": {"longitud_maxima": 500}}}
    },
    "maximo_mayor_que_la_columna": {
        "productos.Existencia": {**ENTERO, "restricciones": {"cantidad": {"maximo": 2**40}}}
    },
    "ajustar_en_texto": {
        "productos.Producto": {**BUENA, "restricciones": {"nombre": {"operaciones": ["ajustar"]}}}
    },
    "minimo_en_texto": {
        "productos.Producto": {**BUENA, "restricciones": {"nombre": {"minimo": 1}}}
    },
    "restriccion_desconocida": {
        "productos.Existencia": {**ENTERO, "restricciones": {"cantidad": {"positivo": True}}}
    },
    "restriccion_no_esencial": {
        "productos.Producto": {**BUENA, "restricciones": {"descripcion": {"longitud_maxima": 5}}}
    },
    "minimo_mayor_que_maximo": {
        "productos.Existencia": {
            **ENTERO,
            "restricciones": {"cantidad": {"minimo": 10, "maximo": 5}},
        }
    },
    "campo_terminal_escribible": {
        "clientes.Cliente": CLIENTE,
        "ventas.Venta": {**VENTA, "campo_terminal": "terminal"},
    },
}

SCRIPT = textwrap.dedent("""
    import json, os, sys, tempfile
    os.environ["DJANGO_SETTINGS_MODULE"] = "servidor_demo.settings"
    os.environ["SINCRO_CENTRAL_DATOS"] = tempfile.mkdtemp()
    import django
    django.setup()
    from django.core.exceptions import ImproperlyConfigured
    from central import configuracion
    salida = {}
    for nombre, ajuste in json.loads(sys.stdin.read()).items():
        try:
            conf = configuracion.construir(ajuste)
            salida[nombre] = ["ok", {n: c.a_dict() for n, c in conf.modelos.items()}]
        except ImproperlyConfigured as exc:
            salida[nombre] = ["error", str(exc)]
    print(json.dumps(salida))
""")


def test_configuraciones_invalidas_se_rechazan_con_motivo():
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        input=json.dumps(CASOS),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    resultado = json.loads(r.stdout)
    estado, esquema = resultado.pop("buena")
    assert estado == "ok"
    producto = esquema["productos.Producto"]
    assert producto["tipos"] == {
        "id": "entero",
        "nombre": "texto",
        "codigo": "texto",
        "precio": "decimal",
        "categoria": "texto",
    }
    assert producto["nulos"] == ["categoria"] and len(producto["huella"]) == 64
    assert producto["referencias"] == {}
    # Sin declarar nada: las de cada columna, y ningún campo admite «ajustar».
    assert producto["restricciones"]["nombre"] == {
        "requerido": True,
        "longitud_maxima": 200,
        "operaciones": ["actualizar", "crear"],
    }
    assert producto["restricciones"]["precio"] == {
        "requerido": True,
        "minimo": "-99999999.99",
        "maximo": "99999999.99",
        "decimales": 2,
        "digitos": 10,
        "operaciones": ["actualizar", "crear"],
    }
    existencia = esquema["productos.Existencia"]
    assert existencia["tipos"] == {
        "id": "texto",
        "tienda": "texto",
        "producto": "entero",
        "cantidad": "entero",
    }
    assert existencia["restricciones"]["cantidad"] == {
        "minimo": -(2**31),
        "maximo": 2**31 - 1,
        "operaciones": ["actualizar", "crear"],
    }
    declaradas = resultado.pop("restricciones_declaradas")[1]
    assert declaradas["productos.Existencia"]["restricciones"]["cantidad"] == {
        "minimo": -(2**31),
        "maximo": 2**31 - 1,
        "delta_minimo": -5,
        "delta_maximo": 5,
        "operaciones": ["ajustar"],
    }
    declaradas = declaradas["productos.Producto"]
    assert declaradas["restricciones"]["precio"]["operaciones"] == []
    assert declaradas["restricciones"]["precio"]["minimo"] == "0"
    assert declaradas["restricciones"]["nombre"]["longitud_maxima"] == 50
    referencias = {
        caso: resultado.pop(caso)[1]["ventas.Venta"]["referencias"]
        for caso in ("referencia_derivada", "fk_sin_dependencia", "referencia_explicita")
    }
    assert referencias == {
        "referencia_derivada": {"cliente": "clientes.Cliente"},
        "fk_sin_dependencia": {},
        "referencia_explicita": {"cliente": "clientes.Cliente", "terminal": "clientes.Cliente"},
    }
    esperados = {
        "modelo_con_sql": "app.Modelo",
        "modelo_inexistente": "no instalado",
        "campo_no_identificador": "identificador",
        "campo_inexistente": "peso",
        "clave_no_primaria": "clave",
        "esencial_y_excluido": "excluidos",
        "estrategia_mala": "gana_yo",
        "regla_numerica_en_texto": "numéricos",
        "operacion_mala": "fusionar",
        "opcion_desconocida": "essential_fields",
        "dependencia_fuera": "clientes.Cliente",
        "privado_sin_campo_tienda": "tienda",
        "busqueda_no_esencial": "descripcion",
        "referencia_no_esencial": "ventas.Venta: la referencia «tienda» no es un campo esencial",
        "referencia_fuera_de_dependencias": "ventas.Venta.terminal: referencia a 'productos.Producto'",  # noqa: E501
        "longitud_mayor_que_la_columna": "«longitud_maxima» 500 va más allá",
        "maximo_mayor_que_la_columna": "«maximo» 1099511627776 va más allá",
        "ajustar_en_texto": "«ajustar» sólo se aplica a campos numéricos",
        "minimo_en_texto": "«minimo» sólo se aplica a campos numéricos",
        "restriccion_desconocida": "restricciones desconocidas: positivo",
        "restriccion_no_esencial": "«descripcion», que no es un campo esencial",
        "minimo_mayor_que_maximo": "«minimo» (10) es mayor que «maximo» (5)",
        "campo_terminal_escribible": "«campos_solo_lectura»",
    }
    for caso, texto in esperados.items():
        estado, mensaje = resultado[caso]
        assert estado == "error" and texto in mensaje, (caso, mensaje)
