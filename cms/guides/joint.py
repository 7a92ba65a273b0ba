"""Checking a guide's joint process (并联/串联审批) beyond its schema: what cases will rely on.

Step ids are unique, a step waits only for steps listed before it (so the order is the editor's and
no cycle can be written), and the domain and every department are in their managed lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cms.catalog_lists.service import unknown_departments, unknown_domains
from cms.content.validation import Problem, pointer

if TYPE_CHECKING:
    from server.deps import Deps

_FIELD = "joint_process"


def step_order_problems(process: dict[str, Any]) -> list[Problem]:
    problems = []
    earlier: set[str] = set()
    for index, step in enumerate(process["steps"]):
        if step["id"] in earlier:
            problems.append(Problem(pointer(_FIELD, "steps", index, "id"), "duplicate_step_id",
                                    f"环节编号 {step['id']} 重复"))
        for position, before in enumerate(step.get("after") or []):
            if before not in earlier:
                problems.append(Problem(pointer(_FIELD, "steps", index, "after", position), "unknown_prior_step",
                                        f"环节 {step['id']} 只能在它之前列出的环节之后办理，{before} 不是"))
        earlier.add(step["id"])
    return problems


async def joint_process_problems(deps: Deps, process: dict[str, Any] | None) -> list[Problem]:
    if not process:
        return []
    problems = step_order_problems(process)
    if await unknown_domains(deps, [process["domain"]]):
        problems.append(Problem(pointer(_FIELD, "domain"), "unknown_domain",
                                f"领域 {process['domain']} 不在领域列表中"))
    departments = [process["lead_department_id"], *(step["department_id"] for step in process["steps"])]
    unknown = await unknown_departments(deps, departments)
    if process["lead_department_id"] in unknown:
        problems.append(Problem(pointer(_FIELD, "lead_department_id"), "unknown_department",
                                f"部门 {process['lead_department_id']} 不在部门列表中"))
    for index, step in enumerate(process["steps"]):
        if step["department_id"] in unknown:
            problems.append(Problem(pointer(_FIELD, "steps", index, "department_id"), "unknown_department",
                                    f"部门 {step['department_id']} 不在部门列表中"))
    return problems
