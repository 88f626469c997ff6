# tuanwu — one command to run, one to test. See README.md.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
PY := .venv/bin/python
UV = $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: install db db-stop migrate demo run test demo-check lint bench

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --quiet
	@touch $@

install: .venv/.synced

db: install
	@$(PY) -m config.dbserver start >/dev/null

db-stop:
	@$(PY) -m config.dbserver stop

migrate: db
	@$(PY) manage.py migrate --noinput -v 0

test: db
	.venv/bin/pytest

lint: install
	.venv/bin/ruff check .
