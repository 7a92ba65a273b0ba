"""Legal clocks of a case: start, stop while waiting, resume, finish; deadlines and warning levels.

A clock counts from the day after it starts (periods begin the next day). While stopped — waiting for
the citizen's supplement, or during a special procedure — no time runs: on resume the stopped span,
measured in the clock's own unit, is added to the allowance.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from server.calendar.working_days import WorkingCalendar
from server.cases.states import ClockEffect


class WarningLevel(StrEnum):
    NONE = "none"
    WARNING = "warning"  # 预警: the deadline is near
    YELLOW = "yellow"  # 黄牌: today is the deadline
    RED = "red"  # 红牌: past the deadline


WARNING_LABELS = {WarningLevel.NONE: "正常", WarningLevel.WARNING: "预警", WarningLevel.YELLOW: "黄牌",
                  WarningLevel.RED: "红牌"}
_SEVERITY = [WarningLevel.NONE, WarningLevel.WARNING, WarningLevel.YELLOW, WarningLevel.RED]


def more_severe(a: WarningLevel, b: WarningLevel) -> WarningLevel:
    return a if _SEVERITY.index(a) >= _SEVERITY.index(b) else b


@dataclass(frozen=True)
class Timer:
    limit: int
    unit: str  # working_days | natural_days | hours
    started_on: str | None = None
    stopped_since: str | None = None
    stopped_days: int = 0
    finished_on: str | None = None

    @property
    def running(self) -> bool:
        return self.started_on is not None and self.stopped_since is None and self.finished_on is None

    @property
    def stopped(self) -> bool:
        return self.stopped_since is not None and self.finished_on is None

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Timer:
        return cls(**doc)

    @property
    def limit_days(self) -> int:
        return math.ceil(self.limit / 24) if self.unit == "hours" else self.limit


def apply(timer: Timer, effect: ClockEffect, today: date, calendar: WorkingCalendar) -> Timer:
    if effect is ClockEffect.START:
        return replace(timer, started_on=today.isoformat(), stopped_since=None, stopped_days=0, finished_on=None)
    if timer.started_on is None or timer.finished_on is not None:
        return timer
    if effect is ClockEffect.STOP:
        return timer if timer.stopped else replace(timer, stopped_since=today.isoformat())
    if effect is ClockEffect.RESUME:
        if not timer.stopped:
            return timer
        assert timer.stopped_since is not None
        span = _span(timer, date.fromisoformat(timer.stopped_since), today, calendar)
        return replace(timer, stopped_since=None, stopped_days=timer.stopped_days + span)
    return replace(timer, finished_on=today.isoformat(), stopped_since=None)


def deadline(timer: Timer, calendar: WorkingCalendar) -> date | None:
    if timer.started_on is None:
        return None
    start = date.fromisoformat(timer.started_on)
    allowance = timer.limit_days + timer.stopped_days
    if timer.unit == "working_days":
        return calendar.add_working_days(start, allowance)
    return start + timedelta(days=allowance)


def days_left(timer: Timer, today: date, calendar: WorkingCalendar) -> int | None:
    """Days (in the clock's unit) from today to the deadline; frozen while the clock is stopped."""
    due = deadline(timer, calendar)
    if due is None:
        return None
    as_of = date.fromisoformat(timer.stopped_since) if timer.stopped_since else today
    return _span(timer, as_of, due, calendar)


def warning_level(timer: Timer, today: date, calendar: WorkingCalendar, warn_days: int) -> WarningLevel:
    """预警 with at most ``warn_days`` working days left, 黄牌 on the deadline, 红牌 after it."""
    if timer.started_on is None or timer.finished_on is not None:
        return WarningLevel.NONE
    due = deadline(timer, calendar)
    assert due is not None
    as_of = date.fromisoformat(timer.stopped_since) if timer.stopped_since else today
    if as_of > due:
        return WarningLevel.RED
    if as_of == due:
        return WarningLevel.YELLOW
    # 预警 comes at ``warn_days`` WORKING days left whatever unit the limit counts in (domain.md §4): a
    # natural-day clock due on Monday warns from the Thursday before, when staff are there to act on it.
    if calendar.working_days_between(as_of, due) <= warn_days:
        return WarningLevel.WARNING
    return WarningLevel.NONE


def _span(timer: Timer, start: date, end: date, calendar: WorkingCalendar) -> int:
    if timer.unit == "working_days":
        return calendar.working_days_between(start, end)
    return (end - start).days
