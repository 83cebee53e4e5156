# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
AXE := tests/e2e/node_modules/axe-core/axe.min.js
# Test processes (pytest-xdist): each has its own database and Redis database (TEST_REDIS_URL's db and
# the ones below it), so keep this at most that db number + 1. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

.PHONY: run test setup lint format clean radicale

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

## A CalDAV server on this machine (Radicale) to try live calendars with `make run`: connect
## http://127.0.0.1:5232/ on /availability as demo / demo-password; it has a Work and a Personal calendar.
RADICALE := instance/radicale
radicale: setup
	mkdir -p $(RADICALE)/collections/collection-root/demo/work $(RADICALE)/collections/collection-root/demo/personal
	printf 'demo:demo-password\n' > $(RADICALE)/users
	for cal in work:Work personal:Personal; do \
		props=$(RADICALE)/collections/collection-root/demo/$${cal%%:*}/.Radicale.props; \
		[ -f $$props ] || printf '{"tag": "VCALENDAR", "D:displayname": "%s", "C:supported-calendar-component-set": "VEVENT"}' "$${cal#*:}" > $$props; \
	done
	$(BIN)/python -m radicale --server-hosts 127.0.0.1:5232 --auth-type htpasswd \
		--auth-htpasswd-filename $(RADICALE)/users --auth-htpasswd-encryption plain \
		--storage-filesystem-folder $(RADICALE)/collections

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
