"""The indicator registry: the one source of the figures of the four strengths (I1.1 … I4.4).

Each app that owns the data registers the indicators it can compute, in its own ``indicators.py``
imported from its ``AppConfig.ready`` (as apps already register to-dos and panels), so the
dashboard, the indicators page, plan tasks bound to a figure (R12.2) and the county's report read
every figure here and never compute one themselves.

An indicator is a named, parameterised query: ``compute(unit, period) -> Figure`` where ``unit``
is the organisation whose subtree is the scope and ``period`` the dates (both ends inclusive).
The kernel knows nothing of the organisation model: it passes the unit through.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

STRENGTHS = {
    "I1": "引领力",
    "I2": "组织力",
    "I3": "服务力",
    "I4": "大局贡献度",
}

ID_PATTERN = re.compile(r"^I[1-4]\.\d+$")


@dataclass(frozen=True)
class Period:
    """Dates from ``start`` to ``end``, both included."""

    start: datetime.date
    end: datetime.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("期间的结束日期早于开始日期")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls(datetime.date(year, first, 1), cls.month(year, first + 2).end)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @property
    def label(self) -> str:
        s, e = self.start, self.end
        if s.day == 1 and s.month == 1 and e.month == 12 and e.day == 31 and s.year == e.year:
            return f"{s.year}年"
        if s.day == 1 and s.year == e.year and s.month == e.month and e == Period.month(s.year, s.month).end:
            return f"{s.year}年{s.month}月"
        if (s.day == 1 and s.year == e.year and s.month % 3 == 1 and e.month == s.month + 2
                and e == Period.month(e.year, e.month).end):
            return f"{s.year}年第{(s.month - 1) // 3 + 1}季度"
        return f"{s.isoformat()} 至 {e.isoformat()}"

    def previous(self) -> Period:
        """The period of the same shape just before this one (for trends)."""
        s, e = self.start, self.end
        if s.day == 1 and e == Period.month(e.year, e.month).end:
            months = (e.year - s.year) * 12 + e.month - s.month + 1
            index = s.year * 12 + s.month - 1 - months
            start = datetime.date(index // 12, index % 12 + 1, 1)
            last = index + months - 1
            return Period(start, Period.month(last // 12, last % 12 + 1).end)
        length = (e - s).days + 1
        return Period(s - datetime.timedelta(days=length), s - datetime.timedelta(days=1))


@dataclass(frozen=True)
class Figure:
    """One indicator's value for a scope and a period, raw figures first.

    ``value`` is the headline (a rate in per cent, or a count); ``numerator``/``denominator`` are
    the raw figures behind a rate; ``parts`` holds further raw figures by name (person-times, a
    breakdown by field …) so a page or the report can show and cite them.
    """

    value: Decimal | int | None
    numerator: int | None = None
    denominator: int | None = None
    parts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    definition: str
    compute: Callable
    drilldown: Callable | None = None  # (unit, period) -> URL of the list behind the figure

    @property
    def strength(self) -> str:
        return STRENGTHS[self.id.split(".")[0]]


_indicators: dict[str, Indicator] = {}


def register(indicator_id: str, *, name: str, unit: str, definition: str, drilldown: Callable | None = None):
    """Decorator: register ``compute(unit, period) -> Figure`` as indicator ``indicator_id``."""
    if not ID_PATTERN.match(indicator_id):
        raise ValueError(f"bad indicator id {indicator_id!r}")

    def decorate(compute):
        if indicator_id in _indicators and _indicators[indicator_id].compute is not compute:
            raise ValueError(f"indicator {indicator_id} registered twice")
        _indicators[indicator_id] = Indicator(
            id=indicator_id, name=name, unit=unit, definition=definition, compute=compute, drilldown=drilldown
        )
        return compute

    return decorate


def _sort_key(indicator_id: str) -> tuple[int, int]:
    major, minor = indicator_id[1:].split(".")
    return int(major), int(minor)


def all_indicators() -> list[Indicator]:
    return [_indicators[k] for k in sorted(_indicators, key=_sort_key)]


def get(indicator_id: str) -> Indicator:
    try:
        return _indicators[indicator_id]
    except KeyError:
        raise LookupError(f"未登记的指标：{indicator_id}") from None


def compute(indicator_id: str, unit, period: Period) -> Figure:
    return get(indicator_id).compute(unit, period)


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"))
