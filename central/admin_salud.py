"""Admin de la salud y de las acciones remotas: resumen por tienda (verde, ámbar, rojo, con los
motivos en palabras de un encargado), acciones sobre terminales (resincronizar, revocar, código
de enrolamiento) y el historial de acciones y códigos. El token nunca se muestra: para dar uno
nuevo a una caja se genera un código de enrolamiento (``central.acciones``)."""

from __future__ import annotations

from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from . import acciones, configuracion, salud
from .models import AccionTerminal, CodigoEnrolamiento, SaludTerminal, Terminal

COLORES = {salud.VERDE: "#2e7d32", salud.AMBAR: "#f9a825", salud.ROJO: "#c62828"}
NOMBRES = {salud.VERDE: "Verde", salud.AMBAR: "Ámbar", salud.ROJO: "Rojo"}


def _quien(request) -> str:
    return getattr(request.user, "get_username", lambda: "")()


def insignia(nivel: str) -> str:
    return format_html(
        '<span style="color:#fff;background:{};padding:1px 8px;border-radius:8px">{}</span>',
        COLORES[nivel],
        NOMBRES[nivel],
    )


# -- acciones sobre terminales (las usa TerminalAdmin) --------------------------------------


@admin.action(description="Revocar el token (la caja deja de sincronizar al momento)")
def revocar(modeladmin, request, queryset):
    n = acciones.revocar(queryset)
    messages.info(request, f"{n} terminales revocadas: la central rechaza ya su token.")


@admin.action(description="Pedir que resincronicen todos los modelos")
def resincronizar(modeladmin, request, queryset):
    for terminal in queryset:
        acciones.pedir_resincronizacion(terminal, "", por=_quien(request))
    messages.info(
        request,
        f"Resincronización pedida a {queryset.count()} terminales; la recibirán en su próxima "
        "sincronización (véase «acciones remotas»).",
    )


@admin.action(description="Generar un código de enrolamiento (token nuevo)")
def generar_codigo(modeladmin, request, queryset):
    for terminal in queryset:
        codigo, caduca = acciones.generar_codigo(terminal, por=_quien(request))
        hora = timezone.localtime(caduca).strftime("%H:%M")
        messages.warning(
            request,
            f"Código de enrolamiento de {terminal}: {codigo} (un solo uso, caduca a las {hora}). "
            f"En la caja: sincro enrolar {codigo}",
        )


# -- salud -----------------------------------------------------------------------------------


class FiltroNivel(admin.SimpleListFilter):
    title = "nivel"
    parameter_name = "nivel"

    def lookups(self, request, model_admin):
        return [(n, NOMBRES[n]) for n in salud.NIVELES]

    def queryset(self, request, queryset):
        if self.value() not in salud.NIVELES:
            return queryset
        pks = [s.pk for s, e in salud.evaluar_todas() if e.nivel == self.value()]
        return queryset.filter(pk__in=pks)


class SaludConNivel:
    """Columnas «nivel» y «estado» para la lista de salud (evaluadas una vez por página)."""

    def get_changelist_instance(self, request):
        self._estados = {s.pk: e for s, e in salud.evaluar_todas()}
        return super().get_changelist_instance(request)

    def _estado(self, s: SaludTerminal) -> salud.Estado:
        estados = getattr(self, "_estados", None) or {}
        return estados.get(s.pk) or salud.evaluar(
            salud.datos_de(s), timezone.now(), salud.umbrales()
        )

    @admin.display(description="nivel")
    def nivel(self, s: SaludTerminal):
        return insignia(self._estado(s).nivel)

    @admin.display(description="estado")
    def estado(self, s: SaludTerminal):
        return self._estado(s).texto


def resumen_por_tienda(request, admin_site):
    """Página «Salud por tienda»: tiendas × terminales con su nivel; filtros ``nivel`` y
    ``tienda`` en la URL."""
    filtro_nivel = request.GET.get("nivel", "")
    filtro_tienda = request.GET.get("tienda", "").strip()
    evaluadas = salud.evaluar_todas()
    cuenta = Counter(e.nivel for _, e in evaluadas)
    tiendas: dict[str, list] = {}
    for s, e in evaluadas:
        if filtro_nivel in salud.NIVELES and e.nivel != filtro_nivel:
            continue
        codigo = s.terminal.tienda.codigo
        if filtro_tienda and filtro_tienda.lower() not in codigo.lower():
            continue
        tiendas.setdefault(codigo, []).append(
            {
                "terminal": s.terminal,
                "nivel": e.nivel,
                "insignia": insignia(e.nivel),
                "color": COLORES[e.nivel],
                "texto": e.texto,
                "ultimo_contacto": s.ultimo_contacto,
                "pendientes": s.pendientes,
            }
        )
    contexto = {
        **admin_site.each_context(request),
        "title": "Salud por tienda",
        "tiendas": sorted(tiendas.items()),
        "filtro_nivel": filtro_nivel,
        "filtro_tienda": filtro_tienda,
        "niveles": [(n, NOMBRES[n], cuenta.get(n, 0), COLORES[n]) for n in salud.NIVELES],
        "umbrales": salud.umbrales(),
    }
    return TemplateResponse(request, "admin/central/salud_resumen.html", contexto)


# -- acciones remotas ------------------------------------------------------------------------


class FormularioAccion(forms.ModelForm):
    modelo = forms.ChoiceField(required=False, label="modelo")

    class Meta:
        model = AccionTerminal
        fields = ("terminal", "tipo", "modelo")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        modelos = sorted(configuracion.obtener().modelos)
        self.fields["modelo"].choices = [("", "(todos)")] + [(m, m) for m in modelos]


@admin.register(AccionTerminal)
class AccionTerminalAdmin(admin.ModelAdmin):
    form = FormularioAccion
    list_display = (
        "terminal",
        "tipo",
        "modelo",
        "situacion",
        "pedida_en",
        "pedida_por",
        "entregada_en",
        "hecha_en",
        "detalle",
    )
    list_filter = ("tipo", "resultado", "terminal__tienda")
    list_select_related = ("terminal__tienda",)

    @admin.display(description="situación")
    def situacion(self, a: AccionTerminal) -> str:
        if a.hecha_en is not None:
            return "hecha" if a.resultado == "hecha" else f"fallida ({a.resultado})"
        return "entregada" if a.entregada_en is not None else "pendiente"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return [f.name for f in AccionTerminal._meta.fields]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.pedida_por = _quien(request)
        super().save_model(request, obj, form, change)


@admin.register(CodigoEnrolamiento)
class CodigoEnrolamientoAdmin(admin.ModelAdmin):
    list_display = ("terminal", "creado_en", "creado_por", "caduca_en", "usado_en")
    list_select_related = ("terminal__tienda",)
    readonly_fields = ("terminal", "creado_en", "creado_por", "caduca_en", "usado_en")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def instalar(sitio: admin.AdminSite, salud_admin: type[admin.ModelAdmin]) -> None:
    """Añade a la lista de salud las columnas de nivel y la página de resumen por tienda."""

    class SaludTerminalAdmin(SaludConNivel, salud_admin):
        list_display = ("nivel", "estado", *salud_admin.list_display)
        list_filter = (FiltroNivel, "terminal__tienda")

        def get_urls(self):
            propias = [
                path(
                    "resumen/",
                    self.admin_site.admin_view(lambda r: resumen_por_tienda(r, self.admin_site)),
                    name="central_salud_resumen",
                )
            ]
            return propias + super().get_urls()

    sitio.unregister(SaludTerminal)
    sitio.register(SaludTerminal, SaludTerminalAdmin)


__all__ = ["Terminal", "generar_codigo", "instalar", "resincronizar", "revocar"]
