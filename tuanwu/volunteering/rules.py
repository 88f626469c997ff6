"""R9: the 西部计划 volunteer rules as pure functions. Configurable values are parameters; callers
read them through ``tuanwu.core.rule_settings.get_rule``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# ---------------------------------------------------------------------------------------------
# R9.1 service 1–3 years, agreements one year at a time

MIN_SERVICE_YEARS = 1
MAX_SERVICE_YEARS = 3


def agreement_refusal(*, existing_years: int, starts_on: datetime.date, ends_on: datetime.date,
                      previous_ends_on: datetime.date | None) -> str | None:
    """Why a new yearly agreement cannot be signed (Chinese), or None.

    Each agreement covers one service year (R9.1): it lasts at most one year and at least a
    month, follows the previous one without a gap or overlap, and there are at most three.
    """
    if existing_years >= MAX_SERVICE_YEARS:
        return f"服务期最长 {MAX_SERVICE_YEARS} 年，已签满 {existing_years} 年协议"
    if ends_on <= starts_on:
        return "协议结束日期应晚于开始日期"
    one_year_later = _add_years(starts_on, 1)
    if ends_on > one_year_later:
        return "协议一年一签：一份协议不能超过一年"
    if previous_ends_on is not None:
        if starts_on <= previous_ends_on:
            return "新协议应在上一份协议结束之后开始"
        if (starts_on - previous_ends_on).days > 1:
            return "续签协议应紧接上一份协议（不能中断）"
    return None


def completed_service_years(agreements: Iterable[tuple[datetime.date, datetime.date]], on: datetime.date) -> int:
    """Agreement years fully served by ``on`` (an agreement counts once its end date has passed)."""
    return sum(1 for _, ends in agreements if ends <= on)


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# ---------------------------------------------------------------------------------------------
# R9.2 the yearly cycle


@dataclass(frozen=True)
class Phase:
    key: str
    label: str
    starts_on: datetime.date
    ends_on: datetime.date


NOTICE_DAYS = 3


def yearly_cycle(year: int) -> list[Phase]:
    """The recruitment calendar of ``year`` (R9.2): registration April–May, screening in May,
    medical check and a 3-day public notice in June, training and arrival in late July."""
    d = datetime.date
    return [
        Phase("registration", "网上报名", d(year, 4, 1), d(year, 5, 31)),
        Phase("screening", "资格审查与选拔", d(year, 5, 1), d(year, 5, 31)),
        Phase("medical", "体检", d(year, 6, 1), d(year, 6, 20)),
        Phase("notice", f"公示（{NOTICE_DAYS} 天）", d(year, 6, 21), d(year, 6, 21 + NOTICE_DAYS - 1)),
        Phase("training", "培训与到岗", d(year, 7, 20), d(year, 7, 31)),
    ]


def phases_on(year: int, on: datetime.date) -> list[str]:
    """Keys of the phases under way on ``on`` (registration and screening overlap in May)."""
    return [p.key for p in yearly_cycle(year) if p.starts_on <= on <= p.ends_on]


def service_starts_on(year: int) -> datetime.date:
    """Service begins on arrival, the first day of August after the late-July training."""
    return datetime.date(year, 8, 1)


# ---------------------------------------------------------------------------------------------
# R9.3 专项 (national programmes): current names, older names mapped


CURRENT_PROGRAMMES = ("乡村教育", "服务乡村建设", "健康乡村", "基层青年工作", "乡村社会治理", "服务新疆", "服务西藏")
OLD_PROGRAMME_NAMES = {
    "基础教育": "乡村教育",
    "服务三农": "服务乡村建设",
    "医疗卫生": "健康乡村",
    "基层青年工作": "基层青年工作",
    "基层社会管理": "乡村社会治理",
}

# 岗位领域: the local post field, a separate list from the 专项.
POST_FIELDS = ("党建", "乡村振兴", "基层社会治理", "基层青年工作", "乡村教育", "健康乡村", "其他")


def current_programme(name: str) -> str | None:
    """The current 专项 name for a current or older name, or None if unknown."""
    name = (name or "").strip().removesuffix("专项")
    if name in CURRENT_PROGRAMMES:
        return name
    return OLD_PROGRAMME_NAMES.get(name)


# ---------------------------------------------------------------------------------------------
# R9.4 assessment grades


def parse_grade_scale(text: str) -> list[str]:
    """The configured scale ("优秀、合格、基本合格、不合格") as a list; must include 优秀."""
    grades = [g.strip() for g in text.replace(",", "、").replace("，", "、").split("、") if g.strip()]
    return grades


def grade_refusal(grade: str, scale: Sequence[str]) -> str | None:
    if "优秀" not in scale:
        return "考核等次设置有误：等次中应包含“优秀”"
    if grade not in scale:
        return f"考核等次只能是：{'、'.join(scale)}"
    return None


# 基本合格 and 不合格 do not count as passing: the policies require 考核合格 or better.
PASSING_GRADES = ("优秀", "合格")


def passed(grade: str) -> bool:
    return grade in PASSING_GRADES


# ---------------------------------------------------------------------------------------------
# R9.5 – R9.7 eligibility


CHANNELS = ("考核纳编", "定向招聘", "招聘加分")


@dataclass(frozen=True)
class Eligibility:
    bonus: bool  # R9.5: 考研加分 and graduate status
    recommend: bool  # R9.6 / R9.7: county committee recommendation
    reason: str


def volunteer_eligibility(*, service_years: int, grades: Sequence[str], latest_grade: str | None,
                          min_years: int) -> Eligibility:
    """R9.5 and R9.6 for one volunteer.

    ``grades`` are every assessment grade on record (yearly and end-of-service); ``latest_grade``
    the end-of-service grade if there is one, else the latest yearly one.
    R9.5: at least ``min_years`` served and every assessment passed → exam bonus.
    R9.6: the same and the latest grade 优秀 → recommendation for 考核纳编 / 定向招聘 / 招聘加分.
    """
    if service_years < min_years:
        return Eligibility(False, False, f"服务满 {service_years} 年，不足 {min_years} 年")
    if not grades:
        return Eligibility(False, False, "尚无考核结果")
    failing = [g for g in grades if not passed(g)]
    if failing:
        return Eligibility(False, False, f"有考核未达到合格（{'、'.join(failing)}）")
    if latest_grade == "优秀":
        return Eligibility(True, True, f"服务满 {service_years} 年，考核均合格，最近一次考核优秀")
    return Eligibility(True, False, f"服务满 {service_years} 年，考核均合格（最近一次考核为{latest_grade}，未达优秀）")


def cadre_eligibility(*, league_work_years: int, excellent: bool, min_years: int) -> Eligibility:
    """R9.7: a non-establishment League cadre with ≥ ``min_years`` of League work and excellent
    performance is recommended as a volunteer would be (no exam bonus: that is R9.5's)."""
    if league_work_years < min_years:
        return Eligibility(False, False, f"团的工作满 {league_work_years} 年，不足 {min_years} 年")
    if not excellent:
        return Eligibility(False, False, "表现未达优秀")
    return Eligibility(False, True, f"团的工作满 {league_work_years} 年，表现优秀")


# ---------------------------------------------------------------------------------------------
# R9.8 retention


@dataclass(frozen=True)
class Retention:
    completed: int
    stayed: int

    @property
    def rate(self) -> Decimal | None:
        if not self.completed:
            return None
        return (Decimal(self.stayed) / Decimal(self.completed)).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def percent_text(self) -> str:
        rate = self.rate
        return "—" if rate is None else f"{(rate * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


STAYED_OUTCOMES = ("stayed_employer", "stayed_other")


def retention(outcomes: Iterable[str | None]) -> Retention:
    """R9.8: among volunteers whose service has ended (one outcome each, '' or None when not
    recorded yet, which still counts in the denominator), how many stayed in Xinjiang."""
    outcomes = list(outcomes)
    return Retention(completed=len(outcomes), stayed=sum(1 for o in outcomes if o in STAYED_OUTCOMES))


# ---------------------------------------------------------------------------------------------
# R9.9 monthly safety report


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(day: datetime.date) -> datetime.date:
    first = month_start(day)
    return month_start(first - datetime.timedelta(days=1))


def missing_safety_months(*, service_from: datetime.date, today: datetime.date,
                          reported: Iterable[datetime.date]) -> list[datetime.date]:
    """R9.9: months (their first days) from the month service began up to last month that have
    no safety report. The current month is not yet due."""
    done = {month_start(m) for m in reported}
    result = []
    month = month_start(service_from)
    last_due = previous_month(today)
    while month <= last_due:
        if month not in done:
            result.append(month)
        month = month_start(month + datetime.timedelta(days=32))
    return result


def zero_accident(incidents: int) -> bool:
    """A month is 零事故 when no safety incident involving a volunteer was reported."""
    return incidents == 0
