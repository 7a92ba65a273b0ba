"""Demo console accounts with known passwords, for local runs and the README (sandbox mode only)."""

from __future__ import annotations

import contextlib

from server.deps import Deps
from server.staff import accounts
from server.staff.errors import StaffUserNotFound, UsernameTaken
from server.staff.roles import Role

# 区行政审批局, the department with the most items in the demo catalogue (Guang'an district).
DEMO_DEPARTMENT = "68236467-9"

# The departments of the demo's joint guide (公共租赁住房申请资格审核认定): 住建 leads, 民政 and 公安 check.
DEMO_JOINT_DEPARTMENTS = ("11511301008778255F", "11511301008778298W", "1151130000877869M")
DEMO_DOMAINS = ("business_registration", "investment_construction", "industrial_products", "livelihood")

# username, password, display name, roles, departments, domains
DEMO_STAFF: tuple[tuple[str, str, str, tuple[Role, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    ("admin", "demo-admin-2026", "演示管理员", (Role.ADMIN,), (), ()),
    ("editor", "demo-editor-2026", "演示编辑", (Role.EDITOR,), (), ()),
    ("reviewer", "demo-reviewer-2026", "演示审核员", (Role.REVIEWER,), (), ()),
    ("officer", "demo-officer-2026", "演示窗口人员", (Role.OFFICER,), (DEMO_DEPARTMENT,), ()),
    ("supervisor", "demo-supervisor-2026", "演示监督员", (Role.SUPERVISOR,), (), ()),
    ("window", "demo-window-2026", "演示综合窗口", (Role.WINDOW,), (), DEMO_DOMAINS),
    ("lianban", "demo-lianban-2026", "演示联办部门人员", (Role.OFFICER,), DEMO_JOINT_DEPARTMENTS, ()),
)


class DemoRefusedInLiveMode(RuntimeError):
    pass


async def ensure_demo_staff(deps: Deps) -> list[tuple[str, str, list[str]]]:
    """Create the demo accounts that do not exist yet; return (username, password, roles) of all of them.

    Existing accounts are left as they are (a changed demo password stays changed).
    """
    if deps.settings.is_live:
        raise DemoRefusedInLiveMode("demo staff accounts with known passwords are never created in live mode")
    created = []
    for username, password, display_name, roles, departments, domains in DEMO_STAFF:
        if not await _exists(deps, username):
            # Another process may create it meanwhile (web processes start together): that is fine too.
            with contextlib.suppress(UsernameTaken):
                await accounts.create_user(deps, username=username, password=password, roles=roles,
                                           departments=departments, display_name=display_name,
                                           domains=domains)
        created.append((username, password, [role.value for role in roles]))
    return created


async def _exists(deps: Deps, username: str) -> bool:
    try:
        await accounts.get_user_by_username(deps, username)
    except StaffUserNotFound:
        return False
    return True
