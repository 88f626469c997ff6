"""Rules of membership life (../shared/domain/rules.md R1.5–R1.6, R2.1–R2.13, R3, R4, R5, R6) as
pure functions.

Configurable values are parameters (callers read them with ``get_rule``). A ``*_refusal``
function returns a Chinese message that says what is missing and, where a date decides it, from
when it will be met; None means allowed. ``rules.py`` holds R1.1–R1.4 and R2.14.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from tuanwu.organisations.rules import add_months, add_years

from .models import Status

D = datetime.date


def ymd(day: datetime.date) -> str:
    return f"{day:%Y-%m-%d}"


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """First days of every month from ``first``'s month to ``last``'s month, inclusive."""
    months, current, end = [], month_start(first), month_start(last)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


# ---------------------------------------------------------------------------------------------
# Working days (R2.12, R4.4)


def add_working_days(start: datetime.date, working_days: int) -> datetime.date:
    """The last day of a notice of ``working_days`` working days starting on ``start``.

    Weekends are skipped; public holidays are NOT counted out (there is no holiday calendar
    yet), which the pages say next to every notice. A notice starting on a weekend begins on the
    next Monday.
    """
    day, counted = start, 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted >= working_days:
                return day
        day += datetime.timedelta(days=1)


def notice_refusal(label: str, starts_on: datetime.date | None, ends_on: datetime.date | None,
                   on: datetime.date, *, working_days: int) -> str | None:
    """R2.12: a step after a 公示 may be taken only once the notice has run its full term."""
    if starts_on is None or ends_on is None:
        return f"尚未进行{label}公示（{working_days} 个工作日）"
    if on <= ends_on:
        return f"{label}公示期至 {ymd(ends_on)}，期满后（{ymd(ends_on + datetime.timedelta(days=1))} 起）方可办理"
    return None


# ---------------------------------------------------------------------------------------------
# R1.5 自行脱团 candidates and R1.6 退团


def consecutive_unpaid_months(paid_months: Iterable[datetime.date], *, dues_from: datetime.date,
                              today: datetime.date) -> int:
    """R1.5: complete months in a row, ending with last month, without a dues payment, counted
    from the month dues started (the month of admission, R5.4). The current month is not over,
    so it never counts against anyone."""
    paid = {month_start(m) for m in paid_months}
    last_complete = add_months(month_start(today), -1)
    if month_start(dues_from) > last_complete:
        return 0
    count = 0
    for month in reversed(months_between(dues_from, last_complete)):
        if month in paid:
            break
        count += 1
    return count


def lapse_candidate(unpaid_months: int, *, lapse_months: int, has_activity: bool = False,
                    has_assigned_work: bool = False) -> bool:
    """R1.5: ``lapse_months`` consecutive months with no dues, no organisational life and no
    assigned work. Callers without attendance records pass has_activity=False and label the
    result “仅按团费判断”."""
    return unpaid_months >= lapse_months and not has_activity and not has_assigned_work


def lapse_removal_refusal(*, unpaid_months: int, lapse_months: int, meeting_on: datetime.date | None,
                          approved_on: datetime.date | None) -> str | None:
    """R1.5: removal needs the candidate condition, a 支部大会 decision and approval above."""
    if unpaid_months < lapse_months:
        return f"连续未交团费 {unpaid_months} 个月，未达到 {lapse_months} 个月，不能按自行脱团处理"
    if meeting_on is None:
        return "除名须经支部大会讨论决定，请填写支部大会日期"
    if approved_on is None:
        return "除名须报上级团组织批准，请填写批准日期"
    if approved_on < meeting_on:
        return f"上级批准日期不能早于支部大会日期（{ymd(meeting_on)}）"
    return None


def withdrawal_refusal(*, requested_on: datetime.date | None, request_text: str,
                       meeting_on: datetime.date | None = None, filed_on: datetime.date | None = None) -> str | None:
    """R1.6: 退团 is a written request, then the 支部大会 removes the member, then it is filed
    with the committee above — in that order."""
    if requested_on is None or not (request_text or "").strip():
        return "退团须本人提出书面申请：请填写申请日期和申请内容"
    if meeting_on is not None and meeting_on < requested_on:
        return f"支部大会日期不能早于书面申请日期（{ymd(requested_on)}）"
    if filed_on is not None:
        if meeting_on is None:
            return "须先经支部大会讨论同意，才能报上级备案"
        if filed_on < meeting_on:
            return f"报上级备案日期不能早于支部大会日期（{ymd(meeting_on)}）"
    return None


# ---------------------------------------------------------------------------------------------
# R2 development

TALK_MONTHS = 1


def talk_due_by(applied_on: datetime.date) -> datetime.date:
    """R2.1: the talk with the applicant is due within one month of the written application."""
    return add_months(applied_on, TALK_MONTHS)


def talk_refusal(applied_on: datetime.date, talk_on: datetime.date) -> str | None:
    """R2.1: a talk cannot precede the application it answers."""
    if talk_on < applied_on:
        return f"谈话日期不能早于递交入团申请书的日期（{ymd(applied_on)}）"
    return None


def talk_is_late(applied_on: datetime.date, talk_on: datetime.date | None, today: datetime.date) -> bool:
    """R2.1: late when held (or still not held) after the one-month deadline."""
    due = talk_due_by(applied_on)
    return (talk_on or today) > due


ACTIVIST_CHANNELS = {"member_recommendation": "团员推荐", "pioneer_recommendation": "少先队推优"}


def activist_refusal(*, channel: str, recommenders: str, talk_on: datetime.date | None,
                     decided_on: datetime.date, age: int, min_age: int) -> str | None:
    """R2.2: an 入团积极分子 comes from member recommendation or 少先队推优 (a channel, not an age
    exception), after the talk (R2.1), decided by the branch committee."""
    if talk_on is None:
        return "尚未与申请人谈话（递交申请后 1 个月内应谈话）"
    if channel not in ACTIVIST_CHANNELS:
        return "请选择产生方式：团员推荐或少先队推优"
    if channel == "member_recommendation" and not (recommenders or "").strip():
        return "团员推荐须填写推荐的团员"
    if decided_on < talk_on:
        return f"支委会研究日期不能早于谈话日期（{ymd(talk_on)}）"
    if age < min_age:
        return f"未满 {min_age} 周岁（现 {age} 周岁），少先队推优也不能提前确定为入团积极分子"
    return None


def cultivation_ready_on(activist_on: datetime.date, months: int) -> datetime.date:
    """R2.3: the first day the cultivation period of ``months`` is complete."""
    return add_months(activist_on, months)


def cultivation_refusal(activist_on: datetime.date, on: datetime.date, *, months: int) -> str | None:
    """R2.3: ≥ ``months`` of cultivation before 发展对象; counted from the 积极分子 date, so a move
    between branches does not restart it."""
    ready = cultivation_ready_on(activist_on, months)
    if on < ready:
        return f"培养期满 {months} 个月后（{ymd(ready)} 起）可确定为发展对象"
    return None


LESSON_MINUTES = 45


@dataclass(frozen=True)
class Lesson:
    on: datetime.date
    hours: int
    minutes: int
    in_person: bool


def counted_hours(lesson: Lesson) -> int:
    """R2.4: only in-person lessons count, each 学时 at least 45 minutes."""
    if not lesson.in_person:
        return 0
    return max(0, min(lesson.hours, lesson.minutes // LESSON_MINUTES))


def course_hours(lessons: Iterable[Lesson]) -> int:
    return sum(counted_hours(lesson) for lesson in lessons)


def course_completed_on(lessons: Iterable[Lesson], *, min_hours: int) -> datetime.date | None:
    """The date the counted hours first reached ``min_hours`` (R2.11 orders it before the 志愿书)."""
    total = 0
    for lesson in sorted(lessons, key=lambda x: x.on):
        total += counted_hours(lesson)
        if total >= min_hours:
            return lesson.on
    return None


def course_refusal(lessons: Iterable[Lesson], *, min_hours: int) -> str | None:
    """R2.4: at least ``min_hours`` 团课学时."""
    have = course_hours(lessons)
    if have < min_hours:
        return f"团课学时不足：已完成 {have} 学时，还差 {min_hours - have} 学时（须线下、每学时不少于 45 分钟）"
    return None


CONTACT_STATUSES = frozenset({Status.MEMBER, Status.PARTY_MEMBER_KEEPING})
MAX_CONTACTS = 2


def contact_refusal(contact_status: str | None, *, is_self: bool, current_count: int) -> str | None:
    """R2.5: 1–2 培养联系人, who are members."""
    if is_self:
        return "培养联系人不能是本人"
    if contact_status not in CONTACT_STATUSES:
        return "培养联系人须为团员"
    if current_count >= MAX_CONTACTS:
        return f"培养联系人最多 {MAX_CONTACTS} 名"
    return None


def contacts_refusal(current_count: int) -> str | None:
    if current_count < 1:
        return "尚未确定培养联系人（1–2 名团员）"
    return None


def candidate_refusal(*, activist_on: datetime.date | None, activist_filed_on: datetime.date | None,
                      lessons: Iterable[Lesson], contacts: int, decided_on: datetime.date, cultivation_months: int,
                      min_hours: int, activist_notice: tuple[datetime.date, datetime.date] | None,
                      notice_days: int) -> list[str]:
    """R2.6 with R2.2–R2.5 and R2.12: everything that still stands between an 积极分子 and being
    chosen as 发展对象 on ``decided_on`` (all of it, so the page can list it)."""
    missing: list[str] = []
    if activist_on is None:
        return ["尚未确定为入团积极分子"]
    if activist_filed_on is None:
        missing.append("确定入团积极分子后尚未报上级团委备案")
    refusal = cultivation_refusal(activist_on, decided_on, months=cultivation_months)
    if refusal:
        missing.append(refusal)
    refusal = course_refusal(lessons, min_hours=min_hours)
    if refusal:
        missing.append(refusal)
    refusal = contacts_refusal(contacts)
    if refusal:
        missing.append(refusal)
    if activist_notice is not None:  # the 积极分子 notice is optional, but once posted it must run
        refusal = notice_refusal("入团积极分子", *activist_notice, decided_on, working_days=notice_days)
        if refusal:
            missing.append(refusal)
    return missing


INTRODUCER_STATUSES = frozenset({Status.MEMBER, Status.PARTY_MEMBER_KEEPING})


def introducer_refusal(statuses: list[str | None], *, includes_self: bool, distinct: bool) -> str | None:
    """R2.7: two 入团介绍人, full members, not under 留团察看 or 暂缓注册."""
    if len(statuses) != 2 or not distinct:
        return "须有两名不同的入团介绍人"
    if includes_self:
        return "入团介绍人不能是本人"
    for status in statuses:
        if status == Status.PROBATION:
            return "受留团察看处分的团员不能担任入团介绍人"
        if status == Status.REGISTRATION_DEFERRED:
            return "暂缓注册的团员不能担任入团介绍人"
        if status not in INTRODUCER_STATUSES:
            return "入团介绍人须为正式团员"
    return None


@dataclass(frozen=True)
class VoteCount:
    due: int  # voting members (应到)
    present: int
    yes: int
    no: int
    abstain: int


def count_refusal(count: VoteCount) -> str | None:
    """Counts that cannot be: more present than due, more ballots than people present."""
    if min(count.due, count.present, count.yes, count.no, count.abstain) < 0:
        return "人数和票数不能为负数"
    if count.due < 1:
        return "有表决权的团员人数至少为 1"
    if count.present > count.due:
        return f"到会人数（{count.present}）不能多于应到人数（{count.due}）"
    if count.yes + count.no + count.abstain > count.present:
        return f"赞成、反对、弃权合计（{count.yes + count.no + count.abstain}）不能多于到会人数（{count.present}）"
    return None


def admission_vote_quorum_met(count: VoteCount) -> bool:
    """R2.8: more than half of the voting members present."""
    return count.present * 2 > count.due


def admission_vote_passes(count: VoteCount) -> bool:
    """R2.8: quorum, and yes > ½ of the voting members PRESENT."""
    return admission_vote_quorum_met(count) and count.yes * 2 > count.present


def admission_vote_refusal(count: VoteCount) -> str | None:
    """R2.8: a 支部大会 without quorum cannot vote at all."""
    refusal = count_refusal(count)
    if refusal:
        return refusal
    if not admission_vote_quorum_met(count):
        need = count.due // 2 + 1
        return f"到会有表决权团员 {count.present} 人，未超过应到 {count.due} 人的半数（至少 {need} 人），会议不能表决"
    return None


def date_order_refusal(*, course_done_on: datetime.date | None, form_issued_on: datetime.date | None = None,
                       introducers_on: datetime.date | None = None, meeting_on: datetime.date | None = None,
                       approved_on: datetime.date | None = None) -> str | None:
    """R2.11: 团课 → 志愿书 → 介绍人意见 → 支部大会 → 审批, each on or after the one before."""
    steps = [("团课学时完成", course_done_on), ("发放入团志愿书", form_issued_on), ("入团介绍人填写意见", introducers_on),
             ("支部大会", meeting_on), ("上级团委审批", approved_on)]
    previous_label, previous = None, None
    for label_, day in steps:
        if day is None:
            continue
        if previous is not None and day < previous:
            return f"{label_}日期（{ymd(day)}）不能早于{previous_label}日期（{ymd(previous)}）"
        previous_label, previous = label_, day
    return None


def quota_refusal(*, quota: int, used: int, year: int) -> str | None:
    """R2.13: development is planned; the county's yearly quota caps admissions."""
    if quota <= 0:
        return f"{year} 年度发展团员计划尚未下达（规则参数“年度发展团员计划数”为 0），不能分配发展团员编号"
    if used >= quota:
        return f"{year} 年度发展团员计划 {quota} 名已用完"
    return None


def development_number(year: int, county_code: str, sequence: int) -> str:
    """R2.13/R2.14: a 12-digit number whose first 4 digits are the join year.

    Layout beyond R2.14 is not confirmed: here year (4) + the county's last 4 division digits
    (4) + a yearly sequence (4), so numbers of different counties never collide.
    """
    code = "".join(ch for ch in (county_code or "") if ch.isdigit())[:6].rjust(6, "0")
    if not 1 <= sequence <= 9999:
        raise ValueError("sequence out of range")
    return f"{year:04d}{code[-4:]}{sequence:04d}"


# ---------------------------------------------------------------------------------------------
# R3 review and registration

GRADES = {"excellent": "优秀", "good": "合格", "basic": "基本合格", "failed": "不合格"}
REGISTRABLE_GRADES = frozenset({"excellent", "good", "basic"})
# R3.4: 保留团籍的党员 are registered without review; 留团察看 and deferred members are reviewed.
REVIEWED_STATUSES = frozenset({Status.MEMBER, Status.PROBATION, Status.REGISTRATION_DEFERRED})
REGISTERED_WITHOUT_REVIEW = frozenset({Status.PARTY_MEMBER_KEEPING})


def review_quorum_refusal(due: int, present: int) -> str | None:
    """R3.1: the review 支部大会 needs more than ⅔ of the members present."""
    if due < 1:
        return "本支部没有需参加评议的团员"
    if present > due:
        return f"到会人数（{present}）不能多于应参加评议人数（{due}）"
    if present * 3 <= due * 2:
        need = due * 2 // 3 + 1
        return f"到会 {present} 人，未超过应到 {due} 人的三分之二（至少 {need} 人），评议无效"
    return None


def excellent_limit(reviewed: int, cap: Decimal) -> int:
    """R3.2: how many may be graded 优秀 (rounded down)."""
    return int((Decimal(reviewed) * Decimal(cap)).to_integral_value(rounding=ROUND_FLOOR))


def excellent_cap_refusal(excellent: int, reviewed: int, cap: Decimal) -> str | None:
    """R3.2: 优秀 ≤ ``cap`` of those reviewed."""
    limit = excellent_limit(reviewed, cap)
    if excellent > limit:
        return (f"“优秀”{excellent} 名，超过评议人数 {reviewed} 名的 {Decimal(cap) * 100:.0f}%"
                f"（最多 {limit} 名）")
    return None


def reassessment_window(reviewed_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """R3.3: a 不合格 member is re-assessed after 3–6 months of correction."""
    return add_months(reviewed_on, 3), add_months(reviewed_on, 6)


def reassessment_refusal(reviewed_on: datetime.date, on: datetime.date) -> str | None:
    start, end = reassessment_window(reviewed_on)
    if on < start:
        return f"整改期不少于 3 个月：{ymd(start)} 起方可复评"
    if on > end:
        return f"复评应在评议后 6 个月内（{ymd(end)} 前）进行"
    return None


def registration_refusal(*, status: str, grade: str | None, approved: bool, month: int, month_start_: int,
                         month_end: int) -> str | None:
    """R3.4/R3.5: registration once a year inside the configured months; only 基本合格 or better
    in an approved review, except party members keeping membership, who are not reviewed."""
    if not (month_start_ <= month <= month_end):
        return f"团籍注册时间为每年 {month_start_}–{month_end} 月"
    if status in REGISTERED_WITHOUT_REVIEW:
        return None
    if status not in REVIEWED_STATUSES:
        return "只有团员才能注册团籍"
    if grade is None:
        return "上一年度尚未参加评议，不能注册"
    if not approved:
        return "上一年度评议结果尚未经上级团委审定，不能注册"
    if grade not in REGISTRABLE_GRADES:
        return f"评议等次为“{GRADES.get(grade, grade)}”，基本合格及以上方可注册"
    return None


def deferral_refusal(deferred_on: datetime.date, until: datetime.date) -> str | None:
    """R3.6: 暂缓注册 lasts 3–6 months."""
    if until < add_months(deferred_on, 3) or until > add_months(deferred_on, 6):
        return (f"暂缓注册期限为 3–6 个月：截止日期应在 {ymd(add_months(deferred_on, 3))} 至 "
                f"{ymd(add_months(deferred_on, 6))} 之间")
    return None


def unregistered_too_long(last_registered_on: datetime.date | None, joined_on: datetime.date | None,
                          today: datetime.date) -> bool:
    """R3.6: flag members unregistered for more than a year (counted from the join date if never)."""
    since = last_registered_on or joined_on
    return since is not None and add_years(since, 1) < today


# ---------------------------------------------------------------------------------------------
# R4 推优入党

PARTY_KINDS = {"to_activist": "推荐优秀团员作为入党积极分子人选", "to_candidate": "推荐入党积极分子作为党员发展对象人选"}
PARTY_ELIGIBLE_STATUSES = frozenset({Status.MEMBER})


def party_recommendation_refusal(*, kind: str, status: str, party_activist_on: datetime.date | None,
                                 proposed_on: datetime.date, meeting_on: datetime.date) -> str | None:
    """R4.1/R4.2: the two kinds; the branch committee proposes before the members' meeting."""
    if kind not in PARTY_KINDS:
        return "请选择推优类别"
    if status not in PARTY_ELIGIBLE_STATUSES:
        return "只有正式团员（未受留团察看、未暂缓注册）可以推优入党"
    if kind == "to_candidate" and party_activist_on is None:
        return "推荐为党员发展对象人选，须先是入党积极分子：请填写确定为入党积极分子的日期"
    if meeting_on < proposed_on:
        return f"团员大会日期不能早于支委会提出日期（{ymd(proposed_on)}）"
    return None


def party_vote_quorum_met(count: VoteCount) -> bool:
    """R4.2: more than half of the voting members attend."""
    return count.present * 2 > count.due


def party_vote_passes(count: VoteCount) -> bool:
    """R4.3: yes > ½ of the voting members DUE to attend (应到) — not of those present (R2.8)."""
    return party_vote_quorum_met(count) and count.yes * 2 > count.due


def party_vote_refusal(count: VoteCount) -> str | None:
    refusal = count_refusal(count)
    if refusal:
        return refusal
    if not party_vote_quorum_met(count):
        return f"到会 {count.present} 人，未超过应到 {count.due} 人的半数，不能进行推优表决"
    return None


def recommendation_valid_until(reviewed_on: datetime.date, months: int) -> datetime.date:
    """R4.4: the recommendation is valid for ``months`` from the committee's review."""
    return add_months(reviewed_on, months) - datetime.timedelta(days=1)


# ---------------------------------------------------------------------------------------------
# R5 dues

DUES_CATEGORIES = {
    "salaried": "有工资收入",
    "student": "学生",
    "farmer": "农民",
    "unemployed": "无业",
    "welfare": "领取救济",
    "pensioner": "离退休",
}
BASIC_CATEGORIES = frozenset({"student", "farmer", "unemployed", "welfare", "pensioner"})
OCCUPATION_TO_CATEGORY = {"student": "student", "farmer": "farmer", "unemployed": "unemployed", "retired": "pensioner"}


def monthly_dues(category: str, wage: Decimal | None, *, threshold: Decimal, low_amount: Decimal,
                 rate_permille: Decimal, basic_amount: Decimal, cap: Decimal) -> Decimal:
    """R5.1–R5.4: the monthly dues in 元.

    Salaried below ``threshold`` → ``low_amount``; at or above → floor(wage × rate‰) whole 元;
    students, farmers, unemployed, welfare recipients, pensioners → ``basic_amount``. A ``cap``
    above 0 limits the result.
    """
    if category in BASIC_CATEGORIES:
        amount = Decimal(basic_amount)
    elif category == "salaried":
        if wage is None:
            raise ValueError("salaried dues need a wage")
        wage = Decimal(wage)
        if wage < Decimal(threshold):
            amount = Decimal(low_amount)
        else:
            amount = (wage * Decimal(rate_permille) / 1000).to_integral_value(rounding=ROUND_FLOOR)
    else:
        raise ValueError(f"unknown dues category {category!r}")
    if Decimal(cap) > 0:
        amount = min(amount, Decimal(cap))
    return amount.quantize(Decimal("0.01"))


def dues_start_month(joined_on: datetime.date) -> datetime.date:
    """R5.4: dues start in the month of admission."""
    return month_start(joined_on)


def unpaid_months(paid: Iterable[datetime.date], *, dues_from: datetime.date, today: datetime.date) -> list[datetime.date]:
    """Arrears: every month from ``dues_from`` through the current month without a payment."""
    paid_set = {month_start(m) for m in paid}
    return [m for m in months_between(dues_from, today) if m not in paid_set]


# ---------------------------------------------------------------------------------------------
# R6 transfers

INITIATORS = {"sender": "转出团组织", "receiver": "转入团组织", "member": "团员本人"}
DESTINATIONS = {
    "work": "工作调动",
    "residence": "居住地变动",
    "graduate_employer": "毕业生：到就业单位",
    "graduate_residence": "毕业生：到居住地",
    "further_study": "毕业生：升学",
    "abroad": "毕业生：出国（境）",
    "enlisting": "毕业生：参军入伍",
    "other": "其他",
}
FURTHER_STUDY_DAYS = 30
ABROAD_HOLD_YEARS = 5


@dataclass(frozen=True)
class Destination:
    target: str  # "employer", "residence", "new_school", "school" (stays), "pool"
    deadline: datetime.date | None = None
    hold_until: datetime.date | None = None
    note: str = ""


def graduate_destination(kind: str, *, graduated_on: datetime.date, has_employer_org: bool) -> Destination:
    """R6.3: where a graduate's membership goes.

    Employed → the employer's League organisation, else the residence's; further study → the new
    school within 30 days; abroad → stays with the school up to 5 years; enlisting → a holding
    pool until the forces' organisation takes it.
    """
    if kind in ("graduate_employer", "graduate_residence"):
        if kind == "graduate_employer" and has_employer_org:
            return Destination("employer", note="转入就业单位团组织")
        return Destination("residence", note="就业单位未建团组织，转入居住地团组织")
    if kind == "further_study":
        return Destination("new_school", deadline=graduated_on + datetime.timedelta(days=FURTHER_STUDY_DAYS),
                           note=f"应在 {FURTHER_STUDY_DAYS} 天内转入新学校团组织")
    if kind == "abroad":
        return Destination("school", hold_until=add_years(graduated_on, ABROAD_HOLD_YEARS),
                           note=f"组织关系保留在原学校，最长 {ABROAD_HOLD_YEARS} 年")
    if kind == "enlisting":
        return Destination("pool", note="暂存待转，入伍后转入部队团组织")
    return Destination("receiver")


def transfer_decision_refusal(*, status: str, receiver_branch_ok: bool) -> str | None:
    """R6.2: the receiver approves a pending request and assigns a branch under itself."""
    if status != "pending":
        return "该转接申请已处理"
    if not receiver_branch_ok:
        return "请选择转入方下属的团支部"
    return None


CHECKIN_DAYS = 30


def checkin_overdue(approved_on: datetime.date, checked_in_on: datetime.date | None, today: datetime.date) -> bool:
    """R6.4: an approved transfer whose member has not reported offline within 30 days."""
    return checked_in_on is None and today > approved_on + datetime.timedelta(days=CHECKIN_DAYS)


def blocks_degree_certificate(_transfer_status: str) -> bool:
    """R6.4: a transfer, in whatever state, never blocks a graduate's degree certificate: nothing
    in the platform may gate a certificate on it. Kept as a function so the pages and the API
    state it from one place."""
    return False


# ---------------------------------------------------------------------------------------------
# To-dos: R1.3/R1.4 approaching 28


def turns_28_on(birth_date: datetime.date) -> datetime.date:
    return add_years(birth_date, 28)
