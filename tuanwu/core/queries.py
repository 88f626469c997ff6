"""Reads behind the core pages: the audit trail, rule settings overview, home figures."""

from __future__ import annotations

import datetime
import json
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from tuanwu.organisations import access
from tuanwu.organisations.models import Unit

from .models import AuditEvent, RuleSetting
from .rule_settings import REGISTRY, RuleDef

SOURCE_LABELS = {"web": "网页", "api": "接口", "import": "导入", "command": "命令行", "task": "后台任务"}

# Audit records of these fields are shown, but never their values (they are excluded from
# snapshots already; this is a second guard for rows written before a model excluded them).
_HIDDEN_FIELDS = {"password", "digest"}

# Keys that actions add to snapshots besides model fields (masked numbers, file names, counts):
# the trail is read in Chinese like everything else.
EXTRA_LABELS = {
    "id_number": "身份证号码", "phone": "手机号码", "guardian_phone": "监护人电话", "field": "查看的字段",
    "masked": "脱敏显示", "file": "文件", "sheet": "工作表", "rows": "行数", "people": "人员数",
    "memberships": "团籍数", "units": "组织数", "accounts": "账号数", "recorded": "新记录", "already": "此前已记录",
    "first_unit_id": "首个新建组织编号", "committed_by": "导入人编号", "candidates": "候选人", "winners": "当选人",
    "outcome": "结果", "round": "轮次", "reason": "原因", "paper": "选票号", "wishes": "志愿岗位",
    "positions": "职数", "parent": "上级组织编号", "parent_name": "上级组织", "units_moved": "移动的组织数",
    "rows_by_model": "各表重写行数", "keys_configured": "已配置的密钥数", "password": "密码",
    # The organisation tree's own columns (django-treebeard's, without verbose names).
    "path": "树路径", "depth": "层级", "numchild": "直属下级数",
    # Model fields declared without a Chinese verbose name.
    "created_at": "创建时间", "created_by": "创建人", "checkin_nonce": "签到码随机数",
    "entry_hash": "录入校验值", "previous_hash": "前一条的校验值",
}


def _label(field, name: str) -> str:
    label = str(field.verbose_name) if field is not None else ""
    return label if label and not label.isascii() else _extra_label(name)


def _extra_label(name: str) -> str:
    if name in EXTRA_LABELS:
        return EXTRA_LABELS[name]
    if name.startswith("status_"):  # an import's count per membership status
        from tuanwu.membership.models import Status

        if name.removeprefix("status_") in Status.values:
            return f"{Status(name.removeprefix('status_')).label}人数"
    return name


# ---------------------------------------------------------------------------------------------
# Audit trail


def audit_events_for(user) -> QuerySet[AuditEvent] | None:
    """Audit rows the user may read, or None when they hold ``audit.view`` nowhere.

    A row belongs to the unit whose path it stores; rows without a unit (account-level
    events) are visible to superusers only.
    """
    q = access.path_prefix_q(user, access.VIEW_AUDIT, "unit_path")
    if q is None:
        return None
    return AuditEvent.objects.filter(q)


@dataclass(frozen=True)
class AuditFilters:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    actor: str = ""
    action: str = ""
    object_type: str = ""
    unit: Unit | None = None
    text: str = ""


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_audit(events: QuerySet[AuditEvent], filters: AuditFilters) -> QuerySet[AuditEvent]:
    # Whole local days, as aware bounds, so the index on ``at`` is used.
    if filters.date_from:
        events = events.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(at__lt=_day_start(filters.date_to + datetime.timedelta(days=1)))
    if filters.actor:
        events = events.filter(Q(actor_label__icontains=filters.actor) | Q(actor__full_name__icontains=filters.actor))
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.unit is not None:
        events = events.filter(unit_path__startswith=filters.unit.path)
    if filters.text:
        events = events.filter(object_repr__icontains=filters.text)
    return events


def audit_choices(events: QuerySet[AuditEvent]) -> tuple[list[str], list[tuple[str, str]]]:
    """The distinct actions and object types among ``events`` (two queries), for the filters."""
    actions = list(events.order_by().values_list("action", flat=True).distinct())
    types = list(events.order_by().values_list("object_type", flat=True).distinct())
    return sorted(actions), sorted(((t, model_label(t)) for t in types), key=lambda pair: pair[1])


@lru_cache(maxsize=256)
def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def model_label(object_type: str) -> str:
    """The Chinese name of a model label such as ``organisations.Unit``."""
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


@lru_cache(maxsize=2048)
def _field(object_type: str, name: str):
    model = _model(object_type)
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # A reverse relation shares its name with some snapshot extras (an election's "candidates"):
    # it is not what the key means, and has neither verbose name nor primary_key.
    return None if field.auto_created and not field.concrete else field


@lru_cache(maxsize=256)
def _field_order(object_type: str) -> dict[str, int]:
    model = _model(object_type)
    return {f.name: i for i, f in enumerate(model._meta.fields)} if model is not None else {}


def field_label(object_type: str, name: str) -> str:
    return _label(_field(object_type, name), name)


def _show(value, field=None) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if field is not None and field.choices:
        # Show 县级管理员 rather than county_admin.
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the field had no earlier value (a new record)
    after: str | None  # None: the record is gone


def audit_changes(event: AuditEvent) -> list[Change]:
    """Before → after per field, in the model's field order (jsonb keeps keys shortest first,
    which reads as a jumble), with field names in Chinese; names the model does not know (masked
    extras such as ``id_number``) follow in their stored order."""
    before = event.before or {}
    after = event.after or {}
    names = list(before) + [k for k in after if k not in before]
    order = _field_order(event.object_type)
    names.sort(key=lambda name: order.get(name, len(order)))
    changes = []
    for name in names:
        field = _field(event.object_type, name)
        if field is not None and field.primary_key:
            continue  # the row already names its object
        hidden = name in _HIDDEN_FIELDS
        changes.append(
            Change(
                field=_label(field, name),
                before=("***" if hidden else _show(before[name], field)) if name in before else None,
                after=("***" if hidden else _show(after[name], field)) if name in after else None,
            )
        )
    return changes


def audit_change_text(event: AuditEvent) -> str:
    """One line per field, for the export."""
    lines = []
    for c in audit_changes(event):
        if c.before is None:
            lines.append(f"{c.field}：{c.after}")
        elif c.after is None:
            lines.append(f"{c.field}：{c.before} → （删除）")
        else:
            lines.append(f"{c.field}：{c.before} → {c.after}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Rule settings


@dataclass(frozen=True)
class HistoryEntry:
    row: RuleSetting
    value: str
    platform: bool  # a platform-wide value rather than this county's own
    upcoming: bool  # takes effect after today


@dataclass
class RuleRow:
    rule: RuleDef
    current: object
    source: str  # county, platform, default
    history: list[HistoryEntry]

    @property
    def current_display(self) -> str:
        return self.rule.display(self.current)

    @property
    def default_display(self) -> str:
        return self.rule.display(self.rule.default)


def rules_overview(county: Unit, on: datetime.date | None = None) -> OrderedDict[str, list[RuleRow]]:
    """Every declared setting for ``county``, grouped, with its value on ``on`` and its history.

    Resolves values exactly as :func:`rule_settings.get_rule` does (the county's own row in force,
    else the platform-wide row, else the default), but from one query instead of several per
    setting; a test compares the two for every key.
    """
    on = on or timezone.localdate()
    rows = list(
        RuleSetting.objects.filter(Q(county=county) | Q(county__isnull=True))
        .select_related("created_by")
        .order_by("key", "-effective_from", "-id")
    )
    by_key: dict[str, list[RuleSetting]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    groups: OrderedDict[str, list[RuleRow]] = OrderedDict()
    for key, rule in REGISTRY.items():
        own = [r for r in by_key.get(key, []) if r.county_id == county.pk]
        platform = [r for r in by_key.get(key, []) if r.county_id is None]
        in_force = next((r for r in own if r.effective_from <= on), None)
        source = "county"
        if in_force is None:
            in_force = next((r for r in platform if r.effective_from <= on), None)
            source = "platform"
        if in_force is None:
            current, source = rule.default, "default"
        else:
            current = rule.from_json(in_force.value)
        history = [
            HistoryEntry(row=r, value=rule.display(rule.from_json(r.value)), platform=r.county_id is None,
                         upcoming=r.effective_from > on)
            for r in sorted(own + platform, key=lambda r: (r.effective_from, r.created_at), reverse=True)
        ]
        groups.setdefault(rule.group or "其他", []).append(
            RuleRow(rule=rule, current=current, source=source, history=history)
        )
    return groups


def administered_counties(user) -> QuerySet[Unit]:
    """Open 团县委 on which the user may change rule settings."""
    return access.visible_units(user, access.MANAGE_RULES).filter(kind="league_county", closed_on__isnull=True).order_by("path")
