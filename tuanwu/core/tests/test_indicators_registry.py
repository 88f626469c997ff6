"""The indicator registry's kernel: periods, registration, look-up."""

import datetime
from decimal import Decimal

import pytest

from tuanwu.core import indicators
from tuanwu.core.indicators import Figure, Period


def test_period_labels_say_month_quarter_year_or_dates():
    assert Period.month(2023, 2).label == "2023年2月"
    assert Period.month(2023, 2).end == datetime.date(2023, 2, 28)
    assert Period.quarter(2023, 2).label == "2023年第2季度"
    assert Period.year(2023).label == "2023年"
    assert Period(datetime.date(2023, 1, 1), datetime.date(2023, 4, 27)).label == "2023-01-01 至 2023-04-27"


def test_previous_period_keeps_the_shape():
    assert Period.month(2023, 1).previous() == Period.month(2022, 12)
    assert Period.quarter(2023, 1).previous() == Period.quarter(2022, 4)
    assert Period.year(2023).previous() == Period.year(2022)
    custom = Period(datetime.date(2023, 1, 10), datetime.date(2023, 1, 19))
    assert custom.previous() == Period(datetime.date(2022, 12, 31), datetime.date(2023, 1, 9))


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        Period(datetime.date(2023, 2, 1), datetime.date(2023, 1, 1))


def test_rate_is_a_percentage_with_one_decimal_or_none():
    assert indicators.rate(1, 3) == Decimal("33.3")
    assert indicators.rate(0, 0) is None


def test_register_rejects_a_bad_id_and_a_second_registration(monkeypatch):
    monkeypatch.setattr(indicators, "_indicators", {})
    with pytest.raises(ValueError):
        indicators.register("X1", name="x", unit="%", definition="x")

    @indicators.register("I4.9", name="测试", unit="个", definition="测试用")
    def first(unit, period):
        return Figure(value=1)

    with pytest.raises(ValueError):
        @indicators.register("I4.9", name="测试", unit="个", definition="测试用")
        def second(unit, period):
            return Figure(value=2)

    assert [i.id for i in indicators.all_indicators()] == ["I4.9"]
    assert indicators.compute("I4.9", None, Period.year(2023)).value == 1
    with pytest.raises(LookupError):
        indicators.get("I4.8")
