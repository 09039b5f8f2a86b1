"""Instancia única por usuario y directorio de datos (``QLocalServer``/``QLocalSocket``).

Al arrancar: primero se intenta CONECTAR al servidor local; si responde, otra bandeja está
viva: se le pide que muestre su ventana y este proceso sale. Sólo si nadie responde se quita
un servidor huérfano (``removeServer``, p. ej. tras un ``kill -9`` en Unix) y se escucha
(owncloud/client #2666: quitarlo antes de probar mata la instancia viva). Sólo hilo de la GUI.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

ORDEN_MOSTRAR = b"mostrar\n"
ESPERA_MS = 500


def nombre_servidor(directorio: str | os.PathLike[str]) -> str:
    try:
        usuario = getpass.getuser()
    except Exception:  # sin usuario en el entorno: basta con el directorio
        usuario = ""
    huella = hashlib.sha256(f"{usuario}|{Path(directorio).expanduser().resolve()}".encode())
    return f"sincro-{huella.hexdigest()[:16]}"


class InstanciaUnica(QObject):
    mostrar_pedido = Signal()

    def __init__(self, nombre: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.nombre = nombre
        self.servidor: QLocalServer | None = None

    def avisar_a_otra(self) -> bool:
        """``True`` si otra instancia respondió (y se le pidió mostrar su ventana)."""
        socket = QLocalSocket()
        socket.connectToServer(self.nombre)
        if not socket.waitForConnected(ESPERA_MS):
            return False
        socket.write(ORDEN_MOSTRAR)
        socket.flush()
        socket.waitForBytesWritten(ESPERA_MS)
        socket.disconnectFromServer()
        return True

    def escuchar(self) -> bool:
        """Escucha peticiones de otras instancias; quita antes un servidor huérfano."""
        servidor = QLocalServer(self)
        servidor.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not servidor.listen(self.nombre):
            QLocalServer.removeServer(self.nombre)
            if not servidor.listen(self.nombre):
                return False
        servidor.newConnection.connect(self._al_conectar)
        self.servidor = servidor
        return True

    def _al_conectar(self) -> None:
        assert self.servidor is not None
        while self.servidor.hasPendingConnections():
            socket = self.servidor.nextPendingConnection()
            socket.readyRead.connect(self._leer)
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._leer(socket)

    def _leer(self, socket: QLocalSocket | None = None) -> None:
        socket = socket or self.sender()
        if not isinstance(socket, QLocalSocket):
            return
        datos = bytes(socket.readAll().data())
        if ORDEN_MOSTRAR.strip() in datos:
            self.mostrar_pedido.emit()

    def cerrar(self) -> None:
        if self.servidor is not None:
            self.servidor.close()
            self.servidor.deleteLater()
            self.servidor = None
