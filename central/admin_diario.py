"""Admin del diario de ventas: la cadena de cada caja (último número, incidencias sin revisar),
los registros (sólo lectura: nunca se editan ni se borran, tampoco desde aquí; se pueden
exportar en CSV o JSON), las incidencias de la cadena (sólo se marcan como revisadas) y el
resultado de la última conciliación de caja de cada terminal y día. Lo importa
``central.admin``."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponse
from django.utils.html import format_html, format_html_join

from . import exportacion
from .models import CabezaDiario, ConciliacionDia, IncidenciaDiario, RegistroDiario


class _Terminal(admin.RelatedFieldListFilter):
    title = "caja (terminal)"


class _Forzado(admin.SimpleListFilter):
    title = "cierre forzado"
    parameter_name = "forzado"

    def lookups(self, request, model_admin):
        return (("si", "sólo cierres forzados"),)

    def queryset(self, request, queryset):
        if self.value() == "si":
            return queryset.filter(tipo="cierre").exclude(forzado="")
        return queryset


class _DeUnaCaja(admin.ModelAdmin):
    """Base de las páginas del diario: nada se añade a mano (llega de las cajas) y cada fila
    dice de qué caja es. ``se_cambia``/``se_borra``: lo que cada página permite además."""

    se_cambia = False
    se_borra = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return self.se_cambia and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.se_borra and super().has_delete_permission(request, obj)

    @admin.display(description="caja", ordering="terminal__codigo")
    def caja(self, objeto) -> str:
        return objeto.terminal.codigo


@admin.register(RegistroDiario)
class RegistroDiarioAdmin(_DeUnaCaja):
    list_display = (
        "numero",
        "serie",
        "tienda",
        "caja",
        "tipo",
        "dia",
        "total",
        "venta",
        "forzado",
        "huella_corta",
        "recibido_en",
    )
    list_filter = ("tienda", ("terminal", _Terminal), "tipo", "dia", _Forzado)
    date_hierarchy = "dia"
    search_fields = ("venta", "serie", "huella")
    list_select_related = ("terminal",)
    show_full_result_count = False
    ordering = ("terminal", "orden")
    actions = ["exportar_csv", "exportar_json"]  # noqa: RUF012
    fields = (
        "tienda",
        "caja",
        "tipo",
        "serie",
        "numero",
        "fecha",
        "dia",
        "venta",
        "total",
        "forzado",
        "huella_anterior",
        "huella",
        "contenido_texto",
        "orden",
        "recibido_en",
    )
    readonly_fields = fields

    def _descarga(self, queryset, formato: str) -> HttpResponse:
        filas = queryset.select_related("terminal").order_by("tienda", "terminal__codigo", "orden")
        if formato == "csv":
            texto, tipo = exportacion.csv_de(filas), "text/csv; charset=utf-8"
        else:
            tiendas = sorted({f.tienda for f in filas})
            texto = exportacion.json_de(filas, ",".join(tiendas), None)
            tipo = "application/json"
        respuesta = HttpResponse(texto, content_type=tipo)
        respuesta["Content-Disposition"] = f'attachment; filename="diario.{formato}"'
        return respuesta

    @admin.action(description="Exportar los registros seleccionados (CSV, para la gestoría)")
    def exportar_csv(self, request, queryset):
        return self._descarga(queryset, "csv")

    @admin.action(description="Exportar los registros seleccionados (JSON, verificable)")
    def exportar_json(self, request, queryset):
        return self._descarga(queryset, "json")

    @admin.display(description="huella")
    def huella_corta(self, registro: RegistroDiario) -> str:
        return registro.huella[:12] + "…"

    @admin.display(description="contenido sellado (bytes canónicos)")
    def contenido_texto(self, registro: RegistroDiario):
        texto = bytes(registro.contenido).decode("utf-8", errors="replace")
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>", texto)


@admin.register(IncidenciaDiario)
class IncidenciaDiarioAdmin(_DeUnaCaja):
    se_cambia = True  # sólo «revisada» (el resto es de sólo lectura)
    list_display = (
        "tipo",
        "tienda",
        "caja",
        "serie",
        "numero",
        "detalle",
        "origen",
        "detectada_en",
        "revisada",
    )
    list_filter = ("revisada", "tipo", "tienda", ("terminal", _Terminal), "origen")
    list_editable = ("revisada",)
    list_select_related = ("terminal",)
    search_fields = ("serie", "detalle")
    readonly_fields = (
        "terminal",
        "tienda",
        "serie",
        "numero",
        "tipo",
        "detalle",
        "origen",
        "detectada_en",
    )


@admin.register(ConciliacionDia)
class ConciliacionDiaAdmin(_DeUnaCaja):
    se_borra = True  # se rehace con la siguiente conciliación
    list_display = ("dia", "tienda", "caja", "cuadra", "forzado", "n_diferencias", "conciliada_en")
    list_filter = ("cuadra", "tienda", ("terminal", _Terminal), "dia")
    date_hierarchy = "dia"
    list_select_related = ("terminal",)
    fields = ("dia", "tienda", "terminal", "cuadra", "forzado", "lista", "conciliada_en")
    readonly_fields = fields

    @admin.display(description="diferencias")
    def n_diferencias(self, conciliacion: ConciliacionDia) -> int:
        return len(conciliacion.diferencias or [])

    @admin.display(description="diferencias")
    def lista(self, conciliacion: ConciliacionDia):
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((d,) for d in conciliacion.diferencias or [])),
        )


@admin.register(CabezaDiario)
class CabezaDiarioAdmin(_DeUnaCaja):
    """Dónde va la cadena de cada caja: último número recibido y cuántos registros hay."""

    list_display = ("caja", "tienda", "serie", "numero", "orden", "sin_revisar", "actualizada_en")
    list_filter = ("terminal__tienda",)
    list_select_related = ("terminal__tienda",)
    readonly_fields = ("terminal", "huella", "serie", "numero", "series", "orden", "actualizada_en")

    @admin.display(description="tienda", ordering="terminal__tienda__codigo")
    def tienda(self, cabeza: CabezaDiario) -> str:
        return cabeza.terminal.tienda.codigo

    @admin.display(description="incidencias sin revisar")
    def sin_revisar(self, cabeza: CabezaDiario) -> int:
        return IncidenciaDiario.objects.filter(terminal=cabeza.terminal, revisada=False).count()
