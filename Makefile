# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
AXE := tests/e2e/node_modules/axe-core/axe.min.js
# Test processes (pytest-xdist): each has its own database and Redis database (TEST_REDIS_URL's db and
# the ones below it), so keep this at most that db number + 1. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

.PHONY: run test setup lint format clean

# A venv with the app, its CLI and the test tools; rebuilt when pyproject.toml changes.
$(BIN)/interviews: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/interviews

## Migrate the embedded SQLite database under instance/, seed the demo, serve on 127.0.0.1:$(PORT).
## BUSY_FEED_ALLOW_PRIVATE: the demo host's busy calendar is this app's own feed, on loopback.
## Without BASE_URL every link (emails, booking, invites, shares) points at this PORT.
run: setup
	$(BIN)/interviews db upgrade
	PORT=$(PORT) $(BIN)/interviews demo
	BUSY_FEED_ALLOW_PRIVATE=true $(BIN)/interviews run --host 127.0.0.1 --port $(PORT)

# axe-core for the browser accessibility checks, from the npm registry (never committed).
$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the browser journeys will be skipped (they need axe-core)"; \
	fi

## Lint (ruff, the import contract), then the whole suite (SQLite; set TEST_DATABASE_URL=postgresql://... for PostgreSQL).
test: setup $(AXE)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n $(TEST_WORKERS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) tests/e2e/node_modules .pytest_cache .ruff_cache
