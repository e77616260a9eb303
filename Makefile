# otklik — two commands set everything up: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OTKLIK_DATABASE_URL ?= sqlite:///./otklik.db

.PHONY: install run test lint bench browser clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip >/dev/null
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "chromium not installed: browser tests will be skipped"

run: install
	$(BIN)/otklik init
	$(BIN)/otklik demo
	$(BIN)/otklik serve

test: install browser
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check otklik tests bench scripts
	$(BIN)/mypy otklik

bench: install
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) otklik.db otklik.db-wal otklik.db-shm
