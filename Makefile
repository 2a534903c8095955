PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# -qq: errors only. A machine's pip configuration may list extra index locations that lack
# some packages (e.g. a user pip.conf's `extra-index-url = file:///...`, see
# `pip config debug`); pip then warns once per package and location, a screenful per install.
PIP := $(BIN)/pip install -qq

.PHONY: demo test install clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(PIP) --upgrade pip
	# torch first, exactly pinned: the local CPU wheel, never a CUDA download.
	$(PIP) torch==2.13.0
	$(PIP) -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py

# Lint gate first: ruff (pyproject.toml's [tool.ruff]: pyflakes' rules, import order, lines of
# at most 100 columns; package __init__s list their names in __all__). Then the suite on two
# processes (pytest-xdist; tests/conftest.py gives each one torch thread): worksteal starts
# each on one half of the tests in order (a module's fixtures are built once) and moves
# tests from the busier one to the other when it runs out.
test: $(STAMP)
	$(BIN)/ruff check tpc passes tests benchmarks examples
	$(BIN)/python -m pytest -n 2 --dist worksteal

clean:
	rm -rf $(VENV) build *.egg-info
