PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, exactly pinned: the local CPU wheel, never a CUDA download.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py

# Lint gate first: pyflakes fails on unused imports and names (package __init__s list theirs in __all__).
test: $(STAMP)
	$(BIN)/python -m pyflakes tpc passes tests benchmarks examples
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build *.egg-info
