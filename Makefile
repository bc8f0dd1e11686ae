# pia-graph: `make demo` runs the pipeline on the shipped examples, `make test` runs every test.
# Both create .venv and install what they need (Python packages via pip, system packages via apt-get).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install system-deps test demo lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

system-deps:
	bash scripts/install-system-deps.sh

test: install system-deps
	$(BIN)/ruff check pia_graph tests benchmarks
	$(BIN)/pytest -q -ra

demo: install
	PATH="$(CURDIR)/$(BIN):$$PATH" bash examples/demo.sh

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) pia-store demo-out .pytest_cache
