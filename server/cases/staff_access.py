"""Which cases an officer may see and act on: those of the departments on the officer's account.

A case of another department answers exactly like a case that does not exist (404), so ids cannot be
probed; drafts are the citizen's own business and are not shown to anyone else.

A joint case (联办件) is seen by the comprehensive-window officers of its domain, its lead department
and every department with a step in it. The parts differ: the window takes it in (pre-review and
acceptance); the window and the lead department push it to the steps and deliver the result; each
department acts on its own steps only (see ``joint``). Seeing a case but not having the part answers
403 ``joint_part_not_allowed``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from server.actor import Actor
from server.cases import repository
from server.cases.joint_model import involved_departments, joint_of
from server.cases.states import State
from server.errors import Forbidden, NotFound
from server.staff.principal import StaffPrincipal
from server.staff.roles import Role

if TYPE_CHECKING:
    from server.deps import Deps


class CaseNotFound(NotFound):
    code = "case_not_found"
    default_message = "办件不存在"


class JointPartNotAllowed(Forbidden):
    code = "joint_part_not_allowed"
    default_message = "联办件的这一操作不由您所在的部门或窗口办理"


class Part(StrEnum):
    SEE = "see"
    INTAKE = "intake"  # pre-review, acceptance: the comprehensive window
    COORDINATE = "coordinate"  # push to the steps, delivery, archive: the window or the lead department


def officer_actor(officer: StaffPrincipal) -> Actor:
    return Actor("staff", officer.user_id, officer.display_name)


def window_of(officer: StaffPrincipal, case: dict[str, Any]) -> bool:
    """The officer is a comprehensive-window officer of the joint case's domain."""
    joint = joint_of(case)
    return joint is not None and Role.WINDOW in officer.roles and joint["domain"] in officer.domains


def may_handle(officer: StaffPrincipal, case: dict[str, Any], part: Part = Part.SEE) -> bool:
    if case["state"] == State.DRAFT.value:
        return False
    joint = joint_of(case)
    if joint is None:
        return case.get("department_id") in officer.departments
    if part is Part.INTAKE:
        return window_of(officer, case)
    if part is Part.COORDINATE:
        return window_of(officer, case) or joint["lead_department_id"] in officer.departments
    return window_of(officer, case) or bool(involved_departments(joint) & set(officer.departments))


async def case_of_officer(deps: Deps, officer: StaffPrincipal, case_id: str,
                          part: Part = Part.SEE) -> dict[str, Any]:
    case = await repository.get_case(deps.db, case_id)
    if case is None or not may_handle(officer, case):
        raise CaseNotFound()
    if not may_handle(officer, case, part):
        raise JointPartNotAllowed(part=part.value)
    return case
