"""Ajustes de la terminal que viven con la cola (tabla ``ajustes`` de ``cola.sqlite``).

Nombre de la terminal, desfase del reloj respecto a la central y lo que guarden otros módulos
(p. ej. la conectividad). Cada ``fijar`` es una transacción duradera. Seguro desde cualquier
hilo (el cerrojo de la ``ConexionCola`` compartida); sin E/S de red.
"""

from __future__ import annotations

import sqlite3

from agente.almacen.conexion import ConexionCola

TERMINAL = "terminal"
DESFASE_MS = "desfase_ms"


class Ajustes:
    """Clave -> valor (texto) de la terminal."""

    def __init__(self, bd: ConexionCola) -> None:
        self._bd = bd

    def leer(self, clave: str, por_defecto: str | None = None) -> str | None:
        with self._bd.leer() as c:
            fila = c.execute("SELECT valor FROM ajustes WHERE clave = ?", (clave,)).fetchone()
        return fila[0] if fila else por_defecto

    def fijar(self, clave: str, valor: str) -> None:
        with self._bd.escribir() as c:
            c.execute(
                "INSERT INTO ajustes (clave, valor) VALUES (?, ?) "
                "ON CONFLICT (clave) DO UPDATE SET valor = excluded.valor",
                (clave, str(valor)),
            )

    def desfase_ms(self) -> int:
        """Desfase medido del reloj de la terminal respecto a la central (0 si no se midió)."""
        return int(self.leer(DESFASE_MS, "0") or 0)

    def terminal(self) -> str:
        return self.leer(TERMINAL, "") or ""


def terminal_y_desfase(c: sqlite3.Connection) -> tuple[str, int]:
    """Los dos ajustes que lleva cada operación, leídos dentro de la transacción ``c``."""
    valores = dict(
        c.execute(
            "SELECT clave, valor FROM ajustes WHERE clave IN (?, ?)", (TERMINAL, DESFASE_MS)
        ).fetchall()
    )
    return valores.get(TERMINAL, ""), int(valores.get(DESFASE_MS, "0") or 0)
