"""Which cases an officer may see and act on: those of the departments on the officer's account.

A case of another department answers exactly like a case that does not exist (404), so ids cannot be
probed; drafts are the citizen's own business and are not shown to anyone else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from server.actor import Actor
from server.cases import repository
from server.cases.states import State
from server.errors import NotFound
from server.staff.principal import StaffPrincipal

if TYPE_CHECKING:
    from server.deps import Deps


class CaseNotFound(NotFound):
    code = "case_not_found"
    default_message = "办件不存在"


def officer_actor(officer: StaffPrincipal) -> Actor:
    return Actor("staff", officer.user_id, officer.display_name)


def may_handle(officer: StaffPrincipal, case: dict[str, Any]) -> bool:
    return case.get("department_id") in officer.departments and case["state"] != State.DRAFT.value


async def case_of_officer(deps: Deps, officer: StaffPrincipal, case_id: str) -> dict[str, Any]:
    case = await repository.get_case(deps.db, case_id)
    if case is None or not may_handle(officer, case):
        raise CaseNotFound()
    return case
