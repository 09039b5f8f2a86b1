"""Fixtures que arrancan la central de referencia como proceso real (las escribe la issue 3)."""
