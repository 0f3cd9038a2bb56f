# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export CCUS_DATABASE_URL ?= sqlite:///var/ccus.sqlite3
export CCUS_KEYS_DIR ?= keys

.PHONY: run test lint openapi bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/ccus keys init
	$(BIN)/ccus migrate
	$(BIN)/ccus demo load --if-empty
	$(BIN)/ccus serve --host 127.0.0.1 --port 8000

# tests/interop runs oidc-provider and openid-client under Node.js. npm ci
# installs them from the lock file when node_modules is missing or older.
test: $(STAMP)
	@if [ ! -f tests/interop/node_modules/.package-lock.json ] \
	    || [ tests/interop/package-lock.json -nt tests/interop/node_modules/.package-lock.json ]; then \
	    command -v npm >/dev/null || { echo "npm is missing: install Node.js 20.12 or newer and npm" >&2; exit 1; }; \
	    npm ci --prefix tests/interop --no-audit --no-fund; \
	fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench migrations examples
	$(BIN)/ruff format --check src tests bench migrations examples
	$(BIN)/mypy

openapi: $(STAMP)
	$(BIN)/ccus openapi

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var
