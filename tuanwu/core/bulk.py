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
