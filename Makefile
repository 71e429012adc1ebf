# 加梯一站办 — `make run` serves the demo, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Debian packages: CJK faces for the letters, HarfBuzz subsetting (seconds vs. milliseconds per
# PDF), Pango for WeasyPrint, Graphviz to draw the state machine; for the tests only: Chromium
# for the browser tests, poppler and zbar to inspect PDFs.
RUNTIME_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 graphviz
TEST_PACKAGES    := chromium poppler-utils zbar-tools qpdf
SYSTEM_PACKAGES  := $(RUNTIME_PACKAGES) $(TEST_PACKAGES)
# `make serve`: gunicorn on PORT with WEB_CONCURRENCY workers (see gunicorn.conf.py).
PORT ?= 8000

.PHONY: install runtime system-packages assets test-provider run serve worker test lint audit format bench soak clean

# Everything, test tools included (make test, make lint, make bench).
install: PACKAGES = $(SYSTEM_PACKAGES)
install: system-packages $(VENV)/.installed assets test-provider

# The OpenID Provider the 政务服务网 login's tests run against (tests/oidc, from npm at the
# locked version); without npm those tests are skipped, saying why.
OIDC_PROVIDER := tests/oidc/node_modules/.package-lock.json
test-provider:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(OIDC_PROVIDER); \
	else echo "npm not found: the OIDC login tests will be skipped"; fi

$(OIDC_PROVIDER): tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error

# What serving needs and nothing more (make run, make serve): `pip install .` has no test tool.
runtime: PACKAGES = $(RUNTIME_PACKAGES)
runtime: system-packages $(VENV)/.runtime assets

assets:
	@for d in web/translations web/*/translations; do \
	  if [ -d "$$d" ]; then $(BIN)/pybabel -q compile -d "$$d" || exit 1; fi; done
	@$(BIN)/python -m web.pdf.fonts build --quiet 2>/dev/null || true

system-packages:
	@missing=""; for p in $(or $(PACKAGES),$(SYSTEM_PACKAGES)); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	  else \
	    echo "Missing system packages:$$missing"; \
	    echo "Install them first, e.g.: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

$(VENV)/.runtime: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.runtime

# The embedded default: one process, SQLite and files in instance/; the server runs its own jobs
# and periodic work (retries, reminders, the daily check) from instance/queue.sqlite3: nothing else
# to start, nothing to cron.
run: runtime
	$(BIN)/flask --app web db upgrade
	$(BIN)/flask --app web demo
	$(BIN)/flask --app web run --host 127.0.0.1 --port 5000

# Production: gunicorn workers that keep nothing of their own. Migrate first, once per release
# and not by the workers: flask --app web db upgrade. Jobs need `make worker` when REDIS_URL is set.
serve: runtime
	PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py 'web:create_app()'

worker: runtime
	$(BIN)/flask --app web worker

# The suite runs on every core (pytest-xdist); one module's tests stay on one worker, so a
# module's shared fixtures are built once, and the demo site with its crawl once per run (the
# first worker to ask builds it, the others copy it). TEST_WORKERS=0: serially.
TEST_WORKERS ?= auto
test: install lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope

# bandit: each accepted finding carries `# nosec <id>  # why` on its line.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r workflow web forms

# Known vulnerabilities in the installed dependencies (needs the advisory database online,
# so not part of `make test` or CI).
audit: $(VENV)/.installed
	$(BIN)/pip-audit --local --skip-editable --progress-spinner off

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python -m bench

# Faults under load, on loopback only (README, Reliability): its own PostgreSQL, Redis, S3 API,
# two gunicorn hosts and a worker; SOAK_SECONDS of load (300). Not part of `make test`.
soak: install
	$(BIN)/python -m soak

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts tests/oidc/node_modules
