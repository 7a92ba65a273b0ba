"""Online pre-review (网上预审): a verdict per material, one supplement notice listing every problem at
once (一次性告知), or a pass that says how the originals will be checked.

Every step needs the officer's own claim on the case (see claims). Verdicts are not state changes, so
they are written under the case's version; the supplement and the pass are transitions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from server.cases import repository
from server.cases.claims import require_claim, require_pre_review
from server.cases.materials import guide_slot, missing_required_slots, slot_pages
from server.cases.staff_access import Part, case_of_officer, officer_actor
from server.cases.states import Action
from server.cases.workflow import CaseChanged, ReasonRequired, transition
from server.errors import Unprocessable
from server.staff.principal import StaffPrincipal
from uploads.my_materials import remember_accepted_materials

if TYPE_CHECKING:
    from server.deps import Deps

Verdict = Literal["ok", "problem"]
VERDICTS: tuple[str, ...] = ("ok", "problem")
# How the originals are checked once pre-review passes: at one visit, sent by mail, or not at all.
ORIGINALS_CHECKS: tuple[str, ...] = ("one_visit", "by_mail", "none")
MISSING_REASON = "未提交该材料"


class NothingToSupplement(Unprocessable):
    code = "nothing_to_supplement"
    default_message = "没有标记为有问题或缺少的材料，无需补正"


class PreReviewIncomplete(Unprocessable):
    code = "pre_review_incomplete"
    default_message = "材料尚未全部审核通过，不能通过预审"


async def _reviewable_case(deps: Deps, officer: StaffPrincipal, case_id: str) -> dict[str, Any]:
    case = await case_of_officer(deps, officer, case_id, Part.INTAKE)
    require_pre_review(case)
    require_claim(case, officer, deps.clock.now())
    return case


async def set_verdict(deps: Deps, officer: StaffPrincipal, case_id: str, slot_id: str, verdict: Verdict,
                      reason: str | None, *, expected_version: int | None = None) -> dict[str, Any]:
    """Mark one material ok, or problem with the reason the citizen will read. Returns the stored case."""
    reason = (reason or "").strip() or None
    if verdict == "problem" and reason is None:
        raise ReasonRequired("请说明材料存在的问题", slot_id=slot_id)
    case = await _reviewable_case(deps, officer, case_id)
    if expected_version is not None and expected_version != case["version"]:
        raise CaseChanged(state=case["state"])
    guide_slot(case, slot_id)
    now = deps.clock.now()
    entry = {**case["materials"].get(slot_id, {"files": []}), "verdict": verdict,
             "verdict_reason": reason if verdict == "problem" else None,
             "verdict_by": officer_actor(officer).to_doc(), "verdict_at": now}
    updated = {**case, "materials": {**case["materials"], slot_id: entry}, "version": case["version"] + 1,
               "updated_at": now}
    if not await repository.replace_case(deps.db, updated, expected_version=case["version"]):
        raise CaseChanged(state=case["state"])
    return updated


def supplement_items(case: dict[str, Any]) -> list[dict[str, str]]:
    """Every material with a problem verdict, and every required one not submitted, in the guide's order."""
    missing = set(missing_required_slots(case))
    items = []
    for material in case["guide"]["materials"]:
        entry = case["materials"].get(material["id"]) or {}
        if entry.get("verdict") == "problem":
            items.append({"slot_id": material["id"], "name": material["name"], "reason": entry["verdict_reason"]})
        elif material["id"] in missing:
            items.append({"slot_id": material["id"], "name": material["name"], "reason": MISSING_REASON})
    return items


def supplement_text(items: list[dict[str, str]], note: str | None) -> str:
    lines = [f"{n}. {item['name']}：{item['reason']}" for n, item in enumerate(items, 1)]
    text = "请补正以下材料：\n" + "\n".join(lines)
    return f"{text}\n{note}" if note else text


async def request_supplement(deps: Deps, officer: StaffPrincipal, case_id: str,
                             note: str | None = None) -> dict[str, Any]:
    """One notice listing everything to supplement (一次性告知); the pre-review clock stops until resubmission."""
    case = await _reviewable_case(deps, officer, case_id)
    items = supplement_items(case)
    if not items:
        raise NothingToSupplement()
    note = (note or "").strip() or None
    previous = case.get("supplement") or {}
    notice = {"round": int(previous.get("round", 0)) + 1, "items": items, "note": note,
              "requested_at": deps.clock.now(), "requested_by": officer_actor(officer).to_doc()}
    return await transition(deps, case, Action.REQUEST_SUPPLEMENT, officer_actor(officer), as_role="officer",
                            reason=supplement_text(items, note), changes={"supplement": notice, "claim": None},
                            record={"items": items, "note": note})


def pre_review_gaps(case: dict[str, Any]) -> dict[str, list[str]]:
    """What stops a pass: pages not yet judged ok, materials with problems, required materials missing."""
    unreviewed, problems = [], []
    for material in case["guide"]["materials"]:
        entry = case["materials"].get(material["id"])
        verdict = (entry or {}).get("verdict")
        if verdict == "problem":
            problems.append(material["id"])
        elif slot_pages(entry) and verdict != "ok":
            unreviewed.append(material["id"])
    return {"unreviewed": unreviewed, "problems": problems, "missing": missing_required_slots(case)}


async def pass_pre_review(deps: Deps, officer: StaffPrincipal, case_id: str,
                          originals_check: str) -> dict[str, Any]:
    case = await _reviewable_case(deps, officer, case_id)
    gaps = pre_review_gaps(case)
    if any(gaps.values()):
        raise PreReviewIncomplete(unreviewed=gaps["unreviewed"], problems=gaps["problems"], missing=gaps["missing"])
    passed = await transition(deps, case, Action.PASS_PRE_REVIEW, officer_actor(officer), as_role="officer",
                              changes={"originals_check": originals_check, "claim": None},
                              record={"originals_check": originals_check})
    await remember_accepted_materials(deps, passed)
    return passed
