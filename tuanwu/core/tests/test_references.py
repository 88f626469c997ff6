"""core.references: a bulk insert without per-row foreign-key triggers still refuses a dangling
reference and locks what it references, exactly as the triggers would."""

from __future__ import annotations

import datetime

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from tuanwu.core import references
from tuanwu.core.models import RuleSetting

INSERT = ("INSERT INTO core_rulesetting (key, county_id, value, effective_from, note, created_by_id, created_at) "
          "VALUES ('bench.a', %(unit)s, '1', %(day)s, '', %(user)s, now()), "
          "('bench.b', %(other)s, '1', %(day)s, '', %(user)s, now())")


def replication_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        return cursor.fetchone()[0]


def params(world, other) -> dict:
    return {"unit": world.county.pk, "other": other, "day": datetime.date(2026, 1, 1), "user": world.county_admin.pk}


@pytest.mark.django_db
def test_a_bulk_insert_runs_without_row_triggers_and_still_refuses_a_missing_reference(world):
    assert references.may_skip_row_triggers(), "the project's PostgreSQL role may skip them"
    assert [(k.column, k.target_table, k.target_column) for k in references.foreign_keys("core_rulesetting")] == [
        ("county_id", "organisations_unit", "id"), ("created_by_id", "accounts_user", "id")]
    with pytest.raises(IntegrityError, match='"core_rulesetting".*county_id 987654321 not present'):
        with references.bulk_insert() as inserts, connection.cursor() as cursor:
            assert inserts.triggers_off and replication_role() == "replica"
            assert inserts.execute(cursor, RuleSetting, INSERT, params(world, 987654321)) == 2
            # No per-row check was queued: making the constraints immediate raises nothing.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    # The refused rows went with the block's savepoint; the transaction goes on.
    assert replication_role() == "origin"
    assert not RuleSetting.objects.filter(key__startswith="bench.").exists()

    with references.bulk_insert() as inserts, connection.cursor() as cursor:
        inserts.execute(cursor, RuleSetting, INSERT, params(world, world.town_a.pk))
    assert replication_role() == "origin"
    assert RuleSetting.objects.filter(key__startswith="bench.").count() == 2


@pytest.mark.django_db
def test_an_error_inside_the_block_turns_the_row_triggers_back_on(world):
    with transaction.atomic():
        with pytest.raises(ValueError), references.bulk_insert():
            assert replication_role() == "replica"
            raise ValueError("broken off")
        assert replication_role() == "origin"


@pytest.mark.django_db
def test_without_the_privilege_the_block_runs_with_the_row_triggers(world, monkeypatch):
    monkeypatch.setattr(references, "may_skip_row_triggers", lambda: False)
    with pytest.raises(IntegrityError, match="core_rulesetting_county_id"):
        with transaction.atomic(), references.bulk_insert() as inserts, connection.cursor() as cursor:
            assert not inserts.triggers_off and replication_role() == "origin"
            inserts.execute(cursor, RuleSetting, INSERT, params(world, 987654321))
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not RuleSetting.objects.filter(key__startswith="bench.").exists()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_block_is_refused(world):
    with pytest.raises(RuntimeError), references.bulk_insert():
        pass


@pytest.mark.django_db(transaction=True)
def test_the_rows_referenced_are_locked_until_the_transaction_ends(world):
    """A unit named by the new rows cannot be deleted (or its key changed) before we commit;
    a unit not named can."""
    other = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    try:
        with transaction.atomic():
            with references.bulk_insert() as inserts, connection.cursor() as cursor:
                inserts.execute(cursor, RuleSetting, INSERT, params(world, world.town_a.pk))
            for unit in (world.county, world.town_a):
                with pytest.raises(psycopg.errors.LockNotAvailable):
                    other.execute("SELECT 1 FROM organisations_unit WHERE id = %s FOR UPDATE NOWAIT", [unit.pk])
            other.execute("SELECT 1 FROM organisations_unit WHERE id = %s FOR UPDATE NOWAIT", [world.town_b.pk])
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("SELECT 1 FROM accounts_user WHERE id = %s FOR UPDATE NOWAIT", [world.county_admin.pk])
            transaction.set_rollback(True)
        other.execute("SELECT 1 FROM organisations_unit WHERE id = %s FOR UPDATE NOWAIT", [world.county.pk])
    finally:
        other.close()
