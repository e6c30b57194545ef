# Crocevia: `make run` serves the site with demo data, `make test` runs every test.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
LIVE_MAX_FRAME_BYTES ?= 65536
CHROMIUM ?= /usr/bin/chromium
# Extra pytest arguments: make test ARGS="-k smoke", make test ARGS="tests/community".
ARGS   ?=

.PHONY: run serve install install-dev browser-deps test test-fast lint messages check-deploy bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Migrate, collect static files, seed the demo network once (it prints the demo
# logins on every start), then serve HTTP and WebSocket on http://$(HOST):$(PORT).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo --first-start
	$(MAKE) --no-print-directory serve

serve:
	$(BIN)/daphne -b $(HOST) -p $(PORT) \
		--websocket-max-frame-size $(LIVE_MAX_FRAME_BYTES) \
		--websocket-max-message-size $(LIVE_MAX_FRAME_BYTES) \
		config.asgi:application

# Debian's Chromium for the Playwright browser tests: Playwright drives the system
# browser, it never downloads one. apt runs as root in CI, through sudo elsewhere.
browser-deps:
	@test -x $(CHROMIUM) || { \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is still missing" >&2; exit 1; }

# Every test, browser tests included, on two workers; the browser tests share one
# worker (xdist group "browser"), each against its own daphne process and database.
test: install-dev browser-deps
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(ARGS)

test-fast: install-dev
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not browser" $(ARGS)

lint: install-dev
	$(BIN)/ruff check .

messages: install-dev
	$(BIN)/python manage.py makemessages -l it --no-obsolete --ignore=.venv --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages -l it --ignore=.venv

check-deploy: install
	DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64) $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install-dev
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) staticfiles var test-artifacts
