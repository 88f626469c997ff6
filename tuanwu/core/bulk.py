"""Bulk inserts with PostgreSQL COPY, for imports and other large writes.

``bulk_create`` on PostgreSQL sends each batch as arrays (UNNEST) that psycopg adapts value by
value, which dominates a 100,000-row import. :func:`copy_insert` allocates primary keys from the
table's sequence in one query and streams the rows with COPY, running each field's own
``pre_save`` and ``get_db_prep_save`` so defaults, ``auto_now`` and JSON behave as with a save.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db import connection, connections
from django.db.models import fields as model_fields
from django.db.models.fields import related

# Built-in fields whose database value is the Python value itself for the plain types below
# (COPY's text format then lets PostgreSQL parse it): for these, reading the attribute is
# enough, and a 100,000-row import skips millions of get_db_prep_save calls. Subclasses are not
# listed on purpose: they may normalise values in their own get_prep_value.
_PLAIN_FIELDS = {
    model_fields.CharField, model_fields.TextField, model_fields.SlugField, model_fields.EmailField,
    model_fields.IntegerField, model_fields.SmallIntegerField, model_fields.BigIntegerField,
    model_fields.PositiveIntegerField, model_fields.PositiveSmallIntegerField, model_fields.BooleanField,
    model_fields.AutoField, model_fields.BigAutoField, model_fields.DateField, related.ForeignKey,
}
_PLAIN_TYPES = {str, int, bool, type(None), datetime.date}


def _columns(meta):
    """(attname, field, plain, foreign key) for each concrete field."""
    result = []
    for f in meta.concrete_fields:
        plain = type(f) in _PLAIN_FIELDS and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)
        result.append((f.attname, f, plain, f.is_relation and f.many_to_one))
    return result


def copy_insert(model, objs: Sequence) -> None:
    """Insert unsaved ``objs`` of ``model`` with COPY; sets their primary keys."""
    if not objs:
        return
    meta = model._meta
    columns = _columns(meta)
    # The connection itself, not the proxy: each attribute read through the proxy is a
    # context-local lookup, and get_db_prep_save reads it once per value.
    conn = connections["default"]
    with connection.cursor() as cursor:
        missing = [obj for obj in objs if obj.pk is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(missing)],
            )
            for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = pk

    def database_row(obj) -> list:
        values = obj.__dict__
        row = []
        for attname, f, plain, foreign in columns:
            value = values.get(attname)
            if foreign and value is None and f.is_cached(obj):
                # A foreign key assigned as an unsaved object takes its (now known) id.
                related_obj = f.get_cached_value(obj)
                if related_obj is not None:
                    if related_obj.pk is None:
                        raise ValueError(f"copy_insert: unsaved related object '{f.name}'")
                    value = values[attname] = related_obj.pk
            if not plain or type(value) not in _PLAIN_TYPES:
                value = f.get_db_prep_save(f.pre_save(obj, True), conn)
            row.append(value)
        return row

    copy_rows(meta.db_table, [f.column for _, f, _, _ in columns], (database_row(obj) for obj in objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY rows of database values into ``table`` (a generator streams them); for append-only
    rows whose ids nobody needs back, such as the audit trail of a bulk write."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def drop_secondary_indexes(tables: Sequence[str]) -> list[str]:
    """Drop the indexes of ``tables`` other than their primary keys (unique constraints
    included) and return the statements that recreate them. Filling a table and then building
    its indexes once is several times faster than maintaining them row by row; use inside the
    transaction that fills the tables, so nobody sees them without their indexes."""
    statements = []
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT i.indexname, i.indexdef, c.oid, t.relname
            FROM pg_indexes i
            JOIN pg_class t ON t.relname = i.tablename AND t.relnamespace = to_regnamespace(i.schemaname)
            LEFT JOIN pg_constraint c ON c.conname = i.indexname AND c.conrelid = t.oid
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND (c.oid IS NULL OR c.contype <> 'p')
            ORDER BY i.indexname""", [list(tables)])
        for name, definition, constraint, table in cursor.fetchall():
            if constraint is not None:
                cursor.execute("SELECT pg_get_constraintdef(%s)", [constraint])
                statements.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {cursor.fetchone()[0]}')
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            else:
                statements.append(definition)
                cursor.execute(f'DROP INDEX "{name}"')
    return statements


def recreate(statements: Sequence[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
