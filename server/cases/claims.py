"""The pre-review lock: an officer claims a submitted case for a while, so two never review it at once.

A claim names its holder and expires (CASE_CLAIM_SECONDS); the holder claiming again extends it, and an
expired claim is simply taken over. It is written under the case's version like every other change,
so of two officers claiming at the same moment exactly one wins and the other is told who has it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from server.cases import repository
from server.cases.staff_access import Part, case_of_officer
from server.cases.states import STATE_LABELS, State
from server.cases.workflow import CaseChanged
from server.errors import Conflict
from server.staff.principal import StaffPrincipal

if TYPE_CHECKING:
    from server.deps import Deps

# A claim lost to a concurrent write is retried on the fresh case; past this the caller gets 409.
_ATTEMPTS = 3


class CaseClaimed(Conflict):
    code = "case_claimed"


class ClaimRequired(Conflict):
    code = "claim_required"
    default_message = "请先领取该办件再进行预审"


class NotInPreReview(Conflict):
    code = "not_in_pre_review"


def require_pre_review(case: dict[str, Any]) -> None:
    state = State(case["state"])
    if state is not State.SUBMITTED:
        raise NotInPreReview(f"办件当前状态为「{STATE_LABELS[state]}」，不在预审阶段", state=state.value)


def active_claim(case: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    claim = case.get("claim")
    if claim is None or case["state"] != State.SUBMITTED.value or claim["until"] <= now:
        return None
    return dict(claim)


def require_claim(case: dict[str, Any], officer: StaffPrincipal, now: datetime) -> None:
    """Pre-review actions need the caller's own unexpired claim (409 claim_required otherwise)."""
    claim = active_claim(case, now)
    if claim is None:
        raise ClaimRequired()
    if claim["staff_id"] != officer.user_id:
        raise _claimed_by(claim)


def _claimed_by(claim: dict[str, Any]) -> CaseClaimed:
    return CaseClaimed(f"该办件正由{claim['name']}预审", holder=claim["name"], until=claim["until"].isoformat())


async def claim_case(deps: Deps, officer: StaffPrincipal, case_id: str) -> dict[str, Any]:
    """Take or extend the claim; 409 case_claimed naming the holder while another officer's is unexpired."""
    for _ in range(_ATTEMPTS):
        case = await case_of_officer(deps, officer, case_id, Part.INTAKE)
        require_pre_review(case)
        now = deps.clock.now()
        current = active_claim(case, now)
        if current is not None and current["staff_id"] != officer.user_id:
            raise _claimed_by(current)
        claim = {"staff_id": officer.user_id, "name": officer.display_name,
                 "until": now + timedelta(seconds=deps.settings.case_claim_seconds)}
        if await _save_claim(deps, case, claim, now):
            return claim
    raise CaseChanged()


async def release_claim(deps: Deps, officer: StaffPrincipal, case_id: str) -> None:
    """Give the claim back; idempotent. Another officer's unexpired claim cannot be released (409)."""
    for _ in range(_ATTEMPTS):
        case = await case_of_officer(deps, officer, case_id, Part.INTAKE)
        now = deps.clock.now()
        current = active_claim(case, now)
        if current is None:
            return
        if current["staff_id"] != officer.user_id:
            raise _claimed_by(current)
        if await _save_claim(deps, case, None, now):
            return
    raise CaseChanged()


async def _save_claim(deps: Deps, case: dict[str, Any], claim: dict[str, Any] | None, now: datetime) -> bool:
    updated = {**case, "claim": claim, "version": case["version"] + 1, "updated_at": now}
    return await repository.replace_case(deps.db, updated, expected_version=case["version"])
