# 加梯一站办 — `make run` serves the demo, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Debian packages: CJK faces for the letters, HarfBuzz subsetting (seconds vs. milliseconds per
# PDF), Pango for WeasyPrint, Chromium for the browser tests, poppler and zbar to inspect PDFs,
# Graphviz to draw the state machine.
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
                   chromium poppler-utils zbar-tools graphviz

.PHONY: install system-packages run serve test lint audit format bench clean

install: system-packages $(VENV)/.installed
	@for d in web/translations web/*/translations; do \
	  if [ -d "$$d" ]; then $(BIN)/pybabel -q compile -d "$$d" || exit 1; fi; done
	@$(BIN)/python -m web.pdf.fonts build --quiet 2>/dev/null || true

system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
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

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: install
	$(BIN)/flask --app web init-db
	$(BIN)/flask --app web demo
	$(BIN)/flask --app web run --host 127.0.0.1 --port 5000

test: install lint
	$(BIN)/python -m pytest

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

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
