"""Configurable League rule values: declared in code, set per county, effective from a date.

Every value that ``../shared/domain/rules.md`` marks configurable is declared once with
:func:`declare` (see ``rule_definitions.py``) and read through :func:`get_rule`, never
hard-coded. A county administrator changes a value with :func:`set_rule`, which keeps the old
value for earlier dates and writes an audit row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import audit
from .models import RuleSetting


@dataclass(frozen=True)
class RuleDef:
    key: str
    rule_id: str
    label: str
    kind: str  # int, decimal, bool, choice, text
    default: object
    unit: str = ""
    help: str = ""
    confirmed: bool = True
    choices: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    minimum: object = None
    maximum: object = None
    group: str = ""

    def parse(self, raw) -> object:
        """Turn user input into a typed value, or raise ValidationError in Chinese."""
        if self.kind == "int":
            try:
                value = int(str(raw).strip())
            except (TypeError, ValueError):
                raise ValidationError(f"“{self.label}”应为整数") from None
        elif self.kind == "decimal":
            try:
                value = Decimal(str(raw).strip())
            except (InvalidOperation, TypeError):
                raise ValidationError(f"“{self.label}”应为数字") from None
            value = str(value.normalize()) if value == value.to_integral() else str(value)
            value = Decimal(value)
        elif self.kind == "bool":
            value = str(raw).strip().lower() in {"1", "true", "on", "yes", "是"}
        elif self.kind == "choice":
            value = str(raw)
            if value not in {c for c, _ in self.choices}:
                raise ValidationError(f"“{self.label}”只能取：" + "、".join(label for _, label in self.choices))
        else:
            value = str(raw).strip()
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(f"“{self.label}”不能小于 {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(f"“{self.label}”不能大于 {self.maximum}")
        return value

    def to_json(self, value):
        return str(value) if isinstance(value, Decimal) else value

    def from_json(self, value):
        if self.kind == "decimal" and value is not None:
            return Decimal(str(value))
        return value

    def display(self, value) -> str:
        if self.kind == "bool":
            return "是" if value else "否"
        if self.kind == "choice":
            return dict(self.choices).get(value, str(value))
        return f"{value}{self.unit}" if value not in (None, "") else "未设置"


REGISTRY: dict[str, RuleDef] = {}


def declare(**kwargs) -> RuleDef:
    definition = RuleDef(**kwargs)
    if definition.key in REGISTRY:
        raise RuntimeError(f"rule setting declared twice: {definition.key}")
    REGISTRY[definition.key] = definition
    return definition


def definition(key: str) -> RuleDef:
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(f"unknown rule setting {key!r}") from None


def _county_of(unit):
    if unit is None:
        return None
    finder = getattr(unit, "nearest_county", None)
    return finder() if finder else None


def setting_row(key: str, unit=None, on: datetime.date | None = None) -> RuleSetting | None:
    """The row in force for ``key`` under ``unit``'s 团县委 on date ``on`` (None: the default)."""
    definition(key)
    on = on or timezone.localdate()
    county = _county_of(unit)
    rows = RuleSetting.objects.filter(key=key, effective_from__lte=on)
    if county is not None:
        row = rows.filter(county=county).order_by("-effective_from", "-id").first()
        if row is not None:
            return row
    return rows.filter(county__isnull=True).order_by("-effective_from", "-id").first()


def get_rule(key: str, unit=None, on: datetime.date | None = None):
    """The one way to read a configurable rule value.

    ``unit`` selects the nearest 团县委 ancestor's settings; ``on`` the date (default today).
    """
    rule = definition(key)
    row = setting_row(key, unit, on)
    return rule.default if row is None else rule.from_json(row.value)


@transaction.atomic
def set_rule(
    *, actor, key: str, raw_value, county=None, effective_from: datetime.date, note: str = "",
    allow_past: bool = False,
) -> RuleSetting:
    """Record a new value for a rule parameter from ``effective_from`` on (audited).

    Earlier dates keep reading the earlier value. Back-dating is refused unless ``allow_past``
    (used by the demo loader to build history), because it would rewrite past results.
    """
    rule = definition(key)
    value = rule.parse(raw_value)
    if not allow_past and effective_from < timezone.localdate():
        raise ValidationError("生效日期不能早于今天：过去的统计结果不应被改写")
    # The audit row of a new setting shows the value it replaces from that date on.
    previous = rule.to_json(get_rule(key, county, on=effective_from))
    row, created = RuleSetting.objects.get_or_create(
        key=key, county=county, effective_from=effective_from,
        defaults={"value": rule.to_json(value), "note": note, "created_by": actor if getattr(actor, "pk", None) else None},
    )
    before = {"value": previous}
    if not created:
        before = audit.snapshot(row)
        row.value = rule.to_json(value)
        row.note = note
        row.created_by = actor if getattr(actor, "pk", None) else None
        row.save(update_fields=["value", "note", "created_by"])
    audit.record(actor=actor, action="设置规则参数", obj=row, before=before, after=audit.snapshot(row))
    return row


def history(key: str, county=None):
    return RuleSetting.objects.filter(key=key, county=county).select_related("created_by").order_by("-effective_from", "-id")
