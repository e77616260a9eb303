# otklik — two commands set everything up: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OTKLIK_DATABASE_URL ?= sqlite:///./otklik.db

NAVEC := build/navec/navec_hudlit_v1_12B_500K_300d_100q.tar

.PHONY: install run test lint bench browser navec clean i18n

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip >/dev/null
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "chromium not installed: browser tests will be skipped"

# navec's Russian word vectors (MIT) for training the sentiment model; only its PyPI source
# package carries them. Not needed to run otklik: the model ships the words it uses.
$(NAVEC):
	mkdir -p build/navec
	$(BIN)/pip download --no-deps --no-binary :all: navec==0.10.0 -d build/navec
	tar xzf build/navec/navec-0.10.0.tar.gz -C build/navec --strip-components=2 navec-0.10.0/data/$(notdir $(NAVEC))

navec: install $(NAVEC)

run: install
	$(BIN)/otklik init
	$(BIN)/otklik demo
	$(BIN)/otklik serve

test: install browser
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check otklik tests bench scripts
	$(BIN)/mypy otklik

# The desk's words: the keys of the templates and the web code merged into both catalogues (new
# ones empty: fill their msgstr; tests/web/test_catalogues.py fails while one is left empty).
I18N_KEYWORDS := --no-default-keywords -k t -k tn:1,1
i18n: install
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --sort-output --no-location -w 100 \
		-o build/messages.pot otklik/web
	$(BIN)/pybabel update -i build/messages.pot -d otklik/web/locale -D messages -w 100 \
		--no-fuzzy-matching --ignore-obsolete

bench: install navec
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) otklik.db otklik.db-wal otklik.db-shm
