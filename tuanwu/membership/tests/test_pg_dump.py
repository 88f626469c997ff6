"""Done means: after imports, a pg_dump of the database holds no 18-digit number with a valid
GB 11643 check digit. The test commits real data (a transactional test), exercising every place
an ID number passes through: an import rejected with errors, an import committed, a person
registered by hand, a reveal and an export; then it runs pg_dump on the test database itself."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuanwu.core import backup, crypto, imports
from tuanwu.core.models import ImportJob
from tuanwu.membership.testing import NATIONAL_HEADERS, member_row, write_workbook
from tuanwu.people.actions import reveal_personal_data
from tuanwu.people.idcard import check_digit
from tuanwu.people.models import Person
from tuanwu.people.testing import make_person

TODAY = timezone.localdate()
CANDIDATE_RE = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")


def valid_ids(text: str) -> list[str]:
    return [m for m in CANDIDATE_RE.findall(text) if check_digit(m[:17]) == m[17]]


def _upload(tmp_path, rows, *, actor, unit, name):
    path = write_workbook(tmp_path / name, rows, NATIONAL_HEADERS)
    with open(path, "rb") as fh:
        job = imports.save_upload(actor=actor, unit=unit, kind="members", uploaded_file=SimpleUploadedFile(name, fh.read()))
    return imports.check_job(job)


def pg_dump_text() -> str:
    args, env = backup._conn_args(connection.settings_dict)
    result = subprocess.run([backup.pg_bin("pg_dump"), "--no-owner", "--format=plain", *args], env=env,
                            capture_output=True, check=True, timeout=300)
    return result.stdout.decode("utf-8", "replace")


def test_the_finder_finds_a_valid_id_number_and_nothing_else():
    body = "65012120050101123"
    number = body + check_digit(body)
    wrong = body + ("1" if number[-1] == "0" else "0")
    assert valid_ids(f"x {number} y") == [number]
    assert valid_ids(f"1{number} {wrong} {number}5") == []


@pytest.mark.django_db(transaction=True)
def test_pg_dump_after_imports_holds_no_valid_id_number(world, tmp_path, settings):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(300)]
    bad = [dict(r) for r in rows]
    bad[5]["身份证号码"] = bad[4]["身份证号码"]  # duplicate in the file
    bad[6]["民族"] = bad[6]["身份证号码"]  # an ID number pasted where a choice belongs
    invalid = _upload(tmp_path, bad, actor=world.county_admin, unit=world.county, name="有错误.xlsx")
    assert invalid.status == ImportJob.Status.INVALID
    job = _upload(tmp_path, rows, actor=world.county_admin, unit=world.county, name="改正后.xlsx")
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.DONE, job.errors
    person = make_person(world, world.branch_a2, "阿依古丽•吐尔逊", phone="13912345678")
    reveal_personal_data(actor=world.county_admin, person=person, field="id_number")
    client = Client()
    client.force_login(world.county_admin)
    export = client.get(reverse("people:export"), {"full": "1"})
    assert export.status_code == 200

    dump = pg_dump_text()
    assert Person.objects.count() == 301
    # The data is in the dump (names in clear, numbers as encrypted tokens) …
    assert "阿依古丽·吐尔逊" in dump
    assert dump.count(crypto.GCM_PREFIX) >= 301 + 270 + 1  # ID numbers, phones (every 10th row has none)
    # … and no ID number is: not the imported ones, not the hand-registered one.
    assert rows[0]["身份证号码"] not in dump
    assert person.clear_id_number() not in dump
    assert valid_ids(dump) == []
