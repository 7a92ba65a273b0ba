"""What staff and the applicant see of a joint case's steps.

Staff see every step with its clock, warning level and decision (opinions and issued documents
included, so a later step reads the earlier ones' results instead of asking for them again). The
applicant sees the steps, their departments and states, which departments hold the case now, and a
denial's reason; officers' opinions and names stay internal, as for single-department steps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cms.catalog_lists.service import DEPARTMENTS, DOMAINS, names
from server.cases.joint_model import STEP_STATE_LABELS, StepState, holding_departments, joint_of
from server.cases.timers import WARNING_LABELS, Timer, WarningLevel
from server.http.api import DATETIME, Schema, array, boolean, integer, nullable, obj, string
from server.jsonutil import iso

if TYPE_CHECKING:
    from server.deps import Deps

_DATE = string(format="date")
_ACTOR = obj({"kind": string(), "id": string(), "name": string()}, required=["kind", "id", "name"])
_NAMED = obj({"id": string(), "name": string()}, required=["id", "name"])
_STEP_STATES = [state.value for state in StepState]

_STEP_FIELDS: dict[str, Schema] = {
    "id": string(), "name": string(), "department_id": string(), "after": array(string()),
    "time_limit_days": integer(minimum=1), "state": string(enum=_STEP_STATES), "state_label": string(),
    "started_at": nullable(DATETIME), "ended_at": nullable(DATETIME), "due_on": nullable(_DATE),
    "warning_level": string(enum=[w.value for w in WarningLevel]), "warning_label": string(),
    "clock_stopped": boolean(), "stopped_days": integer(minimum=0),
    "files": array(obj({
        "id": string(), "name": string(), "content_type": string(), "size": integer(minimum=0), "by": _ACTOR,
        "at": DATETIME}, required=["id", "name", "content_type", "size", "by", "at"]),
        description="Files the step's department added (joint/steps/{step_id}/files/{file_id} gives a link)"),
    "decision": nullable(obj({
        "result": string(enum=["approved", "denied"]), "opinion": nullable(string()), "reason": nullable(string()),
        "result_name": nullable(string()), "result_no": nullable(string()), "by": _ACTOR, "at": DATETIME,
    }, required=["result", "opinion", "reason", "result_name", "result_no", "by", "at"])),
}
STAFF_JOINT: Schema = obj({
    "domain": string(), "lead_department_id": string(), "holding_department_ids": array(string()),
    "returned": nullable(obj({"step_id": string(), "at": DATETIME, "by": _ACTOR}, required=["step_id", "at", "by"])),
    "steps": array(obj(_STEP_FIELDS, required=list(_STEP_FIELDS))),
}, required=["domain", "lead_department_id", "holding_department_ids", "returned", "steps"],
    description="Joint approval (联办): the steps of the departments; null for a single-department case")

_CITIZEN_STEP_FIELDS: dict[str, Schema] = {
    "id": string(), "name": string(), "department": _NAMED, "after": array(string()),
    "time_limit_days": integer(minimum=1), "state": string(enum=_STEP_STATES), "state_label": string(),
    "started_at": nullable(DATETIME), "ended_at": nullable(DATETIME), "due_on": nullable(_DATE),
    "reason": nullable(string(description="Why the step denied the application")),
}
CITIZEN_JOINT: Schema = nullable(obj({
    "domain": _NAMED, "lead_department": _NAMED,
    "held_by": array(_NAMED, description="The departments handling the case now"),
    "steps": array(obj(_CITIZEN_STEP_FIELDS, required=list(_CITIZEN_STEP_FIELDS))),
}, required=["domain", "lead_department", "held_by", "steps"],
    description="Joint approval (部门联办): the steps and who holds the case now; null for other cases"))


_FILE_FIELDS = ("id", "name", "content_type", "size", "by", "at")


def _step_clock(step: dict[str, Any]) -> Timer:
    return Timer.from_doc(step["clock"])


def staff_joint(case: dict[str, Any]) -> dict[str, Any] | None:
    joint = joint_of(case)
    if joint is None:
        return None
    steps = []
    for step in joint["steps"]:
        level = WarningLevel(step.get("warning_level") or WarningLevel.NONE.value)
        timer = _step_clock(step)
        steps.append({
            **{key: step[key] for key in ("id", "name", "department_id", "after", "time_limit_days", "state",
                                          "started_at", "ended_at", "due_on", "decision")},
            "state_label": STEP_STATE_LABELS[StepState(step["state"])], "warning_level": level.value,
            "warning_label": WARNING_LABELS[level], "clock_stopped": timer.stopped, "stopped_days": timer.stopped_days,
            "files": [{key: file[key] for key in _FILE_FIELDS} for file in step.get("files") or []],
        })
    return {"domain": joint["domain"], "lead_department_id": joint["lead_department_id"],
            "holding_department_ids": holding_departments(joint), "returned": joint.get("returned"), "steps": steps}


async def citizen_joint(deps: Deps, case: dict[str, Any]) -> dict[str, Any] | None:
    joint = joint_of(case)
    if joint is None:
        return None
    ids = [joint["lead_department_id"], *(step["department_id"] for step in joint["steps"])]
    department_names = await names(deps, DEPARTMENTS, ids)
    domain_name = (await names(deps, DOMAINS, [joint["domain"]])).get(joint["domain"], "")

    def named(department_id: str) -> dict[str, str]:
        return {"id": department_id, "name": department_names.get(department_id, "")}

    return {
        "domain": {"id": joint["domain"], "name": domain_name},
        "lead_department": named(joint["lead_department_id"]),
        "held_by": [named(d) for d in holding_departments(joint)],
        "steps": [{
            "id": step["id"], "name": step["name"], "department": named(step["department_id"]),
            "after": list(step["after"]), "time_limit_days": step["time_limit_days"], "state": step["state"],
            "state_label": STEP_STATE_LABELS[StepState(step["state"])], "started_at": iso(step["started_at"]),
            "ended_at": iso(step["ended_at"]), "due_on": step.get("due_on"),
            "reason": (step.get("decision") or {}).get("reason") if step["state"] == StepState.DENIED.value else None,
        } for step in joint["steps"]],
    }


def joint_department_names(case: dict[str, Any]) -> list[str]:
    """The departments whose names a joint case's timeline needs (its steps')."""
    joint = joint_of(case)
    return [step["department_id"] for step in joint["steps"]] if joint else []
