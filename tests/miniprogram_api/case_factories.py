"""Plain factories for application tests: a live guide, real-name citizens, drafts, uploads."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import tornado.httpclient

from cms.guides.service import import_guide
from server.actor import Actor
from server.cases import repository
from server.cases.states import Action
from server.cases.workflow import transition
from server.deps import Deps
from tests.cms.factories import DEPARTMENT_ID, create_catalog, guide_content, material
from tests.miniprogram_api.factories import OTHER_VALID_ID, VALID_ID, bind, wechat_login
from tests.support.server import Response, TestServer

IMAGES = Path(__file__).resolve().parents[1] / "data" / "images"
GOOD = IMAGES / "good"
HOSTILE = IMAGES / "hostile"
IMPORTER = Actor.system("test")
OFFICER = Actor("staff", "u-officer", "王小二")
# Slot ids the guide importer issues, in the order of the materials below.
ID_CARD, HOUSEHOLD, PHOTO = "m1", "m2", "m3"


async def live_guide(deps: Deps, code: str = "c-apply", **overrides: Any) -> str:
    """A published guide: a required ID card (reusable), a conditional household register, a required photo."""
    await create_catalog(deps)
    fields: dict[str, Any] = {"name": "出生登记", "department_id": DEPARTMENT_ID, "materials": [
        material("居民身份证", accepts_reuse=True), material("户口簿", requirement="conditional"),
        material("申请人照片")]}
    content = guide_content(code=code, **{**fields, **overrides})
    return (await import_guide(deps, IMPORTER, content, publish=True)).guide_id


async def citizen(server: TestServer, user: str = "alice", id_number: str = VALID_ID,
                  name: str = "张三丰") -> str:
    """A logged-in citizen with a bound real name: their token."""
    token = await wechat_login(server, user)
    bound = await bind(server, token, name=name, id_number=id_number)
    assert bound.status == 200, bound.body
    return token


async def other_citizen(server: TestServer) -> str:
    return await citizen(server, "bob", OTHER_VALID_ID, "李四")


async def draft(server: TestServer, token: str, guide_id: str, **body: Any) -> dict[str, Any]:
    response = await server.post("/mp/v1/cases", json={"guide_id": guide_id, **body}, token=token)
    assert response.status == 201, response.body
    return dict(response.json)


def pages_path(case_id: str, slot_id: str) -> str:
    return f"/mp/v1/cases/{case_id}/materials/{slot_id}/pages"


async def upload(server: TestServer, token: str, case_id: str, slot_id: str, data: bytes,
                 **headers: str) -> Response:
    return await server.post(pages_path(case_id, slot_id), body=data, token=token,
                             headers={"Content-Type": "application/octet-stream", **headers})


async def upload_ok(server: TestServer, token: str, case_id: str, slot_id: str, data: bytes) -> dict[str, Any]:
    response = await upload(server, token, case_id, slot_id, data)
    assert response.status == 201, response.body
    return dict(response.json["page"])


async def download(url: str) -> bytes:
    """Follow a signed link the API handed out."""
    response = await tornado.httpclient.AsyncHTTPClient().fetch(url, raise_error=False)
    assert response.code == 200, (url, response.code)
    return bytes(response.body)


async def stored_keys(deps: Deps, prefix: str = "cases/") -> list[str]:
    return [info.key for info in await deps.store.list(prefix)]


def spool_files(deps: Deps) -> list[Path]:
    directory = deps.settings.var_dir / "spool"
    return sorted(directory.glob("upload-*")) if directory.exists() else []


async def until(condition: Any, seconds: float = 5.0) -> bool:
    """Poll ``condition()`` (sync or async) until it holds or ``seconds`` pass."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value or asyncio.get_running_loop().time() > deadline:
            return bool(value)
        await asyncio.sleep(0.02)


async def officer_acts(deps: Deps, case_id: str, action: Action, *, reason: str | None = None,
                       changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the staff side does, straight through the workflow (its own API is tested on its side)."""
    case = await repository.get_case(deps.db, case_id)
    assert case is not None
    return await transition(deps, case, action, OFFICER, as_role="officer", reason=reason, changes=changes)


async def request_supplement(deps: Deps, case_id: str, slot_ids: list[str]) -> dict[str, Any]:
    notice = {"round": 1, "items": [{"slot_id": slot_id, "name": slot_id, "reason": "照片不清晰"}
                                    for slot_id in slot_ids],
              "note": None, "requested_at": deps.clock.now(), "requested_by": OFFICER.to_doc()}
    return await officer_acts(deps, case_id, Action.REQUEST_SUPPLEMENT, reason="请补正", changes={"supplement": notice})


async def set_verdicts(deps: Deps, case_id: str, verdict: str = "ok") -> dict[str, Any]:
    """Judge every slot with pages (as pre-review does), written under the case's version."""
    case = await repository.get_case(deps.db, case_id)
    assert case is not None
    updated = copy.deepcopy(case)
    for entry in updated["materials"].values():
        entry["verdict"] = verdict
    updated["version"] = case["version"] + 1
    assert await repository.replace_case(deps.db, updated, expected_version=case["version"])
    return updated
