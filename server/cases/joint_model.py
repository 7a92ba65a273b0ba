"""The joint record of a case (联办件): the guide's joint process made into steps with their own clocks.

``case["joint"]`` is None for a single-department case, else::

    {"domain", "lead_department_id", "returned": None | {"step_id", "at", "by"},
     "steps": [{"id", "name", "department_id", "after": [step ids], "time_limit_days",
                "state": waiting|running|approved|denied|cancelled, "started_at", "ended_at",
                "clock": <Timer doc>, "due_on", "warning_level", "decision": None | {...}}]}

It lives inside the case document, so every step change is part of the one versioned replace that
``workflow.transition`` makes. The functions here are pure: they read or edit a joint record in place.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from server.calendar.working_days import WorkingCalendar
from server.cases.states import ClockEffect, State
from server.cases.timers import Timer, WarningLevel, apply, deadline, warning_level


class StepState(StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    APPROVED = "approved"
    DENIED = "denied"
    CANCELLED = "cancelled"


STEP_STATE_LABELS = {StepState.WAITING: "待办", StepState.RUNNING: "办理中", StepState.APPROVED: "已通过",
                     StepState.DENIED: "不予通过", StepState.CANCELLED: "已取消"}
OPEN_STEP_STATES = frozenset({StepState.WAITING, StepState.RUNNING})
STEP_UNIT = "working_days"


def new_joint(process: dict[str, Any] | None) -> dict[str, Any] | None:
    """The joint record of a new case of a guide with ``process`` (its ``joint_process``), all steps waiting."""
    if not process or not process.get("steps"):
        return None
    return {
        "domain": process["domain"], "lead_department_id": process["lead_department_id"], "returned": None,
        "steps": [{
            "id": step["id"], "name": step["name"], "department_id": step["department_id"],
            "after": list(step.get("after") or []), "time_limit_days": int(step["time_limit_days"]),
            "state": StepState.WAITING.value, "started_at": None, "ended_at": None,
            "clock": Timer(int(step["time_limit_days"]), STEP_UNIT).to_doc(), "due_on": None,
            "warning_level": WarningLevel.NONE.value, "decision": None,
        } for step in process["steps"]],
    }


def joint_of(case: dict[str, Any]) -> dict[str, Any] | None:
    joint: dict[str, Any] | None = case.get("joint")
    return joint or None


def critical_path_days(process: dict[str, Any]) -> int:
    """The longest chain of step limits: the least a whole joint process can promise."""
    finish: dict[str, int] = {}
    for step in process.get("steps") or []:
        start = max((finish.get(before, 0) for before in step.get("after") or []), default=0)
        finish[step["id"]] = start + int(step["time_limit_days"])
    return max(finish.values(), default=0)


def find_step(joint: dict[str, Any], step_id: str) -> dict[str, Any] | None:
    return next((step for step in joint["steps"] if step["id"] == step_id), None)


def steps_in(joint: dict[str, Any], *states: StepState) -> list[dict[str, Any]]:
    wanted = {state.value for state in states}
    return [step for step in joint["steps"] if step["state"] in wanted]


def ready_steps(joint: dict[str, Any]) -> list[dict[str, Any]]:
    """Waiting steps whose predecessors have all approved."""
    approved = {step["id"] for step in steps_in(joint, StepState.APPROVED)}
    return [step for step in steps_in(joint, StepState.WAITING) if set(step["after"]) <= approved]


def all_approved(joint: dict[str, Any]) -> bool:
    return all(step["state"] == StepState.APPROVED.value for step in joint["steps"])


def start_ready_steps(joint: dict[str, Any], now: datetime, today: date, calendar: WorkingCalendar) -> list[str]:
    """Start every step that may start now; the ids started."""
    started = []
    for step in ready_steps(joint):
        step["state"] = StepState.RUNNING.value
        step["started_at"] = now
        step["clock"] = apply(Timer.from_doc(step["clock"]), ClockEffect.START, today, calendar).to_doc()
        started.append(step["id"])
    return started


def end_step(step: dict[str, Any], state: StepState, now: datetime, today: date, calendar: WorkingCalendar,
             decision: dict[str, Any] | None = None) -> None:
    step["state"] = state.value
    step["ended_at"] = now
    step["decision"] = decision
    step["clock"] = apply(Timer.from_doc(step["clock"]), ClockEffect.FINISH, today, calendar).to_doc()


def cancel_open_steps(joint: dict[str, Any], now: datetime, today: date, calendar: WorkingCalendar) -> list[str]:
    cancelled = []
    for step in steps_in(joint, StepState.WAITING, StepState.RUNNING):
        end_step(step, StepState.CANCELLED, now, today, calendar)
        cancelled.append(step["id"])
    return cancelled


def change_running_clocks(joint: dict[str, Any], effect: ClockEffect, today: date,
                          calendar: WorkingCalendar) -> list[str]:
    """Stop or resume the clock of every running step; the ids changed."""
    changed = []
    for step in steps_in(joint, StepState.RUNNING):
        step["clock"] = apply(Timer.from_doc(step["clock"]), effect, today, calendar).to_doc()
        changed.append(step["id"])
    return changed


def refresh_steps(joint: dict[str, Any] | None, today: date, calendar: WorkingCalendar,
                  warn_days: int) -> list[Timer]:
    """Each running step's deadline and warning level; returns the running steps' timers."""
    timers = []
    for step in joint["steps"] if joint else []:
        timer = Timer.from_doc(step["clock"])
        if step["state"] != StepState.RUNNING.value:
            step["due_on"], step["warning_level"] = None, WarningLevel.NONE.value
            continue
        due = deadline(timer, calendar)
        step["due_on"] = due.isoformat() if due else None
        step["warning_level"] = warning_level(timer, today, calendar, warn_days).value
        timers.append(timer)
    return timers


def involved_departments(joint: dict[str, Any]) -> set[str]:
    return {joint["lead_department_id"], *(step["department_id"] for step in joint["steps"])}


def holding_departments(joint: dict[str, Any]) -> list[str]:
    """The departments whose steps are running now (in step order, once each)."""
    return list(dict.fromkeys(step["department_id"] for step in steps_in(joint, StepState.RUNNING)))


# Before acceptance a joint case is the comprehensive window's alone (in its queue, not the departments').
_INTAKE_STATES = frozenset({State.DRAFT.value, State.SUBMITTED.value, State.PRE_REVIEW_PASSED.value,
                            State.NOT_ACCEPTED.value})


def in_intake(case: dict[str, Any], joint: dict[str, Any]) -> bool:
    state = case["state"]
    return state in _INTAKE_STATES or (state == State.SUPPLEMENT_REQUESTED.value and not joint.get("returned"))


def queue_keys(case: dict[str, Any]) -> list[str]:
    """What the staff queue matches an officer's departments and domains against: the case's department;
    for a joint case its domain, its lead department once accepted and the departments whose step runs."""
    joint = joint_of(case)
    if joint is None:
        return [f"dept:{case.get('department_id')}"]
    keys = [f"domain:{joint['domain']}"]
    if not in_intake(case, joint):
        keys.append(f"dept:{joint['lead_department_id']}")
    keys += [f"dept:{department}" for department in holding_departments(joint)]
    return list(dict.fromkeys(keys))
