"""State changes on the tree, terms and grants. Every action checks access, runs in one
transaction and writes the audit trail."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.core.errors import DomainError
from tuanwu.core.rule_settings import get_rule

from . import access
from .models import Role, RoleGrant, Term, Unit
from .rules import PARTY_KINDS, add_years, child_refusal, term_years

UNIT_FIELDS = (
    "name", "kind", "sector", "division_code", "division_code_confirmed", "founded_on", "is_student",
    "is_mobile", "is_temporary", "led_by", "is_sample",
)


def _require(user, permission: str, unit: Unit) -> None:
    access.enforce(access.decide(user, permission, unit))


def _check_led_by(kind: str, led_by: Unit | None) -> None:
    if led_by is None:
        return
    if led_by.kind not in PARTY_KINDS:
        raise DomainError("“上级党组织”必须是党组织", field="led_by")
    if kind in PARTY_KINDS:
        raise DomainError("党组织不设“上级党组织”字段，请用组织树表示隶属关系", field="led_by")


@transaction.atomic
def create_unit(*, actor, parent: Unit | None, name: str, kind: str, **fields) -> Unit:
    """Create a unit under ``parent`` (or a root, superusers only), checking the allowed children."""
    if parent is None:
        if not actor.is_superuser and actor.pk is not None:
            raise DomainError("只有平台管理员可以创建顶层组织")
    else:
        _require(actor, access.MANAGE_UNITS, parent)
        if not parent.is_open:
            raise DomainError(f"“{parent.name}”已撤销，不能再设立下级组织")
    reason = child_refusal(parent.kind if parent else None, kind)
    if reason:
        raise DomainError(reason, field="kind")
    _check_led_by(kind, fields.get("led_by"))
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写组织名称", field="name")
    data = {k: v for k, v in fields.items() if k in UNIT_FIELDS}
    if parent is None:
        unit = Unit.objects.add_root(create_kwargs=dict(name=name, kind=kind, **data))
    else:
        unit = Unit.objects.add_child(parent, create_kwargs=dict(name=name, kind=kind, **data))
    audit.record(actor=actor, action="新建组织", obj=unit, after=audit.snapshot(unit))
    return unit


@transaction.atomic
def update_unit(*, actor, unit: Unit, **changes) -> Unit:
    """Edit a unit's own fields (not its place in the tree)."""
    _require(actor, access.CHANGE, unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = audit.snapshot(unit)
    if "kind" in changes and changes["kind"] != unit.kind:
        parent = Unit.objects.get_parent(unit)
        reason = child_refusal(parent.kind if parent else None, changes["kind"])
        if reason:
            raise DomainError(reason, field="kind")
        for child in Unit.objects.get_children(unit):
            reason = child_refusal(changes["kind"], child.kind)
            if reason:
                raise DomainError(f"下级组织“{child.name}”不允许：{reason}", field="kind")
    _check_led_by(changes.get("kind", unit.kind), changes.get("led_by", unit.led_by))
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise DomainError("请填写组织名称", field="name")
    for key, value in changes.items():
        if key not in UNIT_FIELDS:
            raise DomainError(f"不能修改字段 {key}")
        setattr(unit, key, value)
    unit.save()
    audit.record(actor=actor, action="修改组织", obj=unit, before=before, after=audit.snapshot(unit))
    return unit


@transaction.atomic
def move_unit(*, actor, unit: Unit, new_parent: Unit) -> Unit:
    """Move a unit with its whole subtree under ``new_parent``.

    The actor needs ``unit.manage`` on the unit's current parent and on the new parent.
    """
    parent = Unit.objects.get_parent(unit)
    if parent is None:
        raise DomainError("顶层组织不能移动")
    _require(actor, access.MANAGE_UNITS, parent)
    _require(actor, access.MANAGE_UNITS, new_parent)
    if new_parent.path.startswith(unit.path):
        raise DomainError("不能把组织移动到它自己或它的下级组织之下", field="new_parent")
    if not new_parent.is_open:
        raise DomainError(f"“{new_parent.name}”已撤销，不能接收下级组织", field="new_parent")
    reason = child_refusal(new_parent.kind, unit.kind)
    if reason:
        raise DomainError(reason, field="new_parent")
    before = {"parent": parent.pk, "parent_name": parent.name, "path": unit.path}
    moved_count = unit.subtree().count()
    Unit.objects.move(unit, new_parent, "last-child")
    unit.refresh_from_db()
    audit.record(
        actor=actor, action="移动组织", obj=unit, before=before,
        after={"parent": new_parent.pk, "parent_name": new_parent.name, "path": unit.path, "units_moved": moved_count},
    )
    return unit


@transaction.atomic
def close_unit(*, actor, unit: Unit, closed_on: datetime.date, reason: str) -> Unit:
    """Close (撤销) a unit: kept with its history, never deleted. Open subunits block it."""
    parent = Unit.objects.get_parent(unit)
    _require(actor, access.MANAGE_UNITS, parent or unit)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写撤销原因", field="reason")
    if not unit.is_open:
        raise DomainError("该组织已撤销")
    open_children = Unit.objects.get_children(unit).filter(closed_on__isnull=True)
    if open_children.exists():
        names = "、".join(open_children.values_list("name", flat=True)[:5])
        raise DomainError(f"请先撤销或移走下级组织：{names}")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = audit.snapshot(unit)
    unit.closed_on = closed_on
    unit.closed_reason = reason
    unit.save(update_fields=["closed_on", "closed_reason"])
    # Grants end with the unit; terms stop too.
    for grant in RoleGrant.objects.filter(unit=unit, ends_on__isnull=True):
        end_grant(actor=actor, grant=grant, ends_on=closed_on, _checked=True)
    for term in Term.objects.filter(unit=unit, ended_on__isnull=True):
        end_term(actor=actor, term=term, ended_on=max(closed_on, term.started_on), _checked=True)
    audit.record(actor=actor, action="撤销组织", obj=unit, before=before, after=audit.snapshot(unit))
    return unit


def default_planned_end(unit: Unit, started_on: datetime.date) -> datetime.date | None:
    """R7.1 term length for this unit, from the county's settings in force at the start date."""
    years = term_years(
        unit.kind,
        is_student_branch=unit.is_student,
        branch_years=get_rule("terms.branch_years", unit, started_on),
        student_branch_years=get_rule("terms.student_branch_years", unit, started_on),
        committee_years=get_rule("terms.committee_years", unit, started_on),
        county_congress_years=get_rule("terms.county_congress_years", unit, started_on),
    )
    return add_years(started_on, years) if years else None


@transaction.atomic
def start_term(*, actor, unit: Unit, number: int | None = None, started_on: datetime.date,
               planned_end_on: datetime.date | None = None, how_elected: str, note: str = "",
               is_sample: bool = False) -> Term:
    """Record a new term; the open previous term ends the day the new one starts."""
    _require(actor, access.CHANGE, unit)
    if planned_end_on is None:
        planned_end_on = default_planned_end(unit, started_on)
        if planned_end_on is None:
            raise DomainError(f"{unit.get_kind_display()}不实行任期制", field="started_on")
    if planned_end_on <= started_on:
        raise DomainError("应届满日期必须晚于任期开始日期", field="planned_end_on")
    previous = Term.objects.select_for_update().filter(unit=unit).order_by("-number").first()
    if number is None:
        number = (previous.number + 1) if previous else 1
    if Term.objects.filter(unit=unit, number=number).exists():
        raise DomainError(f"第{number}届已存在", field="number")
    if previous and previous.ended_on is None:
        if started_on < previous.started_on:
            raise DomainError("新一届的开始日期不能早于上一届", field="started_on")
        end_term(actor=actor, term=previous, ended_on=started_on, _checked=True)
    term = Term.objects.create(
        unit=unit, number=number, started_on=started_on, planned_end_on=planned_end_on,
        how_elected=how_elected, note=note, is_sample=is_sample,
    )
    audit.record(actor=actor, action="新一届任期", obj=term, after=audit.snapshot(term))
    return term


@transaction.atomic
def end_term(*, actor, term: Term, ended_on: datetime.date, _checked: bool = False) -> Term:
    if not _checked:
        _require(actor, access.CHANGE, term.unit)
    if ended_on < term.started_on:
        raise DomainError("任期结束日期不能早于开始日期", field="ended_on")
    before = audit.snapshot(term)
    term.ended_on = ended_on
    term.save(update_fields=["ended_on"])
    audit.record(actor=actor, action="任期结束", obj=term, before=before, after=audit.snapshot(term))
    return term


@transaction.atomic
def grant_role(*, actor, user, unit: Unit, role: str, starts_on: datetime.date | None = None,
               ends_on: datetime.date | None = None, note: str = "", _bootstrap: bool = False) -> RoleGrant:
    """Give ``user`` a role on ``unit``'s subtree. Grantors grant only roles no higher than
    their own, inside their subtree (``_bootstrap`` is for the first county administrator,
    created from the command line)."""
    starts_on = starts_on or timezone.localdate()
    if _bootstrap:
        reason = access.role_refusal_for_unit(role, unit)
    else:
        reason = access.grant_refusal(actor, role, unit)
    if reason:
        if "无权" in reason:
            access.enforce(access.decide(actor, access.MANAGE_GRANTS, unit))
        raise DomainError(reason, field="role")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期", field="ends_on")
    if not unit.is_open:
        raise DomainError("已撤销的组织不能授权")
    grant = RoleGrant.objects.create(
        user=user, unit=unit, role=role, starts_on=starts_on, ends_on=ends_on, note=note,
        granted_by=actor if getattr(actor, "pk", None) else None,
    )
    access.forget_scopes(user)
    audit.record(actor=actor, action="授予角色", obj=grant, after=audit.snapshot(grant))
    return grant


@transaction.atomic
def end_grant(*, actor, grant: RoleGrant, ends_on: datetime.date | None = None, _checked: bool = False) -> RoleGrant:
    """End a grant (handover). The grant stays on record."""
    if not _checked:
        reason = access.grant_refusal(actor, grant.role, grant.unit)
        if reason:
            access.enforce(access.decide(actor, access.MANAGE_GRANTS, grant.unit))
            raise DomainError(reason)
    ends_on = ends_on or timezone.localdate()
    if ends_on < grant.starts_on:
        ends_on = grant.starts_on
    if grant.ends_on is not None and ends_on > grant.ends_on:
        # "Ending" an ended grant at a later date would bring it back to life.
        raise DomainError(f"该授权已于 {grant.ends_on.isoformat()} 结束，不能延长", field="ends_on")
    before = audit.snapshot(grant)
    grant.ends_on = ends_on
    grant.save(update_fields=["ends_on"])
    access.forget_scopes(grant.user)
    audit.record(actor=actor, action="结束授权", obj=grant, before=before, after=audit.snapshot(grant))
    return grant


@transaction.atomic
def hand_over(*, actor, grant: RoleGrant, new_user, on: datetime.date) -> RoleGrant:
    """A secretary changes: the old grant ends the day before, the new one starts on ``on``."""
    end_grant(actor=actor, grant=grant, ends_on=on - datetime.timedelta(days=1))
    return grant_role(actor=actor, user=new_user, unit=grant.unit, role=grant.role, starts_on=on)


ADMIN_ROLES = (Role.UNIT_ADMIN, Role.COUNTY_ADMIN)


# ---------------------------------------------------------------------------------------------
# Accounts opened and reset by administrators (no e-mail or SMS is assumed: the administrator
# hands the initial password over in person, and the user must change it at first login).

USERNAME_PATTERN = r"^[A-Za-z0-9_.@-]{3,30}$"


def _clean_username(username: str) -> str:
    import re

    from tuanwu.accounts.models import User

    username = (username or "").strip()
    if not username:
        raise DomainError("请填写用户名", field="username")
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise DomainError("用户名只能由 3–30 位字母、数字或 _ . @ - 组成", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(f"用户名“{username}”已被使用", field="username")
    return username


@transaction.atomic
def create_account(*, actor, unit: Unit, role: str, username: str, full_name: str, phone: str = "") -> tuple:
    """Open an account for a secretary or clerk and grant them ``role`` on ``unit``.

    Returns ``(user, initial_password)``. The password is returned once for the administrator to
    hand over; it is neither stored in clear nor audited, and the user must change it at first
    login.
    """
    from tuanwu.accounts.actions import generate_initial_password
    from tuanwu.accounts.models import User

    # Refuse before creating anything, so a refusal leaves no half-made account behind.
    reason = access.grant_refusal(actor, role, unit)
    if reason:
        if "无权" in reason:
            access.enforce(access.decide(actor, access.MANAGE_GRANTS, unit))
        raise DomainError(reason, field="role")
    if not unit.is_open:
        raise DomainError("已撤销的组织不能开通账号")
    username = _clean_username(username)
    full_name = (full_name or "").strip()
    if not full_name:
        raise DomainError("请填写姓名", field="full_name")
    phone = (phone or "").strip()
    if phone and not phone.replace("-", "").replace(" ", "").isdigit():
        raise DomainError("手机号只能包含数字", field="phone")
    password = generate_initial_password()
    user = User(username=username, full_name=full_name[:60], phone=phone[:20], must_change_password=True,
                is_sample=unit.is_sample)
    user.set_password(password)
    user.save()
    audit.record(actor=actor, action="开通账号", obj=user, after=audit.snapshot(user))
    grant_role(actor=actor, user=user, unit=unit, role=role)
    return user, password


@transaction.atomic
def reset_password(*, actor, grant: RoleGrant) -> str:
    """Give the holder of ``grant`` a new initial password (returned once, never stored in clear).

    The actor must be able to manage ``grant`` and every other active grant of the same user, so
    that a township administrator cannot take over the account of someone who also holds a
    higher role elsewhere.
    """
    from tuanwu.accounts.actions import generate_initial_password
    from tuanwu.accounts.models import User

    reason = access.grant_refusal(actor, grant.role, grant.unit)
    if reason:
        if "无权" in reason:
            access.enforce(access.decide(actor, access.MANAGE_GRANTS, grant.unit))
        raise DomainError(reason)
    today = timezone.localdate()
    if not grant.is_active_on(today):
        raise DomainError("该授权不在有效期内，不能通过它重置密码")
    target = User.objects.select_for_update().get(pk=grant.user_id)
    if target.is_superuser and not actor.is_superuser:
        raise DomainError("不能重置平台管理员的密码")
    for other in access.active_grants(target, today):
        if access.grant_refusal(actor, other.role, other.unit):
            raise DomainError(f"该用户还在“{other.unit.name}”担任{other.get_role_display()}，您无权重置其密码")
    password = generate_initial_password()
    before = {"password": "（原密码）", "must_change_password": target.must_change_password}
    target.set_password(password)
    target.must_change_password = True
    target.save(update_fields=["password", "must_change_password"])
    audit.record(
        actor=actor, action="重置密码", obj=target, before=before,
        after={"password": "（新初始密码，不记录）", "must_change_password": True},
    )
    return password
