"""The members import's staging (membership/staging.py): the check stores prepared rows, the
commit re-checks what may have changed and moves them with INSERT … SELECT. What it writes
must be exactly what the row-by-row path writes; anything it cannot vouch for sends the commit
back to the file."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from tuanwu.core import audit, imports
from tuanwu.core.models import AuditEvent, ImportJob
from tuanwu.core.pinyin import normalise_name, search_text
from tuanwu.core.rule_settings import set_rule
from tuanwu.membership.models import Membership, MembershipEvent, StagedMember
from tuanwu.membership.testing import id_number, member_row, write_workbook
from tuanwu.organisations.actions import close_unit
from tuanwu.people.bulk import person_audit_snapshot
from tuanwu.people.idcard import already_registered
from tuanwu.people.models import Person, id_last4_index, id_number_index, phone_index, phone_last4_index

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"


def upload(tmp_path, rows, *, actor, unit, name="团员名册.xlsx") -> ImportJob:
    path = write_workbook(tmp_path / name, rows)
    with open(path, "rb") as fh:
        job = imports.save_upload(actor=actor, unit=unit, kind="members", uploaded_file=SimpleUploadedFile(name, fh.read()))
    return imports.check_job(job)


@pytest.fixture
def reads(monkeypatch):
    """How many times the file is read and validated."""
    calls = []
    real = imports.validate

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "validate", counting)
    return calls


def staged_count(job) -> int:
    return StagedMember.objects.filter(job=job).count()


def assert_audit_trail_reads_as_written_row_by_row(*, actor, count: int) -> None:
    """The staged commit's audit trail reads exactly as audit.snapshot would have written it."""
    trail = {(e.object_type, e.object_id): e for e in AuditEvent.objects.filter(action__endswith="（导入）")}
    assert len(trail) == 2 * count
    people = list(Person.objects.select_related("unit"))
    assert len(people) == count
    for person in people:
        event = trail[("people.Person", str(person.pk))]
        assert event.after == person_audit_snapshot(person, person.clear_id_number(), person.clear_phone())
        assert (event.object_repr, event.unit_path, event.actor_id, event.source) == (
            str(person), person.unit.path, actor.pk, "import")
    for membership in Membership.objects.select_related("person", "branch"):
        event = trail[("membership.Membership", str(membership.pk))]
        assert event.after == audit.snapshot(membership)
        assert (event.object_repr, event.unit_path) == (str(membership), membership.branch.path)


@pytest.mark.django_db
@pytest.mark.parametrize("row_triggers", [False, True], ids=["keys-checked-once", "keys-checked-per-row"])
def test_staged_commit_writes_what_the_row_by_row_path_writes(world, tmp_path, reads, monkeypatch, row_triggers):
    """Also with the foreign keys checked per row by PostgreSQL's triggers, as for a database
    role that may not turn them off (core.references)."""
    from django.utils import timezone

    from tuanwu.core import references
    from tuanwu.membership import staging

    if row_triggers:
        monkeypatch.setattr(references, "may_skip_row_triggers", lambda: False)

    rows = [member_row(i, branch="甲村团支部" if i % 2 else "甲镇团委/乙村团支部", today=TODAY) for i in range(30)]
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.READY, job.errors
    assert staged_count(job) == 30 and job.staging["rows"] == 30
    # A commit time whose microseconds end in zeros: PostgreSQL's JSON would drop them, Python's
    # isoformat keeps them (this made the audit comparison fail one run in ten).
    real_now = timezone.now
    monkeypatch.setattr(staging.timezone, "now", lambda: real_now().replace(microsecond=120000))
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert len(reads) == 1, "the commit must not read the file again"
    assert job.result["people"] == job.result["memberships"] == 30
    assert staged_count(job) == 0 and job.staging == {}

    people = {p.pk: p for p in Person.objects.select_related("unit")}
    assert len(people) == 30
    for row in rows:
        person = Person.objects.get(id_number_index=id_number_index(row["身份证号码"]))
        assert person.name == normalise_name(row["姓名"]) and person.clear_id_number() == row["身份证号码"]
        assert person.name_pinyin == search_text(person.name)
        assert person.id_last4_index == id_last4_index(row["身份证号码"][-4:])
        phone = str(row["手机号码"] or "")
        assert person.clear_phone() == phone
        assert (person.phone_index, person.phone_last4_index) == (
            (phone_index(phone), phone_last4_index(phone[-4:])) if phone else ("", ""))
        assert person.unit.name == row["所在团支部"].split("/")[-1]
    assert_audit_trail_reads_as_written_row_by_row(actor=world.county_admin, count=30)
    history = list(MembershipEvent.objects.all())
    assert len(history) == 30
    for event in history:
        assert (event.kind, event.to_status, event.actor_id) == ("registered", "member", world.county_admin.pk)
        assert (event.on, event.to_branch_id) == (event.membership.status_since, event.membership.branch_id)
        assert event.reason == "批量导入：团员名册.xlsx"


@pytest.mark.django_db
def test_staged_rows_hold_no_clear_numbers_and_leave_with_the_job(world, tmp_path):
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(10)]
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM membership_stagedmember WHERE job_id = %s", [job.pk])
        stored = repr(cursor.fetchall())
    for row in rows:
        assert row["身份证号码"] not in stored
        assert not row["手机号码"] or str(row["手机号码"]) not in stored
    # A check that finds errors keeps nothing staged, even for the rows before the first error.
    bad = [dict(r) for r in rows]
    bad[8]["性别"] = "未知"
    job2 = upload(tmp_path, bad, actor=world.county_admin, unit=world.county, name="有错.xlsx")
    assert job2.status == ImportJob.Status.INVALID and staged_count(job2) == 0 and job2.staging == {}
    # Checking a job again replaces its staged rows; the 24-hour purge takes them with the file.
    imports.check_job(job)
    assert staged_count(job) == 10
    imports.purge_stale_uploads(older_than=datetime.timedelta(0), now=9e9)
    job.refresh_from_db()
    assert staged_count(job) == 0 and job.staging == {} and job.file_path == ""


@pytest.mark.django_db
def test_a_branch_closed_after_the_check_refuses_its_rows_and_writes_nothing(world, tmp_path, reads):
    rows = [member_row(i, branch="甲村团支部" if i < 3 else "乙村团支部", today=TODAY) for i in range(6)]
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.READY
    close_unit(actor=world.superuser, unit=world.branch_a2, closed_on=TODAY, reason="合并")
    audits = AuditEvent.objects.count()
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.INVALID
    assert len(reads) == 1
    letter = branch_letter(job)
    assert [(e["row"], e["column"], e["letter"], e["message"]) for e in job.errors] == [
        (r, "所在团支部", letter, "“乙村团支部”已撤销") for r in (5, 6, 7)]
    assert (Person.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == (0, 0, audits)
    assert staged_count(job) == 0


def branch_letter(job) -> str:
    position = next(int(i) for i, key in job.headers.items() if key == "branch")
    return imports.column_letter(position)


@pytest.mark.django_db
def test_a_minor_staged_by_one_user_is_refused_to_a_committer_who_may_not_see_minors(world, tmp_path):
    birth = datetime.date(TODAY.year - 13, 1, 5)
    row = {"姓名": "小明", "身份证号码": id_number(birth, 1, male=True), "所在团支部": "甲村团支部",
           "团籍状态": "入团申请人"}
    adult = member_row(1, branch="甲村团支部", today=TODAY)
    job = upload(tmp_path, [adult, row], actor=world.county_admin, unit=world.town_a)
    assert job.status == ImportJob.Status.READY, job.errors
    job = imports.commit_job(job, world.town_secretary)
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["message"]) for e in job.errors] == [
        (3, "未满 14 周岁人员的信息只能由少先队辅导员或县级管理员登记")]
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_a_rule_changed_after_the_check_sends_the_commit_back_to_the_file(world, tmp_path, reads):
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(5)]
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    set_rule(actor=world.superuser, key="membership.min_join_age", raw_value="14", county=world.county,
             effective_from=TODAY + datetime.timedelta(days=30))
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert len(reads) == 2
    assert Person.objects.count() == 5 and staged_count(job) == 0


@pytest.mark.django_db
def test_staged_rows_lost_in_a_crash_send_the_commit_back_to_the_file(world, tmp_path, reads):
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(5)]
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    # An unlogged table comes back empty after a crash: here, one row short.
    StagedMember.objects.filter(job=job, row_number=3).delete()
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert len(reads) == 2
    assert Person.objects.count() == 5


@pytest.mark.django_db
def test_the_finished_page_says_what_was_registered(world, tmp_path, client):
    from django.urls import reverse

    from tuanwu.membership.imports import describe_result

    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(4)]
    rows[3].update({"团籍状态": "入团申请人", "入团年月": "", "团员编号": "", "团员证号": "", "政治面貌": ""})
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.READY, job.errors
    client.force_login(world.county_admin)
    # The preview's counts keep their order (the total first) although jsonb reorders keys.
    preview = client.get(reverse("core:import_detail", args=[job.pk])).content.decode()
    labels = [chunk.split("</div>")[0] for chunk in preview.split('<div class="label">')[1:]]
    assert labels == ["新登记人员", "入团申请人", "团员"]
    response = client.post(reverse("core:import_commit", args=[job.pk]))
    page = client.get(response["Location"]).content.decode()
    assert "新登记人员 4 人（入团申请人 1 人、团员 3 人）。" in page
    assert describe_result({"people": 0}) == "新登记人员 0 人"


# ---------------------------------------------------------------------------------------------
# The staging helper (a forked process) for large files. It commits on its own connection, so
# these tests run outside the test transaction (django_db(transaction=True)).


@pytest.fixture
def helper(settings, monkeypatch):
    """Every check goes through the staging helper, in batches of 7 rows; records each helper."""
    from tuanwu.membership import staging

    settings.TUANWU_IMPORT_PARALLEL_ROWS = 1
    monkeypatch.setattr(imports.get_spec("members"), "batch_rows", 7)
    started = []

    class Recorded(staging.StagingHelper):
        def __init__(self, job_id):
            super().__init__(job_id)
            started.append(self)

    monkeypatch.setattr(staging, "StagingHelper", Recorded)
    return started


def staged_rows(job) -> dict[int, dict]:
    from tuanwu.core import crypto

    rows = {}
    for staged in StagedMember.objects.filter(job=job).values():
        for column in ("id_number_encrypted", "phone_encrypted"):
            staged[column] = crypto.decrypt(staged[column]) if staged[column] else ""
        for column in ("id", "job_id", "new_person_id", "new_membership_id"):
            staged.pop(column)
        rows[staged["row_number"]] = staged
    return rows


@pytest.mark.django_db(transaction=True)
def test_a_large_check_stages_in_the_helper_exactly_what_it_stages_itself(world, tmp_path, helper, settings):
    import gc

    rows = [member_row(i, branch="甲村团支部" if i % 3 else "甲镇团委/乙村团支部", today=TODAY) for i in range(30)]
    rows[4]["姓名"] = "单  伟"  # normalised and pinyin'd in the helper as in the check
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.READY, job.errors
    assert len(helper) == 1 and not helper[0].process.is_alive()
    assert gc.get_freeze_count() == 0, "the collector is back to normal once the helper is done"
    assert staged_count(job) == job.staging["rows"] == 30

    settings.TUANWU_IMPORT_PARALLEL_ROWS = 0
    itself = upload(tmp_path, rows, actor=world.county_admin, unit=world.county, name="同一文件.xlsx")
    assert len(helper) == 1, "below the threshold the check stages in its own process"
    assert staged_rows(job) == staged_rows(itself)
    StagedMember.objects.filter(job=itself).delete()

    # The checking process's own database session survived the fork: the commit uses it.
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Person.objects.count() == Membership.objects.count() == 30
    for row in rows:
        person = Person.objects.get(id_number_index=id_number_index(row["身份证号码"]))
        assert person.clear_id_number() == row["身份证号码"] and person.name_pinyin == search_text(person.name)
    assert Person.objects.filter(name="单伟", name_pinyin__contains="shanwei").exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_helper_fails_the_check_and_stages_nothing(world, tmp_path, helper, monkeypatch, caplog):
    import gc

    from tuanwu.membership import staging

    def broken(cursor, job_id, payloads, cipher):
        raise RuntimeError("disk full")

    monkeypatch.setattr(staging, "_stage_batch", broken)  # inherited by the forked helper
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(30)]
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.FAILED
    assert [e["message"] for e in job.errors] == [imports.SYSTEM_ERROR]
    assert "disk full" in caplog.text, "the helper's failure is logged with its cause"
    assert staged_count(job) == 0 and job.staging == {}
    assert gc.get_freeze_count() == 0
    assert not helper[0].process.is_alive()


@pytest.mark.django_db(transaction=True)
def test_an_error_after_the_helper_staged_some_batches_leaves_nothing_staged(world, tmp_path, helper, monkeypatch):
    from tuanwu.membership import staging

    # Not even for a moment: the helper rolls its rows back rather than committing them to be
    # deleted (discard is switched off here to tell the two apart).
    monkeypatch.setattr(staging.STAGING, "discard", lambda job: None)
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(30)]
    rows[25]["性别"] = "未知"  # three batches of 7 went to the helper before this one
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [(27, "性别")]
    assert len(helper) == 1 and staged_count(job) == 0 and job.staging == {}

    # A check that breaks off (here: the registry lookup fails at the fourth batch) likewise.
    spec = imports.get_spec("members")
    lookups = []

    def failing_lookup(ctx, batch):
        lookups.append(1)
        if len(lookups) == 4:
            raise RuntimeError("connection lost")

    monkeypatch.setattr(spec, "validate_batch", failing_lookup)
    job = upload(tmp_path, [member_row(i, branch="甲村团支部", today=TODAY) for i in range(30)],
                 actor=world.county_admin, unit=world.county, name="中断.xlsx")
    assert job.status == ImportJob.Status.FAILED and len(helper) == 2
    assert staged_count(job) == 0


# ---------------------------------------------------------------------------------------------
# A large file's commit writes its audit trail on a second connection, committed with the
# registry rows by two-phase commit (core/companion.py).


@pytest.fixture
def companions(monkeypatch):
    """Records every companion transaction the commit starts."""
    from tuanwu.core import companion

    started = []

    class Recorded(companion.Companion):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(companion, "Companion", Recorded)
    yield started
    # A test that failed half-way must not leave a prepared transaction behind: its locks would
    # hold up the flush of the database after the test.
    with connection.cursor() as cursor:
        for gid in prepared_transactions():
            cursor.execute(f"ROLLBACK PREPARED '{gid}'")


def prepared_transactions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT gid FROM pg_prepared_xacts")
        return [gid for (gid,) in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_a_large_commit_writes_its_audit_trail_beside_the_registry_rows_and_commits_both(
        world, tmp_path, helper, companions, monkeypatch):
    from tuanwu.core.models import CompanionCommit
    from tuanwu.membership import staging

    rows = [member_row(i, branch="甲村团支部" if i % 2 else "甲镇团委/乙村团支部", today=TODAY) for i in range(30)]
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.READY, job.errors
    real_now = timezone.now
    monkeypatch.setattr(staging.timezone, "now", lambda: real_now().replace(microsecond=120000))
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert len(companions) == 1 and companions[0].prepared and companions[0].rows == 60
    assert_audit_trail_reads_as_written_row_by_row(actor=world.county_admin, count=30)
    assert prepared_transactions() == [] and not CompanionCommit.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_commit_that_fails_after_its_audit_trail_was_prepared_leaves_no_trail(
        world, tmp_path, helper, companions, monkeypatch, caplog):
    from tuanwu.core.models import CompanionCommit

    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(30)]
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.READY, job.errors
    real_record = imports.audit.record

    def failing(*, action, **kwargs):
        if action.startswith("导入："):
            raise RuntimeError("disk full")
        return real_record(action=action, **kwargs)

    monkeypatch.setattr(imports.audit, "record", failing)  # after the companion has prepared
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.FAILED
    assert len(companions) == 1 and companions[0].prepared, "the companion had prepared its rows"
    assert not Person.objects.exists() and not Membership.objects.exists()
    assert not AuditEvent.objects.filter(action__endswith="（导入）").exists()
    assert prepared_transactions() == [] and not CompanionCommit.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_commit_whose_companion_fails_writes_the_trail_itself(world, tmp_path, helper, companions, monkeypatch):
    from tuanwu.core import companion

    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(30)]
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    real_run = companion.Companion._run

    def broken_run(self):
        # The companion's own transaction fails; the main transaction's statements are intact.
        self.statements = [("INSERT INTO no_such_table VALUES (1)", {})]
        real_run(self)

    monkeypatch.setattr(companion.Companion, "_run", broken_run)
    job = imports.commit_job(job, world.county_admin)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert len(companions) == 1 and not companions[0].prepared and companions[0].error is not None
    assert AuditEvent.objects.filter(action__endswith="（导入）").count() == 60
    assert prepared_transactions() == []


# ---------------------------------------------------------------------------------------------
# The check leaves the registry lookup of the batches it stages to the staging, which looks up
# all of them at once when the check ends (in the helper, for a large file).


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_helper", [True, False], ids=["helper", "in-process"])
@pytest.mark.parametrize("later_error", [True, False], ids=["with-a-later-error", "alone"])
def test_registry_duplicates_in_staged_batches_are_reported_in_row_order(
        world, tmp_path, helper, settings, in_helper, later_error):
    from tuanwu.people.idcard import mask_id_number
    from tuanwu.people.testing import make_member, make_person

    if not in_helper:
        settings.TUANWU_IMPORT_PARALLEL_ROWS = 0
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(30)]
    make_person(world, world.branch_b1, "已登记", id_number=rows[1]["身份证号码"],
                gender="male" if rows[1]["性别"] == "男" else "female")
    member = make_member(world, world.branch_b1)
    rows[3].update({"团员编号": member.development_number, "入团年月": member.joined_on.isoformat()})
    if later_error:
        rows[20]["性别"] = "未知"  # the third batch's own error: it is looked up by the check itself
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    assert job.status == ImportJob.Status.INVALID
    expected = [(3, "身份证号码", "E"), (5, "团员编号", "K")] + ([(22, "性别", "C")] if later_error else [])
    assert [(e["row"], e["column"], e["letter"]) for e in job.errors] == expected
    assert job.errors[0]["message"] == already_registered(mask_id_number(rows[1]["身份证号码"]))
    assert job.errors[1]["message"] == f"发展团员编号 {member.development_number} 已被系统中的其他团员使用"
    assert len(helper) == (1 if in_helper else 0)
    assert staged_count(job) == 0 and job.staging == {}
    assert Person.objects.count() == 2


@pytest.mark.django_db
def test_batches_after_an_error_are_looked_up_by_the_check_itself(world, tmp_path, monkeypatch):
    """Only batches that are staged leave their lookup to the staging: the others are looked up
    as they are read (here a duplicate in the batch after the first error)."""
    from tuanwu.people.testing import make_person

    monkeypatch.setattr(imports.get_spec("members"), "batch_rows", 7)
    rows = [member_row(i, branch="甲村团支部", today=TODAY) for i in range(30)]
    rows[2]["性别"] = "未知"
    make_person(world, world.branch_b1, "已登记", id_number=rows[12]["身份证号码"],
                gender="male" if rows[12]["性别"] == "男" else "female")
    job = upload(tmp_path, rows, actor=world.county_admin, unit=world.county)
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, "性别"), (14, "身份证号码")]
    assert staged_count(job) == 0
