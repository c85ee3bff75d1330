# Thrive: `make run` for a local site with demo content, `make test` for the test suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev messages lint django-checks migrate demo bench check-deploy backup restore clean

$(PY):
	@python=$$(scripts/find-python.sh) || exit 1; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)
	@$(PIP) install --upgrade pip 2>&1 | grep -v "is ignored" || true

$(VENV)/.installed-runtime: requirements.txt | $(PY)
	$(PIP) install -r requirements.txt 2>&1 | grep -v "is ignored" || true
	@$(PY) -c "import django, wagtail, storages.backends.s3" && touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(PY)
	$(PIP) install -r requirements-dev.txt 2>&1 | grep -v "is ignored" || true
	@$(PY) -c "import django, wagtail, storages.backends.s3, pytest, xdist, playwright, moto.server" && touch $@ $(VENV)/.installed-runtime

# The translations (locale/<language>/LC_MESSAGES/django.po, kept in the repository) are compiled
# to .mo files here, on every install: msgfmt comes with Debian's `gettext` package.
messages: | $(PY)
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: apt-get install gettext (needed to compile the translations)"; exit 1; }
	$(PY) manage.py compilemessages --ignore=.venv -v 0

install: $(VENV)/.installed-runtime
	@$(MAKE) --no-print-directory messages
install-dev: $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory messages

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py schedule_tasks

run: demo
	@$(PY) -c "import weasyprint" 2>/dev/null || echo "Warning: WeasyPrint cannot load Pango; certificate PDFs will wait. Install: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py serve_local --host $(HOST) --port $(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .

# Django's own checks (warnings fail too) and no model change without its migration.
django-checks: install-dev
	$(PY) manage.py check --fail-level WARNING
	DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run

# The suite runs in PYTEST_WORKERS processes at once (pytest-xdist; `make test PYTEST_WORKERS=0`
# runs it in one). Browser tests run in two groups (--dist loadgroup, conftest.py), each on one
# worker, so the demo server they need is migrated and seeded twice, not once per worker.
PYTEST_WORKERS ?= 3
test: install-dev lint django-checks
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -n $(PYTEST_WORKERS)

bench: install-dev
	$(PY) bench/pages.py

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(60))") \
		ALLOWED_HOSTS=thrive.example SITE_URL=https://thrive.example $(PY) manage.py check --deploy --fail-level WARNING

# Backups (core/backups.py): `make backup` writes var/backups/<UTC time>/ (TO=folder chooses another);
# `make restore FROM=folder` puts one back into an empty database and file storage (FORCE=1: into non-empty ones).
backup: install
	$(PY) manage.py backup $(if $(TO),--output "$(TO)")

restore: install
	@test -n "$(FROM)" || { echo "Usage: make restore FROM=var/backups/<UTC time> [FORCE=1]"; exit 2; }
	$(PY) manage.py restore "$(FROM)" $(if $(FORCE),--force)

clean:
	rm -rf $(VENV) var/static var/cache
