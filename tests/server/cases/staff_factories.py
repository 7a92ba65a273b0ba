"""Plain factories for the staff side of cases: a seeded calendar, a live guide, officers, and submitted
cases with real pages in the object store."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from cms.guides.service import get_live_guide, import_guide
from server.actor import Actor
from server.calendar.service import seed_from_package
from server.cases import repository
from server.cases.model import case_number, new_case, new_case_id
from server.cases.states import Action
from server.cases.workflow import transition
from server.clock import FrozenClock
from tests.cms.factories import DEPARTMENT_ID, OTHER_DEPARTMENT_ID, create_catalog, guide_content, material
from tests.miniprogram_api.factories import bind, login
from tests.support.server import TestServer
from tests.support.staff import StaffBrowser, signed_in_staff

__all__ = ["DEPARTMENT_ID", "OTHER_DEPARTMENT_ID"]

IMPORTER = Actor.system("test")
PAGE_BYTES = b"%PDF-1.4 test page\n"
# Tests move a frozen clock by days; sessions that long keep the same officers and citizens signed in.
LONG_SESSIONS: dict[str, Any] = {"staff_session_idle_seconds": 90 * 86400, "staff_session_max_seconds": 90 * 86400,
                                 "citizen_token_ttl_seconds": 90 * 86400}
_codes = itertools.count(1)
_numbers = itertools.count(1)


def china_morning(year: int, month: int, day: int) -> datetime:
    """09:00 in China on that day."""
    return datetime(year, month, day, 1, 0, tzinfo=UTC)


async def prepare(server: TestServer) -> None:
    """What a started web process has: the holiday calendar seeded; plus the test departments."""
    await seed_from_package(server.deps.db, server.deps.clock)
    server.deps.calendar.expire()
    await create_catalog(server.deps)


async def started_on_monday(start_server: Callable[..., Awaitable[TestServer]]) -> TestServer:
    """A server (test or console) on a frozen clock at 09:00 on Monday 16 November 2026 in China, with long
    sessions, the holiday calendar and the test departments."""
    server = await start_server(clock=FrozenClock(china_morning(2026, 11, 16)), **LONG_SESSIONS)
    await prepare(server)
    return server


async def delivered_case(server: TestServer, browser: StaffBrowser, guide: dict[str, Any]) -> dict[str, Any]:
    """A case taken by ``browser`` through pre-review, acceptance and approval, then handed over (pickup)."""
    case = await passed_case(server, browser, guide)
    base = f"/staff/v1/cases/{case['id']}"
    for action, body in (("accept", {}), ("approve", {"result_name": "备案回执", "licence_no": "BA-1"}),
                         ("deliver", {"method": "pickup"})):
        response = await browser.post(f"{base}/{action}", json=body)
        assert response.status == 200, (action, response.body)
    return dict(response.json)


async def publish_guide(server: TestServer, *, department_id: str = DEPARTMENT_ID, promised_days: int = 10,
                        name: str = "企业投资项目备案", unit: str = "working_days") -> dict[str, Any]:
    """A live guide with two required materials and one conditional one, promised in ``promised_days``
    of ``unit`` (working_days, natural_days or hours)."""
    content = guide_content(
        code=f"511Z0700{next(_codes):04d}-511602000000-000-11511301008778183N-1-00", name=name,
        department_id=department_id, promised_time_limit={"value": promised_days, "unit": unit},
        materials=[material("项目备案申请表"), material("营业执照"),
                   material("授权委托书", requirement="conditional", condition="委托他人办理的")])
    outcome = await import_guide(server.deps, IMPORTER, content, publish=True)
    return await get_live_guide(server.deps, outcome.guide_id)


async def officer(server: TestServer, username: str, *, departments: tuple[str, ...] = (DEPARTMENT_ID,),
                  roles: tuple[str, ...] = ("officer",)) -> StaffBrowser:
    return await signed_in_staff(server, username, roles=roles, departments=departments)


async def real_name_citizen(server: TestServer, user: str, **fields: str) -> tuple[str, str]:
    """(token, citizen id) of a citizen logged in through the WeChat simulator with a bound real name."""
    logged_in = await login(server, "wechat", user)
    response = await bind(server, logged_in["token"], **fields)
    assert response.status in (200, 201), response.body
    return str(logged_in["token"]), str(logged_in["citizen"]["id"])


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def stored_page(server: TestServer, case_id: str, slot_id: str, index: int) -> dict[str, Any]:
    """A page as the citizen side stores it (see server.cases.materials), its bytes really in the store."""
    key = f"cases/{case_id}/{slot_id}/page-{index}.pdf"
    info = await server.deps.store.put(key, _one(PAGE_BYTES), max_bytes=1024, content_type="application/pdf")
    return {"id": f"p{index}", "source": "upload", "kind": "pdf", "key": key, "thumbnail_key": None,
            "content_type": "application/pdf", "size": info.size, "upload_size": info.size, "sha256": info.sha256,
            "stored_sha256": info.sha256, "width": None, "height": None, "pages": 1, "problems": [],
            "file_name": f"第{index}页.pdf", "added_at": server.deps.clock.now(), "material_id": None}


async def submitted_case(server: TestServer, guide: dict[str, Any], *, citizen_id: str = "c-test",
                         applicant_name: str = "张三丰", pages: dict[str, int] | None = None) -> dict[str, Any]:
    """A case handed in for pre-review; ``pages`` maps slot ids to page counts (default: required slots, 1)."""
    now = server.deps.clock.now()
    case_id = new_case_id()
    case = new_case(case_id=case_id, number=case_number(now.strftime("%Y%m%d"), next(_numbers) + 90000),
                    guide=guide, channel="wechat", form={"项目名称": "测试项目"}, now=now,
                    pre_review_days=server.deps.settings.pre_review_limit_working_days,
                    applicant={"citizen_id": citizen_id, "name": applicant_name, "id_masked": "1101**********002X",
                               "kind": "natural"})
    wanted = pages if pages is not None else {m["id"]: 1 for m in guide["materials"] if m["requirement"] == "required"}
    for slot_id, count in wanted.items():
        case["materials"][slot_id] = {"source": "upload", "verdict": None, "verdict_reason": None,
                                      "files": [await stored_page(server, case_id, slot_id, n)
                                                for n in range(1, count + 1)]}
    await repository.insert_case(server.deps.db, case)
    return await transition(server.deps, case, Action.SUBMIT, Actor("citizen", citizen_id, applicant_name),
                            as_role="citizen")


def required_slots(guide: dict[str, Any]) -> list[str]:
    return [m["id"] for m in guide["materials"] if m["requirement"] == "required"]


async def verdict(browser: StaffBrowser, case_id: str, slot_id: str, value: str, reason: str | None = None) -> Any:
    body: dict[str, Any] = {"verdict": value}
    if reason is not None:
        body["reason"] = reason
    return await browser.request("PUT", f"/staff/v1/cases/{case_id}/materials/{slot_id}/verdict", json=body)


async def passed_case(server: TestServer, browser: StaffBrowser, guide: dict[str, Any]) -> dict[str, Any]:
    """A submitted case taken through pre-review by ``browser``: claimed, every page ok, passed."""
    case = await submitted_case(server, guide)
    return await pre_reviewed(browser, guide, case["_id"])


async def pre_reviewed(browser: StaffBrowser, guide: dict[str, Any], case_id: str, *,
                       originals_check: str = "by_mail") -> dict[str, Any]:
    """``browser``'s pre-review of a submitted case: claimed, every page ok, passed."""
    base = f"/staff/v1/cases/{case_id}"
    claimed = await browser.post(f"{base}/claim")
    assert claimed.status == 200, claimed.body
    for slot_id in required_slots(guide):
        assert (await verdict(browser, case_id, slot_id, "ok")).status == 200
    response = await browser.post(f"{base}/pass", json={"originals_check": originals_check})
    assert response.status == 200, response.body
    return dict(response.json)


async def taken_in(browser: StaffBrowser, guide: dict[str, Any], case_id: str, *,
                   originals_check: str = "none") -> dict[str, Any]:
    """``browser``'s pre-review (claim, every page ok, pass) and acceptance of a submitted case, today."""
    await pre_reviewed(browser, guide, case_id, originals_check=originals_check)
    accepted = await browser.post(f"/staff/v1/cases/{case_id}/accept")
    assert accepted.status == 200, accepted.body
    return dict(accepted.json)
