"""The audit trail: every write, with actor, time, source IP, object, before → after.

Actions call :func:`record` (one object) or :func:`record_many` (bulk writes: one row per
object, written with one INSERT). Snapshots pass through :func:`snapshot`, which masks fields a
model lists in ``AUDIT_MASKED_FIELDS`` and drops those in ``AUDIT_EXCLUDED_FIELDS``.
"""

from __future__ import annotations

import datetime
import decimal
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


def snapshot(obj: models.Model | None) -> dict | None:
    """A JSON-safe dict of the object's concrete fields, personal data masked."""
    if obj is None:
        return None
    masked = set(getattr(obj, "AUDIT_MASKED_FIELDS", ()))
    excluded = set(getattr(obj, "AUDIT_EXCLUDED_FIELDS", ()))
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in excluded:
            continue
        value = getattr(obj, field.attname)
        if field.name in masked and value:
            value = mask_value(value)
        data[field.name] = _plain(value)
    return data


def _unit_path(obj) -> str:
    getter = getattr(obj, "audit_unit_path", None)
    if callable(getter):
        return getter() or ""
    return ""


def _event(*, actor, action: str, obj, before: dict | None, after: dict | None, batch=None) -> AuditEvent:
    origin = current_origin()
    if before is not None and after is not None:
        # Keep only what changed, plus the id, so the trail reads as before → after.
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
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
    """Audit a bulk write: one row per object, sharing a batch id, inserted together. A write
    done in chunks passes the same ``batch`` for each chunk."""
    from .bulk import copy_insert  # COPY: large imports audit every row they write

    batch = batch or uuid.uuid4()
    origin = current_origin()
    # What every row of the batch shares is worked out once (imports audit 100,000 rows at a time).
    shared = {
        "actor": actor if getattr(actor, "pk", None) else None,
        "actor_label": actor.get_username() if getattr(actor, "pk", None) else "系统",
        "source_ip": origin.ip, "source": origin.source, "action": action, "batch": batch,
    }
    events = []
    for obj, before, after in items:
        if before is not None and after is not None:
            events.append(_event(actor=actor, action=action, obj=obj, before=before, after=after, batch=batch))
            continue
        events.append(AuditEvent(
            **shared, object_type=obj._meta.label, object_id=str(obj.pk or ""), object_repr=str(obj)[:300],
            unit_path=_unit_path(obj), before=before, after=after,
        ))
    copy_insert(AuditEvent, events)
    return batch
