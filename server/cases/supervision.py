"""电子监察: the worker job that flags cases as they cross 预警, 黄牌 and 红牌.

A case's warning level is derived at every transition, but time passes between transitions; this job
recomputes the level of each case whose deadline is near and records a FLAG_WARNING transition when the
level becomes more severe than what was last flagged for the same deadline. Running it again changes
nothing (idempotent); a new deadline (after a stopped clock resumes, or a new clock starts) is a new
crossing and is flagged anew. A joint case whose steps are all approved but which is not (see
``joint.complete_approved``) is approved instead of flagged.
"""

from __future__ import annotations

import copy
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from server.actor import Actor
from server.cases import repository
from server.cases.joint import awaits_approval, complete_approved
from server.cases.states import Action, State
from server.cases.timers import WARNING_LABELS, WarningLevel, more_severe
from server.cases.workflow import CaseChanged, IllegalTransition, refresh_supervision, transition
from server.clock import china_date
from server.worker.registry import job

if TYPE_CHECKING:
    from server.deps import Deps

log = logging.getLogger("yiwang.cases.supervision")

JOB_NAME = "flag_case_warnings"
# States in which a legal clock can be running (or stopped with a deadline that still counts).
SUPERVISED_STATES: list[str] = [s.value for s in (State.SUBMITTED, State.SUPPLEMENT_REQUESTED, State.ACCEPTED,
                                                  State.IN_PROCESS, State.SUSPENDED)]
_PAGE = 200
# A far-past id: every case id sorts after it (ids are hex strings).
_FIRST_ID = ""


def flagged_level(case: dict[str, Any]) -> WarningLevel:
    """The level last flagged for the case's current deadline (none if the deadline has moved since)."""
    flag = case.get("warning_flag")
    if not flag or flag.get("due_on") != case.get("due_on"):
        return WarningLevel.NONE
    return WarningLevel(flag["level"])


async def flag_case(deps: Deps, case: dict[str, Any], actor: Actor) -> WarningLevel | None:
    """Record a FLAG_WARNING if the case's level is now more severe than flagged; the new level, or None."""
    calendar = await deps.calendar.get()
    current = copy.deepcopy(case)
    refresh_supervision(current, china_date(deps.clock.now()), calendar, deps.settings.case_warn_working_days)
    level = WarningLevel(current["warning_level"])
    previous = flagged_level(case)
    if level is WarningLevel.NONE or more_severe(previous, level) is previous:
        return None
    record = {"level": level.value, "previous": previous.value, "due_on": current["due_on"]}
    await transition(deps, case, Action.FLAG_WARNING, actor, as_role="system", reason=WARNING_LABELS[level],
                     changes={"warning_flag": {"level": level.value, "due_on": current["due_on"],
                                               "at": deps.clock.now()}},
                     record=record)
    return level


@job(JOB_NAME, every_seconds=600, timeout_seconds=300)
async def flag_case_warnings(deps: Deps) -> dict[str, Any]:
    """Flag open cases that crossed 预警 / 黄牌 / 红牌 since the last run."""
    calendar = await deps.calendar.get()
    today = china_date(deps.clock.now())
    # A case can only be at 预警 or worse when at most CASE_WARN_WORKING_DAYS working days are left before its
    # deadline: the deadline is before the next working day after those (a natural-day deadline may fall
    # on a weekend or holiday in between).
    warn_days = deps.settings.case_warn_working_days
    due_by = (calendar.add_working_days(today, warn_days + 1) - timedelta(days=1)).isoformat()
    actor = Actor.system(JOB_NAME)
    counts = {level.value: 0 for level in WarningLevel if level is not WarningLevel.NONE}
    checked = raced = completed = 0
    after = _FIRST_ID
    while True:
        page = await repository.cases_due_by(deps.db, SUPERVISED_STATES, due_by, after_id=after, limit=_PAGE)
        for case in page:
            checked += 1
            try:
                if awaits_approval(case):
                    # Left by a version that stored the last step's approval without the case's.
                    await complete_approved(deps, case)
                    completed += 1
                    continue
                level = await flag_case(deps, case, actor)
            except (CaseChanged, IllegalTransition):
                # Changed under us (an officer acted): the next run looks at it again.
                raced += 1
                continue
            if level is not None:
                counts[level.value] += 1
        if len(page) < _PAGE:
            break
        after = page[-1]["_id"]
    deps.calendar.warn_about_fallbacks(calendar)
    if any(counts.values()):
        log.info("flagged cases: %s", counts)
    return {"checked": checked, "flagged": counts, "raced": raced, "completed": completed}
