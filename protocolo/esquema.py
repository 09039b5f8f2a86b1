"""Configuración de modelos sincronizables: validación estricta, reglas de negocio por campo y
validación de los datos de cada operación.

Es el equivalente validado de ``MODELOS_SINCRONIZABLES`` de la central. La central lo
sirve en ``GET /v1/esquema``; el motor lo valida aquí antes de que ningún nombre toque SQL y lo
guarda en la caché para poder arrancar sin conexión. ``ConfigModelo.validar_datos`` es la misma
comprobación en los dos lados: la terminal la aplica al encolar y la central al recibir (los
valores, con el normalizador único de ``protocolo.valores``; las reglas, las de
``protocolo.restricciones``).

Puro: sin E/S, sin estado global; seguro desde cualquier hilo (los objetos son inmutables).
"""

from __future__ import annotations

import functools
import graphlib
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errores import ErrorEsquema, ErrorValor
from .restricciones import SIN_REGLAS, ReglasCampo, reglas_desde_dict
from .valores import (  # noqa: F401 (se reexportan: el normalizador único vive en valores)
    ENTERO_MAX,
    ENTERO_MIN,
    LIMITE_BYTES_DATOS,
    TIPOS_CAMPO,
    comprobar_resultado,
    normalizar_delta,
    normalizar_valor,
    tamano_datos,
)

VERSION_PROTOCOLO = 1

ESTRATEGIAS = ("ultima_modificacion", "campo_a_campo", "manual")
REGLAS = ("mayor_valor", "menor_valor", "concatenar", "prioridad_central", "ultima_modificacion")
TIPOS_OPERACION = ("crear", "actualizar", "borrar", "ajustar")
TIPOS_NUMERICOS = ("entero", "decimal")

#: Identificador seguro para SQL (campos; también lo usa la central para tiendas y terminales).
#: ``\Z`` y no ``$``: ``$`` también casa antes de un salto de línea final («precio\n»).
IDENTIFICADOR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}\Z")
#: «app.Modelo» con dos identificadores seguros.
NOMBRE_MODELO = re.compile(r"^([A-Za-z_][A-Za-z0-9_]{0,62})\.([A-Za-z_][A-Za-z0-9_]{0,62})\Z")
#: Nombres de campo que la caché no puede usar como columna (en minúsculas: SQLite no distingue
#: mayúsculas en los identificadores): la versión de cada fila, los alias de ``rowid`` (la
#: búsqueda une la FTS por ``rowid``) y las columnas reservadas de FTS5.
CAMPOS_RESERVADOS = frozenset({"_version", "rowid", "oid", "_rowid_", "rank"})

#: ``nombre_visible``, ``campo_titulo`` y ``etiquetas`` (opcionales) sólo dicen cómo nombrar
#: un objeto y sus campos ante personas («Producto «Pan»», «Precio de venta»): no cambian qué se
#: sincroniza ni cómo, así que no entran en la huella.
OPCIONES_PRESENTACION = ("nombre_visible", "campo_titulo", "etiquetas")

#: Campos que, si son esenciales, titulan un objeto cuando el esquema no dice ``campo_titulo``
#: (la central los usa para deducirlo; la terminal, con una central que no lo sirve).
CAMPOS_TITULO = ("nombre", "titulo", "razon_social", "descripcion", "etiqueta")

#: Opciones de la configuración JSON de un modelo (la forma de ``ConfigModelo.a_dict``).
OPCIONES_MODELO = frozenset(
    {
        "clave",
        "campos_esenciales",
        "campos_excluidos",
        "tipos",
        "nulos",
        "campos_solo_lectura",
        "campos_busqueda",
        "campos_indice",
        "critico",
        "estrategia_conflicto",
        "reglas_por_campo",
        "prioridad",
        "operaciones_permitidas",
        "dependencias",
        "referencias",
        "privado_por_tienda",
        "huella",
        "restricciones",
        *OPCIONES_PRESENTACION,
    }
)


def validar_identificador(nombre: Any, que: str = "campo") -> str:
    """Devuelve ``nombre`` si es un identificador seguro para SQL; si no, ``ErrorEsquema``."""
    if not isinstance(nombre, str) or not IDENTIFICADOR.match(nombre):
        raise ErrorEsquema(
            f"Nombre de {que} no válido: {nombre!r} (sólo letras, dígitos y _, sin empezar por "
            "dígito, hasta 63 caracteres)."
        )
    return nombre


def validar_nombre_modelo(nombre: Any) -> str:
    """Devuelve ``nombre`` si tiene la forma ``app.Modelo`` con identificadores seguros."""
    if not isinstance(nombre, str) or not NOMBRE_MODELO.match(nombre):
        raise ErrorEsquema(f"Nombre de modelo no válido: {nombre!r} (se espera «app.Modelo»).")
    return nombre


def tabla_de_modelo(nombre: str) -> str:
    """Nombre de la tabla de caché de un modelo ya validado: ``productos.Producto`` ->
    ``m_productos__producto``. Sin colisiones entre modelos válidos distintos salvo mayúsculas,
    que ``Esquema`` rechaza."""
    app, modelo = validar_nombre_modelo(nombre).split(".")
    return f"m_{app.lower()}__{modelo.lower()}"


@dataclass(frozen=True)
class ConfigModelo:
    """Configuración validada de un modelo sincronizable."""

    nombre: str
    clave: str
    campos_esenciales: tuple[str, ...]
    tipos: Mapping[str, str]
    campos_excluidos: tuple[str, ...] = ()
    nulos: frozenset[str] = frozenset()
    campos_solo_lectura: frozenset[str] = frozenset()
    campos_busqueda: tuple[str, ...] = ()
    campos_indice: tuple[str, ...] = ()
    critico: bool = False
    estrategia_conflicto: str = "manual"
    reglas_por_campo: Mapping[str, str] = field(default_factory=dict)
    prioridad: int = 0
    operaciones_permitidas: frozenset[str] = frozenset(TIPOS_OPERACION)
    dependencias: tuple[str, ...] = ()
    #: ``{campo: "app.Modelo"}``: campos esenciales que guardan la clave de un objeto de un
    #: modelo del que depende. Con ellas el envío espera sólo a ese objeto, no a todo el modelo.
    referencias: Mapping[str, str] = field(default_factory=dict)
    privado_por_tienda: bool = False
    huella: str = ""
    #: Reglas de negocio por campo (``protocolo.restricciones``); un campo sin entrada sólo
    #: tiene las de su tipo y se escribe con ``crear``/``actualizar``, nunca con ``ajustar``.
    restricciones: Mapping[str, ReglasCampo] = field(default_factory=dict)
    #: Nombre del modelo para personas («producto»); vacío si la central no lo da.
    nombre_visible: str = ""
    #: Campo esencial que titula un objeto ante personas (``nombre`` de un producto), o ``None``.
    campo_titulo: str | None = None
    #: ``{campo: "Precio de venta"}``: cómo llamar a cada campo ante personas (la central lo
    #: sirve del ``verbose_name``); un campo sin entrada se nombra con ``humanizar``.
    etiquetas: Mapping[str, str] = field(default_factory=dict)

    @property
    def tabla(self) -> str:
        return tabla_de_modelo(self.nombre)

    @functools.cached_property
    def campos_escribibles(self) -> frozenset[str]:
        """Campos que una terminal puede enviar en ``actualizar`` (ni clave ni sólo lectura)."""
        return frozenset(self.campos_esenciales) - {self.clave} - self.campos_solo_lectura

    @property
    def clave_generada_en_terminal(self) -> bool:
        return self.tipos[self.clave] == "uuid"

    def a_dict(self) -> dict[str, Any]:
        """Forma JSON, la misma que sirve la central en ``/v1/esquema``."""
        return {
            "clave": self.clave,
            "campos_esenciales": list(self.campos_esenciales),
            "campos_excluidos": list(self.campos_excluidos),
            "tipos": dict(self.tipos),
            "nulos": sorted(self.nulos),
            "campos_solo_lectura": sorted(self.campos_solo_lectura),
            "campos_busqueda": list(self.campos_busqueda),
            "campos_indice": list(self.campos_indice),
            "critico": self.critico,
            "estrategia_conflicto": self.estrategia_conflicto,
            "reglas_por_campo": dict(self.reglas_por_campo),
            "prioridad": self.prioridad,
            "operaciones_permitidas": sorted(self.operaciones_permitidas),
            "dependencias": list(self.dependencias),
            "referencias": dict(self.referencias),
            "privado_por_tienda": self.privado_por_tienda,
            "huella": self.huella,
            **(
                {"restricciones": {c: r.a_dict() for c, r in self.restricciones.items()}}
                if self.restricciones
                else {}
            ),
            **({"nombre_visible": self.nombre_visible} if self.nombre_visible else {}),
            **({"campo_titulo": self.campo_titulo} if self.campo_titulo else {}),
            **({"etiquetas": dict(self.etiquetas)} if self.etiquetas else {}),
        }

    def etiqueta(self, campo: str) -> str:
        """Cómo llamar a ``campo`` ante personas: su etiqueta o, sin ella, ``humanizar``."""
        return self.etiquetas.get(campo) or humanizar(campo)

    @property
    def campo_que_titula(self) -> str | None:
        """``campo_titulo`` o, si el esquema no lo dice, el primer campo esencial de
        ``CAMPOS_TITULO`` que no es la clave; ``None`` si el modelo no tiene título."""
        if self.campo_titulo:
            return self.campo_titulo
        return next(
            (c for c in CAMPOS_TITULO if c in self.campos_esenciales and c != self.clave), None
        )

    @property
    def nombre_para_personas(self) -> str:
        """«Producto», nunca «productos.Producto»: ``nombre_visible`` o, sin él, la última parte
        del nombre técnico; con mayúscula."""
        return humanizar(self.nombre_visible or self.nombre.rsplit(".", 1)[-1])

    def reglas(self, campo: str) -> ReglasCampo:
        """Las reglas declaradas de ``campo`` (las de por defecto si no declara ninguna)."""
        return self.restricciones.get(campo, SIN_REGLAS)

    # -- valores ---------------------------------------------------------------------------

    def validar_datos(self, tipo_operacion: str, datos: Any) -> dict[str, Any]:
        """Valida y normaliza los ``datos`` de una operación de este modelo con las reglas
        declaradas (las mismas que aplica la central: lo que ésta rechazaría por su forma o
        su valor se rechaza aquí).

        Devuelve un dict nuevo con los valores normalizados (decimales como cadena canónica,
        UUID en minúsculas...). Lanza ``ErrorValor`` con un mensaje que dice qué corregir.
        Un ``crear`` puede omitir la clave si se genera en la terminal (la pone quien encola).
        """
        if tipo_operacion not in TIPOS_OPERACION:
            raise ErrorValor(
                f"Tipo de operación desconocido: {tipo_operacion!r}. "
                f"Tipos válidos: {', '.join(TIPOS_OPERACION)}."
            )
        if tipo_operacion not in self.operaciones_permitidas:
            raise ErrorValor(
                f"El modelo {self.nombre} no admite operaciones «{tipo_operacion}» desde las "
                f"tiendas (admite: {', '.join(sorted(self.operaciones_permitidas)) or 'ninguna'})."
            )
        if not isinstance(datos, Mapping):
            raise ErrorValor("Los datos de la operación deben ser un objeto JSON {campo: valor}.")
        if tipo_operacion == "borrar":
            if datos:
                raise ErrorValor("Una operación «borrar» no lleva datos.")
            return {}
        tamano = tamano_datos(datos, LIMITE_BYTES_DATOS)
        if tamano > LIMITE_BYTES_DATOS:
            raise ErrorValor(
                f"Los datos de la operación ocupan {tamano // 1024} KiB; el máximo es "
                f"{LIMITE_BYTES_DATOS // 1024} KiB."
            )
        permitidos = set(self.campos_escribibles)
        if tipo_operacion == "crear" and self.clave_generada_en_terminal:
            permitidos.add(self.clave)
        normalizados: dict[str, Any] = {}
        for campo, valor in datos.items():
            if campo not in self.tipos:
                raise ErrorValor(
                    f"El modelo {self.nombre} no tiene el campo «{str(campo)[:60]}» "
                    f"(campos: {', '.join(self.campos_esenciales)})."
                )
            if campo not in permitidos:
                raise ErrorValor(f"El campo «{campo}» de {self.nombre} no se puede escribir.")
            if campo != self.clave and tipo_operacion not in self.reglas(campo).operaciones:
                raise ErrorValor(self._aviso_operacion(campo, tipo_operacion))
            if tipo_operacion == "ajustar":
                normalizados[campo] = normalizar_delta(
                    self.tipos[campo], valor, campo, self.reglas(campo)
                )
            else:
                normalizados[campo] = self.normalizar_valor(campo, valor)
        if tipo_operacion == "crear":
            faltan = [
                c for c in self.campos_requeridos if normalizados.get(c) is None and c != self.clave
            ]
            if faltan:
                raise ErrorValor(
                    f"Falta el campo obligatorio «{faltan[0]}» para crear {self.nombre}."
                )
        elif not normalizados:
            raise ErrorValor(f"Una operación «{tipo_operacion}» necesita al menos un campo.")
        return normalizados

    def _aviso_operacion(self, campo: str, tipo_operacion: str) -> str:
        permitidas = self.reglas(campo).operaciones
        if tipo_operacion == "ajustar":
            return f"El campo «{campo}» de {self.nombre} no se puede ajustar" + (
                " (sólo se ajustan los campos numéricos que lo declaran)."
                if permitidas
                else " ni escribir desde las tiendas."
            )
        if not permitidas:
            return f"El campo «{campo}» de {self.nombre} no se puede escribir desde las tiendas."
        return (
            f"El campo «{campo}» de {self.nombre} no admite «{tipo_operacion}» "
            f"(admite: {', '.join(sorted(permitidas))})."
        )

    @functools.cached_property
    def campos_requeridos(self) -> tuple[str, ...]:
        """Campos que un ``crear`` debe traer (sin contar los de sólo lectura: los pone la
        central)."""
        return tuple(
            c
            for c in self.campos_esenciales
            if self.reglas(c).requerido and c not in self.campos_solo_lectura
        )

    @functools.cached_property
    def campos_ajustables(self) -> frozenset[str]:
        """Campos que admiten ``ajustar`` (numéricos que lo declaran y escribibles)."""
        return frozenset(
            c for c in self.campos_escribibles if "ajustar" in self.reglas(c).operaciones
        )

    def normalizar_valor(self, campo: str, valor: Any) -> Any:
        return normalizar_valor(
            self.tipos[campo], valor, campo, campo in self.nulos, self.reglas(campo)
        )

    def comprobar_ajuste(self, campo: str, resultado: Any) -> None:
        """``ErrorValor`` si el valor que deja un ``ajustar`` se sale de los límites."""
        comprobar_resultado(self.tipos[campo], campo, resultado, self.reglas(campo))


def _lista_de_identificadores(config: Mapping[str, Any], clave: str, modelo: str) -> tuple:
    valor = config.get(clave, [])
    if not isinstance(valor, list | tuple):
        raise ErrorEsquema(f"{modelo}: «{clave}» debe ser una lista.")
    return tuple(validar_identificador(v, f"campo en {modelo}.{clave}") for v in valor)


def huella_de(config: Mapping[str, Any]) -> str:
    """Huella estable de la configuración de un modelo (sin su propia huella ni las opciones
    de presentación)."""
    sin_huella = {
        k: v for k, v in config.items() if k != "huella" and k not in OPCIONES_PRESENTACION
    }
    texto = json.dumps(sin_huella, sort_keys=True, ensure_ascii=True, default=list)
    return hashlib.sha256(texto.encode()).hexdigest()


def config_modelo_desde_dict(nombre: str, config: Any) -> ConfigModelo:
    """Valida la configuración JSON de un modelo. Lanza ``ErrorEsquema`` si algo no encaja."""
    validar_nombre_modelo(nombre)
    if not isinstance(config, Mapping):
        raise ErrorEsquema(f"{nombre}: la configuración debe ser un objeto.")
    desconocidas = set(config) - OPCIONES_MODELO
    if desconocidas:
        raise ErrorEsquema(f"{nombre}: opciones desconocidas: {', '.join(sorted(desconocidas))}.")

    esenciales = _lista_de_identificadores(config, "campos_esenciales", nombre)
    if not esenciales:
        raise ErrorEsquema(f"{nombre}: «campos_esenciales» no puede estar vacío.")
    if len(set(c.lower() for c in esenciales)) != len(esenciales):
        raise ErrorEsquema(f"{nombre}: «campos_esenciales» tiene nombres repetidos.")
    reservados = [c for c in esenciales if c.lower() in CAMPOS_RESERVADOS]
    if reservados:
        raise ErrorEsquema(
            f"{nombre}: los campos {reservados} tienen nombres reservados por la caché de la "
            f"terminal ({', '.join(sorted(CAMPOS_RESERVADOS))}); renómbrelos o quítelos de "
            "«campos_esenciales»."
        )
    clave = validar_identificador(config.get("clave", "id"), f"clave de {nombre}")
    if clave not in esenciales:
        raise ErrorEsquema(f"{nombre}: la clave «{clave}» debe estar entre los campos esenciales.")

    tipos = config.get("tipos")
    if not isinstance(tipos, Mapping):
        raise ErrorEsquema(f"{nombre}: falta «tipos» (el tipo de cada campo esencial).")
    for campo in esenciales:
        if tipos.get(campo) not in TIPOS_CAMPO:
            raise ErrorEsquema(
                f"{nombre}.{campo}: tipo {tipos.get(campo)!r} desconocido "
                f"(válidos: {', '.join(TIPOS_CAMPO)})."
            )
    if tipos[clave] not in ("entero", "texto", "uuid"):
        raise ErrorEsquema(f"{nombre}: la clave debe ser entero, texto o uuid.")
    sobrantes = set(tipos) - set(esenciales)
    if sobrantes:
        raise ErrorEsquema(f"{nombre}: «tipos» nombra campos no esenciales: {sorted(sobrantes)}.")

    def subconjunto(clave_config: str) -> tuple[str, ...]:
        valores = _lista_de_identificadores(config, clave_config, nombre)
        fuera = [v for v in valores if v not in esenciales]
        if fuera:
            raise ErrorEsquema(
                f"{nombre}: «{clave_config}» nombra campos que no son esenciales: {fuera}."
            )
        return valores

    excluidos = _lista_de_identificadores(config, "campos_excluidos", nombre)
    solapados = set(excluidos) & set(esenciales)
    if solapados:
        raise ErrorEsquema(
            f"{nombre}: campos a la vez esenciales y excluidos: {sorted(solapados)}."
        )

    estrategia = config.get("estrategia_conflicto", "manual")
    if estrategia not in ESTRATEGIAS:
        raise ErrorEsquema(
            f"{nombre}: estrategia_conflicto {estrategia!r} desconocida "
            f"(válidas: {', '.join(ESTRATEGIAS)})."
        )
    reglas = config.get("reglas_por_campo", {})
    if not isinstance(reglas, Mapping):
        raise ErrorEsquema(f"{nombre}: «reglas_por_campo» debe ser un objeto {{campo: regla}}.")
    for campo, regla in reglas.items():
        if campo not in esenciales:
            raise ErrorEsquema(f"{nombre}: regla para «{campo}», que no es un campo esencial.")
        if regla not in REGLAS:
            raise ErrorEsquema(
                f"{nombre}.{campo}: regla {regla!r} desconocida (válidas: {', '.join(REGLAS)})."
            )
        if regla in ("mayor_valor", "menor_valor") and tipos[campo] not in (
            *TIPOS_NUMERICOS,
            "fecha",
            "fecha_hora",
            "texto",
        ):
            raise ErrorEsquema(f"{nombre}.{campo}: «{regla}» no se aplica a campos {tipos[campo]}.")
        if regla == "concatenar" and tipos[campo] != "texto":
            raise ErrorEsquema(f"{nombre}.{campo}: «concatenar» sólo se aplica a campos de texto.")

    operaciones = config.get("operaciones_permitidas", list(TIPOS_OPERACION))
    if not isinstance(operaciones, list | tuple) or any(
        o not in TIPOS_OPERACION for o in operaciones
    ):
        raise ErrorEsquema(
            f"{nombre}: «operaciones_permitidas» debe ser una lista de "
            f"{', '.join(TIPOS_OPERACION)}, no {operaciones!r}."
        )
    dependencias = config.get("dependencias", [])
    if not isinstance(dependencias, list | tuple):
        raise ErrorEsquema(f"{nombre}: «dependencias» debe ser una lista de modelos.")
    dependencias = tuple(validar_nombre_modelo(d) for d in dependencias)
    referencias = config.get("referencias", {})
    if not isinstance(referencias, Mapping):
        raise ErrorEsquema(f'{nombre}: «referencias» debe ser un objeto {{campo: "app.Modelo"}}.')
    for campo, destino in referencias.items():
        if campo not in esenciales:
            raise ErrorEsquema(
                f"{nombre}: la referencia «{campo}» no es un campo esencial; añádalo a "
                "«campos_esenciales» o quítelo de «referencias»."
            )
        if campo == clave:
            raise ErrorEsquema(f"{nombre}: la clave «{clave}» no puede ser una referencia.")
        if not isinstance(destino, str) or destino not in dependencias:
            raise ErrorEsquema(
                f"{nombre}.{campo}: referencia a {destino!r}, que no está en sus «dependencias» "
                f"({', '.join(dependencias) or 'ninguna'}); añádalo a «dependencias»."
            )
    prioridad = config.get("prioridad", 0)
    if isinstance(prioridad, bool) or not isinstance(prioridad, int):
        raise ErrorEsquema(f"{nombre}: «prioridad» debe ser un entero, no {prioridad!r}.")
    for opcion in ("critico", "privado_por_tienda"):
        if not isinstance(config.get(opcion, False), bool):
            raise ErrorEsquema(
                f"{nombre}: «{opcion}» debe ser true o false, no {config.get(opcion)!r}."
            )
    nombre_visible = config.get("nombre_visible", "")
    if (
        not isinstance(nombre_visible, str)
        or len(nombre_visible) > 100
        or any(not c.isprintable() for c in nombre_visible)
    ):
        raise ErrorEsquema(
            f"{nombre}: «nombre_visible» debe ser un texto de una línea (hasta 100 letras)."
        )
    campo_titulo = config.get("campo_titulo")
    if campo_titulo is not None and campo_titulo not in esenciales:
        raise ErrorEsquema(
            f"{nombre}: «campo_titulo» debe ser un campo esencial, no {campo_titulo!r}."
        )

    etiquetas = _etiquetas(nombre, config.get("etiquetas", {}), esenciales)

    return ConfigModelo(
        nombre=nombre,
        clave=clave,
        campos_esenciales=esenciales,
        tipos={c: tipos[c] for c in esenciales},
        campos_excluidos=excluidos,
        nulos=frozenset(subconjunto("nulos")),
        campos_solo_lectura=frozenset(subconjunto("campos_solo_lectura")),
        campos_busqueda=subconjunto("campos_busqueda"),
        campos_indice=subconjunto("campos_indice"),
        critico=config.get("critico", False),
        estrategia_conflicto=estrategia,
        reglas_por_campo=dict(reglas),
        prioridad=prioridad,
        operaciones_permitidas=frozenset(operaciones),
        dependencias=dependencias,
        referencias=dict(referencias),
        privado_por_tienda=config.get("privado_por_tienda", False),
        huella=config.get("huella") or huella_de(config),
        restricciones=_restricciones(nombre, config.get("restricciones", {}), tipos, esenciales),
        nombre_visible=nombre_visible.strip(),
        campo_titulo=campo_titulo,
        etiquetas=etiquetas,
    )


def humanizar(campo: str) -> str:
    """«precio_venta» → «Precio venta»: el nombre de un campo sin etiqueta, legible."""
    texto = str(campo).replace("_", " ").strip()
    return texto[:1].upper() + texto[1:]


def _etiquetas(nombre: str, forma: Any, esenciales: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(forma, Mapping):
        raise ErrorEsquema(f'{nombre}: «etiquetas» debe ser un objeto {{campo: "texto"}}.')
    resultado = {}
    for campo, texto in forma.items():
        if campo not in esenciales:
            raise ErrorEsquema(f"{nombre}: etiqueta para «{campo}», que no es un campo esencial.")
        if (
            not isinstance(texto, str)
            or not texto.strip()
            or texto != texto.strip()
            or len(texto) > 100
            or any(not c.isprintable() for c in texto)
        ):
            raise ErrorEsquema(
                f"{nombre}.{campo}: la etiqueta debe ser un texto de una línea (hasta 100 letras)."
            )
        resultado[campo] = texto
    return resultado


def _restricciones(
    nombre: str, forma: Any, tipos: Mapping[str, str], esenciales: tuple[str, ...]
) -> dict[str, ReglasCampo]:
    if not isinstance(forma, Mapping):
        raise ErrorEsquema(f"{nombre}: «restricciones» debe ser un objeto {{campo: reglas}}.")
    reglas = {}
    for campo, reglas_campo in forma.items():
        if campo not in esenciales:
            raise ErrorEsquema(
                f"{nombre}: restricciones para «{campo}», que no es un campo esencial."
            )
        reglas[campo] = reglas_desde_dict(nombre, campo, tipos[campo], reglas_campo)
    return reglas


@dataclass(frozen=True)
class Esquema:
    """Conjunto validado de modelos sincronizables, tal como lo sirve la central."""

    modelos: Mapping[str, ConfigModelo]
    version_protocolo: int = VERSION_PROTOCOLO

    def modelo(self, nombre: str) -> ConfigModelo:
        """La configuración de ``nombre`` o ``ErrorValor`` con la lista de modelos conocidos."""
        try:
            return self.modelos[nombre]
        except KeyError:
            raise ErrorValor(
                f"Modelo desconocido: {nombre!r}. Modelos sincronizables: "
                f"{', '.join(sorted(self.modelos)) or 'ninguno (¿falta sincronizar el esquema?)'}."
            ) from None

    def criticos(self) -> list[ConfigModelo]:
        return [m for m in self.modelos.values() if m.critico]

    def en_orden_de_descarga(self) -> list[ConfigModelo]:
        """Críticos primero; luego por prioridad declarada (menor número primero, el convenio
        de la central) y nombre."""
        return sorted(self.modelos.values(), key=lambda m: (not m.critico, m.prioridad, m.nombre))

    def a_dict(self) -> dict[str, Any]:
        return {
            "version_protocolo": self.version_protocolo,
            "modelos": {n: m.a_dict() for n, m in self.modelos.items()},
        }


def esquema_desde_dict(datos: Any) -> Esquema:
    """Valida la respuesta de ``/v1/esquema`` (o su copia local). Lanza ``ErrorEsquema``."""
    if not isinstance(datos, Mapping):
        raise ErrorEsquema("El esquema debe ser un objeto JSON.")
    version = datos.get("version_protocolo")
    if version != VERSION_PROTOCOLO:
        raise ErrorEsquema(
            f"La central habla el protocolo {version!r} y este Sincro el {VERSION_PROTOCOLO}: "
            "actualice Sincro o la central."
        )
    modelos_json = datos.get("modelos")
    if not isinstance(modelos_json, Mapping) or not modelos_json:
        raise ErrorEsquema("El esquema no declara ningún modelo sincronizable.")
    modelos = {n: config_modelo_desde_dict(n, c) for n, c in modelos_json.items()}
    comprobar_modelos(modelos)
    return Esquema(modelos=modelos, version_protocolo=version)


def comprobar_modelos(modelos: Mapping[str, ConfigModelo]) -> None:
    """Reglas entre modelos ya validados uno a uno: tablas distintas, dependencias que también
    se sincronizan y sin ciclos. Lanza ``ErrorEsquema`` (la central la usa al arrancar)."""
    tablas = [m.tabla for m in modelos.values()]
    if len(set(tablas)) != len(tablas):
        raise ErrorEsquema("Dos modelos sólo se distinguen por mayúsculas; renombre uno.")
    for modelo in modelos.values():
        for dependencia in modelo.dependencias:
            if dependencia not in modelos:
                raise ErrorEsquema(
                    f"{modelo.nombre} depende de {dependencia}, que no es sincronizable."
                )
    _comprobar_dependencias_aciclicas(modelos)


def _comprobar_dependencias_aciclicas(modelos: Mapping[str, ConfigModelo]) -> None:
    orden = graphlib.TopologicalSorter({n: m.dependencias for n, m in modelos.items()})
    try:
        orden.prepare()
    except graphlib.CycleError as exc:
        # graphlib da el ciclo de dependencia a dependiente; se muestra como «A depende de B».
        ciclo = " -> ".join(reversed(exc.args[1]))
        raise ErrorEsquema(f"Dependencias circulares entre modelos: {ciclo}.") from None
