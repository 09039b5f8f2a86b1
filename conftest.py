"""Configuración común de pytest para todo el repositorio.

- Qt sin pantalla (``QT_QPA_PLATFORM=offscreen``) antes de que nada importe PySide6.
- Un llavero real pero de fichero (keyrings.alt) dentro de un directorio temporal de la sesión,
  para que ninguna prueba toque el llavero del desarrollador.
"""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Sin espera al azar antes del primer pase del bucle de sincronización (arranque escalonado).
os.environ["SINCRO_ARRANQUE_ESCALONADO"] = "0"
os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
_LLAVERO = tempfile.mkdtemp(prefix="sincro-llavero-")
os.environ["XDG_DATA_HOME"] = _LLAVERO

pytest_plugins = ["tests.plugins.central"]
