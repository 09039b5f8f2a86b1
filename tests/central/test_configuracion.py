"""Validación de MODELOS_SINCRONIZABLES (en un subproceso con Django real y los modelos de la
demo): cada configuración inválida se rechaza al arrancar con un mensaje que dice qué corregir."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

BUENA = {
    "clave": "id",
    "campos_esenciales": ["id", "nombre", "codigo", "precio", "stock", "categoria"],
    "campos_excluidos": ["descripcion"],
    "operaciones_permitidas": ["actualizar", "ajustar"],
}

CLIENTE = {"campos_esenciales": ["id", "nombre", "nif"]}
VENTA = {"campos_esenciales": ["id", "terminal", "cliente", "fecha", "total"],
         "dependencias": ["clientes.Cliente"]}

CASOS = {
    "buena": {"productos.Producto": BUENA},
    # La ForeignKey esencial hacia una dependencia se vuelve referencia sin declararla.
    "referencia_derivada": {"clientes.Cliente": CLIENTE, "ventas.Venta": VENTA},
    # Sin la dependencia, la ForeignKey no es referencia (el motor no la admitiría).
    "fk_sin_dependencia": {"clientes.Cliente": CLIENTE, "ventas.Venta": {
        **VENTA, "dependencias": []}},
    "referencia_explicita": {"clientes.Cliente": CLIENTE, "ventas.Venta": {
        **VENTA, "referencias": {"terminal": "clientes.Cliente"}}},
    "referencia_no_esencial": {"clientes.Cliente": CLIENTE, "ventas.Venta": {
        **VENTA, "referencias": {"tienda": "clientes.Cliente"}}},
    "referencia_fuera_de_dependencias": {"clientes.Cliente": CLIENTE, "ventas.Venta": {
        **VENTA, "referencias": {"terminal": "productos.Producto"}}},
    "modelo_con_sql": {"productos.Producto; DROP TABLE x": BUENA},
    "modelo_inexistente": {"productos.Fantasma": BUENA},
    "campo_no_identificador": {"productos.Producto": {**BUENA, "campos_esenciales": [
        "id", "nombre\"; --"]}},
    "campo_inexistente": {"productos.Producto": {**BUENA, "campos_esenciales": ["id", "peso"]}},
    "clave_no_primaria": {"productos.Producto": {**BUENA, "clave": "codigo"}},
    "esencial_y_excluido": {"productos.Producto": {**BUENA, "campos_excluidos": ["nombre"]}},
    "estrategia_mala": {"productos.Producto": {**BUENA, "estrategia_conflicto": "gana_yo"}},
    "regla_numerica_en_texto": {"productos.Producto": {**BUENA, "reglas_por_campo": {
        "nombre": "mayor_valor"}}},
    "operacion_mala": {"productos.Producto": {**BUENA, "operaciones_permitidas": ["fusionar"]}},
    "opcion_desconocida": {"productos.Producto": {**BUENA, "essential_fields": ["id"]}},
    "dependencia_fuera": {"productos.Producto": {**BUENA, "dependencias": ["clientes.Cliente"]}},
    "privado_sin_campo_tienda": {"productos.Producto": {**BUENA, "privado_por_tienda": True}},
    "busqueda_no_esencial": {"productos.Producto": {**BUENA, "campos_busqueda": ["descripcion"]}},
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
    r = subprocess.run([sys.executable, "-c", SCRIPT], input=json.dumps(CASOS),
                       capture_output=True, text=True, timeout=120, check=True)
    resultado = json.loads(r.stdout)
    estado, esquema = resultado.pop("buena")
    assert estado == "ok"
    producto = esquema["productos.Producto"]
    assert producto["tipos"] == {"id": "entero", "nombre": "texto", "codigo": "texto",
                                 "precio": "decimal", "stock": "entero", "categoria": "texto"}
    assert producto["nulos"] == ["categoria"] and len(producto["huella"]) == 64
    assert producto["referencias"] == {}
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
        "modelo_con_sql": "app.Modelo", "modelo_inexistente": "no instalado",
        "campo_no_identificador": "identificador", "campo_inexistente": "peso",
        "clave_no_primaria": "clave", "esencial_y_excluido": "excluidos",
        "estrategia_mala": "gana_yo", "regla_numerica_en_texto": "numéricos",
        "operacion_mala": "fusionar", "opcion_desconocida": "essential_fields",
        "dependencia_fuera": "clientes.Cliente", "privado_sin_campo_tienda": "tienda",
        "busqueda_no_esencial": "descripcion",
        "referencia_no_esencial": "ventas.Venta: la referencia «tienda» no es un campo esencial",
        "referencia_fuera_de_dependencias":
            "ventas.Venta.terminal: referencia a 'productos.Producto'",
    }
    for caso, texto in esperados.items():
        estado, mensaje = resultado[caso]
        assert estado == "error" and texto in mensaje, (caso, mensaje)
