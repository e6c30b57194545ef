# Crocevia: `make run` serves the site with demo data, `make test` runs every test.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
LIVE_MAX_FRAME_BYTES ?= 1048576
CHROMIUM ?= /usr/bin/chromium
# Extra pytest arguments: make test ARGS="-k smoke", make test ARGS="tests/community".
ARGS   ?=

.PHONY: run dev start serve install install-dev browser-deps server-deps scaleout-deps prod-up prod-down prod-status backup restore test test-fast lint messages check-deploy bench clean

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

# `make run`: the site as its users see it, with DEBUG=0 (the site's own error pages,
# hashed static files through whitenoise) and a secret key kept in var/. Plain http on
# this machine, so no HTTPS redirect, secure-only cookies or HSTS. Emails still go to
# the console (EMAIL_URL's default). `make dev`: the same with DEBUG=1.
SECRET_KEY_FILE := var/secret-key
RUN_ENV = DEBUG=0 SECRET_KEY="$$(cat $(SECRET_KEY_FILE))" \
	SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0

run: install $(SECRET_KEY_FILE)
	$(RUN_ENV) $(MAKE) --no-print-directory start

dev: install
	DEBUG=1 $(MAKE) --no-print-directory start

# Created once with Python's secrets module, readable only by its owner, then reused
# (var/ is not in git).
$(SECRET_KEY_FILE):
	@mkdir -p $(@D)
	@$(PYTHON) -c "import os, secrets; fd = os.open('$@', os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600); os.write(fd, secrets.token_urlsafe(50).encode()); os.close(fd)"
	@echo "Created $@ (the secret key of make run)"

# What run and dev share: migrate, collect static files, seed the demo network once
# (it prints the demo logins on every start), then serve HTTP and WebSocket on
# http://$(HOST):$(PORT).
start:
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo --first-start
	$(BIN)/python manage.py search_rebuild
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

# Debian's redis-server, PostgreSQL and nginx, for the scale-out tests (tests/scaleout)
# and `make prod-up`: installed when missing, and the cluster Debian creates on install
# started when down. Each test starts its own private redis-server and nginx, so only
# the binaries are needed. Safe to run again; apt and pg_ctlcluster need root (sudo
# elsewhere). nginx is Debian's package; its own service is never configured here.
server-deps:
	@command -v redis-server >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && \
	test -x /usr/sbin/nginx || { \
		echo "Installing Debian's redis-server, postgresql and nginx"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server postgresql nginx >/dev/null; }
	@set -e; \
	SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	if [ -z "$$(pg_lsclusters -h)" ]; then \
		$$SUDO pg_createcluster "$$(ls /usr/lib/postgresql | sort -V | tail -n 1)" main >/dev/null; \
	fi; \
	set -- $$(pg_lsclusters -h | head -n 1); \
	case "$$4" in online*) ;; *) echo "Starting PostgreSQL $$1/$$2"; $$SUDO pg_ctlcluster "$$1" "$$2" start ;; esac

# The scale-out tests also get a login role that may create their throwaway databases.
SCALEOUT_DB_ROLE     ?= crocevia
SCALEOUT_DB_PASSWORD ?= crocevia
# "<version> <name> <port> <status> ..." of the first cluster, read when a recipe runs.
PG_CLUSTER = $(shell pg_lsclusters -h 2>/dev/null | head -n 1)
CROCEVIA_TEST_DATABASE_URL ?= postgres://$(SCALEOUT_DB_ROLE):$(SCALEOUT_DB_PASSWORD)@127.0.0.1:$(or $(word 3,$(PG_CLUSTER)),5432)/postgres

scaleout-deps: server-deps
	@set -e; \
	AS_POSTGRES=$$( [ "$$(id -u)" = 0 ] && echo "runuser -u postgres --" || echo "sudo -u postgres" ); \
	set -- $$(pg_lsclusters -h | head -n 1); \
	cd /; \
	psql="$$AS_POSTGRES psql -p $$3 -X -q -v ON_ERROR_STOP=1"; \
	$$psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$(SCALEOUT_DB_ROLE)'" | grep -q 1 || \
		$$psql -c "CREATE ROLE $(SCALEOUT_DB_ROLE) LOGIN"; \
	$$psql -c "ALTER ROLE $(SCALEOUT_DB_ROLE) LOGIN CREATEDB PASSWORD '$(SCALEOUT_DB_PASSWORD)'"

# `make prod-up`: the production shape on this machine (deploy/, README "Production"):
# nginx on http://$(PROD_HOST):$(PROD_PORT) in front of $(PROD_PROCESSES) daphne
# processes on 127.0.0.1:$(PROD_DAPHNE_PORT) and up, a db_worker, the daily prune loop,
# a private redis-server on $(PROD_REDIS_PORT) and the database $(PROD_DB_NAME) of the
# system's PostgreSQL. DEBUG=0 with make run's plain-http flags; secrets, logs, pids
# and nginx's config in var/prod. Starts only what is not running; `make prod-down`
# stops every process it started.
PROD_PROCESSES   ?= 2
PROD_HOST        ?= 127.0.0.1
PROD_PORT        ?= 8080
PROD_DAPHNE_PORT ?= 8101
PROD_REDIS_PORT  ?= 6381
PROD_DB_NAME     ?= crocevia
PROD_DB_ROLE     ?= crocevia_site
PROD_DIR         ?= var/prod
PROD_ENV = PROD_PROCESSES=$(PROD_PROCESSES) PROD_HOST=$(PROD_HOST) PROD_PORT=$(PROD_PORT) \
	PROD_DAPHNE_PORT=$(PROD_DAPHNE_PORT) PROD_REDIS_PORT=$(PROD_REDIS_PORT) \
	PROD_DB_NAME=$(PROD_DB_NAME) PROD_DB_ROLE=$(PROD_DB_ROLE) PROD_DIR=$(PROD_DIR) \
	PROD_PG_PORT=$(word 3,$(PG_CLUSTER))

prod-up: install server-deps
	$(PROD_ENV) $(BIN)/python -m deploy.prod up

# Standard library only: works without the virtualenv.
prod-down:
	$(PROD_ENV) $(PYTHON) -m deploy.prod down

prod-status:
	@$(PROD_ENV) $(PYTHON) -m deploy.prod status

# `make backup`: the database as it was at one instant (SQLite's online backup API, or
# pg_dump when DATABASE_URL is set) and MEDIA_ROOT's files, copied while the site
# serves, into DATA_DIR/backups/<UTC time>/ (var/backups/ by default; TO=dir for
# another). `make restore FROM=var/backups/<time>`: checks every file against the
# manifest, then puts the files and the database back; it refuses a database with
# tables or a MEDIA_ROOT with files unless FORCE=1. Both read the settings from the
# environment, like the site (README "Backups").
TO    ?=
FROM  ?=
FORCE ?=

backup: install
	$(BIN)/python manage.py backup $(if $(TO),--to "$(TO)")

restore: install
	@test -n "$(FROM)" || { echo "Say which backup: make restore FROM=var/backups/<time>" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(FROM)" $(if $(filter 1 yes true,$(FORCE)),--force)

# Every test, browser and scale-out tests included, on two workers. Each browser test
# module stays on one worker (its xdist group is the module's name), so the site it
# builds and serves with daphne is built once; the scale-out tests share one worker
# (group "scaleout").
test: install-dev browser-deps scaleout-deps
	CROCEVIA_TEST_DATABASE_URL='$(CROCEVIA_TEST_DATABASE_URL)' \
		$(BIN)/python -m pytest -n 2 --dist loadgroup $(ARGS)

# No browser, no PostgreSQL or Redis, no slow bursts, restarts or injected faults: the
# tests that need nothing but the venv and finish quickly.
test-fast: install-dev
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not browser and not scaleout and not slow and not faults" $(ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Both Italian catalogues: django.po (Python and templates) and djangojs.po (the
# strings of static/js, served by /jsi18n/); then the .mo files the site reads.
# makemessages skips STATIC_ROOT, so collected copies (the admin's scripts among them)
# never reach djangojs.po.
MESSAGES_IGNORE = --ignore=.venv --ignore=tests --ignore=bench

messages: install-dev
	$(BIN)/python manage.py makemessages -l it --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py makemessages -d djangojs -l it --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages -l it --ignore=.venv

check-deploy: install
	DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64) $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install-dev
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) staticfiles var test-artifacts
