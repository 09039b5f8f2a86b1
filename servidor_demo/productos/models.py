"""Catálogo de la demo: productos (de toda la cadena) y sus existencias en cada tienda.

El stock no es un campo del producto: cada tienda tiene su fila ``Existencia`` por producto,
privada de la tienda (``privado_por_tienda``), para que una venta en una tienda no se sirva a las
cajas de las demás. Cómo llega a existir cada fila: ``servidor_demo.productos.existencias``.
"""

from django.db import models

from protocolo import existencias


class Producto(models.Model):
    nombre = models.CharField(max_length=200)
    codigo = models.CharField("código EAN-13", max_length=13, unique=True)
    precio = models.DecimalField(max_digits=10, decimal_places=2)
    categoria = models.CharField("categoría", max_length=80, null=True, blank=True)
    descripcion = models.TextField("descripción", blank=True)
    imagen = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "producto"
        verbose_name_plural = "productos"

    def __str__(self) -> str:
        return self.nombre


class Existencia(models.Model):
    """Unidades de un producto en una tienda. La clave (``"T001:12"``) la calcula también la
    caja (``protocolo.existencias.clave``); se fija al crear la fila y nunca cambia."""

    id = models.CharField(primary_key=True, max_length=80, editable=False)
    tienda = models.ForeignKey(
        "central.Tienda", to_field="codigo", on_delete=models.CASCADE, related_name="existencias"
    )
    producto = models.ForeignKey(Producto, on_delete=models.CASCADE, related_name="existencias")
    cantidad = models.IntegerField(default=0)

    class Meta:
        verbose_name = "existencia"
        verbose_name_plural = "existencias"
        constraints = [  # noqa: RUF012
            models.UniqueConstraint(
                fields=["tienda", "producto"], name="productos_existencia_unica"
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        if not self.id:
            self.id = existencias.clave(self.tienda_id, self.producto_id)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.tienda_id} · {self.producto_id}: {self.cantidad}"
