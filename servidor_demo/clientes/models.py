"""Clientes de la demo (clave UUID: las terminales pueden darlos de alta sin conexión)."""

import uuid

from django.db import models


class Cliente(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    nombre = models.CharField(max_length=200)
    nif = models.CharField("NIF", max_length=12)
    email = models.CharField(max_length=200, null=True, blank=True)
    telefono = models.CharField("teléfono", max_length=30, null=True, blank=True)
    puntos = models.IntegerField(default=0)

    class Meta:
        verbose_name = "cliente"
        verbose_name_plural = "clientes"
        indexes = [models.Index(fields=["nif"], name="clientes_nif")]  # noqa: RUF012

    def __str__(self) -> str:
        return self.nombre
