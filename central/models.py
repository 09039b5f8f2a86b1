"""Tablas de la central: tiendas, terminales, registro de cambios, operaciones recibidas,
sobreventas, salud de las terminales y el diario de ventas encadenado de cada terminal.

Reglas de transacción:
- ``RegistroCambio`` lo escriben los disparadores que instala ``central.captura`` en las tablas de
  los modelos sincronizados, en la misma transacción que la escritura. Su ``id`` es la versión de
  fila; el orden en que se sirve lo explica ``central.descarga``.
- ``OperacionRecibida`` se escribe en la misma transacción que el efecto de la operación.
- ``RegistroDiario``, ``IncidenciaDiario`` y ``CabezaDiario`` de una terminal se escriben juntos
  en la transacción de una petición ``POST /v1/diario`` (``central.diario``), con la cabeza
  bloqueada.
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
    #: Token emitido con un código de enrolamiento y aún sin usar: el primer uso lo pasa a
    #: ``token_hash`` (y el anterior deja de valer). Ver ``central.acciones``.
    token_nuevo_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
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
        # Cuatro índices (con la clave primaria): cada entrada escrita los actualiza todos, así
        # que cada uno sirve a más de una consulta. Los modelos públicos guardan ``tienda`` NULL
        # y se consultan con ``tienda IS NULL``: el mismo índice sirve a públicos y privados.
        # - ``central_rc_vig_tienda``: descarga completa, modelo a modelo por ``id``.
        # - ``central_rc_orden_tienda``: descarga incremental en orden de commit.
        # - ``central_rc_objeto``: la entrada vigente de un objeto (la que borra el disparador al
        #   escribir la siguiente; conflictos).
        indexes = [  # noqa: RUF012
            models.Index(
                fields=["modelo", "tienda", "id"],
                condition=Q(vigente=True),
                name="central_rc_vig_tienda",
            ),
            models.Index(
                fields=["modelo", "objeto_id"], condition=Q(vigente=True), name="central_rc_objeto"
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
    #: Nivel («verde», «ambar», «rojo») del último aviso enviado al webhook (``central.avisos``).
    nivel_avisado = models.CharField(max_length=10, default="verde")

    class Meta:
        verbose_name = "salud de terminal"
        verbose_name_plural = "salud de terminales"


class CabezaDiario(models.Model):
    """Dónde va la cadena del diario de una terminal (``protocolo.diario.Punto`` del último
    registro guardado). Es también el cerrojo de su cadena: quien guarda registros de la
    terminal bloquea esta fila hasta su commit (``select_for_update`` en PostgreSQL; en SQLite el
    escritor único), así que dos peticiones de la misma caja nunca se verifican a la vez."""

    terminal = models.OneToOneField(
        Terminal, on_delete=models.PROTECT, primary_key=True, related_name="cabeza_diario"
    )
    huella = models.CharField(max_length=64, default="0" * 64)
    serie = models.CharField(max_length=64, blank=True)
    numero = models.BigIntegerField(default=0)
    series = models.JSONField(default=dict, blank=True)
    orden = models.BigIntegerField("registros guardados", default=0)
    actualizada_en = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "cabeza del diario"
        verbose_name_plural = "cabezas del diario"


class RegistroDiario(models.Model):
    """Un registro del diario de ventas de una terminal, tal como llegó.

    ``contenido`` son los bytes canónicos (``protocolo.diario.canonico``) guardados tal cual: la
    verificación completa (``central.cadena``) recorre la cadena de cada terminal por ``orden``
    (el orden de llegada, que es el de la cadena) sin volver a leer JSON. El resto de columnas
    son copias para filtrar, exportar y conciliar. Se guardan todos los registros bien formados,
    también los que tienen incidencias: son la prueba. Nunca se editan ni se borran.
    """

    id = models.BigAutoField(primary_key=True)
    # Sin índice propio: el único (terminal, orden) ya empieza por la terminal, y así la base
    # lee cada cadena en orden por él (con otro índice elegía ordenar en disco).
    terminal = models.ForeignKey(
        Terminal, on_delete=models.PROTECT, related_name="diario", db_index=False
    )
    tienda = models.CharField(max_length=40)
    orden = models.BigIntegerField()
    tipo = models.CharField(max_length=20)
    serie = models.CharField(max_length=64)
    numero = models.BigIntegerField("número")
    fecha = models.CharField(max_length=64)
    dia = models.DateField("día", null=True, blank=True)
    venta = models.CharField(max_length=64, blank=True)
    total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    #: En un cierre forzado, quién y por qué («Marta: sin red»); vacío en los demás.
    forzado = models.CharField("cierre forzado", max_length=300, blank=True)
    huella_anterior = models.CharField(max_length=64)
    huella = models.CharField(max_length=64)
    contenido = models.BinaryField()
    recibido_en = models.DateTimeField()

    class Meta:
        verbose_name = "registro del diario"
        verbose_name_plural = "diario de ventas"
        constraints = [  # noqa: RUF012
            models.UniqueConstraint(fields=["terminal", "orden"], name="central_diario_orden"),
            models.UniqueConstraint(
                fields=["terminal", "serie", "numero", "huella"], name="central_diario_unico"
            ),
        ]
        indexes = [  # noqa: RUF012
            models.Index(fields=["tienda", "dia"], name="central_diario_dia"),
            models.Index(fields=["terminal", "serie", "numero"], name="central_diario_numero"),
        ]

    def __str__(self) -> str:
        return f"{self.tienda} {self.serie} nº {self.numero}"


class IncidenciaDiario(models.Model):
    """Un punto donde la cadena de una terminal no cuadra (``protocolo.diario.Incidencia``),
    detectado al recibir o por ``verificar-diario``. Sólo se marca como revisada."""

    ORIGENES = (("recepcion", "al recibir"), ("verificacion", "verificación completa"))

    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, related_name="incidencias")
    tienda = models.CharField(max_length=40)
    serie = models.CharField(max_length=64)
    numero = models.BigIntegerField("número")
    tipo = models.CharField(max_length=20)
    detalle = models.CharField(max_length=300)
    origen = models.CharField(max_length=20, choices=ORIGENES, default="recepcion")
    detectada_en = models.DateTimeField(auto_now_add=True)
    revisada = models.BooleanField(default=False)

    class Meta:
        verbose_name = "incidencia del diario"
        verbose_name_plural = "incidencias del diario"
        indexes = [  # noqa: RUF012
            models.Index(fields=["terminal", "serie", "numero"], name="central_incid_numero"),
        ]

    def __str__(self) -> str:
        return f"{self.tipo} {self.serie} nº {self.numero}"


class ConciliacionDia(models.Model):
    """Resultado de la última conciliación (``sincro-central conciliar``) de una terminal y un
    día: lo esperado (su cierre), lo recibido (el diario) y las ventas de las tablas de negocio.
    Se reescribe en cada conciliación de ese día."""

    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, related_name="conciliaciones")
    tienda = models.CharField(max_length=40)
    dia = models.DateField("día")
    cuadra = models.BooleanField(default=False)
    diferencias = models.JSONField(default=list, blank=True)
    forzado = models.CharField("cierre forzado", max_length=300, blank=True)
    resumen = models.JSONField(default=dict, blank=True)
    conciliada_en = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "conciliación de caja"
        verbose_name_plural = "conciliaciones de caja"
        constraints = [  # noqa: RUF012
            models.UniqueConstraint(fields=["terminal", "dia"], name="central_conciliacion_dia"),
        ]

    def __str__(self) -> str:
        return f"{self.tienda} {self.dia}"


class AccionTerminal(models.Model):
    """Una acción pedida desde el admin para una terminal (``central.acciones``).

    Se entrega en la respuesta de ``POST /v1/estado`` (``entregada_en``: la primera vez) hasta
    que la terminal la confirma con ``POST /v1/acciones/<id>/hecha`` (``hecha_en``)."""

    RESINCRONIZAR = "resincronizar"
    TIPOS = ((RESINCRONIZAR, "resincronizar un modelo"),)

    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="acciones")
    tipo = models.CharField(max_length=20, choices=TIPOS, default=RESINCRONIZAR)
    modelo = models.CharField(
        max_length=130, blank=True, help_text="Vacío: todos los modelos de la terminal."
    )
    pedida_en = models.DateTimeField(auto_now_add=True)
    pedida_por = models.CharField(max_length=150, blank=True)
    entregada_en = models.DateTimeField(null=True, blank=True)
    hecha_en = models.DateTimeField(null=True, blank=True)
    resultado = models.CharField(max_length=20, blank=True)
    detalle = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "acción remota"
        verbose_name_plural = "acciones remotas"
        ordering = ["-pedida_en"]  # noqa: RUF012
        indexes = [  # noqa: RUF012
            models.Index(
                fields=["terminal"], condition=Q(hecha_en=None), name="central_accion_pendiente"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} {self.modelo or '(todos)'} en {self.terminal}"


class CodigoEnrolamiento(models.Model):
    """Código de un solo uso y corta vida para que una terminal obtenga un token nuevo
    (``sincro enrolar CÓDIGO``). Sólo se guarda su hash; ``usado_en`` se marca al canjearlo,
    en la misma transacción que el token nuevo."""

    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="codigos")
    codigo_hash = models.CharField(max_length=64, unique=True, editable=False)
    creado_en = models.DateTimeField(auto_now_add=True)
    creado_por = models.CharField(max_length=150, blank=True)
    caduca_en = models.DateTimeField()
    usado_en = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "código de enrolamiento"
        verbose_name_plural = "códigos de enrolamiento"
        ordering = ["-creado_en"]  # noqa: RUF012
