"""The members import (kind “members”) through the core pipeline: headers as the national system
words them, every row checked, nothing written on any error, bulk commit in one transaction,
no full ID number in anything stored."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tuanwu.core import audit, imports
from tuanwu.core.models import AuditEvent, ImportJob
from tuanwu.membership.imports import mask_digits, parse_join_date
from tuanwu.membership.models import Membership, MembershipEvent, Status
from tuanwu.membership.testing import NATIONAL_HEADERS, RECOGNISED, id_number, member_row, write_workbook
from tuanwu.people.idcard import already_registered, check_digit
from tuanwu.people.models import ETHNICITY_CHOICES, Person
from tuanwu.people.queries import PersonFilters, people_for
from tuanwu.people.testing import make_person
from tuanwu.testing.xlsx import cell_format, column_formats

TODAY = timezone.localdate()
FULL_ID_RE = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def upload(tmp_path, rows, *, actor, unit, name="团员名册.xlsx", headers=None) -> ImportJob:
    path = write_workbook(tmp_path / name, rows, headers)
    with open(path, "rb") as fh:
        uploaded = SimpleUploadedFile(name, fh.read())
    job = imports.save_upload(actor=actor, unit=unit, kind="members", uploaded_file=uploaded)
    return imports.check_job(job)


def stored_text(job: ImportJob) -> str:
    job.refresh_from_db()
    return repr([job.errors, job.preview, job.result, job.headers, job.ignored_columns])


def row_errors(job: ImportJob) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for error in job.errors:
        found.setdefault(error["row"], []).append(f"{error['column']}：{error['message']}")
    return found


@pytest.mark.parametrize(("text", "expected"), [
    ("2016-05", (datetime.date(2016, 5, 1), True)),
    ("2016/5", (datetime.date(2016, 5, 1), True)),
    ("2016年5月", (datetime.date(2016, 5, 1), True)),
    ("201605", (datetime.date(2016, 5, 1), True)),
    ("2016-05-04", (datetime.date(2016, 5, 4), False)),
    ("20160504", (datetime.date(2016, 5, 4), False)),
    ("42494", (datetime.date(2016, 5, 4), False)),
])
def test_join_dates_and_months_as_the_national_system_exports_them(text, expected):
    assert parse_join_date(text) == expected


def test_a_join_date_that_does_not_exist_is_refused_with_its_text():
    with pytest.raises(ValueError, match="2016-02-30.*不存在"):
        parse_join_date("2016-02-30")


def test_messages_never_carry_a_full_id_number():
    number = id_number(datetime.date(2005, 1, 2), 3, male=True)
    assert mask_digits(f"“{number}”不是可选值") == f"“{number[:6]}********{number[-4:]}”不是可选值"
    assert mask_digits("第 12 行") == "第 12 行"


@pytest.mark.django_db
def test_national_export_headers_are_recognised_and_the_rest_ignored(world, tmp_path):
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(3)]
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county, headers=NATIONAL_HEADERS)
    assert job.status == ImportJob.Status.READY, job.errors
    assert len(NATIONAL_HEADERS) == 29
    assert sorted(job.ignored_columns) == sorted(h for h in NATIONAL_HEADERS if h not in RECOGNISED)
    mapped = {NATIONAL_HEADERS[int(i)]: key for i, key in job.headers.items()}
    assert mapped["身份证号码"] == "id_number"
    assert mapped["入团年月"] == "joined_on"
    assert mapped["团员编号"] == "development_number"
    assert mapped["所在团支部"] == "branch"
    # The stored preview masks ID and phone numbers.
    first = job.preview["rows"][0]
    assert first[4] == rows[0]["身份证号码"][:6] + "********" + rows[0]["身份证号码"][-4:]
    assert job.preview["counts"] == {"新登记人员": 3, "团员": 3}
    assert not FULL_ID_RE.search(stored_text(job))


@pytest.mark.django_db
def test_alternative_wordings_of_the_same_columns(world, tmp_path):
    row = member_row(7, branch="甲镇团委/乙村团支部", today=TODAY)
    renamed = {"姓名": row["姓名"], "证件号码": row["身份证号码"], "入团时间": row["入团年月"],
               "发展团员编号": row["团员编号"], "所在支部": row["所在团支部"], "联系电话": row["手机号码"],
               "民族": "回", "团籍状态": "正常"}
    job = upload(tmp_path, [renamed], actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.READY, job.errors
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.DONE, job.errors
    person = Person.objects.get()
    assert person.unit == world.branch_a2
    assert person.ethnicity == "回族"
    assert person.clear_id_number() == row["身份证号码"]
    assert person.membership.status == Status.MEMBER
    assert person.membership.development_number == row["团员编号"]


@pytest.mark.django_db
def test_R1_1_join_month_takes_the_earliest_allowed_day(world, tmp_path):
    birth = datetime.date(2004, 5, 20)
    number = id_number(birth, 1, male=False)
    row = {"姓名": "李月", "身份证号码": number, "所在团支部": "甲村团支部", "入团年月": "2018-05",
           "发展团员编号": "201800000001"}
    job = upload(tmp_path, [row], actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.READY, job.errors
    imports.commit_job(job, world.county_admin)
    # 1 May 2018 she was 13; the 14th birthday in that month is the earliest allowed day.
    assert Membership.objects.get().joined_on == datetime.date(2018, 5, 20)


@pytest.mark.django_db
def test_R1_1_R1_2_R2_14_and_scope_errors_are_reported_per_row(world, tmp_path):
    birth = datetime.date(TODAY.year - 20, 3, 1)
    good = id_number(birth, 1, male=True)
    old = datetime.date(TODAY.year - 30, 6, 1)
    rows = [
        # 2: joined at 12 in 2019 (R1.1)
        {"姓名": "甲", "身份证号码": id_number(datetime.date(2007, 1, 1), 2, male=True), "所在团支部": "甲村团支部",
         "入团年月": "2019-06-01", "团员编号": "201900000001"},
        # 3: development number of the wrong year (R2.14)
        {"姓名": "乙", "身份证号码": good, "所在团支部": "甲村团支部", "入团年月": f"{TODAY.year - 5}-06-01",
         "团员编号": f"{TODAY.year - 6}00000002"},
        # 4: a branch outside the town secretary's township
        {"姓名": "丙", "身份证号码": id_number(birth, 2, male=True), "所在团支部": "丙村团支部",
         "入团年月": f"{TODAY.year - 5}-06-01", "团员编号": f"{TODAY.year - 5}00000003"},
        # 5: an exit without date and reason (R1.2)
        {"姓名": "丁", "身份证号码": id_number(birth, 3, male=True), "所在团支部": "乙村团支部", "团籍状态": "退团",
         "入团年月": f"{TODAY.year - 5}-06-01", "团员编号": f"{TODAY.year - 5}00000004"},
        # 6: 超龄离团 before 28 (R1.3)
        {"姓名": "戊", "身份证号码": id_number(birth, 4, male=True), "所在团支部": "乙村团支部", "团籍状态": "超龄离团",
         "入团年月": f"{TODAY.year - 5}-06-01", "团员编号": f"{TODAY.year - 5}00000005",
         "离团日期": TODAY - datetime.timedelta(days=3), "离团原因": "超龄"},
        # 7: an applicant aged 30, and a development number though not joined
        {"姓名": "己", "身份证号码": id_number(old, 5, male=True), "所在团支部": "乙村团支部", "团籍状态": "入团申请人",
         "团员编号": "202000000006"},
        # 8: the township committee itself is not a branch
        {"姓名": "庚", "身份证号码": id_number(birth, 6, male=False), "所在团支部": "甲镇团委",
         "入团年月": f"{TODAY.year - 5}-06-01", "团员编号": f"{TODAY.year - 5}00000007"},
        # 9: a good row
        {"姓名": "辛", "身份证号码": id_number(birth, 7, male=False), "所在团支部": "甲村团支部",
         "入团年月": f"{TODAY.year - 5}-06", "团员编号": f"{TODAY.year - 5}00000008"},
    ]
    job = upload(tmp_path, rows, actor=world.town_secretary, unit=world.town_a)
    assert job.status == ImportJob.Status.INVALID
    assert row_errors(job) == {
        2: ["入团年月：入团时未满 14 周岁（12 周岁），不能入团"],
        3: [f"团员编号：发展团员编号前 4 位应为入团年份（{TODAY.year - 5}），实为 {TODAY.year - 6}"],
        4: ["所在团支部：“丙村团支部”不在您的管理范围内或不存在"],
        5: ["离团日期：办理“退团”须填写离团日期"],
        6: ["离团日期：未满 28 周岁，不能办理超龄离团"],
        7: ["团员编号：“入团申请人”尚未入团，不能填写发展团员编号", "团籍状态：已满 28 周岁，不能登记为入团申请人"],
        8: ["所在团支部：“甲镇团委”不是团支部，团员只能登记在团支部"],
    }
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_an_id_number_excel_stored_as_a_number_is_refused_with_the_reason(world, tmp_path):
    """Typed into a cell of Excel's default format, 650121200603010035 is kept as
    650121200603010000: the row says so, rather than “check digit wrong”. Shorter numbers in
    number cells (a phone, a 发展团员编号) keep their digits."""
    birth = datetime.date(TODAY.year - 20, 3, 1)
    rows = [
        {"姓名": "甲", "身份证号码": int(id_number(birth, 1, male=True)), "所在团支部": "甲村团支部",
         "入团年月": f"{TODAY.year - 5}-06-01", "团员编号": f"{TODAY.year - 5}00000001"},
        {"姓名": "乙", "身份证号码": id_number(birth, 2, male=True), "所在团支部": "甲村团支部",
         "入团年月": f"{TODAY.year - 5}-06-01", "团员编号": int(f"{TODAY.year - 5}00000002"), "手机号码": 13912345678},
    ]
    job = upload(tmp_path, rows, actor=world.town_secretary, unit=world.town_a)
    assert row_errors(job) == {2: ["身份证号码：" + imports.LONG_NUMBER_LOST]}
    assert Person.objects.count() == 0
    # In the bad-rows workbook the ID number's cell (and column) is text: retyped there, the
    # number stays 18 digits. Other text columns too; the original row number is a number.
    path = imports.errors_workbook_path(job)
    assert (cell_format(path, "B2"), cell_format(path, "A2"), column_formats(path).get(2)) == ("@", "@", "@")
    assert cell_format(path, "G2") == "General"  # 原行号


@pytest.mark.django_db
def test_a_minor_needs_minor_view_on_the_branch(world, tmp_path):
    birth = datetime.date(TODAY.year - 13, 1, 5)
    row = {"姓名": "小明", "身份证号码": id_number(birth, 1, male=True), "所在团支部": "甲村团支部",
           "团籍状态": "入团申请人"}
    job = upload(tmp_path, [row], actor=world.town_secretary, unit=world.town_a)
    assert row_errors(job) == {2: ["所在团支部：未满 14 周岁人员的信息只能由少先队辅导员或县级管理员登记"]}


@pytest.fixture(params=["staged", "file"])
def commit_path(request, monkeypatch):
    """The commit writes the rows the check staged, or (when something validation read has
    changed since, or the staged rows are gone) reads and validates the file again: both paths
    must behave alike."""
    if request.param == "file":
        monkeypatch.setattr(imports, "_staged_usable", lambda ctx: False)
    return request.param


@pytest.mark.django_db
def test_a_failure_during_commit_writes_nothing(world, tmp_path, monkeypatch, commit_path):
    from tuanwu.membership import staging

    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(20)]
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    audits = AuditEvent.objects.count()
    calls = []
    if commit_path == "file":
        real = audit.record_many

        def fail_on_second(**kwargs):
            calls.append(kwargs["action"])
            if len(calls) == 2:
                raise RuntimeError("disk full")
            return real(**kwargs)

        monkeypatch.setattr(audit, "record_many", fail_on_second)
    else:
        real_sql = staging._audit_sql

        def fail_on_second(model, *args):
            calls.append(model.__name__)
            if len(calls) == 2:
                raise RuntimeError("disk full")
            return real_sql(model, *args)

        monkeypatch.setattr(staging, "_audit_sql", fail_on_second)
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.FAILED
    assert len(calls) == 2
    assert (Person.objects.count(), Membership.objects.count(), MembershipEvent.objects.count()) == (0, 0, 0)
    assert AuditEvent.objects.count() == audits


def test_a_row_that_turns_bad_after_the_check_stops_the_streamed_commit(world, tmp_path, monkeypatch, commit_path):
    # The commit validates and writes batch by batch in one transaction: a row in a late batch
    # that became a duplicate after the check (someone registered that person meanwhile) must
    # roll back the batches already written, and every row is still checked.
    from tuanwu.membership.imports import SPEC

    monkeypatch.setattr(SPEC, "batch_rows", 5)
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(20)]
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.preview["counts"] == {"新登记人员": 20, "团员": 20}
    make_person(world, world.branch_b1, "后来登记", id_number=rows[17]["身份证号码"],
                gender="male" if rows[17]["性别"] == "男" else "female")
    persons, audits = Person.objects.count(), AuditEvent.objects.count()
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.INVALID
    assert list(row_errors(job)) == [19]
    assert "已在系统中登记" in row_errors(job)[19][0]
    assert (Person.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == (persons, 0, audits)


def _corrupt(rows: list[dict], existing: list[str]) -> dict[int, str]:
    """Spoil 100 of the rows in ten ways; returns Excel row number → the expected message."""
    expected = {}
    for k, i in enumerate(range(37, len(rows), 100)):
        row = rows[i]
        excel = i + 2
        kind = k % 10
        if kind == 0:
            number = row["身份证号码"]
            row["身份证号码"] = number[:17] + ("0" if number[17] != "0" else "1")
            expected[excel] = "身份证号码：身份证号码校验位不正确"
        elif kind == 1:
            for key in ("身份证号码", "出生日期", "性别"):
                row[key] = rows[i - 1][key]
            expected[excel] = f"身份证号码：身份证号码与第 {excel - 1} 行重复"
        elif kind == 2:
            birth = datetime.date(2006, 1, 1)
            row["身份证号码"] = id_number(birth, 400 + k // 10, male=row["性别"] == "男")
            row["出生日期"] = birth
            row["入团年月"] = "2018-06-01"
            row["团员编号"] = f"2018{i:08d}"
            expected[excel] = "入团年月：入团时未满 14 周岁（12 周岁），不能入团"
        elif kind == 3:
            row["团员编号"] = "1999" + row["团员编号"][4:]
            year = row["入团年月"][:4]
            year = "2017 或 2018" if year in ("2017", "2018") else year
            expected[excel] = f"团员编号：发展团员编号前 4 位应为入团年份（{year}），实为 1999"
        elif kind == 4:
            row["所在团支部"] = "不存在的团支部"
            expected[excel] = "所在团支部：“不存在的团支部”不在您的管理范围内或不存在"
        elif kind == 5:
            row["性别"] = "女" if row["性别"] == "男" else "男"
            expected[excel] = "性别：性别与身份证号码不一致"
        elif kind == 6:
            number = existing[k // 10]
            row["身份证号码"] = number
            row["出生日期"] = ""
            row["性别"] = ""
            masked = number[:6] + "********" + number[-4:]
            expected[excel] = "身份证号码：" + already_registered(masked)
        elif kind == 7:
            row["手机号码"] = "1234"
            expected[excel] = "手机号码：手机号码应为 11 位数字，以 13 至 19 开头"
        elif kind == 8:
            row["团员编号"] = ""
            expected[excel] = f"团员编号：{row['入团年月'][:4]} 年入团的团员须填写发展团员编号"
        else:
            row["民族"] = row["身份证号码"]  # an ID pasted into the wrong column
            masked = row["身份证号码"][:6] + "********" + row["身份证号码"][-4:]
            expected[excel] = f"民族：“{masked}”不是可选值，可选：" + "、".join(e for e, _ in ETHNICITY_CHOICES)
    return expected


@pytest.mark.django_db
def test_ten_thousand_rows_one_percent_bad_then_all_in_one_transaction(world, tmp_path):
    existing = [make_person(world, world.branch_b1, "已登记", birth=datetime.date(1999, 9, 9 + n)).clear_id_number()
                for n in range(10)]
    branches = ["甲村团支部", "乙村团支部", "丙村团支部", "第一中学团委/高一(1)班团支部"]
    good = [member_row(i, branch=branches[i % 4], today=TODAY) for i in range(10_000)]
    bad = [dict(r) for r in good]
    expected = _corrupt(bad, existing)
    assert len(expected) == 100
    persons, audits = Person.objects.count(), AuditEvent.objects.count()

    job = upload(tmp_path, bad, actor=world.county_admin, unit=world.county, name="全县团员.xlsx",
                 headers=NATIONAL_HEADERS)
    assert job.status == ImportJob.Status.INVALID
    assert {row: messages[0] for row, messages in row_errors(job).items()} == expected
    assert all(len(messages) == 1 for messages in row_errors(job).values())
    assert Person.objects.count() == persons
    assert Membership.objects.count() == 0
    assert AuditEvent.objects.count() == audits
    assert not FULL_ID_RE.search(stored_text(job))
    # The bad-rows workbook holds exactly those rows.
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(imports.errors_workbook_path(job)).get_sheet_by_index(0).to_python()
    assert sorted(int(r[-1]) for r in sheet[1:] if r[-1] != "") == sorted(expected)

    job = upload(tmp_path, good, actor=world.county_admin, unit=world.county, name="全县团员（改正）.xlsx",
                 headers=NATIONAL_HEADERS)
    assert job.status == ImportJob.Status.READY, job.errors[:3]
    assert job.preview["counts"] == {"新登记人员": 10_000, "团员": 10_000}
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.result["people"] == 10_000
    assert Person.objects.count() == persons + 10_000
    assert Membership.objects.filter(status=Status.MEMBER).count() == 10_000
    assert MembershipEvent.objects.filter(kind="registered", reason="批量导入：全县团员（改正）.xlsx").count() == 10_000
    # Two audit rows per person (person, membership) in two batches, plus the job's own row.
    new_audits = AuditEvent.objects.filter(pk__gt=0).count() - audits
    assert new_audits == 2 * 10_000 + 1
    assert AuditEvent.objects.filter(action="登记人员（导入）").values("batch").distinct().count() == 1
    assert not FULL_ID_RE.search(repr(list(AuditEvent.objects.values_list("before", "after"))))
    # Spot checks: decryptable, searchable by initials and by the ID's last 4 digits.
    sample = good[1234]
    person = Person.objects.get(name=sample["姓名"], membership__development_number=sample["团员编号"])
    assert person.clear_id_number() == sample["身份证号码"]
    assert person.clear_phone() == sample["手机号码"]
    assert person.membership.joined_on.isoformat() == sample["入团年月"]
    found = people_for(world.county_admin, PersonFilters(q=sample["身份证号码"][-4:]))
    assert person in found
    assert people_for(world.county_admin, PersonFilters(q="zs")).count() == 10_000 // 20
    assert check_digit(sample["身份证号码"][:17]) == sample["身份证号码"][17]


# --- .csv files ----------------------------------------------------------------------------------


def csv_bytes(rows: list[dict], *, encoding: str, delimiter: str = ",") -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")  # as Excel writes it
    writer.writerow(NATIONAL_HEADERS)
    for row in rows:
        writer.writerow([row[h].isoformat() if isinstance(row[h], datetime.date) else row[h] for h in NATIONAL_HEADERS])
    return out.getvalue().encode(encoding)


def upload_csv(data: bytes, *, actor, unit, name="团员名册.csv") -> ImportJob:
    job = imports.save_upload(actor=actor, unit=unit, kind="members", uploaded_file=SimpleUploadedFile(name, data))
    return imports.check_job(job)


@pytest.mark.django_db
@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8-sig", ","), ("utf-8", ","), ("gb18030", ","),
                                                      ("gb18030", "\t")])
def test_a_csv_export_imports_in_utf8_or_the_chinese_windows_encoding(world, tmp_path, encoding, delimiter):
    """Excel on Chinese Windows saves “CSV” in GBK (read as GB18030), “CSV UTF-8” with a BOM."""
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(5)]
    rows[1]["姓名"] = "阿依古丽·吐尔逊"
    job = upload_csv(csv_bytes(rows, encoding=encoding, delimiter=delimiter), actor=world.county_admin,
                     unit=world.county)
    assert job.status == ImportJob.Status.READY, job.errors
    assert sorted(job.ignored_columns) == sorted(h for h in NATIONAL_HEADERS if h not in RECOGNISED)
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.DONE, job.errors
    stored = {p.name: p.clear_id_number() for p in Person.objects.all()}
    assert stored["阿依古丽·吐尔逊"] == rows[1]["身份证号码"]
    assert sorted(stored.values()) == sorted(r["身份证号码"] for r in rows)


@pytest.mark.django_db
def test_a_csv_of_numbers_excel_wrote_in_scientific_notation_says_the_digits_are_lost(world, tmp_path):
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(3)]
    rows[1]["身份证号码"] = "6.50121E+17"  # how Excel writes an ID number it holds as a number
    job = upload_csv(csv_bytes(rows, encoding="gb18030"), actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.INVALID
    assert row_errors(job) == {3: ["身份证号码：" + imports.SCIENTIFIC_LOST]}
    # The bad rows come back as an .xlsx whose ID column is text, ready to be typed into.
    path = imports.errors_workbook_path(job)
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    assert sheet[1][NATIONAL_HEADERS.index("身份证号码")] == "6.50121E+17"
    assert column_formats(path)[NATIONAL_HEADERS.index("身份证号码") + 1] == "@"
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_a_csv_keeps_numbers_as_text_the_ways_exports_do(world, tmp_path):
    """="650121…" and a leading apostrophe are how exporting systems stop Excel from turning
    a long number into 6.50121E+17; the number inside is read."""
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(2)]
    numbers = [r["身份证号码"] for r in rows]
    rows[0]["身份证号码"] = f'="{numbers[0]}"'
    rows[1]["身份证号码"] = f"'{numbers[1]}"
    rows[1]["手机号码"] = "'13912345678"
    job = upload_csv(csv_bytes(rows, encoding="utf-8-sig"), actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.READY, job.errors
    job = imports.commit_job(job, world.county_admin)
    assert sorted(p.clear_id_number() for p in Person.objects.all()) == sorted(numbers)
    assert Person.objects.get(name=rows[1]["姓名"]).clear_phone() == "13912345678"


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "message"), [
    (b"\x00\x01\x02PK", "无法读取该 CSV 文件：其中有非文本内容，请确认它是表格另存的 .csv 文件"),
    ("姓名,身份证号码\n".encode() + b"\xff\xfe\xfa\n", "无法识别 CSV 文件的文字编码，请在 Excel 中另存为 .xlsx 后上传"),
    ("姓名,身份证号码,所在团支部\n".encode(), "表格里只有表头，没有数据行"),
])
def test_a_csv_that_cannot_be_read_is_refused_in_chinese(world, data, message):
    with pytest.raises(imports.ImportFileError) as exc:
        imports.save_upload(actor=world.county_admin, unit=world.county, kind="members",
                            uploaded_file=SimpleUploadedFile("名册.csv", data))
    assert exc.value.message == message
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_a_branch_merged_down_over_its_members_applies_to_each_of_them(world, tmp_path):
    """Rosters are often laid out with 所在团支部 merged over the branch's members: each of those
    rows belongs to that branch, not to a blank one."""
    import xlsxwriter

    birth = datetime.date(TODAY.year - 20, 3, 1)
    path = tmp_path / "合并单元格.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("名册")
    sheet.merge_range(0, 0, 0, 4, "水西沟镇团员名册（2025 年）")  # a title across the columns
    sheet.write_row(1, 0, ["姓名", "身份证号码", "所在团支部", "入团年月", "团员编号"])
    names = ["甲", "乙", "丙", "丁", "戊"]
    for i, name in enumerate(names):
        sheet.write_row(2 + i, 0, [name, id_number(birth, i, male=i % 2 == 0)])
        sheet.write_row(2 + i, 3, [f"{TODAY.year - 5}-06-01", f"{TODAY.year - 5}0000000{i}"])
    sheet.merge_range(2, 2, 4, 2, "甲村团支部")
    sheet.merge_range(5, 2, 6, 2, "乙村团支部")
    workbook.close()
    job = imports.save_upload(actor=world.town_secretary, unit=world.town_a, kind="members",
                              uploaded_file=SimpleUploadedFile(path.name, path.read_bytes()))
    job = imports.check_job(job)
    assert job.status == ImportJob.Status.READY, job.errors
    job = imports.commit_job(job, world.town_secretary)
    assert job.status == ImportJob.Status.DONE, job.errors
    placed = dict(Person.objects.values_list("name", "unit__name"))
    assert placed == {"甲": "甲村团支部", "乙": "甲村团支部", "丙": "甲村团支部", "丁": "乙村团支部", "戊": "乙村团支部"}


@pytest.mark.django_db
def test_a_workbook_with_one_sheet_per_branch_is_refused_not_half_imported(world, tmp_path):
    """Importing only the best-matching sheet would silently leave the others out."""
    import xlsxwriter

    birth = datetime.date(TODAY.year - 20, 3, 1)
    path = tmp_path / "各支部.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    for s, branch in enumerate(["甲村团支部", "乙村团支部", "丙村团支部"]):
        sheet = workbook.add_worksheet(branch)
        sheet.write_row(0, 0, ["姓名", "身份证号码", "所在团支部", "入团年月", "团员编号"])
        sheet.write_row(1, 0, [f"团员{s}", id_number(birth, s, male=True), branch, f"{TODAY.year - 5}-06-01",
                               f"{TODAY.year - 5}0000000{s}"])
    notes = workbook.add_worksheet("说明")  # a sheet with the headers but no rows is no competitor
    notes.write_row(0, 0, ["姓名", "身份证号码", "所在团支部"])
    workbook.close()
    job = imports.save_upload(actor=world.county_admin, unit=world.county, kind="members",
                              uploaded_file=SimpleUploadedFile(path.name, path.read_bytes()))
    job = imports.check_job(job)
    assert job.status == ImportJob.Status.INVALID
    assert [e["message"] for e in job.errors] == [
        "除“甲村团支部”外，工作表“乙村团支部”、“丙村团支部”也有团员导入的数据：一次只导入一个工作表。"
        "请把它们合并到一个工作表，或分别存成单独的文件上传"]
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_total_and_sign_off_lines_are_skipped_and_listed(world, tmp_path):
    birth = datetime.date(TODAY.year - 20, 3, 1)
    people = [{"姓名": name, "身份证号码": id_number(birth, i, male=True), "所在团支部": "甲村团支部",
               "入团年月": f"{TODAY.year - 5}-06-01", "团员编号": f"{TODAY.year - 5}0000000{i}"}
              for i, name in enumerate(["甲", "乙", "丙"])]
    footer = [{"姓名": "合计：3 人"}, {"姓名": "填表人：张三", "身份证号码": "联系电话：13912345678"},
              {"姓名": "注：以上人员均已完成年度团籍注册"}]
    job = upload(tmp_path, people + footer, actor=world.town_secretary, unit=world.town_a)
    assert job.status == ImportJob.Status.READY, job.errors
    job.refresh_from_db()
    assert (job.total_rows, job.preview["skipped"]) == (3, [[5, "合计"], [6, "填表人"], [7, "注："]])
    assert "13912345678" not in stored_text(job)  # only the marker word is kept
    job = imports.commit_job(job, world.town_secretary)
    assert job.status == ImportJob.Status.DONE and Person.objects.count() == 3


@pytest.mark.django_db
def test_a_birth_month_as_rosters_write_it_is_checked_against_the_id(world, tmp_path):
    birth = datetime.date(TODAY.year - 20, 3, 15)
    rows = [{"姓名": name, "身份证号码": id_number(birth, i, male=True), "出生年月": given, "所在团支部": "甲村团支部",
             "入团年月": f"{TODAY.year - 5}-06-01", "团员编号": f"{TODAY.year - 5}0000000{i}"}
            for i, (name, given) in enumerate([("甲", f"{birth.year}.03"), ("乙", f"{birth.year}年3月"),
                                               ("丙", birth), ("丁", f"{birth.year}.04"), ("戊", f"{birth.year}.13")])]
    job = upload(tmp_path, rows, actor=world.town_secretary, unit=world.town_a)
    assert row_errors(job) == {5: ["出生年月：出生日期与身份证号码不一致"],
                               6: [f"出生年月：出生年月“{birth.year}.13”不存在"]}
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_the_error_page_counts_failing_rows_per_column(world, tmp_path, client):
    """In a large file one cause usually accounts for most errors: the page says which column."""
    from django.urls import reverse

    birth = datetime.date(TODAY.year - 20, 3, 1)
    rows = [{"姓名": f"甲{i}", "身份证号码": int(id_number(birth, i, male=True)) if i < 3 else id_number(birth, i, male=True),
             "所在团支部": "丙村团支部" if i == 3 else "甲村团支部", "入团年月": f"{TODAY.year - 5}-06-01",
             "团员编号": f"{TODAY.year - 5}0000000{i}"} for i in range(5)]
    job = upload(tmp_path, rows, actor=world.town_secretary, unit=world.town_a)
    client.force_login(world.town_secretary)
    page = client.get(reverse("core:import_detail", args=[job.pk])).content.decode()
    assert "按列：身份证号码 3 行、所在团支部 1 行。" in page
    assert Person.objects.count() == 0
