from __future__ import annotations

from datetime import date

from server.calendar.service import exceptions_from_package
from server.calendar.working_days import WorkingCalendar
from server.cases.states import ClockEffect
from server.cases.timers import Timer, WarningLevel, apply, days_left, deadline, warning_level


def calendar() -> WorkingCalendar:
    days = exceptions_from_package(2026)
    return WorkingCalendar({date.fromisoformat(d["date"]): d["working"] for d in days}, frozenset({2026}))


def test_five_working_day_pre_review_skips_the_national_day_holiday() -> None:
    cal = calendar()
    timer = apply(Timer(5, "working_days"), ClockEffect.START, date(2026, 9, 29), cal)
    # 30 Sep, then 1–7 Oct off, 8, 9, 10 (make-up Saturday), 12 Oct.
    assert deadline(timer, cal) == date(2026, 10, 12)


def test_a_stopped_clock_adds_the_stopped_working_days() -> None:
    cal = calendar()
    timer = apply(Timer(5, "working_days"), ClockEffect.START, date(2026, 11, 16), cal)  # Monday
    assert deadline(timer, cal) == date(2026, 11, 23)
    timer = apply(timer, ClockEffect.STOP, date(2026, 11, 18), cal)
    # While stopped the days left do not shrink.
    assert days_left(timer, date(2026, 11, 27), cal) == days_left(timer, date(2026, 11, 18), cal) == 3
    assert warning_level(timer, date(2026, 12, 30), cal, 2) is WarningLevel.NONE
    timer = apply(timer, ClockEffect.RESUME, date(2026, 11, 20), cal)  # Thu and Fri stopped: 2 working days
    assert timer.stopped_days == 2
    assert deadline(timer, cal) == date(2026, 11, 25)


def test_warning_levels_before_at_and_after_the_deadline() -> None:
    cal = calendar()
    timer = apply(Timer(5, "working_days"), ClockEffect.START, date(2026, 11, 16), cal)  # due Mon 23 Nov
    assert warning_level(timer, date(2026, 11, 17), cal, 2) is WarningLevel.NONE
    assert warning_level(timer, date(2026, 11, 19), cal, 2) is WarningLevel.WARNING
    assert warning_level(timer, date(2026, 11, 23), cal, 2) is WarningLevel.YELLOW
    assert warning_level(timer, date(2026, 11, 24), cal, 2) is WarningLevel.RED
    finished = apply(timer, ClockEffect.FINISH, date(2026, 11, 24), cal)
    assert warning_level(finished, date(2026, 12, 24), cal, 2) is WarningLevel.NONE


def test_a_weekend_after_the_deadline_is_already_red() -> None:
    cal = calendar()
    timer = apply(Timer(1, "working_days"), ClockEffect.START, date(2026, 11, 19), cal)  # due Fri 20 Nov
    assert warning_level(timer, date(2026, 11, 21), cal, 2) is WarningLevel.RED


def test_natural_days_and_hours() -> None:
    cal = calendar()
    natural = apply(Timer(10, "natural_days"), ClockEffect.START, date(2026, 9, 28), cal)
    assert deadline(natural, cal) == date(2026, 10, 8)
    hours = apply(Timer(2, "hours"), ClockEffect.START, date(2026, 11, 23), cal)
    assert deadline(hours, cal) == date(2026, 11, 24)


def test_effects_on_a_clock_never_started_or_finished_change_nothing() -> None:
    cal = calendar()
    idle = Timer(5, "working_days")
    assert apply(idle, ClockEffect.STOP, date(2026, 11, 23), cal) == idle
    done = apply(apply(idle, ClockEffect.START, date(2026, 11, 2), cal), ClockEffect.FINISH, date(2026, 11, 3), cal)
    assert apply(done, ClockEffect.RESUME, date(2026, 11, 4), cal) == done


def test_natural_day_clocks_warn_at_two_working_days_left() -> None:
    cal = calendar()
    # 7 natural days from Monday 23 November 2026: due Monday 30 November.
    timer = apply(Timer(7, "natural_days"), ClockEffect.START, date(2026, 11, 23), cal)
    assert deadline(timer, cal) == date(2026, 11, 30)
    levels = {day: warning_level(timer, date(2026, 11, day), cal, 2) for day in (25, 26, 27, 28, 29, 30)}
    assert levels == {25: WarningLevel.NONE, 26: WarningLevel.WARNING, 27: WarningLevel.WARNING,
                      28: WarningLevel.WARNING, 29: WarningLevel.WARNING, 30: WarningLevel.YELLOW}
    assert warning_level(timer, date(2026, 12, 1), cal, 2) is WarningLevel.RED
    # The days left stay in the clock's own unit: natural days.
    assert days_left(timer, date(2026, 11, 26), cal) == 4


def test_a_natural_day_deadline_on_a_weekend_warns_two_working_days_ahead() -> None:
    cal = calendar()
    timer = apply(Timer(5, "natural_days"), ClockEffect.START, date(2026, 11, 23), cal)  # due Saturday 28
    assert deadline(timer, cal) == date(2026, 11, 28)
    assert warning_level(timer, date(2026, 11, 24), cal, 2) is WarningLevel.NONE  # 25, 26, 27 still to work
    assert warning_level(timer, date(2026, 11, 25), cal, 2) is WarningLevel.WARNING  # 26 and 27 left


def test_hour_clocks_warn_at_two_working_days_left_across_a_holiday() -> None:
    cal = calendar()
    # 120 hours from Tuesday 29 September 2026: due Sunday 4 October, inside the National Day holiday.
    timer = apply(Timer(120, "hours"), ClockEffect.START, date(2026, 9, 29), cal)
    assert deadline(timer, cal) == date(2026, 10, 4)
    # On the 29th only the 30th is still a working day before the deadline: already 预警.
    assert warning_level(timer, date(2026, 9, 29), cal, 2) is WarningLevel.WARNING


def test_working_day_clocks_warn_as_before() -> None:
    cal = calendar()
    timer = apply(Timer(3, "working_days"), ClockEffect.START, date(2026, 11, 20), cal)  # Friday: due Wed 25
    assert deadline(timer, cal) == date(2026, 11, 25)
    assert warning_level(timer, date(2026, 11, 20), cal, 2) is WarningLevel.NONE
    assert warning_level(timer, date(2026, 11, 21), cal, 2) is WarningLevel.NONE  # Saturday: 23, 24, 25 left
    assert warning_level(timer, date(2026, 11, 23), cal, 2) is WarningLevel.WARNING  # 24 and 25 left
