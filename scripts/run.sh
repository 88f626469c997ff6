#!/usr/bin/env bash
# The second half of `make run` (the Makefile has installed, started the database and migrated):
# load the demo once, print its accounts, then serve with the task worker until Ctrl-C.
# The database keeps running afterwards (`make db-stop` stops it), so the next start is quick.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"
# Log times in the county's zone, like the pages (gunicorn and the worker otherwise write +0000).
export TZ="${TZ:-Asia/Shanghai}"

# Loads the first time (part by part, each announced); afterwards it only prints the accounts table.
echo "==> 示例县……"
"$PY" manage.py load_demo

# Static files: collect only when something under static/ changed since the last collection.
stamp=staticfiles/.collected
if [[ ! -f $stamp ]] || [[ -n "$(find static -newer "$stamp" -print -quit)" ]]; then
    "$PY" manage.py collectstatic --noinput -v 0
    touch "$stamp"
fi

# The task worker runs beside the web server and stops with it.
"$PY" manage.py db_worker --no-startup-delay -v 0 &
worker=$!
stop_worker() {
    kill "$worker" 2>/dev/null || true
    wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT
# Ctrl-C or a TERM is how the platform is meant to stop: a clean exit, so make reports no error.
stopping() { echo; echo "团务已停止（数据库继续运行；make db-stop 停止数据库）"; exit 0; }
trap stopping INT TERM

echo
echo "==> 团务已启动：http://127.0.0.1:${PORT}/ （按 Ctrl-C 停止网站和任务进程；数据库继续运行，make db-stop 停止）"
echo
# Not exec: the EXIT trap must still run to stop the worker. In the background and waited for, so
# the INT/TERM trap runs at once rather than after gunicorn has exited.
.venv/bin/gunicorn config.wsgi -b "127.0.0.1:${PORT}" --workers 2 --timeout 120 --graceful-timeout 5 --no-control-socket &
server=$!
stop_server() { kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; stop_worker; }
trap stop_server EXIT
wait "$server"
