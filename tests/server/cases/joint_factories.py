"""Plain factories for joint cases: departments of a joint process, a joint guide, window officers and
a case taken through the comprehensive window up to the push to its steps."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cms.catalog_lists.service import ensure_department
from cms.guides.service import get_live_guide, import_guide
from server.clock import FrozenClock
from server.staff import accounts
from tests.cms.factories import DEPARTMENT_ID, OTHER_DEPARTMENT_ID, guide_content, material
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import GOOD, citizen, draft, upload_ok
from tests.server.cases.staff_factories import (
    IMPORTER,
    LONG_SESSIONS,
    china_morning,
    officer,
    prepare,
)
from tests.server.cases.staff_factories import taken_in as taken_in  # where joint tests look for it
from tests.support.server import TestServer
from tests.support.staff import STAFF_PASSWORD, StaffBrowser, login_browser

# 一窗受理 for 商事登记: the market regulator leads and checks the licence, the fire brigade checks the
# premises at the same time, then the economy bureau (区经信局) files the project once both approved.
MARKET, FIRE, ECONOMY = "d-market", "d-fire", DEPARTMENT_ID
UNINVOLVED = OTHER_DEPARTMENT_ID
DOMAIN = "business_registration"
STEPS: list[dict[str, Any]] = [
    {"id": "licence", "name": "许可审查", "department_id": MARKET, "time_limit_days": 3, "after": []},
    {"id": "fire", "name": "消防审验", "department_id": FIRE, "time_limit_days": 3, "after": []},
    {"id": "filing", "name": "项目备案", "department_id": ECONOMY, "time_limit_days": 2, "after": ["licence", "fire"]},
]
_codes = itertools.count(1)


async def started(start_server: StartServer, *, day: int = 16, month: int = 11) -> tuple[TestServer, FrozenClock]:
    """A server on a frozen clock (Monday 16 November 2026 by default), calendar and departments ready."""
    clock = FrozenClock(china_morning(2026, month, day))
    server = await start_server(clock=clock, **LONG_SESSIONS)
    await prepare(server)
    await ensure_department(server.deps, id=MARKET, name="区市场监管局", credit_code=None, region_code=None)
    await ensure_department(server.deps, id=FIRE, name="区消防救援大队", credit_code=None, region_code=None)
    return server, clock


async def publish_joint_guide(server: TestServer, *, promised_days: int = 10) -> dict[str, Any]:
    content = guide_content(
        code=f"511Z0800{next(_codes):04d}-511602000000-000-11511301008778183N-1-00", name="餐饮店开办联办",
        department_id=MARKET, promised_time_limit={"value": promised_days, "unit": "working_days"},
        materials=[material("开办申请表"), material("场所平面图")],
        joint_process={"domain": DOMAIN, "lead_department_id": MARKET, "steps": STEPS})
    outcome = await import_guide(server.deps, IMPORTER, content, publish=True)
    return await get_live_guide(server.deps, outcome.guide_id)


async def window_officer(server: TestServer, username: str, *, domains: Sequence[str] = (DOMAIN,)) -> StaffBrowser:
    await accounts.create_user(server.deps, username=username, password=STAFF_PASSWORD, roles=["window"],
                               domains=domains)
    return await login_browser(server, username)


async def department_officers(server: TestServer) -> dict[str, StaffBrowser]:
    """One officer per department of the process, and one of an uninvolved department."""
    return {department: await officer(server, f"officer-{department}".lower(), departments=(department,))
            for department in (MARKET, FIRE, ECONOMY, UNINVOLVED)}


def steps_by_id(status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["id"]: step for step in status["joint"]["steps"]}


def step_states(status: dict[str, Any]) -> dict[str, str]:
    return {step_id: step["state"] for step_id, step in steps_by_id(status).items()}


def step_path(case_id: str, step_id: str, action: str) -> str:
    return f"/staff/v1/cases/{case_id}/joint/steps/{step_id}/{action}"


async def citizen_case(server: TestServer, guide: dict[str, Any]) -> tuple[str, str]:
    """(citizen token, case id) of a case the citizen drafted, filled and submitted over HTTP."""
    token = await citizen(server, "applicant")
    case_id = (await draft(server, token, guide["id"], form={"店名": "老街面馆"}))["id"]
    for slot_id, image in zip((m["id"] for m in guide["materials"]), ("hopper.jpg", "flower.jpg"), strict=True):
        await upload_ok(server, token, case_id, slot_id, (GOOD / image).read_bytes())
    submitted = await server.post(f"/mp/v1/cases/{case_id}/submit", token=token)
    assert submitted.status == 200, submitted.body
    return token, case_id


@dataclass
class JointScene:
    """A server on a frozen clock, a published joint guide, the window officer window-li and one officer
    per department."""

    server: TestServer
    clock: FrozenClock
    guide: dict[str, Any]
    window: StaffBrowser
    officers: dict[str, StaffBrowser]


async def joint_scene(start_server: StartServer, *, promised_days: int = 10) -> JointScene:
    server, clock = await started(start_server)
    guide = await publish_joint_guide(server, promised_days=promised_days)
    return JointScene(server, clock, guide, await window_officer(server, "window-li"),
                      await department_officers(server))
