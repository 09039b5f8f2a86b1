"""Rutas del protocolo. Inclúyelas donde quieras, p. ej.
``path("sincro/", include("central.urls"))``."""

from django.urls import path, re_path

from . import vistas, vistas_acciones, vistas_instantanea

app_name = "central"

urlpatterns = [
    path("v1/salud", vistas.salud, name="salud"),
    path("v1/esquema", vistas.esquema, name="esquema"),
    path("v1/cambios", vistas.cambios, name="cambios"),
    path("v1/instantanea", vistas_instantanea.instantanea_, name="instantanea"),
    path("v1/operaciones", vistas.operaciones_, name="operaciones"),
    path("v1/estado", vistas.estado, name="estado"),
    path("v1/diario", vistas.diario_, name="diario"),
    path("v1/verificacion", vistas.verificacion_, name="verificacion"),
    path("v1/verificacion/filas", vistas.verificacion_filas, name="verificacion_filas"),
    path("v1/acciones/<int:ident>/hecha", vistas_acciones.accion_hecha, name="accion_hecha"),
    path("v1/enrolar", vistas_acciones.enrolar, name="enrolar"),
    re_path(r"^(?P<resto>.*)$", vistas.no_encontrada),
]
