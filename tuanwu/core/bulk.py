"""Bulk inserts with PostgreSQL COPY, for imports and other large writes.

``bulk_create`` on PostgreSQL sends each batch as arrays (UNNEST) that psycopg adapts value by
value, which dominates a 100,000-row import. :func:`copy_insert` allocates primary keys from the
table's sequence in one query and streams the rows with COPY, running each field's own
``pre_save`` and ``get_db_prep_save`` so defaults, ``auto_now`` and JSON behave as with a save.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection


def copy_insert(model, objs: Sequence) -> None:
    """Insert unsaved ``objs`` of ``model`` with COPY; sets their primary keys."""
    if not objs:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    with connection.cursor() as cursor:
        missing = [obj for obj in objs if obj.pk is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(missing)],
            )
            for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = pk
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                # Foreign keys assigned as unsaved objects take their (now known) ids.
                obj._prepare_related_fields_for_save(operation_name="copy_insert")
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"


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
