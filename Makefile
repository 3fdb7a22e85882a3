# Stagedoor: two commands do everything.
#   make run    set up, migrate, create demo data and serve on http://127.0.0.1:8000
#   make test   set up (including the system tools tests drive) and run every check and test
.PHONY: run test bootstrap lint typecheck checks pytest openapi clean

VENV := .venv/bin
HOST ?= 127.0.0.1
PORT ?= 8000

run: bootstrap
	$(VENV)/stagedoor migrate --no-input
	$(VENV)/stagedoor demo
	$(VENV)/stagedoor run --host $(HOST) --port $(PORT)

bootstrap:
	@scripts/bootstrap.sh

test:
	@scripts/bootstrap.sh --test
	$(MAKE) --no-print-directory checks
	$(MAKE) --no-print-directory pytest

checks: lint typecheck
	$(VENV)/stagedoor makemigrations --check --dry-run
	$(VENV)/stagedoor openapi --check
	$(VENV)/lint-imports

lint:
	$(VENV)/ruff check src bench
	$(VENV)/ruff format --check src bench

typecheck:
	$(VENV)/mypy src/stagedoor

pytest:
	$(VENV)/pytest $(PYTEST_ARGS)

openapi:
	$(VENV)/stagedoor openapi

clean:
	rm -rf var .venv node_modules src/stagedoor/web/static/web/vendor
