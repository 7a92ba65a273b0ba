"""After pre-review: accept or not, process in steps, special procedures, decide, deliver (archiving: archive.py).

Each function is one officer action and one ``workflow.transition``: the state machine decides whether
it is allowed, and the record of the stage (acceptance, steps, procedures, decision, delivery) is
written with the transition, in one version-guarded write.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cms.catalog_lists.service import DEPARTMENTS, names
from server.cases import repository
from server.cases.claims import require_claim
from server.cases.deemed_acceptance import completion_counted_from
from server.cases.joint_model import joint_of
from server.cases.staff_access import Part, case_of_officer, officer_actor
from server.cases.states import TRANSITIONS, Action, Clock, ClockEffect, State
from server.cases.timers import Timer, apply, deadline
from server.cases.workflow import transition
from server.clock import china_date
from server.errors import Conflict, Unprocessable
from server.staff.principal import StaffPrincipal

if TYPE_CHECKING:
    from server.deps import Deps

STEP_ACTIONS: tuple[str, ...] = ("pass", "return", "other")
SPECIAL_PROCEDURES: tuple[str, ...] = ("extension", "expert_review", "hearing", "other")
DELIVERY_METHODS: tuple[str, ...] = ("express", "pickup", "e_licence")


class WaybillRequired(Unprocessable):
    code = "waybill_required"
    default_message = "快递送达必须填写运单号"


class JointCaseSteps(Conflict):
    code = "joint_case_steps"
    default_message = "联办件由各部门在联办环节中办理，不能按单部门流程操作"


class InvalidValidity(Unprocessable):
    code = "invalid_valid_until"
    default_message = "有效期格式应为 YYYY-MM-DD"


async def _document_no(deps: Deps, series: str, label: str) -> str:
    """e.g. 受字〔2026〕第00042号: numbered per series and year in China."""
    year = str(china_date(deps.clock.now()).year)
    sequence = await repository.next_document_sequence(deps.db, series, year)
    return f"{label}〔{year}〕第{sequence:05d}号"


async def _unit_name(deps: Deps, case: dict[str, Any]) -> str:
    department_id = str(case.get("department_id") or "")
    return (await names(deps, DEPARTMENTS, [department_id])).get(department_id) or department_id


async def _single_department_case(deps: Deps, officer: StaffPrincipal, case_id: str) -> dict[str, Any]:
    """Processing steps, special procedures and decisions of one department: a joint case has its own."""
    case = await case_of_officer(deps, officer, case_id)
    if joint_of(case) is not None:
        raise JointCaseSteps(state=case["state"])
    return case


def _legal(case: dict[str, Any], action: Action) -> bool:
    # Numbers are only drawn for actions the state machine will take, so document numbers have no gaps
    # from refused attempts; ``transition`` still makes the authoritative check.
    return State(case["state"]) in TRANSITIONS[action].sources


async def _promised_on(deps: Deps, case: dict[str, Any]) -> tuple[date | None, date | None]:
    """(promised completion day, the day the case counts as accepted from if pre-review overran)."""
    calendar = await deps.calendar.get()
    today = china_date(deps.clock.now())
    counted_from = completion_counted_from(case, today, calendar)
    timer = apply(Timer.from_doc(case["clocks"][Clock.COMPLETION.value]), ClockEffect.START, counted_from,
                  calendar)
    return deadline(timer, calendar), counted_from if counted_from != today else None


async def accept(deps: Deps, officer: StaffPrincipal, case_id: str) -> dict[str, Any]:
    """受理: the acceptance notice (unit, officer, time, number, promised completion day); the clock starts,
    from the day the materials arrived if pre-review overran its limit (deemed acceptance)."""
    case = await case_of_officer(deps, officer, case_id, Part.INTAKE)
    acceptance: dict[str, Any] | None = None
    if _legal(case, Action.ACCEPT):
        promised, deemed = await _promised_on(deps, case)
        acceptance = {"accepted": True, "unit": await _unit_name(deps, case), "officer": officer.display_name,
                      "at": deps.clock.now(), "document_no": await _document_no(deps, "acceptance", "受字"),
                      "promised_on": promised.isoformat() if promised else None, "reason": None,
                      "deemed_accepted_on": deemed.isoformat() if deemed else None}
    return await transition(deps, case, Action.ACCEPT, officer_actor(officer), as_role="officer",
                            changes={"acceptance": acceptance},
                            record={k: (acceptance or {}).get(k)
                                    for k in ("document_no", "promised_on", "deemed_accepted_on")})


async def not_accept(deps: Deps, officer: StaffPrincipal, case_id: str, reason: str) -> dict[str, Any]:
    """不予受理, with the reason the citizen is told. During pre-review it needs the officer's claim."""
    case = await case_of_officer(deps, officer, case_id, Part.INTAKE)
    if case["state"] == State.SUBMITTED.value:
        require_claim(case, officer, deps.clock.now())
    reason = reason.strip()
    refusal: dict[str, Any] | None = None
    if _legal(case, Action.NOT_ACCEPT) and reason:
        refusal = {"accepted": False, "unit": await _unit_name(deps, case), "officer": officer.display_name,
                   "at": deps.clock.now(), "document_no": await _document_no(deps, "refusal", "不受字"),
                   "promised_on": None, "reason": reason}
    return await transition(deps, case, Action.NOT_ACCEPT, officer_actor(officer), as_role="officer",
                            reason=reason, changes={"acceptance": refusal, "claim": None},
                            record={"document_no": (refusal or {}).get("document_no")})


async def start_processing(deps: Deps, officer: StaffPrincipal, case_id: str) -> dict[str, Any]:
    case = await _single_department_case(deps, officer, case_id)
    return await transition(deps, case, Action.START_PROCESSING, officer_actor(officer), as_role="officer")


def _step_started_at(case: dict[str, Any]) -> datetime | None:
    if case.get("steps"):
        ended: datetime = case["steps"][-1]["ended_at"]
        return ended
    starts = [entry["at"] for entry in case["history"] if entry["action"] == Action.START_PROCESSING.value]
    return starts[-1] if starts else None


async def record_step(deps: Deps, officer: StaffPrincipal, case_id: str, *, name: str, action: str,
                      opinion: str | None) -> dict[str, Any]:
    """One processing step (审查, 核查, 决定...): who handled it, pass/return/other, opinion, start and end."""
    case = await _single_department_case(deps, officer, case_id)
    actor = officer_actor(officer)
    opinion = (opinion or "").strip() or None
    step = {"seq": len(case.get("steps") or []) + 1, "name": name.strip(), "action": action, "opinion": opinion,
            "handler": actor.to_doc(), "started_at": _step_started_at(case), "ended_at": deps.clock.now()}
    return await transition(deps, case, Action.RECORD_STEP, actor, as_role="officer", reason=opinion,
                            changes={"steps": [*(case.get("steps") or []), step]},
                            record={"step": step["seq"], "name": step["name"], "action": action})


async def suspend(deps: Deps, officer: StaffPrincipal, case_id: str, *, kind: str, reason: str) -> dict[str, Any]:
    """特别程序 (extension, expert review, hearing...): the completion clock stops until resumed."""
    case = await _single_department_case(deps, officer, case_id)
    actor = officer_actor(officer)
    procedure = {"kind": kind, "reason": reason.strip(), "started_at": deps.clock.now(), "started_by": actor.to_doc(),
                 "ended_at": None, "ended_by": None}
    return await transition(deps, case, Action.SUSPEND, actor, as_role="officer", reason=reason,
                            changes={"special_procedures": [*(case.get("special_procedures") or []), procedure]},
                            record={"kind": kind})


async def resume(deps: Deps, officer: StaffPrincipal, case_id: str, reason: str | None = None) -> dict[str, Any]:
    case = await _single_department_case(deps, officer, case_id)
    actor = officer_actor(officer)
    procedures = [dict(p) for p in case.get("special_procedures") or []]
    if procedures and procedures[-1]["ended_at"] is None:
        procedures[-1].update(ended_at=deps.clock.now(), ended_by=actor.to_doc())
    kind = procedures[-1]["kind"] if procedures else None
    return await transition(deps, case, Action.RESUME, actor, as_role="officer", reason=reason,
                            changes={"special_procedures": procedures}, record={"kind": kind})


def _checked_date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InvalidValidity(valid_until=value) from None


async def approve(deps: Deps, officer: StaffPrincipal, case_id: str, *, result_name: str,
                  licence_no: str | None, valid_until: str | None) -> dict[str, Any]:
    """准予: the result (licence name and number, validity); the completion clock finishes."""
    case = await _single_department_case(deps, officer, case_id)
    actor = officer_actor(officer)
    decision = {"result": "approved", "result_name": result_name.strip(),
                "licence_no": (licence_no or "").strip() or None, "valid_until": _checked_date(valid_until),
                "reason": None, "at": deps.clock.now(), "by": actor.to_doc()}
    return await transition(deps, case, Action.APPROVE, actor, as_role="officer", changes={"decision": decision},
                            record={k: decision[k] for k in ("result_name", "licence_no", "valid_until")})


async def deny(deps: Deps, officer: StaffPrincipal, case_id: str, reason: str) -> dict[str, Any]:
    case = await _single_department_case(deps, officer, case_id)
    actor = officer_actor(officer)
    decision = {"result": "denied", "result_name": None, "licence_no": None, "valid_until": None,
                "reason": reason.strip(), "at": deps.clock.now(), "by": actor.to_doc()}
    return await transition(deps, case, Action.DENY, actor, as_role="officer", reason=reason,
                            changes={"decision": decision})


async def deliver(deps: Deps, officer: StaffPrincipal, case_id: str, *, method: str, waybill_no: str | None,
                  carrier: str | None) -> dict[str, Any]:
    """送达 by express (with its waybill number), pickup at the window, or an electronic licence."""
    waybill_no = (waybill_no or "").strip() or None
    if method == "express" and waybill_no is None:
        raise WaybillRequired()
    case = await case_of_officer(deps, officer, case_id, Part.COORDINATE)
    actor = officer_actor(officer)
    delivery = {"method": method, "waybill_no": waybill_no if method == "express" else None,
                "carrier": ((carrier or "").strip() or None) if method == "express" else None,
                "at": deps.clock.now(), "by": actor.to_doc()}
    return await transition(deps, case, Action.DELIVER, actor, as_role="officer", changes={"delivery": delivery},
                            record={k: delivery[k] for k in ("method", "waybill_no", "carrier")})
