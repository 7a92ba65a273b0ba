"""Every state change of a case goes through ``transition``: checked, recorded, one atomic write.

The history entry (who, when, from, to, why), the clocks, the derived deadline and warning level and
whatever the action changes are written together by replacing the case document under its version,
so a concurrent change makes the loser fail with 409 instead of interleaving.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from server.actor import Actor
from server.calendar.working_days import WorkingCalendar
from server.cases import repository
from server.cases.joint_model import cancel_open_steps, joint_of, queue_keys, refresh_steps
from server.cases.states import FINAL_STATES, STATE_LABELS, TRANSITIONS, Action, Clock, State
from server.cases.timers import Timer, WarningLevel, apply, deadline, more_severe, warning_level
from server.clock import china_date
from server.errors import Conflict, Forbidden, Unprocessable
from server.messages.kinds import ACTION_MESSAGES
from server.messages.outbox import queue_app_event
from server.messages.outbox import queue_message as queue_message  # the hook other features call

if TYPE_CHECKING:
    from server.deps import Deps

# Days before a deadline at which a case turns 预警 (domain.md §4 default: 2 working days).
WARN_DAYS = 2


class IllegalTransition(Conflict):
    code = "illegal_transition"


class CaseChanged(Conflict):
    code = "case_changed"
    default_message = "办件已被他人更新，请刷新后重试"


class ReasonRequired(Unprocessable):
    code = "reason_required"
    default_message = "此操作必须填写理由"


class ActionNotAllowed(Forbidden):
    code = "action_not_allowed"


async def transition(deps: Deps, case: Mapping[str, Any], action: Action, actor: Actor, *, as_role: str,
                     reason: str | None = None, changes: Mapping[str, Any] | None = None,
                     record: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Apply ``action`` to ``case`` (as read, with its version) and return the stored new case."""
    rule = TRANSITIONS[action]
    current = State(case["state"])
    if current not in rule.sources:
        raise IllegalTransition(f"办件当前状态为「{STATE_LABELS[current]}」，不能执行此操作",
                                state=current.value, action=action.value)
    if as_role not in rule.by:
        raise ActionNotAllowed(f"{as_role} may not {action.value}", action=action.value)
    if rule.needs_reason and not (reason or "").strip():
        raise ReasonRequired(action=action.value)
    now = deps.clock.now()
    today = china_date(now)
    calendar = await deps.calendar.get()
    updated = copy.deepcopy(dict(case))
    for key, value in (changes or {}).items():
        updated[key] = value
    for clock, effect in rule.clocks:
        timer = Timer.from_doc(updated["clocks"][clock.value])
        updated["clocks"][clock.value] = apply(timer, effect, today, calendar).to_doc()
    target = rule.target or current
    updated["history"] = [*case["history"], {
        "seq": len(case["history"]) + 1, "at": now, "actor": actor.to_doc(), "action": action.value,
        "from": current.value, "to": target.value, "reason": (reason or "").strip() or None,
        "data": dict(record or {}),
    }]
    updated["state"] = target.value
    joint = joint_of(updated)
    if joint is not None and target in FINAL_STATES:
        # Withdrawn or refused before its steps finished: no step of it runs on.
        cancel_open_steps(joint, now, today, calendar)
    updated["queue_keys"] = queue_keys(updated)
    updated["version"] = case["version"] + 1
    updated["updated_at"] = now
    message_kind = ACTION_MESSAGES.get(action)
    if message_kind is not None:
        # In the same replace as the transition: the citizen hears of every change that is stored.
        queue_message(updated, message_kind, {"reason": (reason or "").strip() or None, **dict(record or {})},
                      at=now)
    if updated.get("open_app_id") and target is not current:
        queue_app_event(updated, {"number": updated["number"], "from": current.value, "to": target.value,
                                  "action": action.value}, at=now)
    refresh_supervision(updated, today, calendar)
    if not await repository.replace_case(deps.db, updated, expected_version=case["version"]):
        raise CaseChanged(state=current.value)
    deps.calendar.warn_about_fallbacks(calendar)
    return updated


async def record_change(deps: Deps, case: Mapping[str, Any], updated: dict[str, Any]) -> dict[str, Any]:
    """Store a change of ``case`` that is not a state transition (``updated`` is an edited deep copy, with
    any ``queue_message`` already applied): one replace under the version read, 409 case_changed on a race.

    The change records itself where it happens (a fee order keeps its own transitions), because the case
    history is the state machine's and its views only know state actions.
    """
    updated["version"] = case["version"] + 1
    updated["updated_at"] = deps.clock.now()
    if not await repository.replace_case(deps.db, updated, expected_version=case["version"]):
        raise CaseChanged(state=case["state"])
    return updated


def refresh_supervision(case: dict[str, Any], today: date, calendar: WorkingCalendar) -> None:
    """Derived fields the queue sorts and filters on: the running clock's deadline and the warning level
    (a joint case's running steps count too: the most urgent of its clocks is the case's)."""
    level = WarningLevel.NONE
    due: date | None = None
    timers = [Timer.from_doc(case["clocks"][clock.value]) for clock in (Clock.PRE_REVIEW, Clock.COMPLETION)]
    for timer in [*timers, *refresh_steps(joint_of(case), today, calendar, WARN_DAYS)]:
        if timer.started_on is None or timer.finished_on is not None:
            continue
        level = more_severe(warning_level(timer, today, calendar, WARN_DAYS), level)
        clock_due = deadline(timer, calendar)
        if clock_due is not None and (due is None or clock_due < due):
            due = clock_due
    case["warning_level"] = level.value
    case["due_on"] = due.isoformat() if due else None
    case["clock_stopped"] = any(Timer.from_doc(case["clocks"][c.value]).stopped for c in Clock)
