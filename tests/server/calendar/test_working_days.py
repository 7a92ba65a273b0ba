from __future__ import annotations

from datetime import date

import pytest

from server.calendar.service import exceptions_from_package
from server.calendar.working_days import WorkingCalendar


def calendar_2026() -> WorkingCalendar:
    days = exceptions_from_package(2026)
    return WorkingCalendar({date.fromisoformat(d["date"]): d["working"] for d in days}, frozenset({2026}))


def test_national_day_holidays_are_skipped_and_makeup_days_count() -> None:
    calendar = calendar_2026()
    assert not calendar.is_working_day(date(2026, 10, 1))
    assert calendar.is_working_day(date(2026, 10, 10))  # a Saturday worked for the National Day week
    # Five working days after Wednesday 30 September 2026: 1–7 Oct are off; 8, 9, 10 (a make-up
    # Saturday), 12 and 13 October are worked.
    assert calendar.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)


def test_plain_weeks_are_monday_to_friday() -> None:
    calendar = calendar_2026()
    assert calendar.add_working_days(date(2026, 11, 20), 5) == date(2026, 11, 27)
    assert calendar.working_days_between(date(2026, 11, 20), date(2026, 11, 27)) == 5
    assert calendar.working_days_between(date(2026, 11, 27), date(2026, 11, 20)) == -5
    assert calendar.add_working_days(date(2026, 11, 20), 0) == date(2026, 11, 20)


def test_years_without_data_fall_back_to_weekdays_and_are_reported() -> None:
    calendar = calendar_2026()
    # 1 January 2027 is a Friday: without data it counts as a working day.
    assert calendar.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert calendar.fallback_years_used == {2027}
    assert calendar.uncovered([2026, 2027]) == [2027]


def test_names_are_chinese() -> None:
    names = {d["name"] for d in exceptions_from_package(2026)}
    assert "国庆节" in names
    assert "春节" in names


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        calendar_2026().add_working_days(date(2026, 1, 5), -1)
