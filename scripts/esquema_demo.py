"""Regenera ``tests/datos/esquema_demo.json`` desde la configuración de la central de demo.

Uso: ``.venv/bin/python scripts/esquema_demo.py > tests/datos/esquema_demo.json``. Escribe lo
mismo que sirve ``/v1/esquema`` (sin tienda, terminal, hora ni huellas), en el orden de
``MODELOS_SINCRONIZABLES``; ``tests/central/test_protocolo.py`` comprueba que coinciden.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servidor_demo.settings")

import django

django.setup()

from central import configuracion  # noqa: E402


def main() -> None:
    conf = configuracion.obtener()
    modelos = {}
    for nombre, config in conf.modelos.items():
        forma = config.a_dict()
        forma.pop("huella", None)
        modelos[nombre] = forma
    cuerpo = {"version_protocolo": configuracion.VERSION_PROTOCOLO, "modelos": modelos}
    sys.stdout.write(json.dumps(cuerpo, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
