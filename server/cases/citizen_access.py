"""Which cases a citizen may see and act on: their own, and no others.

Another citizen's case answers exactly like a case that does not exist (404 case_not_found), so ids
cannot be probed; the staff side does the same for other departments' cases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from server.actor import Actor
from server.cases import repository
from server.cases.staff_access import CaseNotFound
from server.identity.models import Citizen

if TYPE_CHECKING:
    from server.deps import Deps


def citizen_actor(citizen: Citizen) -> Actor:
    return Actor("citizen", citizen.id, citizen.real_name.name if citizen.real_name else "申请人")


def is_applicant(citizen_id: str, case: dict[str, Any]) -> bool:
    return bool(case.get("applicant", {}).get("citizen_id") == citizen_id)


async def case_of_citizen(deps: Deps, citizen_id: str, case_id: str) -> dict[str, Any]:
    case = await repository.get_case(deps.db, case_id)
    if case is None or not is_applicant(citizen_id, case):
        raise CaseNotFound()
    return case
