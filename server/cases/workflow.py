"""Every state change of a case goes through ``transition`` (or ``transitions``, several changes that
must be stored together): checked, recorded, one atomic write.

The history entry (who, when, from, to, why), the clocks, the derived deadline and warning level and
whatever the action changes are written together by replacing the case document under its version,
so a concurrent change makes the loser fail with 409 instead of interleaving.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from server.actor import Actor
from server.calendar.working_days import WorkingCalendar
from server.cases import repository
from server.cases.deemed_acceptance import completion_counted_from
from server.cases.joint_model import cancel_open_steps, joint_of, queue_keys, refresh_steps
from server.cases.states import FINAL_STATES, STATE_LABELS, TRANSITIONS, Action, Clock, ClockEffect, State
from server.cases.timers import Timer, WarningLevel, apply, deadline, more_severe, warning_level
from server.clock import china_date
from server.errors import Conflict, Forbidden, Unprocessable
from server.messages.kinds import ACTION_MESSAGES
from server.messages.outbox import queue_app_event
from server.messages.outbox import queue_message as queue_message  # the hook other features call

if TYPE_CHECKING:
    from server.deps import Deps

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


@dataclass(frozen=True)
class Move:
    """One action of ``transitions``: what ``transition`` takes, bundled."""

    action: Action
    actor: Actor
    as_role: str
    reason: str | None = None
    changes: Mapping[str, Any] | None = None
    record: Mapping[str, Any] | None = None


async def transition(deps: Deps, case: Mapping[str, Any], action: Action, actor: Actor, *, as_role: str,
                     reason: str | None = None, changes: Mapping[str, Any] | None = None,
                     record: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Apply ``action`` to ``case`` (as read, with its version) and return the stored new case."""
    return await transitions(deps, case, [Move(action, actor, as_role, reason, changes, record)])


async def transitions(deps: Deps, case: Mapping[str, Any], moves: Sequence[Move]) -> dict[str, Any]:
    """Apply ``moves`` in order, each checked and recorded as its own history entry, as ONE write.

    For a transition that must never be stored without the next (a joint case's last step approval and
    the case's approval): if the write fails, neither is stored, and nothing is left half done.
    """
    if not moves:
        raise ValueError("transitions needs at least one move")
    now = deps.clock.now()
    today = china_date(now)
    calendar = await deps.calendar.get()
    updated = copy.deepcopy(dict(case))
    first = State(case["state"])
    for move in moves:
        _apply_move(updated, move, now, today, calendar)
    updated["queue_keys"] = queue_keys(updated)
    updated["version"] = case["version"] + 1
    updated["updated_at"] = now
    refresh_supervision(updated, today, calendar, deps.settings.case_warn_working_days)
    if not await repository.replace_case(deps.db, updated, expected_version=case["version"]):
        raise CaseChanged(state=first.value)
    deps.calendar.warn_about_fallbacks(calendar)
    return updated


def _apply_move(updated: dict[str, Any], move: Move, now: datetime, today: date, calendar: WorkingCalendar) -> None:
    """Check ``move`` against the state ``updated`` is in now and apply it to ``updated`` in place."""
    action, reason = move.action, move.reason
    rule = TRANSITIONS[action]
    current = State(updated["state"])
    if current not in rule.sources:
        raise IllegalTransition(f"办件当前状态为「{STATE_LABELS[current]}」，不能执行此操作",
                                state=current.value, action=action.value)
    if move.as_role not in rule.by:
        raise ActionNotAllowed(f"{move.as_role} may not {action.value}", action=action.value)
    if rule.needs_reason and not (reason or "").strip():
        raise ReasonRequired(action=action.value)
    for key, value in (move.changes or {}).items():
        updated[key] = value
    for clock, effect in rule.clocks:
        timer = Timer.from_doc(updated["clocks"][clock.value])
        on = today
        if clock is Clock.COMPLETION and effect is ClockEffect.START:
            on = completion_counted_from(updated, today, calendar)
        updated["clocks"][clock.value] = apply(timer, effect, on, calendar).to_doc()
    target = rule.target or current
    history = updated["history"]
    updated["history"] = [*history, {
        "seq": len(history) + 1, "at": now, "actor": move.actor.to_doc(), "action": action.value,
        "from": current.value, "to": target.value, "reason": (reason or "").strip() or None,
        "data": dict(move.record or {}),
    }]
    updated["state"] = target.value
    joint = joint_of(updated)
    if joint is not None and target in FINAL_STATES:
        # Withdrawn or refused before its steps finished: no step of it runs on.
        cancel_open_steps(joint, now, today, calendar)
    message_kind = ACTION_MESSAGES.get(action)
    if message_kind is not None:
        # In the same replace as the transition: the citizen hears of every change that is stored.
        queue_message(updated, message_kind, {"reason": (reason or "").strip() or None, **dict(move.record or {})},
                      at=now)
    if updated.get("open_app_id") and target is not current:
        queue_app_event(updated, {"number": updated["number"], "from": current.value, "to": target.value,
                                  "action": action.value}, at=now)


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


def refresh_supervision(case: dict[str, Any], today: date, calendar: WorkingCalendar, warn_days: int) -> None:
    """Derived fields the queue sorts and filters on: the running clock's deadline and the warning level
    (a joint case's running steps count too: the most urgent of its clocks is the case's); and the latest
    deadline of its clocks, so the calendar can tell which years deadlines fall in without a scan.
    ``warn_days``: the CASE_WARN_WORKING_DAYS setting."""
    level = WarningLevel.NONE
    due: date | None = None
    last_due: date | None = None
    timers = [Timer.from_doc(case["clocks"][clock.value]) for clock in (Clock.PRE_REVIEW, Clock.COMPLETION)]
    for timer in [*timers, *refresh_steps(joint_of(case), today, calendar, warn_days)]:
        if timer.started_on is None or timer.finished_on is not None:
            continue
        level = more_severe(warning_level(timer, today, calendar, warn_days), level)
        clock_due = deadline(timer, calendar)
        if clock_due is not None and (due is None or clock_due < due):
            due = clock_due
        if clock_due is not None and (last_due is None or clock_due > last_due):
            last_due = clock_due
    case["warning_level"] = level.value
    case["due_on"] = due.isoformat() if due else None
    case["last_due_on"] = last_due.isoformat() if last_due else None
    case["clock_stopped"] = any(Timer.from_doc(case["clocks"][c.value]).stopped for c in Clock)
