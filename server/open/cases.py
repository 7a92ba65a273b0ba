"""Case progress for an app: a case it submitted, or one whose applicant the caller can vouch for.

Without the applicant's name and the last six characters of their ID number, or for a case of another
app, the answer is the same ``open_case_not_found`` as for a number that does not exist, so the API
cannot be used to learn which case numbers exist.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from server.cases import repository as cases
from server.cases.states import STATE_LABELS, State
from server.cases.views import case_timeline
from server.errors import NotFound
from server.identity.citizens import resolve_citizen, reveal_id_number
from server.open.auth import OpenPrincipal

if TYPE_CHECKING:
    from server.deps import Deps


class OpenCaseNotFound(NotFound):
    code = "open_case_not_found"
    default_message = "未找到办件，或申请人信息不符"


async def _vouched(deps: Deps, case: dict[str, Any], name: str | None, id_last6: str | None) -> bool:
    applicant = case["applicant"]
    if not name or not id_last6 or not applicant.get("citizen_id"):
        return False
    if not hmac.compare_digest(name.strip().encode(), str(applicant.get("name", "")).encode()):
        return False
    id_number = reveal_id_number(deps.pii, await resolve_citizen(deps.db, applicant["citizen_id"])) or ""
    last6 = id_last6.strip().upper().encode()
    return len(id_number) >= 6 and hmac.compare_digest(id_number[-6:].upper().encode(), last6)


async def case_progress_for_app(deps: Deps, principal: OpenPrincipal, number: str, *, name: str | None,
                                id_last6: str | None) -> dict[str, Any]:
    case = await cases.get_case_by_number(deps.db, number)
    if case is None:
        raise OpenCaseNotFound()
    if case.get("open_app_id") != principal.app_id and not await _vouched(deps, case, name, id_last6):
        raise OpenCaseNotFound()
    state = State(case["state"])
    return {"number": case["number"], "guide_name": case["guide"]["name"], "state": state.value,
            "state_label": STATE_LABELS[state], "due_on": case.get("due_on"),
            "timeline": await case_timeline(deps, case)}
