"""Datos de demostración: catálogo realista en español (EAN-13 válidos), clientes con NIF
válido, y una tienda con su terminal y stock en ella (``surtir``). Determinista para una misma
semilla. Rápido: 100 000 productos en unos segundos (``bulk_create``; la base de datos captura
cada fila)."""

from __future__ import annotations

import random
from decimal import Decimal

from central.models import Tienda
from servidor_demo.clientes.models import Cliente
from servidor_demo.productos import existencias
from servidor_demo.productos.models import Producto

CATALOGO = {
    "Alimentación": [
        "Aceite de oliva virgen extra",
        "Arroz bomba",
        "Garbanzos cocidos",
        "Lentejas pardinas",
        "Atún en aceite de oliva",
        "Tomate triturado",
        "Espaguetis",
        "Harina de trigo",
        "Azúcar blanco",
        "Sal marina",
        "Galletas María",
        "Cacao en polvo",
        "Mermelada de fresa",
        "Pimentón de la Vera",
    ],
    "Bebidas": [
        "Agua mineral",
        "Zumo de naranja",
        "Refresco de limón",
        "Cerveza tostada",
        "Vino tinto crianza",
        "Cava brut",
        "Horchata",
        "Café molido natural",
        "Infusión de manzanilla",
        "Leche de almendras",
    ],
    "Lácteos": [
        "Leche entera",
        "Leche semidesnatada",
        "Yogur natural",
        "Queso manchego curado",
        "Mantequilla",
        "Nata para cocinar",
        "Queso fresco de Burgos",
        "Kéfir",
    ],
    "Charcutería": [
        "Jamón serrano",
        "Chorizo ibérico",
        "Salchichón",
        "Lomo embuchado",
        "Pavo en lonchas",
        "Sobrasada",
    ],
    "Panadería": [
        "Pan de barra",
        "Pan de molde integral",
        "Magdalenas",
        "Picos de pan",
        "Tostadas",
        "Ensaimada",
    ],
    "Droguería": [
        "Detergente líquido",
        "Suavizante",
        "Lavavajillas a mano",
        "Lejía",
        "Limpiacristales",
        "Bayetas multiusos",
        "Papel de cocina",
        "Bolsas de basura",
    ],
    "Perfumería": [
        "Gel de ducha",
        "Champú",
        "Pasta de dientes",
        "Desodorante",
        "Crema hidratante",
        "Jabón de manos",
        "Colonia fresca",
    ],
    "Congelados": [
        "Guisantes",
        "Merluza en filetes",
        "Pizza cuatro quesos",
        "Croquetas de jamón",
        "Helado de vainilla",
        "Gambas peladas",
    ],
    "Frutería": [
        "Naranjas",
        "Manzanas golden",
        "Plátano de Canarias",
        "Tomates pera",
        "Patatas",
        "Cebollas",
        "Pimientos rojos",
        "Lechuga romana",
    ],
    "Mascotas": [
        "Pienso para perros",
        "Comida húmeda para gatos",
        "Arena para gatos",
        "Snacks dentales",
    ],
}
FORMATOS = [
    "250 g",
    "500 g",
    "1 kg",
    "2 kg",
    "200 ml",
    "330 ml",
    "1 L",
    "1,5 L",
    "2 L",
    "pack 6",
    "pack 12",
    "bandeja 400 g",
    "bote 720 g",
    "lata 3 x 80 g",
    "12 uds",
]
MARCAS = [
    "La Huerta",
    "Del Valle",
    "Sierra Nevada",
    "Costa Brava",
    "El Molino",
    "Campos de Soria",
    "Doñana",
    "Montes de Toledo",
    "Rías Baixas",
    "La Alcarria",
    "Vega Baja",
    "Picos",
    "Mar Menor",
    "Tierra de Barros",
    "El Bierzo",
    "Las Marismas",
    "Monegros",
    "Aljarafe",
]
PRECIO_BASE = {
    "Alimentación": 2.2,
    "Bebidas": 2.5,
    "Lácteos": 2.0,
    "Charcutería": 4.5,
    "Panadería": 1.4,
    "Droguería": 3.2,
    "Perfumería": 3.5,
    "Congelados": 3.8,
    "Frutería": 1.9,
    "Mascotas": 6.5,
}
LETRAS_NIF = "TRWAGMYFPDXBNJZSQVHLCKE"


def digito_control_ean13(doce: str) -> str:
    suma = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(doce))
    return str((10 - suma % 10) % 10)


def ean13(numero: int) -> str:
    """EAN-13 válido con prefijo español 84 a partir de un número (único por número)."""
    doce = f"84{numero % 10**10:010d}"
    return doce + digito_control_ean13(doce)


def nif(numero: int) -> str:
    return f"{numero:08d}{LETRAS_NIF[numero % 23]}"


def productos(n: int, semilla: int = 1) -> list[Producto]:
    azar = random.Random(semilla)
    base = azar.randrange(10**8, 10**9)
    salida = []
    categorias = list(CATALOGO)
    for i in range(n):
        categoria = categorias[i % len(categorias)]
        articulo = azar.choice(CATALOGO[categoria])
        marca = azar.choice(MARCAS)
        formato = azar.choice(FORMATOS)
        precio = Decimal(str(round(PRECIO_BASE[categoria] * azar.uniform(0.3, 3.5), 2)))
        azar.randrange(0, 250)  # era el stock: se sigue sacando para que el catálogo no cambie
        salida.append(
            Producto(
                nombre=f"{articulo} {marca} {formato}",
                codigo=ean13(base + i),
                precio=max(precio, Decimal("0.10")),
                categoria=categoria,
                descripcion=f"{articulo} de la marca {marca}, formato {formato}.",
                imagen=f"https://imagenes.ejemplo/productos/{i + 1}.jpg",
            )
        )
    return salida


def clientes(n: int, semilla: int = 1) -> list[Cliente]:
    from faker import Faker

    falso = Faker("es_ES")
    falso.seed_instance(semilla)
    azar = random.Random(semilla)
    salida = []
    for _ in range(n):
        nombre = falso.name()
        numero = azar.randrange(10**7, 10**8)
        salida.append(
            Cliente(
                id=falso.uuid4(cast_to=None),
                nombre=nombre,
                nif=nif(numero),
                email=falso.email() if azar.random() < 0.8 else None,
                telefono=falso.phone_number() if azar.random() < 0.7 else None,
                puntos=azar.randrange(0, 2000),
            )
        )
    return salida


def sembrar(n_productos: int, n_clientes: int | None = None) -> tuple[int, int]:
    """Crea los datos si la base no tiene productos. Devuelve (productos, clientes) creados."""
    if Producto.objects.exists():
        return 0, 0
    n_clientes = max(5, n_productos // 20) if n_clientes is None else n_clientes
    creados = Producto.objects.bulk_create(productos(n_productos), batch_size=5000)
    existencias.crear_que_faltan()  # bulk_create no envía señales: las de las tiendas que haya
    creados_c = Cliente.objects.bulk_create(clientes(min(n_clientes, 5000)), batch_size=2000)
    return len(creados), len(creados_c)


def surtir(tienda: str) -> int:
    """Crea la tienda ``tienda`` si falta, con una existencia por producto y una cantidad de
    demostración entre 0 y 249 (determinista por producto), en una sentencia: sin pasar por
    cantidad 0 (la señal de una tienda nueva), que con un catálogo grande escribiría cada fila
    dos veces. Devuelve cuántas existencias creó."""
    if not Tienda.objects.filter(codigo=tienda).exists():
        Tienda.objects.bulk_create([Tienda(codigo=tienda, nombre=tienda)])  # sin señales
    return existencias.crear_que_faltan(tiendas=[tienda], variar=250)
