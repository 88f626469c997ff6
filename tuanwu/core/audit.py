"""The audit trail: every write, with actor, time, source IP, object, before → after.

Actions call :func:`record` (one object) or :func:`record_many` (bulk writes: one row per
object, written with one INSERT). Snapshots pass through :func:`snapshot`, which masks fields a
model lists in ``AUDIT_MASKED_FIELDS`` and drops those in ``AUDIT_EXCLUDED_FIELDS``.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import Iterable

from django.db import models

from .context import current_origin
from .models import AuditEvent


def mask_value(value) -> str:
    """Keep the first 6 and last 4 characters of long identifiers, hide the rest."""
    text = str(value or "")
    if len(text) >= 11:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if len(text) >= 7:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return "*" * len(text)


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_PLAIN = (str, int, bool, float, type(None))
_SNAPSHOT_FIELDS: dict[type, list[tuple[str, str, bool]]] = {}


def _snapshot_fields(model: type) -> list[tuple[str, str, bool]]:
    """(name, attname, masked) of the fields a snapshot holds, worked out once per model."""
    found = _SNAPSHOT_FIELDS.get(model)
    if found is None:
        masked = set(getattr(model, "AUDIT_MASKED_FIELDS", ()))
        excluded = set(getattr(model, "AUDIT_EXCLUDED_FIELDS", ()))
        found = _SNAPSHOT_FIELDS[model] = [(f.name, f.attname, f.name in masked)
                                           for f in model._meta.concrete_fields if f.name not in excluded]
    return found


def snapshot(obj: models.Model | None) -> dict | None:
    """A JSON-safe dict of the object's concrete fields, personal data masked."""
    if obj is None:
        return None
    data = {}
    values = obj.__dict__
    for name, attname, masked in _snapshot_fields(type(obj)):
        value = values[attname] if attname in values else getattr(obj, attname)
        if masked and value:
            value = mask_value(value)
        data[name] = value if type(value) in _PLAIN else _plain(value)
    return data


def _unit_path(obj) -> str:
    getter = getattr(obj, "audit_unit_path", None)
    if callable(getter):
        return getter() or ""
    return ""


def _changes(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """With both snapshots, keep only what changed, so the trail reads as before → after."""
    if before is None or after is None:
        return before, after
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    return ({k: v for k, v in before.items() if k in changed}, {k: v for k, v in after.items() if k in changed})


def _event(*, actor, action: str, obj, before: dict | None, after: dict | None, batch=None) -> AuditEvent:
    origin = current_origin()
    before, after = _changes(before, after)
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(actor.get_username() if getattr(actor, "pk", None) else "系统"),
        source_ip=origin.ip,
        source=origin.source,
        action=action,
        object_type=obj._meta.label if isinstance(obj, models.Model) else str(type(obj).__name__),
        object_id=str(getattr(obj, "pk", "") or ""),
        object_repr=str(obj)[:300],
        unit_path=_unit_path(obj),
        before=before,
        after=after,
        batch=batch,
    )


def record(*, actor, action: str, obj, before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Write one audit row. ``before``/``after`` come from :func:`snapshot`."""
    event = _event(actor=actor, action=action, obj=obj, before=before, after=after)
    event.save()
    return event


def record_many(*, actor, action: str, items: Iterable[tuple[models.Model, dict | None, dict | None]],
                batch: uuid.UUID | None = None) -> uuid.UUID:
    """Audit a bulk write: one row per object, sharing a batch id and a time, streamed with
    COPY (imports audit 100,000 rows at a time). A write done in chunks passes the same
    ``batch`` for each chunk."""
    from django.utils import timezone

    from .bulk import copy_rows

    batch = batch or uuid.uuid4()
    origin = current_origin()
    # What every row of the batch shares is worked out once.
    shared_head = (timezone.now(), actor.pk if getattr(actor, "pk", None) else None,
                   actor.get_username() if getattr(actor, "pk", None) else "系统", origin.ip, origin.source, action)
    rows = []
    for obj, before, after in items:
        before, after = _changes(before, after)
        rows.append((*shared_head, obj._meta.label, str(obj.pk or ""), str(obj)[:300], _unit_path(obj),
                     None if before is None else json.dumps(before, ensure_ascii=False),
                     None if after is None else json.dumps(after, ensure_ascii=False), batch))
    copy_rows(AuditEvent._meta.db_table, _ROW_COLUMNS, rows)
    return batch


_ROW_COLUMNS = ("at", "actor_id", "actor_label", "source_ip", "source", "action", "object_type", "object_id",
                "object_repr", "unit_path", "before", "after", "batch")
