"""What the applicant sees of a case: summary, materials with short-lived links, clocks, the supplement
notice and the progress timeline.

Staff are shown by role, never by personal name: an entry by an officer reads "<department>窗口工作人员"
(the name is on record for supervision, not for the applicant). Internal entries (supervision warnings)
are left out, and so are the opinions recorded with processing steps; reasons the law says the applicant
must be told (supplement, refusal, denial, special procedures) are shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cms.catalog_lists.service import DEPARTMENTS, names
from server.calendar.working_days import WorkingCalendar
from server.cases.joint_views import CITIZEN_JOINT, citizen_joint, joint_department_names
from server.cases.materials import guide_slot, may_change_slot, slot_pages
from server.cases.states import STATE_LABELS, Action, Clock, State
from server.cases.timers import Timer, deadline
from server.http.api import DATETIME, Schema, array, boolean, integer, nullable, obj, string
from server.jsonutil import iso

if TYPE_CHECKING:
    from server.deps import Deps

ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT: "提交申请", Action.REQUEST_SUPPLEMENT: "一次性告知补正材料", Action.RESUBMIT: "补正后重新提交",
    Action.PASS_PRE_REVIEW: "网上预审通过", Action.ACCEPT: "受理", Action.NOT_ACCEPT: "不予受理",
    Action.START_PROCESSING: "开始办理", Action.RECORD_STEP: "办理环节", Action.SUSPEND: "进入特别程序（暂停计时）",
    Action.RESUME: "恢复办理", Action.APPROVE: "准予办理", Action.DENY: "不予办理", Action.DELIVER: "办理结果送达",
    Action.ARCHIVE: "归档", Action.WITHDRAW: "撤回申请",
    Action.EXPIRE_DRAFT: "草稿长期未更新，系统撤回", Action.FLAG_WARNING: "督办预警",
    Action.JOINT_PUSH: "推送部门联办", Action.STEP_APPROVE: "部门环节通过", Action.STEP_DENY: "部门环节不予通过",
    Action.STEP_RETURN: "部门环节要求补正材料", Action.JOINT_RESUBMIT: "补正后回到部门办理",
    Action.JOINT_APPROVE: "各部门办理完毕，准予办理",
}
HIDDEN_ACTIONS = frozenset({Action.FLAG_WARNING})
REASON_HIDDEN = frozenset({Action.RECORD_STEP, Action.STEP_APPROVE})
STAFF_LABEL = "窗口工作人员"
ACTOR_LABELS = {"citizen": "申请人", "system": "系统", "app": "系统"}


_DATE = string(format="date")
_TIME_LIMIT = nullable(obj({"value": integer(), "unit": string(), "note": string()}, required=["value", "unit"]))

PROBLEM: Schema = obj({
    "code": string(enum=["too_blurry", "too_dark", "too_bright", "too_small"]),
    "message": string(description="What to tell the applicant (重新拍摄...)"),
    "value": {"type": "number"}, "threshold": {"type": "number"},
}, required=["code", "message", "value", "threshold"])

PAGE: Schema = obj({
    "id": string(),
    "source": string(enum=["upload", "reuse"]),
    "kind": string(enum=["image", "pdf"]),
    "content_type": string(),
    "size": integer(minimum=0, description="Bytes of the stored file"),
    "width": nullable(integer()), "height": nullable(integer()),
    "pages": nullable(integer(description="Pages of a PDF")),
    "sha256": string(description="SHA-256 of the uploaded bytes: the same file twice in a slot is one page"),
    "problems": array(PROBLEM, description="Readability problems of a photo; advice, the page is kept"),
    "file_name": nullable(string()),
    "added_at": DATETIME,
    "url": string(description="Short-lived signed link to the stored file"),
    "thumbnail_url": nullable(string(description="Short-lived signed link to a 320 px JPEG (photos)")),
}, required=["id", "source", "kind", "content_type", "size", "sha256", "problems", "added_at", "url",
             "thumbnail_url"])

SLOT: Schema = obj({
    "slot_id": string(), "name": string(), "requirement": nullable(string()), "condition": nullable(string()),
    "format_notes": nullable(string()), "accepts_reuse": boolean(),
    "source": nullable(string(enum=["upload", "reuse", "e_licence", "paper"])),
    "verdict": nullable(string(enum=["ok", "problem"])), "verdict_reason": nullable(string()),
    "supplement_reason": nullable(string(description="Why the supplement notice lists this material")),
    "changeable": boolean(description="Pages can be added or removed now"),
    "pages": array(PAGE),
}, required=["slot_id", "name", "accepts_reuse", "verdict", "changeable", "pages"])

CASE_SUMMARY: Schema = obj({
    "id": string(), "number": string(description="Case number (办件编号), e.g. YW2026112300042"),
    "state": string(enum=[s.value for s in State]), "state_label": string(),
    "version": integer(minimum=1, description="Changes with every write; send it back to update the form"),
    "guide": obj({"id": string(), "name": string()}, required=["id", "name"]),
    "due_on": nullable(_DATE), "clock_stopped": boolean(),
    "created_at": DATETIME, "updated_at": DATETIME, "submitted_at": nullable(DATETIME),
}, required=["id", "number", "state", "state_label", "version", "guide", "due_on", "created_at", "updated_at",
             "submitted_at"])

CLOCK: Schema = obj({"limit": integer(), "unit": string(), "started_on": nullable(_DATE), "due_on": nullable(_DATE),
                     "finished_on": nullable(_DATE), "stopped": boolean()},
                    required=["limit", "unit", "started_on", "due_on", "finished_on", "stopped"])

TIMELINE_ENTRY: Schema = obj({
    "seq": integer(), "at": DATETIME, "action": string(enum=[a.value for a in Action]), "label": string(),
    "state": string(), "state_label": string(),
    "actor": string(description="申请人, 系统, or <department>窗口工作人员 (staff are never named)"),
    "reason": nullable(string()),
}, required=["seq", "at", "action", "label", "state", "state_label", "actor", "reason"])

CASE_DETAIL: Schema = obj({
    **CASE_SUMMARY["properties"],
    "guide": obj({"id": string(), "name": string(), "handling_mode": nullable(string()),
                  "promised_time_limit": _TIME_LIMIT, "legal_time_limit": _TIME_LIMIT}, required=["id", "name"]),
    "department": obj({"id": nullable(string()), "name": string()}, required=["id", "name"]),
    "applicant": obj({"name": string(), "id_masked": string(), "kind": string(enum=["natural"])},
                     required=["name", "id_masked", "kind"]),
    "channel": string(),
    "form": obj({}, additional=True),
    "materials": array(SLOT),
    "uploaded_bytes": integer(minimum=0),
    "clocks": obj({clock.value: CLOCK for clock in Clock}, required=[clock.value for clock in Clock]),
    "supplement": nullable(obj({
        "requested_at": nullable(DATETIME), "note": nullable(string()),
        "items": array(obj({"slot_id": string(), "name": string(), "reason": string()},
                           required=["slot_id", "name", "reason"])),
    }, required=["requested_at", "note", "items"], description="The supplement notice (一次性告知) while one is open")),
    "timeline": array(TIMELINE_ENTRY),
    "joint": CITIZEN_JOINT,
}, required=[*CASE_SUMMARY["required"], "department", "applicant", "channel", "form", "materials", "clocks",
             "supplement", "timeline"])

MY_MATERIAL: Schema = obj({
    "id": string(), "name": string(), "guide": obj({"id": string(), "name": string()}, required=["id", "name"]),
    "case_number": string(), "accepted_at": DATETIME, "pages": array(PAGE),
}, required=["id", "name", "guide", "case_number", "accepted_at", "pages"])


def submitted_at(case: dict[str, Any]) -> str | None:
    first = next((entry for entry in case["history"] if entry["action"] == Action.SUBMIT.value), None)
    return iso(first["at"]) if first else None


def case_summary(case: dict[str, Any]) -> dict[str, Any]:
    """What lists show; contains no links, so it can be stored and replayed (idempotent submit)."""
    state = State(case["state"])
    return {
        "id": case["_id"], "number": case["number"], "state": state.value, "state_label": STATE_LABELS[state],
        "version": case["version"], "guide": {"id": case["guide"]["id"], "name": case["guide"]["name"]},
        "due_on": case.get("due_on"), "clock_stopped": bool(case.get("clock_stopped")),
        "created_at": iso(case["created_at"]), "updated_at": iso(case["updated_at"]),
        "submitted_at": submitted_at(case),
    }


async def page_view(deps: Deps, page: dict[str, Any]) -> dict[str, Any]:
    ttl = deps.settings.signed_url_ttl_seconds
    thumbnail = page.get("thumbnail_key")
    return {
        "id": page["id"], "source": page["source"], "kind": page["kind"], "content_type": page["content_type"],
        "size": page["size"], "width": page.get("width"), "height": page.get("height"),
        "pages": page.get("pages"), "sha256": page["sha256"], "problems": list(page.get("problems") or []),
        "file_name": page.get("file_name"), "added_at": iso(page["added_at"]),
        "url": await deps.store.signed_url(page["key"], expires_in=ttl),
        "thumbnail_url": await deps.store.signed_url(thumbnail, expires_in=ttl) if thumbnail else None,
    }


async def slot_view(deps: Deps, case: dict[str, Any], material: dict[str, Any],
                    supplement: dict[str, dict[str, Any]]) -> dict[str, Any]:
    entry = case["materials"].get(material["id"]) or {}
    notice = supplement.get(material["id"])
    return {
        "slot_id": material["id"], "name": material["name"], "requirement": material.get("requirement"),
        "condition": material.get("condition"), "format_notes": material.get("format_notes"),
        "accepts_reuse": bool(material.get("accepts_reuse")),
        "source": entry.get("source"), "verdict": entry.get("verdict"),
        "verdict_reason": entry.get("verdict_reason"),
        "supplement_reason": notice.get("reason") if notice else None,
        "changeable": may_change_slot(case, material["id"]),
        "pages": [await page_view(deps, page) for page in slot_pages(entry)],
    }


def clock_view(timer: Timer, calendar: WorkingCalendar) -> dict[str, Any]:
    due = deadline(timer, calendar)
    return {"limit": timer.limit, "unit": timer.unit, "started_on": timer.started_on,
            "due_on": due.isoformat() if due else None, "finished_on": timer.finished_on, "stopped": timer.stopped}


def actor_label(actor: dict[str, Any], department_name: str) -> str:
    if actor.get("kind") == "staff":
        return f"{department_name}{STAFF_LABEL}"
    return ACTOR_LABELS.get(str(actor.get("kind")), "系统")


def timeline(case: dict[str, Any], department_name: str,
             department_names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The history as the applicant reads it; a joint step's entry names the step and (from
    ``department_names``) the department that acted."""
    entries = []
    for entry in case["history"]:
        action = Action(entry["action"])
        if action in HIDDEN_ACTIONS:
            continue
        to = State(entry["to"])
        data = entry.get("data") or {}
        label = ACTION_LABELS[action] + (f"：{data['step_name']}" if data.get("step_name") else "")
        acting = (department_names or {}).get(str(data.get("department_id")), department_name)
        entries.append({
            "seq": entry["seq"], "at": iso(entry["at"]), "action": action.value, "label": label,
            "state": to.value, "state_label": STATE_LABELS[to], "actor": actor_label(entry["actor"], acting),
            "reason": None if action in REASON_HIDDEN else entry.get("reason"),
        })
    return entries


def open_supplement_items(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The items of the supplement notice by slot id, while the case waits for the supplement."""
    notice = case.get("supplement") if case["state"] == State.SUPPLEMENT_REQUESTED.value else None
    return {item["slot_id"]: item for item in (notice or {}).get("items", [])}


def supplement_view(case: dict[str, Any]) -> dict[str, Any] | None:
    notice = case.get("supplement")
    if case["state"] != State.SUPPLEMENT_REQUESTED.value or not notice:
        return None
    return {"requested_at": iso(notice.get("requested_at")), "note": notice.get("note"),
            "items": [{"slot_id": item["slot_id"], "name": item.get("name", ""), "reason": item.get("reason", "")}
                      for item in notice.get("items", [])]}


async def case_department_names(deps: Deps, case: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The name of the case's department, and the names of every department working on it."""
    department_id = case.get("department_id")
    department_names = await names(deps, DEPARTMENTS, [d for d in (department_id, *joint_department_names(case)) if d])
    return (department_names.get(department_id, "") if department_id else ""), department_names


async def case_timeline(deps: Deps, case: dict[str, Any]) -> list[dict[str, Any]]:
    """The applicant's timeline, each joint step's entry under the department that acted."""
    return timeline(case, *await case_department_names(deps, case))


async def case_detail(deps: Deps, case: dict[str, Any]) -> dict[str, Any]:
    department_id = case.get("department_id")
    department_name, department_names = await case_department_names(deps, case)
    calendar = await deps.calendar.get()
    supplement = open_supplement_items(case)
    applicant = case["applicant"]
    guide = case["guide"]
    return {
        **case_summary(case),
        "guide": {"id": guide["id"], "name": guide["name"], "handling_mode": guide.get("handling_mode"),
                  "promised_time_limit": guide.get("promised_time_limit"),
                  "legal_time_limit": guide.get("legal_time_limit")},
        "department": {"id": department_id, "name": department_name},
        "applicant": {"name": applicant["name"], "id_masked": applicant["id_masked"], "kind": applicant["kind"]},
        "channel": case["channel"],
        "form": case["form"],
        "materials": [await slot_view(deps, case, material, supplement) for material in guide["materials"]],
        "uploaded_bytes": int(case.get("uploaded_bytes", 0)),
        "clocks": {clock.value: clock_view(Timer.from_doc(case["clocks"][clock.value]), calendar) for clock in Clock},
        "supplement": supplement_view(case),
        "timeline": timeline(case, department_name, department_names),
        "joint": await citizen_joint(deps, case),
    }


async def material_slot_view(deps: Deps, case: dict[str, Any], slot_id: str) -> dict[str, Any]:
    return await slot_view(deps, case, guide_slot(case, slot_id), open_supplement_items(case))


async def my_material_view(deps: Deps, material: dict[str, Any]) -> dict[str, Any]:
    return {"id": material["_id"], "name": material["name"], "guide": material["guide"],
            "case_number": material["case_number"], "accepted_at": iso(material["accepted_at"]),
            "pages": [await page_view(deps, page) for page in material["files"]]}
