"""The project's own PostgreSQL (config/dbserver.py): a new data directory starts with the server
settings the platform relies on (a restart applies them), and a second start reuses the server."""

from __future__ import annotations

import psycopg

from config import dbserver


def test_a_new_server_starts_with_the_settings_the_platform_needs(tmp_path, monkeypatch):
    monkeypatch.setattr(dbserver, "VAR_DIR", tmp_path)
    monkeypatch.setattr(dbserver, "PGDATA", tmp_path / "postgres")
    monkeypatch.setattr(dbserver, "URL_FILE", tmp_path / "db.url")
    try:
        url = dbserver.ensure_running()
        with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
            for name, value in dbserver.SERVER_SETTINGS.items():
                assert conn.execute(f"SHOW {name}").fetchone()[0] == value, name
        pid = dbserver._postmaster_pid()
        assert dbserver.ensure_running() == url and dbserver._postmaster_pid() == pid, "reused, not restarted"
    finally:
        dbserver.stop(quiet=True)
    assert dbserver._postmaster_pid() is None
