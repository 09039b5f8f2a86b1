"""Ventas de la demo: privadas de cada tienda, con claves UUID creadas en las terminales."""

import uuid

from django.db import models


class Venta(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    tienda = models.ForeignKey(
        "central.Tienda", to_field="codigo", on_delete=models.PROTECT, related_name="ventas"
    )
    terminal = models.CharField(max_length=40)
    cliente = models.ForeignKey(
        "clientes.Cliente", null=True, blank=True, on_delete=models.PROTECT, related_name="ventas"
    )
    fecha = models.DateTimeField()
    total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "venta"
        verbose_name_plural = "ventas"

    def __str__(self) -> str:
        return f"{self.tienda_id} {self.fecha:%Y-%m-%d %H:%M} {self.total}"


class LineaVenta(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    venta = models.ForeignKey(Venta, on_delete=models.CASCADE, related_name="lineas")
    # Copia de la tienda de la venta (no esencial): la fija la central para la privacidad.
    tienda = models.ForeignKey(
        "central.Tienda", to_field="codigo", on_delete=models.PROTECT, related_name="+"
    )
    producto = models.ForeignKey("productos.Producto", on_delete=models.PROTECT, related_name="+")
    cantidad = models.IntegerField()
    precio_unitario = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "línea de venta"
        verbose_name_plural = "líneas de venta"
