"""Companion transactions (core/companion.py): work on a second connection that becomes visible
exactly when, and only if, the caller's transaction commits — also when the process dies between
the two (the orphans are settled from the marker row)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from tuanwu.core import companion
from tuanwu.core.models import AuditEvent, CompanionCommit

pytestmark = pytest.mark.django_db(transaction=True)

INSERT = ("INSERT INTO core_auditevent (at, actor_label, source, action, object_type, object_id, object_repr, "
          "unit_path) SELECT now(), '', 'task', %(action)s, 'test', g::text, '', '' FROM generate_series(1, %(n)s) g")


def statements(action: str, n: int = 3) -> list[tuple[str, dict]]:
    return [(INSERT, {"action": action, "n": n})]


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT gid FROM pg_prepared_xacts")
        return [gid for (gid,) in cursor.fetchall()]


@pytest.fixture(autouse=True)
def no_prepared_left():
    yield
    with connection.cursor() as cursor:
        for gid in prepared():
            cursor.execute(f"ROLLBACK PREPARED '{gid}'")


def written(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_the_companions_rows_appear_when_the_main_transaction_commits():
    with transaction.atomic():
        assert companion.available()
        work = companion.Companion(statements("companion"), expected_rows=3)
        AuditEvent.objects.create(action="main", object_type="test")
        assert work.join() and work.prepared
        assert written("companion") == 0, "invisible until settled, even to the main transaction"
    assert work.gid in prepared()
    companion.settle_pending()
    assert written("companion") == 3 and written("main") == 1
    assert prepared() == [] and not CompanionCommit.objects.exists()


def test_the_companions_rows_go_when_the_main_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        work = companion.Companion(statements("companion"), expected_rows=3)
        assert work.join()
        raise RuntimeError("later failure")
    companion.settle_pending()
    assert written("companion") == 0 and prepared() == [] and not CompanionCommit.objects.exists()


def test_a_companion_that_sees_other_rows_than_expected_does_nothing():
    with transaction.atomic():
        work = companion.Companion(statements("companion"), expected_rows=4)
        assert not work.join() and work.error is None
    companion.settle_pending()
    assert written("companion") == 0 and prepared() == []


def test_a_failing_companion_does_nothing_and_says_why(caplog):
    with transaction.atomic():
        work = companion.Companion([("INSERT INTO no_such_table VALUES (1)", {})], expected_rows=1)
        assert not work.join()
    companion.settle_pending()
    assert "no_such_table" in caplog.text and prepared() == []


def test_not_available_inside_an_enclosing_transaction():
    # The inner block's end is no COMMIT: the companion could not follow its outcome.
    with transaction.atomic():
        assert companion.available()
        with transaction.atomic():
            assert not companion.available()
    assert not companion.available(), "outside any transaction there is nothing to follow"


@pytest.mark.parametrize("committed", [True, False], ids=["main-committed", "main-rolled-back"])
def test_orphans_left_by_a_dead_process_are_settled_as_their_main_transaction_ended(committed):
    try:
        with transaction.atomic():
            work = companion.Companion(statements("companion"), expected_rows=3)
            assert work.join()
            if not committed:
                raise RuntimeError("died")
    except RuntimeError:
        pass
    connection.__dict__.pop("_tuanwu_companions")  # the process died before settling
    assert prepared() == [work.gid]
    assert companion.settle_orphans() == {work.gid: "committed" if committed else "rolled back"}
    assert written("companion") == (3 if committed else 0)
    assert prepared() == [] and not CompanionCommit.objects.exists()


def test_orphan_settling_leaves_alone_a_companion_whose_main_transaction_is_still_running():
    seen = {}

    def other_process():
        try:
            seen["settled"] = companion.settle_orphans()
        finally:
            connection.close()

    with transaction.atomic():
        work = companion.Companion(statements("companion"), expected_rows=3)
        assert work.join()
        # Another session looks for orphans now: the main transaction holds the companion's lock.
        thread = threading.Thread(target=other_process)
        thread.start()
        thread.join()
        assert seen["settled"] == {} and work.gid in prepared()
    companion.settle_pending()
    assert written("companion") == 3 and prepared() == []


def test_the_command_settles_orphans(capsys):
    from django.core.management import call_command

    with transaction.atomic():
        work = companion.Companion(statements("companion"), expected_rows=3)
        assert work.join()
    connection.__dict__.pop("_tuanwu_companions")
    call_command("settle_companions")
    assert written("companion") == 3 and prepared() == []
    assert "已提交 1" in capsys.readouterr().out
