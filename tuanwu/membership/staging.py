"""Staging for the members import: the check prepares every clean row as it will be stored
and COPYs it into ``StagedMember``; the commit re-checks what may have changed since and moves
the rows into the registry with INSERT … SELECT.

Without staging, the commit read the whole file again and validated every row a second time
(the tree may have changed since the preview), then built Django objects to COPY them: two
thirds of a 100,000-row import. What can change between check and commit is now checked in a
few queries instead:

- the branch of each row (it resolved to a unit at the check): still in the importer's subtree,
  a 团支部, open, and the committer may register members there — and see minors, for rows of
  people under 14;
- the ID number (by its blind index) and the 发展团员编号 against the registry;
- everything else validation read (R1.1's minimum age, the day) is in the fingerprint: if it
  changed, the pipeline ignores the staged rows and reads the file as before.

The audit rows are built in SQL from the same field lists ``audit.snapshot`` uses, so a
staged import's trail reads exactly like one written row by row (a test compares them).
"""

from __future__ import annotations

import gc
import hashlib
import uuid
from collections import Counter

from django.conf import settings
from django.db import connection
from django.utils import timezone

from tuanwu.core import audit, companion, crypto, references
from tuanwu.core.context import current_origin
from tuanwu.core.imports import ImportContext, Row, Staging
from tuanwu.core.models import AuditEvent, ImportJob, RuleSetting
from tuanwu.core.pinyin import search_text
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.people import bulk
from tuanwu.people.idcard import already_registered, mask_id_number, mask_phone
from tuanwu.people.models import Person

from .models import EXIT_STATUSES, Membership, MembershipEvent, StagedMember, Status

STAGED = StagedMember._meta.db_table
STAGED_COLUMNS = (
    "job_id", "row_number", "new_person_id", "new_membership_id", "branch_id_at_check", "branch_text", "is_minor",
    "name", "name_pinyin", "gender", "ethnicity", "birth_date", "id_number_encrypted", "id_number_index",
    "id_last4_index", "phone_encrypted", "phone_index", "phone_last4_index", "id_masked", "phone_masked",
    "education", "occupation", "political_status", "status", "status_since", "joined_on", "member_card_number",
    "development_number", "exit_on", "exit_reason",
)


# ---------------------------------------------------------------------------------------------
# At the check


def _payloads(ctx: ImportContext, rows: list[Row]) -> list[tuple]:
    """What each clean row stores, before the costly columns (pinyin, ciphertexts, blind
    indexes, masked numbers): cheap to take from the row, and all the staging helper needs."""
    from .imports import _political_status, status_since  # imports.py imports this module

    minor_cutoff, today = ctx.state["minor_cutoff"], ctx.state["today"]
    payloads = []
    for row in rows:
        v, extra = row.values, row.extra
        status = extra["status"]
        is_exit = status in EXIT_STATUSES
        payloads.append((
            row.number, extra["branch"]["unit"].pk, str(v["branch"])[:300], extra["birth"] > minor_cutoff,
            extra["name"], extra["gender"], v["ethnicity"] or "汉族", extra["birth"],
            extra["id"], extra["phone"], extra["id_index"],
            v["education"] or "", v["occupation"] or "", _political_status(status, v["political_status"]),
            status, status_since(status, extra["joined_on"], v["exit_on"], today), extra["joined_on"],
            (v["member_card_number"] or "").strip(), (v["development_number"] or "").strip(),
            v["exit_on"] if is_exit else None, (v["exit_reason"] or "").strip() if is_exit else "",
        ))
    return payloads


def _staged_rows(job_id: int, payloads: list[tuple], ids: list[tuple[int, int]], cipher: crypto.FieldCipher):
    """The staging table's rows (STAGED_COLUMNS) for payloads and their drawn (person, membership) ids."""
    for payload, (person_id, membership_id) in zip(payloads, ids, strict=True):
        (number, branch_id, branch_text, is_minor, name, gender, ethnicity, birth, id_number, phone, id_index,
         *rest) = payload
        yield (
            job_id, number, person_id, membership_id, branch_id, branch_text, is_minor, name, search_text(name),
            gender, ethnicity, birth, *bulk.protected_columns(id_number, phone, id_index, cipher),
            mask_id_number(id_number), mask_phone(phone), *rest,
        )


ID_SQL = ("SELECT nextval(pg_get_serial_sequence(%s, 'id')), nextval(pg_get_serial_sequence(%s, 'id')) "
          "FROM generate_series(1, %s)")
COPY_SQL = f"COPY {STAGED} ({', '.join(STAGED_COLUMNS)}) FROM STDIN"


def _stage_batch(cursor, job_id: int, payloads: list[tuple], cipher: crypto.FieldCipher) -> None:
    """Draw the batch's ids from the registry's sequences and COPY its staged rows (a psycopg cursor)."""
    cursor.execute(ID_SQL, [Person._meta.db_table, Membership._meta.db_table, len(payloads)])
    ids = cursor.fetchall()
    with cursor.copy(COPY_SQL) as copy:
        for staged in _staged_rows(job_id, payloads, ids, cipher):
            copy.write_row(staged)


def stage(ctx: ImportContext, rows: list[Row]) -> None:
    """Prepare a clean batch as it will be stored (ciphertexts, blind indexes, pinyin, masked
    numbers; ids drawn from the registry's sequences) and COPY it into the staging table; for a
    large file, hand it to the staging helper process instead (see ``StagingHelper``)."""
    payloads = _payloads(ctx, rows)
    helper = ctx.state.get("staging_helper")
    if helper is None and parallel(ctx):
        # Started at the first clean batch, once the sheet is read: the file's cells are then
        # shared with the helper and stay so (nobody writes them), while the memory the reading
        # itself took for a moment is already given back.
        helper = ctx.state["staging_helper"] = StagingHelper(ctx.job.pk)
    if helper is not None:
        helper.send(payloads)
        return
    with connection.cursor() as cursor:
        _stage_batch(cursor.cursor, ctx.job.pk, payloads, crypto.field_cipher())


def registry_duplicates(cursor, job_id: int) -> list[tuple[int, str, str]]:
    """Staged rows whose ID number (by its blind index) or 发展团员编号 the registry already
    holds, as (row number, column key, message): the check's lookup of every batch it staged
    (membership.imports.validate_batch leaves it here) and the commit's re-check, each one join."""
    cursor.execute(f"SELECT s.row_number, s.id_masked FROM {STAGED} s JOIN {Person._meta.db_table} p "
                   "ON p.id_number_index = s.id_number_index WHERE s.job_id = %s ORDER BY s.row_number", [job_id])
    problems = [(row, "id_number", already_registered(masked)) for row, masked in cursor.fetchall()]
    cursor.execute(f"SELECT DISTINCT s.row_number, s.development_number FROM {STAGED} s "
                   f"JOIN {Membership._meta.db_table} m ON m.development_number = s.development_number "
                   "WHERE s.job_id = %s AND s.development_number <> '' ORDER BY s.row_number", [job_id])
    problems += [(row, "development_number", f"发展团员编号 {number} 已被系统中的其他团员使用")
                 for row, number in cursor.fetchall()]
    # A row's ID number first, then its number, as the batch lookup reported them.
    return sorted(problems, key=lambda problem: problem[0])


def finish(ctx: ImportContext, keep: bool) -> list[tuple[int, str, str]]:
    """After the check's last batch, whatever its outcome: wait for the staging helper, if one
    was started, to have stored everything it was given — or, when ``keep`` is False (the check
    failed or found errors) or its rows turn out to be in the registry already, to have dropped
    it — or raise its failure. Returns the registry duplicates among the staged rows."""
    from .imports import mask_digits

    helper = ctx.state.pop("staging_helper", None)
    if helper is not None:
        figures = ctx.state["staging_helper_figures"] = helper.finish(keep)
        problems = figures.pop("problems")
    else:
        with connection.cursor() as cursor:
            problems = registry_duplicates(cursor, ctx.job.pk)
    return [(row, key, mask_digits(message)) for row, key, message in problems]


def parallel(ctx: ImportContext) -> bool:
    threshold = settings.TUANWU_IMPORT_PARALLEL_ROWS
    return bool(threshold) and (ctx.job.total_rows or 0) >= threshold


ABORT = "abort"  # sent instead of the end mark (None) when the staged rows are not to be kept


class StagingHelperError(RuntimeError):
    pass


class StagingHelper:
    """A forked process that computes the costly columns of clean rows and COPYs them into the
    staging table, while the check goes on validating the next rows.

    Why: the check is Python work on one core (reading, validating, then pinyin, encryption and
    blind indexes for every clean row); the machine has more. Validation stays in the checking
    process, in file order, as before; the helper takes only what a clean row stores. It holds
    clear ID and phone numbers only in memory, received over a pipe from its parent, as the
    checking process itself does.

    The helper opens its own database connection (the parent's is never touched in the child:
    its socket is shared, and closing it there would end the parent's session) and stores all
    rows in one transaction, committed when the parent says the last batch was sent (and rolled
    back when the parent says the check found errors): if it fails or the parent dies, nothing
    of it is staged. ``finish`` returns its figures (peak memory, seconds) or raises
    ``StagingHelperError``.
    """

    def __init__(self, job_id: int):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.pipe, child_end = context.Pipe()
        self.process = context.Process(target=_helper_main, args=(child_end, job_id), daemon=True,
                                       name=f"tuanwu-staging-{job_id}")
        # The collector writes into every object it examines: a full collection in either
        # process would copy all their shared pages. Objects alive now are left out of
        # collections until the helper is done (gc.freeze, as Python's documentation advises
        # before a fork); they were alive anyway.
        gc.collect()
        gc.freeze()
        try:
            self.process.start()
        except BaseException:
            gc.unfreeze()
            raise
        child_end.close()

    def send(self, payloads: list[tuple]) -> None:
        try:
            self.pipe.send(payloads)
        except (BrokenPipeError, OSError) as exc:
            # The helper died: its failure is reported by finish(), which the check always calls.
            raise StagingHelperError("staging helper is gone") from exc

    def finish(self, keep: bool = True) -> dict:
        try:
            try:
                self.pipe.send(None if keep else ABORT)
            except (BrokenPipeError, OSError):
                pass
            try:
                outcome = self.pipe.recv()
            except EOFError:
                outcome = {"error": "staging helper exited without an answer"}
        finally:
            self.pipe.close()
            self.process.join()
            gc.unfreeze()
        if "error" in outcome:
            raise StagingHelperError(outcome["error"])
        return outcome


def _helper_main(pipe, job_id: int) -> None:
    """The helper process: batches of payloads until None, then commit and answer."""
    import resource
    import time
    import traceback

    started = time.perf_counter()
    waiting = 0.0
    try:
        # The database settings as Django would connect, on a connection of our own.
        conn = connection.Database.connect(**connection.get_connection_params())
        cipher = crypto.field_cipher()
        with conn.cursor() as cursor:
            while True:
                asked = time.perf_counter()
                payloads = pipe.recv()
                waiting += time.perf_counter() - asked
                if payloads is None or payloads == ABORT:
                    break
                _stage_batch(cursor, job_id, payloads, cipher)
            # The check left the registry lookup of these rows to us (also when it found
            # errors elsewhere: every bad row is reported, not only the first kind found).
            problems = registry_duplicates(cursor, job_id)
        if payloads == ABORT or problems:
            conn.rollback()
        else:
            conn.commit()
        conn.close()
        pipe.send({"seconds": time.perf_counter() - started, "waiting": waiting, "problems": problems,
                   "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    except EOFError:
        pass  # the parent went away: nothing is committed
    except BaseException:
        try:
            pipe.send({"error": traceback.format_exc()})
        except OSError:
            pass


def discard(job: ImportJob) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {STAGED} WHERE job_id = %s", [job.pk])


def count(job: ImportJob) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {STAGED} WHERE job_id = %s", [job.pk])
        return cursor.fetchone()[0]


def fingerprint(ctx: ImportContext) -> str:
    """R1.1's minimum age is the one rule setting validation reads."""
    from .imports import MIN_AGE_KEY

    settings = list(RuleSetting.objects.filter(key=MIN_AGE_KEY).order_by("pk")
                    .values_list("pk", "county_id", "value", "effective_from"))
    return crypto.digest_text(hashlib.sha256(repr(settings).encode()).digest())


# ---------------------------------------------------------------------------------------------
# At the commit


def _problems(ctx: ImportContext) -> list[tuple[int, str | None, str]]:
    """Everything that may have changed since the check, row by row."""
    from .imports import MINOR_REFUSAL, branch_refusal, mask_digits

    job, root = ctx.job, ctx.unit
    problems: list[tuple[int, str | None, str]] = []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT branch_id_at_check, min(branch_text), bool_or(is_minor) FROM {STAGED} "
                       "WHERE job_id = %s GROUP BY branch_id_at_check", [job.pk])
        branches = cursor.fetchall()
        units = Unit.objects.in_bulk([b for b, _, _ in branches])
        refused, minors_refused = {}, []
        for branch_id, text, has_minors in branches:
            unit = units.get(branch_id)
            if unit is None or not unit.path.startswith(root.path):
                refused[branch_id] = f"“{text}”不在您的管理范围内或不存在"
                continue
            perms, problem = branch_refusal(ctx.actor, unit, text)
            if problem:
                refused[branch_id] = problem
            elif has_minors and access.VIEW_MINOR not in perms:
                minors_refused.append(branch_id)
        if refused or minors_refused:
            cursor.execute(f"SELECT row_number, branch_id_at_check, is_minor FROM {STAGED} WHERE job_id = %s "
                           "AND branch_id_at_check = ANY(%s)", [job.pk, list(refused) + minors_refused])
            for row_number, branch_id, is_minor in cursor.fetchall():
                if branch_id in refused:
                    problems.append((row_number, "branch", refused[branch_id]))
                elif is_minor:
                    problems.append((row_number, "branch", MINOR_REFUSAL))
        problems += registry_duplicates(cursor, job.pk)
    return [(row, key, mask_digits(message)) for row, key, message in problems]


# Each registry column from the staged row: every concrete field must be named here, so a new
# field cannot be forgotten silently (the commit fails with a KeyError in the tests instead).
PERSON_SQL = {
    "id": "s.new_person_id", "name": "s.name", "name_pinyin": "s.name_pinyin", "gender": "s.gender",
    "ethnicity": "s.ethnicity", "birth_date": "s.birth_date", "id_number_encrypted": "s.id_number_encrypted",
    "id_number_index": "s.id_number_index", "id_last4_index": "s.id_last4_index", "student_number": "''",
    "phone_encrypted": "s.phone_encrypted", "phone_index": "s.phone_index",
    "phone_last4_index": "s.phone_last4_index", "education": "s.education", "occupation": "s.occupation",
    "political_status": "s.political_status", "guardian_name": "''", "guardian_phone_encrypted": "''",
    "unit_id": "s.branch_id_at_check", "user_id": "NULL::bigint", "is_sample": "false",
    "created_at": "%(now)s", "updated_at": "%(now)s",
}
MEMBERSHIP_SQL = {
    "id": "s.new_membership_id", "person_id": "s.new_person_id", "status": "s.status",
    "status_since": "s.status_since", "branch_id": "s.branch_id_at_check", "joined_on": "s.joined_on",
    "member_card_number": "s.member_card_number", "development_number": "s.development_number",
    "exit_on": "s.exit_on", "exit_reason": "s.exit_reason", "is_sample": "false",
    "created_at": "%(now)s", "updated_at": "%(now)s",
}
EVENT_SQL = {
    "membership_id": "s.new_membership_id", "kind": "%(kind)s", "on": "s.status_since", "from_status": "''",
    "to_status": "s.status", "from_branch_id": "NULL::bigint", "to_branch_id": "s.branch_id_at_check",
    "reason": "%(reason)s", "document": "''", "actor_id": "%(actor_id)s", "actor_label": "%(actor_label)s",
    "recorded_at": "%(now)s", "is_sample": "false",
}
# What the person's audit snapshot adds to its fields (people.bulk.person_audit_snapshot).
PERSON_AUDIT_EXTRA = {"id_number": "s.id_masked", "phone": "s.phone_masked", "guardian_phone": "''"}


def _insert(model, expressions: dict[str, str]) -> str:
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if f.attname in expressions or not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(expressions[f.attname] for f in fields)
    return (f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {values} FROM {STAGED} s "
            "WHERE s.job_id = %(job)s ORDER BY s.row_number")


def _snapshot_sql(model, expressions: dict[str, str], extra: dict[str, str] | None = None) -> str:
    """jsonb_build_object(...) equal to ``audit.snapshot`` of the inserted object."""
    pairs = []
    for name, attname, masked in audit._snapshot_fields(model):
        if masked:
            raise ValueError(f"{model.__name__}.{name}: masked audit fields are not staged")
        expression = expressions[attname]
        # Timestamps as Python writes them (isoformat keeps trailing zeros of the microseconds,
        # PostgreSQL's JSON drops them): the text itself, not a timestamp, goes into the JSON.
        pairs.append(f"'{name}', {'%(now_iso)s::text' if expression == '%(now)s' else expression}")
    pairs += [f"'{name}', {expression}" for name, expression in (extra or {}).items()]
    return f"jsonb_build_object({', '.join(pairs)})"


def _audit_sql(model, object_id: str, object_repr: str, snapshot: str) -> str:
    columns = ", ".join(audit._ROW_COLUMNS)
    return (f"INSERT INTO {AuditEvent._meta.db_table} ({columns}) "
            f"SELECT %(now)s, %(actor_id)s, %(actor_label)s, %(ip)s, %(source)s, %(action)s, '{model._meta.label}', "
            f"{object_id}::text, left({object_repr}, 300), u.path, NULL, {snapshot}, %(batch)s "
            f"FROM {STAGED} s JOIN {Unit._meta.db_table} u ON u.id = s.branch_id_at_check "
            "WHERE s.job_id = %(job)s ORDER BY s.row_number")


def _status_label_sql() -> str:
    cases = " ".join(f"WHEN '{value}' THEN '{label}'" for value, label in Status.choices)
    return f"(CASE s.status {cases} ELSE s.status END)"


def commit(ctx: ImportContext) -> tuple[dict, list[tuple[int, str | None, str]]]:
    """Re-check, then write people, memberships, registration events and both audit batches
    from the staged rows (inside the pipeline's transaction)."""
    problems = _problems(ctx)
    if problems:
        return {}, problems
    actor = ctx.actor
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    origin = current_origin()
    now = timezone.now()
    params = {
        "job": ctx.job.pk, "now": now, "now_iso": now.isoformat(), "actor_id": actor_id,
        "actor_label": actor.get_username() if actor_id else "系统", "ip": origin.ip, "source": origin.source,
        "kind": MembershipEvent.Kind.REGISTERED.value, "reason": f"批量导入：{ctx.job.original_name}"[:300],
    }
    audits = [
        (_audit_sql(Person, "s.new_person_id", "s.name", _snapshot_sql(Person, PERSON_SQL, PERSON_AUDIT_EXTRA)),
         {**params, "action": "登记人员（导入）", "batch": uuid.uuid4()}),
        (_audit_sql(Membership, "s.new_membership_id", f"s.name || '（' || {_status_label_sql()} || '）'",
                    _snapshot_sql(Membership, MEMBERSHIP_SQL)),
         {**params, "action": "登记团籍（导入）", "batch": uuid.uuid4()}),
    ]
    # A large file's audit trail is written on a second connection while this one writes the
    # registry (the two writes take the machine's two cores), and committed with this
    # transaction by two-phase commit; without it, here after the registry rows.
    writer = None
    if parallel(ctx) and companion.available():
        writer = companion.Companion(audits, expected_rows=2 * ctx.job.staging["rows"])
    with references.bulk_insert() as inserts, connection.cursor() as cursor:
        ctx.progress(inserts.execute(cursor, Person, _insert(Person, PERSON_SQL), params) // 4)
        inserts.execute(cursor, Membership, _insert(Membership, MEMBERSHIP_SQL), params)
        ctx.progress(inserts.execute(cursor, MembershipEvent, _insert(MembershipEvent, EVENT_SQL), params) // 2)
    with connection.cursor() as cursor:
        if writer is None or not writer.join():
            for sql, audit_params in audits:
                cursor.execute(sql, audit_params)
        cursor.execute(f"SELECT status, count(*) FROM {STAGED} WHERE job_id = %s GROUP BY status", [ctx.job.pk])
        by_status = Counter(dict(cursor.fetchall()))
    total = sum(by_status.values())
    return {"people": total, "memberships": total,
            **{f"status_{status}": n for status, n in sorted(by_status.items())}}, []


STAGING = Staging(stage=stage, discard=discard, count=count, fingerprint=fingerprint, commit=commit, finish=finish)
