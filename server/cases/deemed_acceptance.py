"""Deemed acceptance (Administrative Licensing Law art. 32(4), domain.md §2).

A notice of missing or defective materials must be given within the pre-review limit; otherwise the
application counts as accepted from the day the materials arrived. So when pre-review overran, the
completion clock counts from that day, not from the day an officer accepts the case.

Derived from the recorded transitions, so it holds for cases stored before it existed: the pre-review
clock is replayed over the history as the transitions applied it, round by round (a submission or
resubmission up to the supplement notice or the pass that ended it). The first round that ended after
the clock's deadline names the day its materials arrived; a timely notice means the materials that
count are the resubmitted ones.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from server.calendar.working_days import WorkingCalendar
from server.cases.states import Action, Clock, ClockEffect
from server.cases.timers import Timer, apply, deadline
from server.clock import china_date

_ROUND_STARTS = {Action.SUBMIT.value: ClockEffect.START, Action.RESUBMIT.value: ClockEffect.RESUME}
_ROUND_ENDS = {Action.REQUEST_SUPPLEMENT.value: ClockEffect.STOP, Action.PASS_PRE_REVIEW.value: ClockEffect.FINISH}


def _day(moment: Any) -> date:
    return china_date(moment if isinstance(moment, datetime) else datetime.fromisoformat(str(moment)))


def deemed_accepted_on(case: dict[str, Any], calendar: WorkingCalendar) -> date | None:
    """The day the case counts as accepted from because its pre-review overran; None if it did not."""
    stored = Timer.from_doc(case["clocks"][Clock.PRE_REVIEW.value])
    timer = Timer(stored.limit, stored.unit)
    arrived: date | None = None
    for entry in case.get("history") or []:
        action = entry["action"]
        if action in _ROUND_STARTS:
            arrived = _day(entry["at"])
            timer = apply(timer, _ROUND_STARTS[action], arrived, calendar)
        elif action in _ROUND_ENDS:
            ended, due = _day(entry["at"]), deadline(timer, calendar)
            if arrived is not None and due is not None and ended > due:
                return arrived
            timer = apply(timer, _ROUND_ENDS[action], ended, calendar)
    return None


def completion_counted_from(case: dict[str, Any], today: date, calendar: WorkingCalendar) -> date:
    """The day a completion clock started today counts from."""
    deemed = deemed_accepted_on(case, calendar)
    return deemed if deemed is not None and deemed < today else today
