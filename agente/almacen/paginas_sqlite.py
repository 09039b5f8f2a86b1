"""Lectura en bruto de un fichero SQLite dañado: cabecera reparable y celdas de hojas de tabla.

Lo usa el rescate de la cola (``agente.almacen.recuperacion``) cuando SQLite no puede recorrer
el B-árbol (raíz o páginas interiores rotas, catálogo ilegible): recorre el fichero página a
página, se queda con las hojas de tabla (tipo 0x0D) y decodifica cada celda (rowid + registro)
según el formato de fichero de SQLite (https://sqlite.org/fileformat2.html). Una celda que no
se puede decodificar se salta; nunca se inventa un valor.

Con el ``-wal`` al lado, las páginas confirmadas en él sustituyen a las del fichero principal
(la última copia de cada página con la misma sal que la cabecera del WAL).

Puro Python, sin estado; sólo lee ficheros (salvo ``reparar_cabecera``, que reescribe la
cabecera de una COPIA de trabajo, nunca la original).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

MAGIA = b"SQLite format 3\x00"
TAMANOS_PAGINA = (4096, 1024, 2048, 8192, 16384, 32768, 65536, 512)
_HOJA_TABLA = 0x0D
_TIPOS_BTREE = {0x02, 0x05, 0x0A, 0x0D}
_MAX_CELDAS_POR_PAGINA = 20_000


def _varint(datos: bytes, pos: int) -> tuple[int, int]:
    """Entero de longitud variable de SQLite en ``pos``: ``(valor, siguiente posición)``."""
    valor = 0
    for i in range(8):
        byte = datos[pos + i]
        valor = (valor << 7) | (byte & 0x7F)
        if byte < 0x80:
            return valor, pos + i + 1
    return (valor << 8) | datos[pos + 8], pos + 9


def _tamano_pagina(cabecera: bytes) -> int | None:
    if len(cabecera) < 100:
        return None
    valor = struct.unpack(">H", cabecera[16:18])[0]
    tamano = 65536 if valor == 1 else valor
    return tamano if tamano in TAMANOS_PAGINA else None


def _adivinar_tamano(contenido: bytes) -> int:
    """El tamaño de página más probable de un fichero con la cabecera rota: el primero para el
    que la página 2 empieza por un tipo de página de B-árbol."""
    for tamano in TAMANOS_PAGINA:
        if len(contenido) > tamano and contenido[tamano] in _TIPOS_BTREE:
            return tamano
    return 4096


def reparar_cabecera(ruta: str | os.PathLike[str], con_wal: bool) -> list[str]:
    """Rehace en ``ruta`` (una copia de trabajo) los campos de la cabecera que SQLite exige y
    que se pueden deducir: la firma de 16 bytes, el tamaño de página, las versiones de formato,
    las fracciones de carga, el número de páginas (y completa la última página si el fichero
    se cortó a mitad). Devuelve lo que cambió, para el informe."""
    ruta = Path(ruta)
    contenido = bytearray(ruta.read_bytes())
    if len(contenido) < 100:
        return []
    cambios: list[str] = []
    if contenido[:16] != MAGIA:
        contenido[:16] = MAGIA
        cambios.append("firma de la cabecera")
    tamano = _tamano_pagina(bytes(contenido[:100]))
    if tamano is None:
        tamano = _adivinar_tamano(bytes(contenido))
        contenido[16:18] = struct.pack(">H", 1 if tamano == 65536 else tamano)
        cambios.append(f"tamaño de página ({tamano})")
    version = 2 if con_wal else 1
    for posicion in (18, 19):
        if contenido[posicion] not in (1, 2):
            contenido[posicion] = version
            cambios.append("versión de formato")
    if contenido[20] >= 64:
        contenido[20] = 0
        cambios.append("bytes reservados")
    if bytes(contenido[21:24]) != b"\x40\x20\x20":
        contenido[21:24] = b"\x40\x20\x20"
        cambios.append("fracciones de carga")
    if struct.unpack(">I", contenido[44:48])[0] not in (1, 2, 3, 4):
        contenido[44:48] = struct.pack(">I", 4)
        cambios.append("formato de esquema")
    if struct.unpack(">I", contenido[56:60])[0] not in (1, 2, 3):
        contenido[56:60] = struct.pack(">I", 1)
        cambios.append("codificación")
    sobra = len(contenido) % tamano
    if sobra:
        contenido.extend(b"\x00" * (tamano - sobra))
        cambios.append("última página cortada")
    paginas = len(contenido) // tamano
    if struct.unpack(">I", contenido[28:32])[0] != paginas:
        contenido[28:32] = struct.pack(">I", paginas)
        contenido[92:96] = contenido[24:28]  # el número de páginas vale para este contador
        cambios.append(f"número de páginas ({paginas})")
    if cambios:
        ruta.write_bytes(bytes(contenido))
    return cambios


def _paginas(ruta: Path) -> tuple[dict[int, bytes], int, int]:
    """``({número: contenido}, tamaño de página, bytes útiles)`` del fichero más su ``-wal``."""
    contenido = ruta.read_bytes()
    tamano = _tamano_pagina(contenido[:100]) or _adivinar_tamano(contenido)
    reservados = contenido[20] if len(contenido) > 20 and contenido[20] < 64 else 0
    paginas = {
        numero + 1: contenido[numero * tamano : (numero + 1) * tamano]
        for numero in range(len(contenido) // tamano)
    }
    wal = ruta.with_name(ruta.name + "-wal")
    if wal.exists():
        paginas.update(_paginas_wal(wal.read_bytes(), tamano))
    return paginas, tamano, tamano - reservados


def _paginas_wal(wal: bytes, tamano: int) -> dict[int, bytes]:
    if len(wal) < 32 or struct.unpack(">I", wal[8:12])[0] != tamano:
        return {}
    sal = wal[16:24]
    paginas: dict[int, bytes] = {}
    pendientes: dict[int, bytes] = {}
    pos = 32
    while pos + 24 + tamano <= len(wal):
        numero, tras_commit = struct.unpack(">II", wal[pos : pos + 8])
        if wal[pos + 8 : pos + 16] != sal:
            break
        pendientes[numero] = wal[pos + 24 : pos + 24 + tamano]
        if tras_commit:  # trama de commit: lo anterior queda confirmado
            paginas.update(pendientes)
            pendientes.clear()
        pos += 24 + tamano
    return paginas


def _paginas_libres(paginas: dict[int, bytes], tamano_util: int) -> set[int]:
    """Páginas de la lista libre (contenido viejo que no se debe resucitar), si se puede leer."""
    libres: set[int] = set()
    primera = paginas.get(1, b"")
    if len(primera) < 40:
        return libres
    tronco = struct.unpack(">I", primera[32:36])[0]
    while tronco and tronco not in libres and tronco in paginas:
        libres.add(tronco)
        pagina = paginas[tronco]
        siguiente, hojas = struct.unpack(">II", pagina[:8])
        for i in range(min(hojas, (tamano_util - 8) // 4)):
            libres.add(struct.unpack(">I", pagina[8 + 4 * i : 12 + 4 * i])[0])
        tronco = siguiente
    return libres


def _valores(registro: bytes) -> list[object]:
    cabecera, pos = _varint(registro, 0)
    if cabecera > len(registro) or cabecera < 1:
        raise ValueError("cabecera de registro imposible")
    tipos = []
    while pos < cabecera:
        tipo, pos = _varint(registro, pos)
        tipos.append(tipo)
    cuerpo = cabecera
    valores: list[object] = []
    for tipo in tipos:
        if tipo == 0:
            valores.append(None)
        elif tipo in (8, 9):
            valores.append(tipo - 8)
        elif 1 <= tipo <= 6:
            largo = (1, 2, 3, 4, 6, 8)[tipo - 1]
            valores.append(int.from_bytes(registro[cuerpo : cuerpo + largo], "big", signed=True))
            cuerpo += largo
        elif tipo == 7:
            valores.append(struct.unpack(">d", registro[cuerpo : cuerpo + 8])[0])
            cuerpo += 8
        elif tipo >= 12:
            largo = (tipo - 12) // 2
            trozo = registro[cuerpo : cuerpo + largo]
            valores.append(bytes(trozo) if tipo % 2 == 0 else trozo.decode("utf-8"))
            cuerpo += largo
        else:
            raise ValueError("tipo de valor reservado")
        if cuerpo > len(registro):
            raise ValueError("registro más corto que su cabecera")
    return valores


def _carga(pagina: bytes, pos: int, total: int, paginas: dict[int, bytes], util: int) -> bytes:
    """La carga de una celda: la parte local y, si no cabe, la cadena de páginas de desborde."""
    maximo_local = util - 35
    if total <= maximo_local:
        return pagina[pos : pos + total]
    minimo = ((util - 12) * 32 // 255) - 23
    local = minimo + ((total - minimo) % (util - 4))
    if local > maximo_local:
        local = minimo
    partes = [pagina[pos : pos + local]]
    siguiente = struct.unpack(">I", pagina[pos + local : pos + local + 4])[0]
    falta = total - local
    vistas = set()
    while falta > 0:
        if siguiente in vistas or siguiente not in paginas:
            raise ValueError("cadena de desborde rota")
        vistas.add(siguiente)
        desborde = paginas[siguiente]
        trozo = desborde[4 : 4 + min(falta, util - 4)]
        partes.append(trozo)
        falta -= len(trozo)
        siguiente = struct.unpack(">I", desborde[:4])[0]
    return b"".join(partes)


def filas_de_hojas(ruta: str | os.PathLike[str]) -> Iterator[tuple[int, list[object]]]:
    """``(rowid, valores)`` de cada celda legible de cada hoja de tabla del fichero (más su
    ``-wal``), fuera de la lista libre. Las columnas ``INTEGER PRIMARY KEY`` vienen como
    ``None`` en ``valores`` (su valor es el rowid). Sin orden ni deduplicación: quien llama
    decide a qué tabla pertenece cada fila y descarta lo que no encaja."""
    paginas, _tamano, util = _paginas(Path(ruta))
    libres = _paginas_libres(paginas, util)
    for numero in sorted(paginas):
        if numero in libres:
            continue
        pagina = paginas[numero]
        inicio = 100 if numero == 1 else 0
        if len(pagina) < inicio + 8 or pagina[inicio] != _HOJA_TABLA:
            continue
        celdas = struct.unpack(">H", pagina[inicio + 3 : inicio + 5])[0]
        for i in range(min(celdas, _MAX_CELDAS_POR_PAGINA)):
            try:
                puntero = struct.unpack(">H", pagina[inicio + 8 + 2 * i : inicio + 10 + 2 * i])[0]
                if not inicio + 8 <= puntero < len(pagina):
                    continue
                total, pos = _varint(pagina, puntero)
                rowid, pos = _varint(pagina, pos)
                if rowid >= 1 << 63:
                    rowid -= 1 << 64
                yield rowid, _valores(_carga(pagina, pos, total, paginas, util))
            except (ValueError, IndexError, struct.error, UnicodeDecodeError):
                continue
