"""What the console shows of a case: masked in lists, whole only in the detail for the officers who
handle it, and material pages only as short-lived signed links (nothing in the store is public)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from server.cases import repository
from server.cases.claims import active_claim
from server.cases.joint_model import joint_of
from server.cases.joint_views import staff_joint
from server.cases.materials import guide_slot, slot_pages, slot_present
from server.cases.staff_access import case_of_officer
from server.cases.states import STATE_LABELS, Clock, State
from server.cases.timers import WARNING_LABELS, Timer, WarningLevel, days_left
from server.cases.views import clock_view, page_view, submitted_at
from server.clock import china_date
from server.identity.citizens import find_citizen, reveal_id_number, reveal_mobile
from server.identity.names import mask_person_name
from server.staff.principal import StaffPrincipal
from server.staff.roles import Role

if TYPE_CHECKING:
    from server.deps import Deps

# The pre-review queue by default: cases waiting for a window officer's first look.
DEFAULT_QUEUE_STATES: tuple[str, ...] = (State.SUBMITTED.value,)
QUEUE_STATES: tuple[str, ...] = tuple(s.value for s in State if s is not State.DRAFT)


def _claim_json(case: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    claim = active_claim(case, now)
    return None if claim is None else {"staff_id": claim["staff_id"], "name": claim["name"], "until": claim["until"]}


def _masked_applicant(case: dict[str, Any]) -> dict[str, Any]:
    applicant = case.get("applicant") or {}
    return {"name": mask_person_name(str(applicant.get("name") or "")),
            "id_number": applicant.get("id_masked"), "mobile": None}


def _state_fields(case: dict[str, Any], now: datetime) -> dict[str, Any]:
    level = WarningLevel(case.get("warning_level") or WarningLevel.NONE.value)
    return {
        "id": case["_id"], "number": case["number"], "state": case["state"],
        "state_label": STATE_LABELS[State(case["state"])], "version": case["version"],
        "guide": {"id": case["guide"]["id"], "name": case["guide"]["name"]},
        "department_id": case.get("department_id"), "due_on": case.get("due_on"), "warning_level": level.value,
        "warning_label": WARNING_LABELS[level], "clock_stopped": bool(case.get("clock_stopped")),
        "claim": _claim_json(case, now), "submitted_at": submitted_at(case), "updated_at": case["updated_at"],
    }


def queue_item(case: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {**_state_fields(case, now), "applicant": _masked_applicant(case),
            "joint": joint_of(case) is not None}


def case_status(case: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The case after an action: its state and stage records, without personal data or pages."""
    return {
        **_state_fields(case, now),
        "supplement": case.get("supplement"), "originals_check": case.get("originals_check"),
        "acceptance": case.get("acceptance"), "steps": case.get("steps") or [], "joint": staff_joint(case),
        "special_procedures": case.get("special_procedures") or [], "decision": case.get("decision"),
        "delivery": case.get("delivery"), "history": [_history_entry(e) for e in case["history"]],
        "archive": _archive_view(case.get("archive")),
    }


def _archive_view(record: dict[str, Any] | None) -> dict[str, Any] | None:
    return {key: record[key] for key in ("key", "sha256", "size", "files", "at", "by")} if record else None


def _history_entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: entry.get(key) for key in ("seq", "at", "actor", "action", "from", "to", "reason", "data")}


async def _clocks(deps: Deps, case: dict[str, Any]) -> dict[str, Any]:
    """The citizen's view of each clock, plus what supervision needs: stopped days and days left."""
    calendar = await deps.calendar.get()
    today = china_date(deps.clock.now())
    shown = {}
    for clock in Clock:
        timer = Timer.from_doc(case["clocks"][clock.value])
        shown[clock.value] = {
            **clock_view(timer, calendar), "stopped_since": timer.stopped_since, "stopped_days": timer.stopped_days,
            "days_left": days_left(timer, today, calendar) if timer.finished_on is None else None,
        }
    deps.calendar.warn_about_fallbacks(calendar)
    return shown


async def _applicant(deps: Deps, case: dict[str, Any]) -> dict[str, Any]:
    """The applicant in full: only the officers of the case's department ever reach this."""
    applicant = case.get("applicant") or {}
    citizen = await find_citizen(deps.db, str(applicant.get("citizen_id") or ""))
    if citizen is None or citizen.real_name is None:
        return {"name": applicant.get("name"), "id_number": applicant.get("id_masked"), "mobile": None}
    return {"name": citizen.real_name.name, "id_number": reveal_id_number(deps.pii, citizen),
            "mobile": reveal_mobile(deps.pii, citizen)}


async def material_json(deps: Deps, case: dict[str, Any], material: dict[str, Any]) -> dict[str, Any]:
    entry = case["materials"].get(material["id"]) or {}
    # A verdict is cleared when the applicant changes the pages; who gave it then no longer applies.
    judged = entry.get("verdict") is not None
    return {
        "slot_id": material["id"], "name": material["name"], "requirement": material.get("requirement"),
        "condition": material.get("condition"), "source": entry.get("source"), "present": slot_present(entry),
        "verdict": entry.get("verdict"), "verdict_reason": entry.get("verdict_reason"),
        "verdict_by": entry.get("verdict_by") if judged else None,
        "verdict_at": entry.get("verdict_at") if judged else None,
        "pages": [await page_view(deps, page) for page in slot_pages(entry)],
        "links_expire_in": deps.settings.signed_url_ttl_seconds,
    }


async def case_detail(deps: Deps, case: dict[str, Any]) -> dict[str, Any]:
    now = deps.clock.now()
    return {
        **case_status(case, now),
        "applicant": await _applicant(deps, case), "channel": case.get("channel"), "form": case.get("form") or {},
        "clocks": await _clocks(deps, case),
        "materials": [await material_json(deps, case, m) for m in case["guide"]["materials"]],
    }


async def officer_queue(deps: Deps, officer: StaffPrincipal, *, states: list[str] | None, guide_id: str | None,
                        warnings: list[str] | None, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Cases of the officer's departments, nearest deadline first; filters by state, item and warning.
    Joint cases are listed for the window officers of their domain, their lead department once accepted
    and the departments whose step is running."""
    extra: dict[str, Any] = {}
    if guide_id:
        extra["guide.id"] = guide_id
    if warnings:
        extra["warning_level"] = {"$in": list(warnings)}
    wanted = [s for s in (states or DEFAULT_QUEUE_STATES) if s in QUEUE_STATES]
    keys = [f"dept:{department}" for department in officer.departments]
    if Role.WINDOW in officer.roles:
        keys += [f"domain:{domain}" for domain in officer.domains]
    found, total = await repository.cases_in_states(deps.db, wanted, queue_keys=keys, extra=extra, offset=offset,
                                                    limit=limit)
    now = deps.clock.now()
    return [queue_item(case, now) for case in found], total


async def officer_case_detail(deps: Deps, officer: StaffPrincipal, case_id: str) -> dict[str, Any]:
    return await case_detail(deps, await case_of_officer(deps, officer, case_id))


async def officer_material(deps: Deps, officer: StaffPrincipal, case_id: str, slot_id: str) -> dict[str, Any]:
    """One material with fresh signed links to its pages (links last SIGNED_URL_TTL_SECONDS)."""
    case = await case_of_officer(deps, officer, case_id)
    return await material_json(deps, case, guide_slot(case, slot_id))
