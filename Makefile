# Sincro: órdenes para desarrolladores. Todas crean .venv si falta.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.instalado

.PHONY: setup demo test test-rapido lint bench bundle clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Traducciones compiladas (.qm) de sus fuentes .ts: se generan, nunca se versionan.
QM := $(patsubst %.ts,%.qm,$(wildcard ui/datos/traducciones/*.ts))
$(QM): %.qm: %.ts $(STAMP)
	$(BIN)/python -m ui.recursos

setup: $(STAMP) $(QM)

## Central de referencia con datos de ejemplo + Sincro conectado a ella.
demo: $(STAMP) $(QM)
	$(BIN)/sincro demo

## Toda la batería de pruebas (incluidas las lentas) y ruff.
test: $(STAMP) $(QM)
	bash scripts/pruebas.sh

test-rapido: $(STAMP) $(QM)
	$(BIN)/python -m pytest -m "not lento"

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP) $(QM)
	bash -c "set -e; source scripts/entorno-pg.sh; $(BIN)/python -m bench"

bundle: $(STAMP) $(QM)
	$(BIN)/pip install --quiet 'pyinstaller>=6.10,<7'
	$(BIN)/pyinstaller --noconfirm build.spec

clean:
	rm -rf build dist .pytest_cache
