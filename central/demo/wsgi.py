"""WSGI del proyecto de demostración (``gunicorn central.demo.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "central.demo.settings")
application = get_wsgi_application()
