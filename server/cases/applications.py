"""Applications as the citizen makes them: a draft for a live guide, its form, submission, resubmission
after a supplement notice, withdrawal. State changes go through ``workflow.transition``; materials are
in ``server.cases.materials`` and the ``uploads`` package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cms.guides.service import get_live_guide
from server import jsonutil
from server.cases import repository
from server.cases.citizen_access import case_of_citizen, citizen_actor
from server.cases.file_journal import note_file
from server.cases.joint import resubmit_to_steps, returned_by_step
from server.cases.materials import require_complete, slot_pages
from server.cases.model import case_number, new_case, new_case_id
from server.cases.states import STATE_LABELS, TRANSITIONS, Action, State
from server.cases.workflow import CaseChanged, Move, transition, transitions
from server.clock import china_date
from server.errors import Conflict, PayloadTooLarge
from server.identity.citizens import resolve_citizen
from server.identity.errors import RealNameRequired
from server.identity.models import Citizen
from server.identity.sessions import CitizenPrincipal
from server.open.apps import platform_of_new_case
from server.storable import check_storable
from uploads.materials import delete_objects, page_keys, releasable_pages

if TYPE_CHECKING:
    from server.deps import Deps

# Form data is what the applicant types (names, addresses, choices), not files: 64 KiB is generous.
FORM_MAX_BYTES = 64 * 1024
FORM_STATES = frozenset({State.DRAFT, State.SUPPLEMENT_REQUESTED})


class FormTooLarge(PayloadTooLarge):
    code = "form_too_large"
    default_message = "表单内容过多"


class FormLocked(Conflict):
    code = "form_locked"


class TooManyDrafts(Conflict):
    code = "too_many_drafts"
    default_message = "未提交的草稿已达上限，请先提交或撤回（删除）一件草稿再新建"


def applicant_of(citizen: Citizen) -> dict[str, Any]:
    assert citizen.real_name is not None
    return {"citizen_id": citizen.id, "name": citizen.real_name.name,
            "id_masked": citizen.real_name.id_number_masked, "kind": "natural"}


def check_form(form: dict[str, Any]) -> dict[str, Any]:
    # Shape first: the size is measured by encoding it, and orjson cannot encode past 255 levels.
    check_storable(form, at="/form")
    if len(jsonutil.dumps(form)) > FORM_MAX_BYTES:
        raise FormTooLarge(max_bytes=FORM_MAX_BYTES)
    return form


async def real_name_citizen(deps: Deps, citizen_id: str) -> Citizen:
    citizen = await resolve_citizen(deps.db, citizen_id)
    if citizen.real_name is None:
        raise RealNameRequired()
    return citizen


async def create_draft(deps: Deps, principal: CitizenPrincipal, guide_id: str,
                       form: dict[str, Any], *, via_app: str | None = None) -> dict[str, Any]:
    """A new draft of the caller (real-name binding required, 403) for a live guide (404 otherwise);
    ``via_app``: the open platform the citizen came from (422 unknown_platform if it may not have it)."""
    form = check_form(form)  # before anything is counted or numbered: a refused form uses up nothing
    citizen = await real_name_citizen(deps, principal.citizen_id)
    # Every draft may hold MAX_CASE_UPLOAD_BYTES of pages: the cap is what bounds a citizen's share of the
    # store. Counted, not reserved: two creates at the same instant may both pass, which costs one draft.
    limit = deps.settings.max_open_drafts
    if await repository.count_drafts_of_citizen(deps.db, citizen.id) >= limit:
        raise TooManyDrafts(f"您已有{limit}件未提交的草稿，请先提交或撤回（删除）其中一件再新建", max_drafts=limit)
    guide = await get_live_guide(deps, guide_id)
    open_app_id = await platform_of_new_case(deps, via_app) if via_app else None
    now = deps.clock.now()
    day = china_date(now).strftime("%Y%m%d")
    number = case_number(day, await repository.next_case_sequence(deps.db, day))
    case = new_case(case_id=new_case_id(), number=number, guide=guide, applicant=applicant_of(citizen),
                    channel=principal.channel.value, form=form, now=now, open_app_id=open_app_id,
                    pre_review_days=deps.settings.pre_review_limit_working_days, identity_id=principal.identity_id)
    await repository.insert_case(deps.db, case)
    return case


async def update_form(deps: Deps, citizen_id: str, case_id: str, form: dict[str, Any], *,
                      expected_version: int | None = None) -> dict[str, Any]:
    """Replace the form of a draft (or of a case waiting for a supplement)."""
    check_form(form)
    case = await case_of_citizen(deps, citizen_id, case_id)
    state = State(case["state"])
    if state not in FORM_STATES:
        raise FormLocked(f"办件当前状态为「{STATE_LABELS[state]}」，表单不能再修改", state=state.value)
    if expected_version is not None and expected_version != case["version"]:
        raise CaseChanged(state=state.value)
    updated = {**case, "form": form, "version": case["version"] + 1, "updated_at": deps.clock.now()}
    if not await repository.replace_case(deps.db, updated, expected_version=case["version"]):
        raise CaseChanged(state=state.value)
    return updated


async def my_cases(deps: Deps, citizen_id: str, *, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    return await repository.cases_of_citizen(deps.db, citizen_id, offset=offset, limit=limit)


async def _hand_in(deps: Deps, citizen_id: str, case_id: str, action: Action) -> dict[str, Any]:
    citizen = await real_name_citizen(deps, citizen_id)
    case = await case_of_citizen(deps, citizen.id, case_id)
    # Out of turn is illegal_transition (409) from the workflow, whatever the materials.
    if State(case["state"]) in TRANSITIONS[action].sources:
        require_complete(case)
    if action is Action.RESUBMIT and returned_by_step(case):
        return await resubmit_to_steps(deps, case, citizen_actor(citizen))
    return await transition(deps, case, action, citizen_actor(citizen), as_role="citizen")


async def submit(deps: Deps, citizen_id: str, case_id: str) -> dict[str, Any]:
    """Hand a complete draft in for pre-review: 422 materials_missing lists required slots without pages."""
    return await _hand_in(deps, citizen_id, case_id, Action.SUBMIT)


async def resubmit(deps: Deps, citizen_id: str, case_id: str) -> dict[str, Any]:
    """Hand the case in again after a supplement notice; the pre-review clock runs on (a joint case that a
    step returned goes back to its steps instead, their clocks running on)."""
    return await _hand_in(deps, citizen_id, case_id, Action.RESUBMIT)


async def withdraw(deps: Deps, citizen_id: str, case_id: str, reason: str | None) -> dict[str, Any]:
    """Withdraw before a decision (409 illegal_transition after one)."""
    citizen = await real_name_citizen(deps, citizen_id)
    case = await case_of_citizen(deps, citizen.id, case_id)
    move = Move(Action.WITHDRAW, citizen_actor(citizen), "citizen", reason)
    if State(case["state"]) is State.DRAFT:
        # Nobody at a window ever saw it: its pages are the citizen's alone and go with it.
        return await end_draft(deps, case, move)
    return await transitions(deps, case, [move])


async def end_draft(deps: Deps, case: dict[str, Any], move: Move) -> dict[str, Any]:
    """End a draft by ``move`` (the citizen withdraws it; the worker expires it, draft_expiry.py): its uploaded
    pages leave the case in the same transition and their objects are deleted (``releasable_pages``: not those
    a my-material still lists, nor reused pages, whose objects are another case's)."""
    released = await releasable_pages(deps, case)
    for slot_id, page in released:
        # Journaled before the case lets go of them: if we stop between the write and the deletes, the sweep
        # (orphan_files.py) finds them in no case and deletes them; if the write fails, it finds them recorded.
        await note_file(deps, page["id"], case["_id"], {"slot_id": slot_id}, page_keys(page))
    gone = {page["id"] for _, page in released}
    materials = {slot_id: {**entry, "files": [page for page in slot_pages(entry) if page["id"] not in gone]}
                 for slot_id, entry in case["materials"].items()}
    ended = await transitions(deps, case, [Move(move.action, move.actor, move.as_role, move.reason,
                                                {**(move.changes or {}), "materials": materials}, move.record)])
    for slot_id, page in released:
        await delete_objects(deps, case["_id"], slot_id, page)
    return ended
