"""Catálogo de la demo. Un modelo Django corriente: la sincronización no le exige nada."""

from django.db import models


class Producto(models.Model):
    nombre = models.CharField(max_length=200)
    codigo = models.CharField("código EAN-13", max_length=13, unique=True)
    precio = models.DecimalField(max_digits=10, decimal_places=2)
    stock = models.IntegerField(default=0)
    categoria = models.CharField("categoría", max_length=80, null=True, blank=True)
    descripcion = models.TextField("descripción", blank=True)
    imagen = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "producto"
        verbose_name_plural = "productos"

    def __str__(self) -> str:
        return self.nombre
