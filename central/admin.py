"""Admin de la central: tiendas (con su salud), terminales, registro de cambios, operaciones
recibidas, sobreventas y salud por terminal. El registro y las operaciones son de sólo lectura.
El diario de ventas y sus incidencias están en ``central.admin_diario``."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Max

from . import acciones, admin_salud
from .autenticacion import hash_token, nuevo_token
from .models import (
    Horizonte,
    OperacionRecibida,
    RegistroCambio,
    SaludTerminal,
    Sobreventa,
    Terminal,
    Tienda,
)


def _cursor_maximo() -> int:
    return RegistroCambio.objects.aggregate(m=Max("id"))["m"] or 0


def retraso_cursor(salud: SaludTerminal, maximo: int) -> int | None:
    """Cambios del registro por delante del cursor más atrasado que informó la terminal."""
    cursores = [int(c) for c in (salud.cursores or {}).values() if str(c).isdigit()]
    return maximo - min(cursores) if cursores else None


class SoloLectura(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TerminalEnLinea(admin.TabularInline):
    model = Terminal
    fields = ("codigo", "revocada", "creada_en")
    readonly_fields = ("creada_en",)
    extra = 0
    show_change_link = True


@admin.register(Tienda)
class TiendaAdmin(admin.ModelAdmin):
    list_display = ("codigo", "nombre", "activa", "ultimo_contacto", "pendientes", "retraso_maximo")
    search_fields = ("codigo", "nombre")
    inlines = [TerminalEnLinea]  # noqa: RUF012

    def _saludes(self, tienda: Tienda) -> list[SaludTerminal]:
        return list(SaludTerminal.objects.filter(terminal__tienda=tienda))

    @admin.display(description="último contacto")
    def ultimo_contacto(self, tienda: Tienda):
        return max(
            (s.ultimo_contacto for s in self._saludes(tienda) if s.ultimo_contacto), default=None
        )

    @admin.display(description="pendientes (informados)")
    def pendientes(self, tienda: Tienda) -> int:
        return sum(s.pendientes for s in self._saludes(tienda))

    @admin.display(description="retraso de cursor (cambios)")
    def retraso_maximo(self, tienda: Tienda):
        maximo = _cursor_maximo()
        retrasos = [retraso_cursor(s, maximo) for s in self._saludes(tienda)]
        retrasos = [r for r in retrasos if r is not None]
        return max(retrasos, default=None)


@admin.register(Terminal)
class TerminalAdmin(admin.ModelAdmin):
    list_display = ("codigo", "tienda", "revocada", "creada_en")
    list_filter = ("revocada", "tienda")
    search_fields = ("codigo", "tienda__codigo")
    actions = [  # noqa: RUF012
        admin_salud.revocar,
        admin_salud.resincronizar,
        admin_salud.generar_codigo,
    ]

    def save_model(self, request, obj, form, change):
        """Una terminal nueva recibe un token que nadie ve y un código de enrolamiento: la caja
        obtiene su token con ``sincro configurar --codigo CÓDIGO``."""
        if not change:
            obj.token_hash = hash_token(nuevo_token())
            super().save_model(request, obj, form, change)
            SaludTerminal.objects.get_or_create(terminal=obj)
            codigo, _ = acciones.generar_codigo(obj, por=request.user.get_username())
            messages.warning(
                request,
                f"Código de enrolamiento de {obj}: {codigo} (un solo uso). En la caja: "
                f"sincro configurar --servidor … --tienda {obj.tienda.codigo} "
                f"--terminal {obj.codigo} --codigo {codigo}",
            )
        else:
            super().save_model(request, obj, form, change)


@admin.register(SaludTerminal)
class SaludTerminalAdmin(SoloLectura):
    list_display = (
        "terminal",
        "tienda",
        "ultimo_contacto",
        "pendientes",
        "conflictos",
        "errores",
        "antiguedad_pendiente_s",
        "retraso",
        "desfase_ms",
        "version_agente",
    )
    list_select_related = ("terminal__tienda",)

    @admin.display(description="tienda")
    def tienda(self, salud: SaludTerminal):
        return salud.terminal.tienda.codigo

    @admin.display(description="retraso de cursor")
    def retraso(self, salud: SaludTerminal):
        return retraso_cursor(salud, _cursor_maximo())


@admin.register(RegistroCambio)
class RegistroCambioAdmin(SoloLectura):
    list_display = ("id", "modelo", "objeto_id", "tienda", "borrado", "vigente", "modificado_en")
    list_filter = ("modelo", "borrado", "vigente")
    search_fields = ("objeto_id",)
    show_full_result_count = False


@admin.register(OperacionRecibida)
class OperacionRecibidaAdmin(SoloLectura):
    list_display = ("uuid", "tienda", "terminal", "modelo", "tipo", "objeto_id", "recibida_en")
    list_filter = ("tienda", "modelo", "tipo")
    search_fields = ("uuid", "objeto_id")
    show_full_result_count = False


_SOBREVENTA = ("modelo", "objeto_id", "campo", "valor_resultante", "delta", "tienda", "terminal")
"""Qué se vendió de más y quién: se ve en la lista y no se cambia en la ficha."""


@admin.register(Sobreventa)
class SobreventaAdmin(admin.ModelAdmin):
    list_display = (*_SOBREVENTA, "revisada", "creada_en")
    list_filter = ("revisada", "tienda")
    list_editable = ("revisada",)
    readonly_fields = (*_SOBREVENTA, "operacion", "creada_en")


@admin.register(Horizonte)
class HorizonteAdmin(SoloLectura):
    list_display = ("modelo", "cursor", "actualizado_en")


admin_salud.instalar(admin.site, SaludTerminalAdmin)

from . import admin_diario  # noqa: E402, F401  (registra el diario de ventas en el admin)
