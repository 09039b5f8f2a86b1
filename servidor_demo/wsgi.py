"""WSGI del proyecto de demostración (``gunicorn servidor_demo.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servidor_demo.settings")
application = get_wsgi_application()
