"""make backup / make restore: the dump and the keys together; a restored copy reads back."""

import datetime
import re
import stat
import subprocess

import psycopg
import pytest
from django.db import connection

from tuanwu.core import backup, crypto
from tuanwu.people.idcard import check_digit
from tuanwu.people.testing import make_id_number, make_person


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_every_id_readable(world, tmp_path):
    originals = {}
    for i, (name, birth) in enumerate([("备份甲", datetime.date(1999, 1, 2)), ("备份乙", datetime.date(2003, 7, 8)),
                                       ("备份丙", datetime.date(2005, 11, 30))]):
        number = make_id_number(birth, gender="female" if i % 2 else "male")
        person = make_person(world, world.branch_a1, name, birth=birth, id_number=number, phone=f"1380000{i:04d}",
                             gender="female" if i % 2 else "male")
        originals[person.pk] = (number, f"1380000{i:04d}")

    target = backup.backup(target_root=tmp_path / "backups")
    assert _mode(target) == 0o700
    for name in ("field_keys", "blind_index_key", "django_secret_key"):
        assert _mode(target / "secrets" / name) == 0o600
    assert _mode(target / backup.DUMP_NAME) == 0o600

    # The dump holds no 18-digit number with a valid check digit (no ID in clear anywhere).
    sql = subprocess.run([backup.pg_bin("pg_restore"), "-f", "-", str(target / backup.DUMP_NAME)],
                         check=True, capture_output=True).stdout.decode()
    assert "people_person" in sql
    candidates = re.findall(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])", sql)
    assert [c for c in candidates if check_digit(c[:17]) == c[17]] == []

    restored_name = connection.settings_dict["NAME"] + "_restored"
    secrets_dir = tmp_path / "restored_secrets"
    try:
        assert backup.restore(source=target, database_name=restored_name, secrets_dir=secrets_dir) == restored_name
        keys = (secrets_dir / "field_keys").read_text().split(",")
        assert _mode(secrets_dir / "field_keys") == 0o600
        index_key = (secrets_dir / "blind_index_key").read_text()
        cipher = crypto.FieldCipher(tuple(keys), index_key)
        options = connection.settings_dict["OPTIONS"]
        with psycopg.connect(dbname=restored_name, user=connection.settings_dict["USER"] or None,
                             host=options.get("host") or connection.settings_dict["HOST"] or None,
                             port=options.get("port") or connection.settings_dict["PORT"] or None) as conn:
            rows = conn.execute("SELECT id, id_number_encrypted, phone_encrypted FROM people_person").fetchall()
        read_back = {pk: (cipher.decrypt(i), cipher.decrypt(p)) for pk, i, p in rows}
        assert read_back == originals
    finally:
        admin = dict(connection.settings_dict)
        options = admin["OPTIONS"]
        with psycopg.connect(dbname="postgres", user=admin["USER"] or None, host=options.get("host") or None,
                             port=options.get("port") or None, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
