"""Foreign keys checked once per bulk write instead of once per row.

PostgreSQL checks a foreign key with a trigger per inserted row: a query on the referenced table
that also locks the referenced row (FOR KEY SHARE), which writes a WAL record when that row is
one the same transaction just inserted. A 100,000-person import writes five references per
person; their 500,000 checks took 1.6–3.7 s at COMMIT, about a third of the commit step.

:func:`bulk_insert` runs a block of inserts with those per-row triggers off
(``session_replication_role = replica``, for this transaction only) and then enforces every
foreign key of the tables written, from the keys the inserts return: a reference to a row the
same block created needs nothing more (no other transaction can see that row, so none can
delete it); the other referenced rows, a few hundred branches in an import, are looked up and
locked FOR KEY SHARE in one query per key, as the triggers would have locked them, so that no
one can delete them or change their key before we commit.

Turning triggers off needs the privilege to set ``session_replication_role``: a superuser has
it, another role gets it with ``GRANT SET ON PARAMETER session_replication_role TO <role>``
(PostgreSQL 15+). Without it the write simply runs with the per-row triggers, as any other write.
The constraints themselves stay in the database for every other statement.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Model


@dataclass(frozen=True)
class ForeignKey:
    name: str
    table: str
    column: str
    target_table: str
    target_column: str


def foreign_keys(table: str) -> list[ForeignKey]:
    """The foreign-key constraints of ``table`` as the database has them (Django's introspection
    reads ``pg_constraint``), not as the models say: a key added by a later migration is enforced
    without anyone listing it here."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    keys = []
    for name, constraint in sorted(constraints.items()):
        if not constraint["foreign_key"]:
            continue
        if len(constraint["columns"]) != 1:
            raise NotImplementedError(f"{table}.{name}: composite foreign keys are not checked in bulk")
        target_table, target_column = constraint["foreign_key"]
        keys.append(ForeignKey(name, table, constraint["columns"][0], target_table, target_column))
    return keys


def may_skip_row_triggers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        return bool(cursor.fetchone()[0])


class BulkInsert:
    """The inserts of one :func:`bulk_insert` block. Every insert in the block goes through
    :meth:`execute`: it learns there which rows were created and what they reference."""

    def __init__(self, triggers_off: bool):
        self.triggers_off = triggers_off
        self.created: dict[tuple[str, str], set] = {}  # (table, primary key column) → keys created
        self.references: dict[ForeignKey, set] = {}

    def execute(self, cursor, model: type[Model], sql: str, params: dict | None = None) -> int:
        """Run one ``INSERT … SELECT`` (or ``VALUES``) into ``model``'s table; returns the row count."""
        if not self.triggers_off:
            cursor.execute(sql, params)
            return cursor.rowcount
        table, pk = model._meta.db_table, model._meta.pk.column
        keys = foreign_keys(table)
        quote = connection.ops.quote_name
        cursor.execute(f"{sql} RETURNING {', '.join(quote(c) for c in [pk, *(k.column for k in keys)])}", params)
        rows = cursor.fetchall()
        self.created.setdefault((table, pk), set()).update(row[0] for row in rows)
        for i, key in enumerate(keys, start=1):
            self.references.setdefault(key, set()).update(row[i] for row in rows if row[i] is not None)
        return len(rows)

    def enforce(self) -> None:
        """Every reference made by the block: to a row the block created (nobody else can see
        it), or to an existing row, locked FOR KEY SHARE as the trigger would have locked it."""
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for key, values in self.references.items():
                outside = values - self.created.get((key.target_table, key.target_column), set())
                if not outside:
                    continue
                column = quote(key.target_column)
                cursor.execute(f"SELECT p.{column} FROM {quote(key.target_table)} p WHERE p.{column} = ANY(%s) "
                               "FOR KEY SHARE OF p", [sorted(outside)])
                missing = outside - {row[0] for row in cursor.fetchall()}
                if missing:
                    raise IntegrityError(
                        f'insert or update on table "{key.table}" violates foreign key constraint "{key.name}": '
                        f"{key.column} {', '.join(map(str, sorted(missing)[:3]))} "
                        f'not present in table "{key.target_table}"')


@contextlib.contextmanager
def bulk_insert() -> Iterator[BulkInsert]:
    """A block of inserts without per-row foreign-key triggers, whose references are enforced
    for all its rows at once at the end (``IntegrityError`` naming the constraint, as the
    triggers would raise). When the role may not turn the triggers off, the block runs with
    them and the end adds nothing.

    Inserts only, and each through ``BulkInsert.execute``: an update or delete in the block, or
    an insert past ``execute``, would go unchecked. Needs a transaction (the setting ends with
    it). The block and the checks run in a savepoint: an error inside the block restores the
    setting, and a refused reference takes the block's rows with it."""
    if not connection.in_atomic_block:
        raise RuntimeError("bulk_insert needs a transaction")
    inserts = BulkInsert(triggers_off=may_skip_row_triggers())
    if not inserts.triggers_off:
        yield inserts
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('session_replication_role'), "
                           "set_config('session_replication_role', 'replica', true)")
            previous = cursor.fetchone()[0]
        yield inserts
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('session_replication_role', %s, true)", [previous])
        inserts.enforce()
