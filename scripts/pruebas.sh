#!/usr/bin/env bash
# Ejecuta toda la batería de pruebas (lo llama `make test` y, a través de él, .ci/run).
# PostgreSQL para las pruebas de concurrencia: scripts/entorno-pg.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

source scripts/entorno-pg.sh

$BIN/ruff check .
$BIN/ruff format --check .

if [ "$#" -gt 0 ]; then
  exec $BIN/python -m pytest "$@"
fi

# Toda la batería. La interfaz va en su propio proceso: un cierre de Qt que muere por una señal
# no se lleva por delante el resto. (La violación de segmento intermitente al desmontar tenía
# causa: un vigilante de ficheros de Qt destruido desde un hilo del puente; ver
# docs/interfaz.md. La repetición se queda por si aparece otra.) Sólo una muerte por señal (código >= 128) se repite, una vez y
# avisándolo; un fallo de una prueba (código 1) nunca se repite.
$BIN/python -m pytest --ignore=tests/ui
set +e
$BIN/python -X faulthandler -m pytest tests/ui
codigo=$?
set -e
if [ "$codigo" -ge 128 ]; then
  echo "AVISO: las pruebas de la interfaz murieron por una señal (código $codigo); se repiten una vez." >&2
  $BIN/python -X faulthandler -m pytest tests/ui
elif [ "$codigo" -ne 0 ]; then
  exit "$codigo"
fi
