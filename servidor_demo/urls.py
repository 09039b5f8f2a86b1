"""Rutas de la demo: el protocolo bajo ``/sincro/``, el admin bajo ``/admin/``."""

from pathlib import Path

import django.contrib.admin
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

_ESTATICOS_ADMIN = Path(django.contrib.admin.__file__).parent / "static"

urlpatterns = [
    path("sincro/", include("central.urls")),
    path("admin/", admin.site.urls),
    # Sólo para la demo (en producción sirve los estáticos el proxy: docs/central.md).
    re_path(r"^static/(?P<path>.*)$", serve, {"document_root": _ESTATICOS_ADMIN}),
]
