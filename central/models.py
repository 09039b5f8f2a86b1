"""Tablas de la central: tiendas, terminales, registro de cambios, operaciones recibidas,
sobreventas y salud de las terminales.

Reglas de transacción:
- ``RegistroCambio`` lo escriben los disparadores que instala ``central.captura`` en las tablas de
  los modelos sincronizados, en la misma transacción que la escritura. Su ``id`` es la versión de
  fila; el orden en que se sirve lo explica ``central.descarga``.
- ``OperacionRecibida`` se escribe en la misma transacción que el efecto de la operación.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class Tienda(models.Model):
    codigo = models.CharField("código", max_length=40, unique=True)
    nombre = models.CharField(max_length=200, blank=True)
    activa = models.BooleanField(default=True)
    creada_en = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "tienda"
        verbose_name_plural = "tiendas"
        ordering = ["codigo"]  # noqa: RUF012

    def __str__(self) -> str:
        return self.codigo


class Terminal(models.Model):
    """Una caja. Su token sólo se guarda como hash SHA-256 (``token_hash``)."""

    tienda = models.ForeignKey(Tienda, on_delete=models.CASCADE, related_name="terminales")
    codigo = models.CharField("código", max_length=40)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    revocada = models.BooleanField(default=False)
    creada_en = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "terminal"
        verbose_name_plural = "terminales"
        ordering = ["tienda__codigo", "codigo"]  # noqa: RUF012
        constraints = [  # noqa: RUF012
            models.UniqueConstraint(fields=["tienda", "codigo"], name="central_terminal_unica"),
        ]

    def __str__(self) -> str:
        return f"{self.tienda_id and self.tienda.codigo}/{self.codigo}"


class RegistroCambio(models.Model):
    """Una entrada del registro de cambios.

    - ``id``: versión de la fila (crece con cada cambio del mismo objeto). En SQLite es también el
      cursor (un solo escritor: los ids salen en orden de commit).
    - ``transaccion``: en PostgreSQL, ``pg_current_xact_id()`` de quien la escribió; el cursor es
      (``transaccion``, ``id``) y sólo se sirven transacciones ya terminadas (``descarga``).
      En SQLite, 0.
    - ``cuerpo``: el final del objeto JSON que se sirve en ``/v1/cambios`` tal cual, ya
      serializado (``"id":"123","modificado_en":"…","datos":{…}}`` o ``…,"borrado":true}``), para
      que servir una página sea un recorrido de índice sin construir objetos.
    - ``vigente``: es la última entrada de su objeto. Sólo las vigentes se sirven. Los
      disparadores de captura borran la anterior al escribir una nueva; las no vigentes que
      queden (de versiones anteriores de la captura) las borra ``compactar``.
    """

    id = models.BigAutoField(primary_key=True)
    modelo = models.CharField(max_length=130)
    objeto_id = models.CharField(max_length=100)
    tienda = models.CharField(max_length=40, null=True, blank=True)
    borrado = models.BooleanField(default=False)
    vigente = models.BooleanField(default=True)
    cuerpo = models.TextField()
    modificado_en = models.DateTimeField()
    transaccion = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "cambio registrado"
        verbose_name_plural = "registro de cambios"
        indexes = [  # noqa: RUF012
            models.Index(
                fields=["modelo", "id"], condition=Q(vigente=True), name="central_rc_vigentes"
            ),
            models.Index(
                fields=["modelo", "tienda", "id"],
                condition=Q(vigente=True),
                name="central_rc_vig_tienda",
            ),
            models.Index(
                fields=["modelo", "objeto_id"], condition=Q(vigente=True), name="central_rc_objeto"
            ),
            models.Index(
                fields=["modelo", "transaccion", "id"],
                condition=Q(vigente=True),
                name="central_rc_orden",
            ),
            models.Index(
                fields=["modelo", "tienda", "transaccion", "id"],
                condition=Q(vigente=True),
                name="central_rc_orden_tienda",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.modelo} {self.objeto_id}{' (borrado)' if self.borrado else ''}"


class Horizonte(models.Model):
    """Por modelo: cursor mínimo aceptado. Sube cuando ``compactar`` elimina lápidas."""

    modelo = models.CharField(max_length=130, primary_key=True)
    cursor = models.BigIntegerField(default=0)
    actualizado_en = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "horizonte de retención"
        verbose_name_plural = "horizontes de retención"


class OperacionRecibida(models.Model):
    """Registro de idempotencia: una fila por operación aplicada (su UUID)."""

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    tienda = models.CharField(max_length=40)
    terminal = models.CharField(max_length=40)
    modelo = models.CharField(max_length=130)
    tipo = models.CharField(max_length=20)
    objeto_id = models.CharField(max_length=100)
    datos = models.JSONField(default=dict)
    resultado = models.JSONField(default=dict)
    hora_terminal = models.CharField(max_length=40, blank=True)
    desfase_ms = models.IntegerField(null=True, blank=True)
    recibida_en = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "operación recibida"
        verbose_name_plural = "operaciones recibidas"
        indexes = [  # noqa: RUF012
            models.Index(fields=["tienda", "recibida_en"], name="central_op_tienda"),
            # Las operaciones de un objeto: hora de edición de sus valores (``ediciones``).
            models.Index(fields=["modelo", "objeto_id"], name="central_op_objeto"),
        ]


class Sobreventa(models.Model):
    """Un ajuste dejó un campo numérico por debajo de cero: se registra para revisión."""

    modelo = models.CharField(max_length=130)
    objeto_id = models.CharField(max_length=100)
    campo = models.CharField(max_length=63)
    valor_resultante = models.DecimalField(max_digits=20, decimal_places=4)
    delta = models.DecimalField(max_digits=20, decimal_places=4)
    tienda = models.CharField(max_length=40)
    terminal = models.CharField(max_length=40)
    operacion = models.UUIDField()
    revisada = models.BooleanField(default=False)
    creada_en = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "sobreventa"
        verbose_name_plural = "sobreventas"


class SaludTerminal(models.Model):
    """Último contacto y estado que informa cada terminal (``POST /v1/estado``)."""

    terminal = models.OneToOneField(
        Terminal, on_delete=models.CASCADE, primary_key=True, related_name="salud"
    )
    ultimo_contacto = models.DateTimeField(null=True, blank=True)
    informado_en = models.DateTimeField(null=True, blank=True)
    pendientes = models.IntegerField(default=0)
    conflictos = models.IntegerField(default=0)
    errores = models.IntegerField(default=0)
    antiguedad_pendiente_s = models.IntegerField(default=0)
    cursores = models.JSONField(default=dict, blank=True)
    version_agente = models.CharField(max_length=40, blank=True)
    desfase_ms = models.IntegerField(null=True, blank=True)
    #: Última verificación de la caché contra la central y filas que reparó.
    verificado_en = models.DateTimeField(null=True, blank=True)
    reparadas = models.IntegerField(default=0)

    class Meta:
        verbose_name = "salud de terminal"
        verbose_name_plural = "salud de terminales"
