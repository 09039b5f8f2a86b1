"""Admin del diario contra la central real: registros, incidencias y conciliaciones visibles
por tienda y caja; los registros no se pueden editar ni borrar; exportación desde el admin."""

from __future__ import annotations

import re
import uuid

import requests

from . import diario_util as du
from .admin_util import Admin
from .conftest import Api, sql
from .test_diario_ordenes import DIA, sincro_central


def _sesion_admin(central) -> tuple[requests.Session, str]:
    """Sesión de un superusuario nuevo en el admin (``admin_util.Admin``) y la raíz del admin."""
    admin = Admin(central, usuario=f"gerente{uuid.uuid4().hex[:6]}")
    return admin.sesion, admin.raiz


def _csrf(s: requests.Session, url: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', s.get(url, timeout=10).text)[1]


def test_admin_muestra_el_diario_sin_dejar_editarlo(central):
    tienda, caja = f"T{uuid.uuid4().hex[:6]}", f"caja-{uuid.uuid4().hex[:6]}"
    api = Api(central.url, central.crear_terminal(tienda, caja))
    ventas = du.ventas(tienda, caja, 3)
    registros = du.cadena([*ventas, du.cierre(tienda, caja, 5, ventas)])
    api.post("/v1/diario", {"registros": [*registros[:2], registros[3]]})  # falta el nº 3
    assert sincro_central(central, "conciliar", "--fecha", DIA, "--tienda", tienda).returncode == 1
    s, raiz = _sesion_admin(central)
    r = s.get(raiz + "central/registrodiario/", params={"tienda": tienda}, timeout=10)
    assert r.status_code == 200 and caja in r.text and f"{caja}-2026" in r.text
    r = s.get(raiz + "central/incidenciadiario/", params={"tienda": tienda}, timeout=10)
    assert r.status_code == 200 and "hueco" in r.text and caja in r.text
    r = s.get(raiz + "central/cabezadiario/", timeout=10)
    assert r.status_code == 200 and caja in r.text
    r = s.get(raiz + "central/conciliaciondia/", params={"tienda": tienda}, timeout=10)
    assert r.status_code == 200 and caja in r.text
    [(id_conc,)] = sql(
        central, "SELECT id FROM central_conciliaciondia WHERE tienda = ?", (tienda,)
    )
    r = s.get(raiz + f"central/conciliaciondia/{id_conc}/change/", timeout=10)
    assert "faltan en la central" in r.text

    # Un registro se ve, pero no se puede cambiar ni borrar desde el admin.
    [(id_reg, contenido)] = sql(
        central,
        "SELECT id, contenido FROM central_registrodiario WHERE tienda = ? AND numero = 1",
        (tienda,),
    )
    ficha = raiz + f"central/registrodiario/{id_reg}/change/"
    r = s.get(ficha, timeout=10)
    assert r.status_code == 200 and 'name="_save"' not in r.text
    token = _csrf(s, raiz + "central/registrodiario/")
    borrar = raiz + f"central/registrodiario/{id_reg}/delete/"
    for url, datos in ((ficha, {"total": "0.01"}), (borrar, {"post": "yes"})):
        r = s.post(
            url, data={"csrfmiddlewaretoken": token, **datos}, headers={"Referer": url}, timeout=10
        )
        assert r.status_code == 403, url
    assert sql(central, "SELECT contenido FROM central_registrodiario WHERE id = ?", (id_reg,)) == [
        (contenido,)
    ]

    # Exportación CSV de los registros seleccionados.
    lista = raiz + "central/registrodiario/"
    r = s.post(
        lista,
        data={
            "csrfmiddlewaretoken": token,
            "action": "exportar_csv",
            "_selected_action": [str(id_reg)],
        },
        headers={"Referer": lista},
        timeout=10,
    )
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.text.splitlines()[0].startswith("tienda,terminal,serie,numero")
    assert registros[0]["huella"] in r.text
