"""Joint approval (并联/串联审批): after the comprehensive window accepts a joint case, its departments'
steps decide it.

The window (or the lead department) pushes the accepted case to the steps: every step without
predecessors starts, each on its own clock (working days from its start). A step's approval starts the
steps that were waiting only for it; when the last step approves, the system approves the case in the
same write (one case, one decision, one promised completion day). A step's denial denies the case with
its reason and cancels the steps still open. A step may return the case for a supplement: every running
clock stops (the steps' and the case's), and the citizen's resubmission goes straight back to the steps
— the window's pre-review was done once and the returning department checks what it asked for —
resuming them. Each of these is one write (``workflow.transition``; the last approval and the case's are
two history entries of one ``workflow.transitions``) that names the step in its history record and tells
the citizen (the outbox) which department holds the case now.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from cms.catalog_lists.service import DEPARTMENTS, names
from server.actor import Actor
from server.cases.joint_model import (
    StepState,
    all_approved,
    cancel_open_steps,
    change_running_clocks,
    end_step,
    find_step,
    joint_of,
    start_ready_steps,
)
from server.cases.materials import guide_slot
from server.cases.prereview import supplement_text
from server.cases.staff_access import JointPartNotAllowed, Part, case_of_officer, officer_actor
from server.cases.states import Action, ClockEffect, State
from server.cases.workflow import Move, transition, transitions
from server.clock import china_date
from server.errors import Conflict, NotFound
from server.staff.principal import StaffPrincipal

if TYPE_CHECKING:
    from server.deps import Deps

SYSTEM = Actor.system("joint_approval")


class NotAJointCase(Conflict):
    code = "not_a_joint_case"
    default_message = "该办件不是联办件"


class JointStepNotFound(NotFound):
    code = "joint_step_not_found"
    default_message = "联办环节不存在"


class StepNotRunning(Conflict):
    code = "step_not_running"
    default_message = "该环节当前不在办理中"


async def _department_names(deps: Deps, ids: list[str]) -> dict[str, str]:
    return await names(deps, DEPARTMENTS, ids)


def _joint_copy(case: dict[str, Any]) -> dict[str, Any]:
    joint = joint_of(case)
    if joint is None:
        raise NotAJointCase(state=case["state"])
    return copy.deepcopy(joint)


async def _today(deps: Deps) -> tuple[Any, Any]:
    return china_date(deps.clock.now()), await deps.calendar.get()


async def _handed_to(deps: Deps, joint: dict[str, Any], started: list[str]) -> str:
    departments = [step["department_id"] for step_id in started if (step := find_step(joint, step_id))]
    shown = await _department_names(deps, departments)
    return "、".join(dict.fromkeys(shown.get(d, d) for d in departments))


async def push(deps: Deps, officer: StaffPrincipal, case_id: str) -> dict[str, Any]:
    """一窗受理, 部门联动: the accepted case goes to its departments; the steps without predecessors start."""
    case = await case_of_officer(deps, officer, case_id, Part.COORDINATE)
    joint = _joint_copy(case)
    today, calendar = await _today(deps)
    started = start_ready_steps(joint, deps.clock.now(), today, calendar)
    progress = f"已转{await _handed_to(deps, joint, started)}办理"
    return await transition(deps, case, Action.JOINT_PUSH, officer_actor(officer), as_role="officer",
                            changes={"joint": joint}, record={"started": started, "progress": progress})


async def own_running_step(deps: Deps, officer: StaffPrincipal, case_id: str,
                            step_id: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(case, copy of its joint record, the step in that copy): the step must be the officer's department's
    (403 joint_part_not_allowed) and running (409 step_not_running)."""
    case = await case_of_officer(deps, officer, case_id)
    joint = _joint_copy(case)
    step = find_step(joint, step_id)
    if step is None:
        raise JointStepNotFound(step_id=step_id)
    if step["department_id"] not in officer.departments:
        raise JointPartNotAllowed(part="step", step_id=step_id)
    if step["state"] != StepState.RUNNING.value:
        raise StepNotRunning(step_id=step_id, step_state=step["state"], state=case["state"])
    return case, joint, step


def _step_record(step: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"step_id": step["id"], "step_name": step["name"], "department_id": step["department_id"], **extra}


async def approve_step(deps: Deps, officer: StaffPrincipal, case_id: str, step_id: str, *, opinion: str | None,
                       result_name: str | None, result_no: str | None) -> dict[str, Any]:
    """The step's department approves (with its opinion and the document it issued, if any); the steps
    waiting for it start; after the last step, the case is approved in the same write.

    A case left with every step approved but not itself approved (stored before the two were one write)
    is approved when an officer approves its last step again."""
    try:
        case, joint, step = await own_running_step(deps, officer, case_id, step_id)
    except StepNotRunning:
        completed = await complete_approved(deps, await case_of_officer(deps, officer, case_id))
        if completed is None:
            raise
        return completed
    actor, now = officer_actor(officer), deps.clock.now()
    today, calendar = await _today(deps)
    opinion = (opinion or "").strip() or None
    decision = {"result": "approved", "opinion": opinion, "reason": None,
                "result_name": (result_name or "").strip() or None, "result_no": (result_no or "").strip() or None,
                "by": actor.to_doc(), "at": now}
    end_step(step, StepState.APPROVED, now, today, calendar, decision)
    started = start_ready_steps(joint, now, today, calendar)
    department = (await _department_names(deps, [step["department_id"]])).get(step["department_id"], "")
    progress = f"{department}「{step['name']}」已通过"
    if started:
        progress += f"，转{await _handed_to(deps, joint, started)}办理"
    moves = [Move(Action.STEP_APPROVE, actor, "officer", reason=opinion, changes={"joint": joint},
                  record=_step_record(step, started=started, progress=progress))]
    if all_approved(joint):
        # One write with the step: a case whose last step is stored approved is stored approved too.
        moves.append(_joint_approval(joint, case["guide"], now))
    return await transitions(deps, case, moves)


def _case_decision(joint: dict[str, Any], guide: dict[str, Any], now: Any) -> dict[str, Any]:
    """The case's result: the document of the last step that issued one, else the guide's result."""
    issued = [s["decision"] for s in joint["steps"] if s["decision"] and s["decision"].get("result_name")]
    last = max(issued, key=lambda d: d["at"]) if issued else None
    return {"result": "approved", "result_name": last["result_name"] if last else (guide.get("result_name")
                                                                                    or guide["name"]),
            "licence_no": last["result_no"] if last else None, "valid_until": None, "reason": None, "at": now,
            "by": SYSTEM.to_doc()}


def _joint_approval(joint: dict[str, Any], guide: dict[str, Any], now: Any) -> Move:
    return Move(Action.JOINT_APPROVE, SYSTEM, "system", changes={"decision": _case_decision(joint, guide, now)},
                record={"steps": [step["id"] for step in joint["steps"]]})


def awaits_approval(case: dict[str, Any]) -> bool:
    """Every step approved, the case still in process: only the system's approval is missing."""
    joint = joint_of(case)
    return case["state"] == State.IN_PROCESS.value and joint is not None and all_approved(joint)


async def complete_approved(deps: Deps, case: dict[str, Any]) -> dict[str, Any] | None:
    """The system's approval of a case that ``awaits_approval`` (the stored case), else None: repeatable,
    since a second call finds the case approved and does nothing. 409 case_changed if a write raced it."""
    if not awaits_approval(case):
        return None
    joint = joint_of(case)
    assert joint is not None
    return await transitions(deps, case, [_joint_approval(joint, case["guide"], deps.clock.now())])


async def deny_step(deps: Deps, officer: StaffPrincipal, case_id: str, step_id: str, reason: str) -> dict[str, Any]:
    """The step's department denies: the case is denied with that reason, the open steps are cancelled."""
    case, joint, step = await own_running_step(deps, officer, case_id, step_id)
    actor, now, reason = officer_actor(officer), deps.clock.now(), reason.strip()
    today, calendar = await _today(deps)
    end_step(step, StepState.DENIED, now, today, calendar,
             {"result": "denied", "opinion": None, "reason": reason, "result_name": None, "result_no": None,
              "by": actor.to_doc(), "at": now})
    cancelled = cancel_open_steps(joint, now, today, calendar)
    decision = {"result": "denied", "result_name": None, "licence_no": None, "valid_until": None, "reason": reason,
                "at": now, "by": actor.to_doc()}
    return await transition(deps, case, Action.STEP_DENY, actor, as_role="officer", reason=reason,
                            changes={"joint": joint, "decision": decision},
                            record=_step_record(step, cancelled=cancelled))


async def return_step(deps: Deps, officer: StaffPrincipal, case_id: str, step_id: str, *, reason: str,
                      items: list[dict[str, str]]) -> dict[str, Any]:
    """The step asks for a supplement, listing the materials at once (一次性告知): every clock stops."""
    case, joint, step = await own_running_step(deps, officer, case_id, step_id)
    actor, now, note = officer_actor(officer), deps.clock.now(), reason.strip()
    today, calendar = await _today(deps)
    listed = [{"slot_id": item["slot_id"], "name": guide_slot(case, item["slot_id"])["name"],
               "reason": item["reason"].strip()} for item in items]
    stopped = change_running_clocks(joint, ClockEffect.STOP, today, calendar)
    joint["returned"] = {"step_id": step["id"], "at": now, "by": actor.to_doc()}
    previous = case.get("supplement") or {}
    notice = {"round": int(previous.get("round", 0)) + 1, "items": listed, "note": note or None,
              "requested_at": now, "requested_by": actor.to_doc()}
    return await transition(deps, case, Action.STEP_RETURN, actor, as_role="officer",
                            reason=supplement_text(listed, note) if listed else note,
                            changes={"joint": joint, "supplement": notice},
                            record=_step_record(step, items=listed, stopped=stopped))


def returned_by_step(case: dict[str, Any]) -> bool:
    joint = joint_of(case)
    return case["state"] == State.SUPPLEMENT_REQUESTED.value and joint is not None and bool(joint.get("returned"))


async def resubmit_to_steps(deps: Deps, case: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """The citizen's supplement for a step: back to the steps, their clocks and the case's running again."""
    joint = _joint_copy(case)
    today, calendar = await _today(deps)
    returned = joint["returned"] or {}
    resumed = change_running_clocks(joint, ClockEffect.RESUME, today, calendar)
    joint["returned"] = None
    step = find_step(joint, str(returned.get("step_id")))
    department = (await _department_names(deps, [step["department_id"]])).get(step["department_id"], "") if step else ""
    return await transition(deps, case, Action.JOINT_RESUBMIT, actor, as_role="citizen", changes={"joint": joint},
                            record={"step_id": returned.get("step_id"), "resumed": resumed,
                                    "progress": f"补正材料已提交，{department}继续办理"})
