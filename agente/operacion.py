"""La operación encolada (``Operacion``) y sus estados. Puro e inmutable: seguro entre hilos."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any

PENDIENTE = "PENDIENTE"
PROCESANDO = "PROCESANDO"
COMPLETADO = "COMPLETADO"
CONFLICTO = "CONFLICTO"
ERROR = "ERROR"
DESCARTADO = "DESCARTADO"
"""Final: la operación no se enviará (anulada al encolar un «borrar» tras su «crear», o
descartada por el encargado). Queda en la cola hasta la poda, como registro."""

ESTADOS = (PENDIENTE, PROCESANDO, COMPLETADO, CONFLICTO, ERROR, DESCARTADO)
SIN_CONFIRMAR = (PENDIENTE, PROCESANDO, CONFLICTO, ERROR)
"""Estados en los que la operación todavía es la única copia de su efecto (o debe resolverse)."""
FINALES = (COMPLETADO, DESCARTADO)


@dataclass(frozen=True)
class Operacion:
    """Una operación de la cola. ``datos`` y ``valores_base`` son dicts en forma JSON."""

    uuid: str
    modelo: str
    objeto_id: str
    tipo: str
    datos: dict[str, Any]
    hora_terminal: str
    seq: int = 0
    version_base: int | None = None
    valores_base: dict[str, Any] = field(default_factory=dict)
    desfase_ms: int = 0
    terminal: str = ""
    prioridad: int = 0
    estado: str = PENDIENTE
    intentos: int = 0
    ultimo_error: str | None = None
    version_resultado: int | None = None
    actualizada_en: str = ""
    finalizada_en: str | None = None
    aviso: str | None = None
    resuelta_por: str | None = None
    motivo_resolucion: str | None = None

    def a_protocolo(self) -> dict[str, Any]:
        """La operación tal como viaja en ``POST /v1/operaciones``."""
        return {
            "uuid": self.uuid,
            "modelo": self.modelo,
            "tipo": self.tipo,
            "objeto_id": self.objeto_id,
            "datos": self.datos,
            # Un «actualizar»/«borrar» sin versión (encolado por una versión anterior de Sincro)
            # viaja con base 0: la central no aplica ninguno sin comprobar conflictos.
            "version_base": (
                0
                if self.version_base is None and self.tipo in ("actualizar", "borrar")
                else self.version_base
            ),
            "valores_base": self.valores_base,
            "hora_terminal": self.hora_terminal,
            "desfase_ms": self.desfase_ms,
        }

    def a_dict(self) -> dict[str, Any]:
        """Todos los campos, en forma JSON (para ``--json`` y la UI)."""
        return asdict(self)


COLUMNAS = (
    "seq",
    "uuid",
    "modelo",
    "objeto_id",
    "tipo",
    "datos",
    "version_base",
    "valores_base",
    "hora_terminal",
    "desfase_ms",
    "terminal",
    "prioridad",
    "estado",
    "intentos",
    "ultimo_error",
    "version_resultado",
    "actualizada_en",
    "finalizada_en",
    "aviso",
    "resuelta_por",
    "motivo_resolucion",
)
SELECT_COLUMNAS = ", ".join(COLUMNAS)


def ahora_iso() -> str:
    """Hora UTC en ISO con microsegundos: el formato de todas las horas de la cola."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def a_json(valor: Any) -> str:
    """JSON compacto, sin escapar lo no ASCII: como se guardan ``datos`` y compañía."""
    return json.dumps(valor, separators=(",", ":"), ensure_ascii=False)


def desde_fila(fila: tuple) -> Operacion:
    """Construye una ``Operacion`` desde una fila ``SELECT {SELECT_COLUMNAS}``."""
    valores = dict(zip(COLUMNAS, fila, strict=True))
    valores["datos"] = json.loads(valores["datos"])
    valores["valores_base"] = json.loads(valores["valores_base"])
    return Operacion(**valores)
