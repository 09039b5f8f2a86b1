"""Sesión del admin de Django contra la central real (proceso), para las pruebas."""

from __future__ import annotations

import html
import re

import requests

CLAVE = "clave-de-prueba-larga"


class Admin:
    """Un superusuario con sesión abierta en el admin de ``central``."""

    def __init__(self, central, usuario: str = "admin") -> None:
        r = central.orden(
            *("manage", "createsuperuser", "--noinput", "--username", usuario),
            *("--email", "admin@ejemplo.es"),
            entorno={"DJANGO_SUPERUSER_PASSWORD": CLAVE},
            timeout=60,
        )
        assert r.returncode == 0, r.stderr
        self.raiz = central.url.rsplit("/sincro", 1)[0] + "/admin/"
        self.sesion = requests.Session()
        csrf = self._csrf(self.sesion.get(self.raiz + "login/", timeout=10).text)
        r = self.sesion.post(
            self.raiz + "login/?next=/admin/",
            timeout=10,
            headers={"Referer": self.raiz + "login/"},
            data={"username": usuario, "password": CLAVE, "csrfmiddlewaretoken": csrf},
        )
        assert r.status_code == 200 and "logout" in r.text.lower()

    @staticmethod
    def _csrf(pagina: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', pagina)[1]

    def pagina(self, ruta: str, **params: str) -> str:
        r = self.sesion.get(self.raiz + ruta, params=params, timeout=30)
        assert r.status_code == 200, r.text[:500]
        return html.unescape(r.text)

    def accion(self, ruta: str, accion: str, *pks: str) -> str:
        """Ejecuta una acción del admin sobre ``pks``; devuelve la página siguiente (mensajes)."""
        url = self.raiz + ruta
        csrf = self._csrf(self.sesion.get(url, timeout=10).text)
        r = self.sesion.post(
            url,
            timeout=30,
            headers={"Referer": url},
            data={
                "action": accion,
                "_selected_action": list(pks),
                "csrfmiddlewaretoken": csrf,
                "index": "0",
            },
        )
        assert r.status_code == 200, r.text[:500]
        return html.unescape(r.text)

    def anadir(self, ruta: str, datos: dict[str, str]) -> str:
        url = self.raiz + ruta + "add/"
        csrf = self._csrf(self.sesion.get(url, timeout=10).text)
        r = self.sesion.post(
            url,
            timeout=30,
            headers={"Referer": url},
            data={**datos, "csrfmiddlewaretoken": csrf, "_save": "Guardar"},
        )
        assert r.status_code == 200, r.text[:500]
        assert 'class="errorlist' not in r.text, re.findall(r"errorlist.{0,300}", r.text, re.S)
        return html.unescape(r.text)


def orm(central, codigo: str) -> str:
    """Ejecuta ``codigo`` con ``sincro-central manage shell -c`` (ORM de la central real) y
    devuelve lo que imprima."""
    r = central.orden("manage", "shell", "-v", "0", "-c", codigo, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def pk_terminal(central, tienda: str, terminal: str) -> str:
    return orm(
        central,
        "from central.models import Terminal; print(Terminal.objects.get("
        f"tienda__codigo={tienda!r}, codigo={terminal!r}).pk)",
    )
