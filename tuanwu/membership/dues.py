"""Dues (R5): the monthly amount per member, payments, arrears; and R1.5's lapse candidates,
judged on dues alone until organisational life is recorded (labelled “仅按团费判断”)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.core.errors import DomainError
from tuanwu.organisations import access

from . import life_rules as lr
from .life_common import not_future, require_branch, rule
from .models import IN_LEAGUE_STATUSES, DuesAccount, DuesCategory, DuesPayment, Membership

# R1.5 names three conditions; only dues are recorded so far. When attendance exists
# (tuanwu.activities), ``has_activity`` below is the hook to fill.
LAPSE_BASIS = "仅按团费判断"


DUES_KEYS = {"threshold": "dues.salary_threshold", "low_amount": "dues.low_salary_amount",
             "rate_permille": "dues.salary_rate_permille", "basic_amount": "dues.basic_amount", "cap": "dues.monthly_cap"}


def dues_settings(unit, on: datetime.date, rates: dict | None = None) -> dict:
    """The R5.4 settings in force under ``unit``'s county on ``on``. ``rates`` memoises them per
    (county, day) for bulk callers (a year of dues for a whole township)."""
    key = (unit.path[: unit.steplen * 3], on)
    if rates is not None and key in rates:
        return rates[key]
    values = {name: rule(setting, unit, on) for name, setting in DUES_KEYS.items()}
    if rates is not None:
        rates[key] = values
    return values


def amount_for(*, category: str, wage: Decimal | None, unit, on: datetime.date, rates: dict | None = None) -> Decimal:
    """R5.1–R5.4 with the settings in force under ``unit``'s county on ``on``."""
    return lr.monthly_dues(category, wage, **dues_settings(unit, on, rates))


def default_category(membership: Membership) -> str:
    return lr.OCCUPATION_TO_CATEGORY.get(membership.person.occupation, DuesCategory.SALARIED)


def dues_from(membership: Membership, account: DuesAccount | None) -> datetime.date | None:
    """R5.4: dues start in the month of admission (or the account's later start month)."""
    if account is not None:
        return account.starts_month
    return lr.dues_start_month(membership.joined_on) if membership.joined_on else None


def monthly_amount(membership: Membership, account: DuesAccount | None, on: datetime.date,
                   rates: dict | None = None) -> Decimal | None:
    if account is None:
        category = default_category(membership)
        if category == DuesCategory.SALARIED:
            return None  # the wage is needed first
        return amount_for(category=category, wage=None, unit=membership.branch, on=on, rates=rates)
    return amount_for(category=account.category, wage=account.monthly_wage, unit=membership.branch, on=on, rates=rates)


@transaction.atomic
def set_account(*, actor, membership: Membership, category: str, monthly_wage: Decimal | None = None,
                starts_month: datetime.date | None = None) -> DuesAccount:
    """Record (or change) the basis of a member's dues."""
    membership = Membership.objects.select_related("person", "branch").get(pk=membership.pk)
    require_branch(actor, membership)
    if membership.status not in IN_LEAGUE_STATUSES:
        raise DomainError("只有团员交纳团费")
    if category not in DuesCategory.values:
        raise DomainError("交费类别取值无效", field="category")
    if category == DuesCategory.SALARIED:
        if monthly_wage is None:
            raise DomainError("有工资收入的团员须填写税后月固定工资", field="monthly_wage")
        if monthly_wage < 0 or monthly_wage > Decimal("10000000"):
            raise DomainError("月工资取值无效", field="monthly_wage")
    else:
        monthly_wage = None
    start = lr.month_start(starts_month) if starts_month else lr.dues_start_month(membership.joined_on)
    if start < lr.dues_start_month(membership.joined_on):
        raise DomainError(f"团费自入团当月（{membership.joined_on:%Y-%m}）起交", field="starts_month")
    account = DuesAccount.objects.filter(membership=membership).first()
    before = audit.snapshot(account)
    if account is None:
        account = DuesAccount(membership=membership, is_sample=membership.is_sample)
    account.category, account.monthly_wage, account.starts_month = category, monthly_wage, start
    account.save()
    audit.record(actor=actor, action="设置团费标准", obj=account, before=before, after=audit.snapshot(account))
    return account


def open_account_on_admission(*, actor, membership: Membership) -> DuesAccount | None:
    """R5.4: a new member's dues start in the month of admission; the category follows the
    occupation (salaried members get their wage set by the branch)."""
    category = default_category(membership)
    if category == DuesCategory.SALARIED or DuesAccount.objects.filter(membership=membership).exists():
        return None
    return set_account(actor=actor, membership=membership, category=category)


@transaction.atomic
def pay(*, actor, membership: Membership, months: list[datetime.date], paid_on: datetime.date,
        rates: dict | None = None) -> list[DuesPayment]:
    """Record dues paid for ``months`` (each at the amount in force that month). ``rates``: see
    :func:`dues_settings`."""
    rates = {} if rates is None else rates
    membership = Membership.objects.select_related("person", "branch").get(pk=membership.pk)
    require_branch(actor, membership)
    not_future(paid_on, "交纳日期", "paid_on")
    if not months:
        raise DomainError("请选择所交月份", field="months")
    account = DuesAccount.objects.filter(membership=membership).first()
    start = dues_from(membership, account)
    if start is None:
        raise DomainError("尚未入团，不交团费")
    months = sorted({lr.month_start(m) for m in months})
    if months[0] < start:
        raise DomainError(f"团费自 {start:%Y-%m} 起交", field="months")
    if months[-1] > lr.month_start(paid_on) + datetime.timedelta(days=400):
        raise DomainError("预交团费不能超过 12 个月", field="months")
    taken = set(DuesPayment.objects.filter(membership=membership, month__in=months).values_list("month", flat=True))
    if taken:
        raise DomainError("已交过：" + "、".join(f"{m:%Y-%m}" for m in sorted(taken)), field="months")
    rows = []
    for month in months:
        amount = monthly_amount(membership, account, month, rates)
        if amount is None:
            raise DomainError("请先设置团费标准（有工资收入的须填写月工资）", field="months")
        rows.append(DuesPayment(membership=membership, month=month, amount=amount, paid_on=paid_on,
                                is_sample=membership.is_sample))
    DuesPayment.objects.bulk_create(rows)
    audit.record_many(actor=actor, action="登记团费", items=[(r, None, audit.snapshot(r)) for r in rows])
    return rows


@dataclass
class DuesLine:
    membership: Membership
    account: DuesAccount | None
    monthly: Decimal | None
    owed_months: list[datetime.date]
    owed_amount: Decimal | None
    unpaid_run: int
    last_paid: datetime.date | None

    @property
    def category_label(self) -> str:
        if self.account:
            return self.account.get_category_display()
        return DuesCategory(default_category(self.membership)).label + "（按职业）"


def dues_lines(user, memberships, today: datetime.date | None = None) -> list[DuesLine]:
    """Amount, arrears and the unpaid run of each member (two queries for the whole list)."""
    today = today or timezone.localdate()
    memberships = list(memberships)
    ids = [m.pk for m in memberships]
    accounts = {a.membership_id: a for a in DuesAccount.objects.filter(membership_id__in=ids)}
    paid: dict[int, list[datetime.date]] = {}
    for membership_id, month in DuesPayment.objects.filter(membership_id__in=ids).values_list("membership_id", "month"):
        paid.setdefault(membership_id, []).append(month)
    lines = []
    rates: dict = {}
    amounts: dict[tuple, Decimal | None] = {}
    for m in memberships:
        account = accounts.get(m.pk)
        start = dues_from(m, account)
        key = (account.category, account.monthly_wage) if account else ("default", m.person.occupation)
        if (key, m.branch_id) not in amounts:
            amounts[(key, m.branch_id)] = monthly_amount(m, account, today, rates)
        monthly = amounts[(key, m.branch_id)]
        months = paid.get(m.pk, [])
        owed = lr.unpaid_months(months, dues_from=start, today=today) if start else []
        run = lr.consecutive_unpaid_months(months, dues_from=start, today=today) if start else 0
        lines.append(DuesLine(m, account, monthly, owed, monthly * len(owed) if monthly is not None else None, run,
                              max(months) if months else None))
    return lines


def members_for_dues(user, unit, permission: str = access.VIEW):
    return (access.visible_to(user, Membership.objects.filter(status__in=sorted(IN_LEAGUE_STATUSES)), permission)
            .filter(branch__path__startswith=unit.path).select_related("person", "branch").order_by("branch__path",
                                                                                                     "person__name_pinyin"))


def has_activity(membership: Membership, since: datetime.date) -> bool:
    """R1.5 hook: organisational life or assigned work in the lapse period before ``since``.

    Not wired yet, so the candidates are judged on dues alone and every page labels them
    “仅按团费判断”. tuanwu.activities now records attendance (``Attendance`` with a present
    status, per person and activity): when it is wired, return whether the person attended any
    activity in the period here, exclude such members in ``life_todos.lapse_alerts`` (an Exists
    on Attendance beside the DuesPayment one) and drop the label. Membership does not import
    activities today, to keep the domain apps independent; the lead decides the direction.
    """
    return False


def lapse_candidates(user, unit, today: datetime.date | None = None) -> list[DuesLine]:
    """R1.5: members with ``membership.lapse_months`` consecutive months without dues (仅按团费判断)."""
    today = today or timezone.localdate()
    threshold = rule("membership.lapse_months", unit, today)
    lines = dues_lines(user, members_for_dues(user, unit, access.CHANGE), today)
    return [line for line in lines if lr.lapse_candidate(line.unpaid_run, lapse_months=threshold,
                                                         has_activity=has_activity(line.membership, today))]
