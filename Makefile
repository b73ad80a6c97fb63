# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/chaser: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

demo: $(BIN)/chaser
	$(BIN)/chaser --demo

test: lint
	$(BIN)/python -m pytest

lint: $(BIN)/chaser
	$(BIN)/ruff check chaser tests benchmarks

# Every benchmark runs even when one reports OVER BUDGET; the target fails at the end if any did.
bench: $(BIN)/chaser
	status=0; for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || status=1; done; exit $$status

clean:
	rm -rf $(VENV) build *.egg-info
