# tuanwu — one command to run, one to test. See README.md.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
PY := .venv/bin/python
UV = $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PORT ?= 8000
export PORT

.PHONY: install db db-stop migrate demo demo-accounts run test demo-check lint bench

.venv/.synced: pyproject.toml uv.lock
	@echo "==> 安装 Python 依赖（uv sync；第一次需要几分钟）……"
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv || python3 -m pip install --quiet --break-system-packages uv
	$(UV) sync --frozen --quiet
	@touch $@

install: .venv/.synced

db: install
	@echo "==> 启动数据库（项目自带的 PostgreSQL，数据在 var/postgres）……"
	@$(PY) -m config.dbserver start >/dev/null

db-stop:
	@$(PY) -m config.dbserver stop

migrate: db
	@echo "==> 迁移数据库……"
	@$(PY) manage.py migrate --noinput -v 0

# The demo county, once (a second run changes nothing).
demo: migrate
	@$(PY) manage.py load_demo

demo-accounts: db
	@$(PY) manage.py demo_accounts

# Install, start the database, migrate, load the demo, then serve with the task worker.
run: migrate
	@scripts/run.sh

test: db
	.venv/bin/pytest

# A fresh database beside the working one: never touches your data.
demo-check: db
	TUANWU_DATABASE_NAME=tuanwu_demo_check $(PY) manage.py demo_check

lint: install
	.venv/bin/ruff check .

bench: migrate
	@shopt -s nullglob; files=(bench/*.py); \
	if (( $${#files[@]} == 0 )); then echo "暂无基准测试（bench/ 下没有 .py 文件）"; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; $(PY) "$$f" || exit 1; done

.PHONY: backup restore
backup: db
	@$(PY) manage.py backup_data

# make restore BACKUP=var/backups/<timestamp>
restore: db
	@test -n "$(BACKUP)" || (echo "用法：make restore BACKUP=var/backups/<时间>" && exit 2)
	@$(PY) manage.py restore_data "$(BACKUP)"
