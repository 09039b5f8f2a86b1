"""Errores técnicos como frases para la tienda, con el detalle detrás de «Detalles»; nada de
pistas de la línea de órdenes en la interfaz."""

from __future__ import annotations

import pytest

from ui.errores import EtiquetaError, frase

RED = (
    "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: "
    "/sincro/v1/salud (Caused by NewConnectionError('<urllib3.connection.HTTPConnection "
    "object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused'))"
)


@pytest.mark.parametrize(
    ("mensaje", "esperado"),
    [
        (RED, "La central no responde desde las 10:42; las ventas se guardan y se enviarán solas."),
        ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", "no es segura"),
        ("[Errno 28] No space left on device", "El disco está lleno"),
        ("[Errno 13] Permission denied: '/datos/cola.sqlite'", "no tiene permiso"),
        (
            "Ejecute «sincro configurar --servidor URL --tienda CODIGO --terminal NOMBRE».",
            "abre Configuración",
        ),
        ("El servidor debe usar https:// (use --permitir-http sólo en pruebas)", "https://"),
        ("Token caducado o revocado (401)", "rechaza el token"),
        ("Traceback (most recent call last):\n  File …\nKeyError: 'x'", "Algo falló"),
    ],
)
def test_frases_sin_jerga_ni_ordenes(mensaje, esperado):
    texto, detalle = frase(mensaje, "10:42")
    assert esperado in texto
    assert detalle == mensaje
    assert "\n" not in texto and "sincro " not in texto and "--" not in texto
    assert "HTTP" not in texto and "Errno" not in texto


def test_una_frase_humana_se_respeta():
    assert frase("Conflicto resuelto.") == ("Conflicto resuelto.", "Conflicto resuelto.")


def test_etiqueta_con_detalles(qtbot):
    etiqueta = EtiquetaError()
    qtbot.addWidget(etiqueta)
    etiqueta.fijar(RED)
    assert etiqueta.text().startswith("La central no responde; las ventas")
    assert 'href="detalles"' in etiqueta.text()
    caja = etiqueta.mostrar_detalles()
    assert caja.detailedText() == RED
    caja.close()
    etiqueta.fijar("Todo bien.")
    assert "href" not in etiqueta.text()
