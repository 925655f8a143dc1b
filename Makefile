# Two commands on a fresh clone: `make run` and `make test`. Both create .venv and
# install the project when it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test chromium lint format bench bench-quick eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/chatcore serve

# The style is part of the suite: a lint, format or type error fails `make test` like a test.
test: $(STAMP) chromium lint
	$(BIN)/python -m pytest

# The end-to-end tests (tests/e2e) drive Debian's Chromium through Playwright, which
# cannot download a browser of its own here; install the package when it is missing.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

LINTED := src tests examples bench
lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy src

format: $(STAMP)
	$(BIN)/ruff check --fix $(LINTED)
	$(BIN)/ruff format $(LINTED)

# Side-by-side benchmark (bench/README.md): chatcore against bare references, tables
# printed and kept under bench/results/. Load from wrk when installed, else Python.
bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

# Retrieval evaluation (bench/retrieval): questions over ten documents, chatcore's search
# beside plain BM25 and each of its halves; offline, about ten seconds.
eval: $(STAMP)
	$(BIN)/python -m bench.retrieval

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
