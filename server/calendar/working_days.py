"""Working-day arithmetic over a calendar of exceptions to Monday–Friday.

Chinese working days are not Monday to Friday: statutory holidays fall on weekdays and make-up
working days (调休) on weekends. A year the calendar has no data for falls back to Monday–Friday;
callers learn which years those were so they can warn loudly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

# Past this many years of searching, the arithmetic stops: a limit of thousands of working days is
# a data error, not a deadline.
_MAX_SPAN_DAYS = 366 * 20


@dataclass(frozen=True)
class WorkingCalendar:
    # date -> True (a working day, e.g. a make-up Saturday) or False (a holiday on a weekday or weekend)
    exceptions: Mapping[date, bool]
    covered_years: frozenset[int]
    fallback_years_used: set[int] = field(default_factory=set, compare=False)

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.covered_years:
            self.fallback_years_used.add(day.year)
        override = self.exceptions.get(day)
        if override is not None:
            return override
        return day.weekday() < 5

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (periods start the day after the event)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        remaining = count
        for _ in range(_MAX_SPAN_DAYS):
            if remaining == 0:
                return day
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        raise ValueError(f"{count} working days after {start} is beyond the calendar's reach")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        if (end - start).days > _MAX_SPAN_DAYS:
            raise ValueError("span too long")
        return sum(1 for offset in range(1, (end - start).days + 1)
                   if self.is_working_day(start + timedelta(days=offset)))

    def uncovered(self, years: Iterable[int]) -> list[int]:
        return sorted(y for y in set(years) if y not in self.covered_years)
