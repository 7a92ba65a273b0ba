"""Citizen-side case domain: numbers by China date, idempotent answers, materials windows and writes."""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.cases import repository
from server.cases.applications import create_draft
from server.cases.idempotency import Answer, IdempotencyKeyInUse, answer_once
from server.cases.materials import MaterialsLocked, change_slot, missing_required_slots, require_slot_open
from server.clock import FrozenClock
from server.identity.models import Channel
from server.identity.sessions import CitizenPrincipal
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import HOUSEHOLD, ID_CARD, PHOTO, citizen, draft, live_guide
from tests.support.server import TestServer


async def principal_of(server: TestServer, token: str) -> CitizenPrincipal:
    me = await server.get("/mp/v1/me", token=token)
    return CitizenPrincipal(citizen_id=me.json["id"], channel=Channel.ALIPAY, session_id="s", identity_id="i")


@pytest.mark.asyncio
async def test_case_numbers_follow_the_date_in_china(start_server: StartServer) -> None:
    clock = FrozenClock(datetime(2026, 11, 23, 16, 30, tzinfo=UTC))  # 00:30 on 24 November in China
    server = await start_server(clock=clock)
    guide_id = await live_guide(server.deps)
    principal = await principal_of(server, await citizen(server))
    first = await create_draft(server.deps, principal, guide_id, {})
    second = await create_draft(server.deps, principal, guide_id, {})
    assert (first["number"], second["number"]) == ("YW2026112400001", "YW2026112400002")
    assert first["channel"] == "alipay"


@pytest.mark.asyncio
async def test_a_concurrent_retry_does_not_run_the_request_twice(server: TestServer) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    runs = 0

    async def slow() -> Answer:
        nonlocal runs
        runs += 1
        started.set()
        await release.wait()
        return Answer(200, {"n": runs})

    first = asyncio.create_task(answer_once(server.deps, citizen_id="c1", key="k", operation="submit", target="x",
                                            run=slow))
    await started.wait()
    with pytest.raises(IdempotencyKeyInUse):
        await answer_once(server.deps, citizen_id="c1", key="k", operation="submit", target="x", run=slow)
    release.set()
    assert (await first).body == {"n": 1}
    replay = await answer_once(server.deps, citizen_id="c1", key="k", operation="submit", target="x", run=slow)
    assert (replay.body, runs) == ({"n": 1}, 1)
    other_citizen = await answer_once(server.deps, citizen_id="c2", key="k", operation="submit", target="x",
                                      run=slow)
    assert (other_citizen.body, runs) == ({"n": 2}, 2)


@pytest.mark.asyncio
async def test_a_claim_left_by_a_dead_request_is_taken_over(start_server: StartServer) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock)
    request = {"operation": "submit", "target": "x"}
    claimed, _ = await repository.claim_idempotency_key(server.deps.db, "c1:k", request, now=clock.now(),
                                                        expires_at=clock.now() + timedelta(days=1))
    assert claimed

    async def run() -> Answer:
        return Answer(200, {"ok": True})

    with pytest.raises(IdempotencyKeyInUse):
        await answer_once(server.deps, citizen_id="c1", key="k", operation="submit", target="x", run=run)
    clock.advance(seconds=61)
    answer = await answer_once(server.deps, citizen_id="c1", key="k", operation="submit", target="x", run=run)
    assert answer.body == {"ok": True}


@pytest.mark.asyncio
async def test_an_answer_is_replayed_for_a_day_and_not_after(start_server: StartServer) -> None:
    # The server's own check: MongoDB's TTL monitor deletes expired records only when it next runs.
    clock = FrozenClock()
    server = await start_server(clock=clock)
    runs = 0

    async def run() -> Answer:
        nonlocal runs
        runs += 1
        return Answer(200, {"n": runs})

    async def submit() -> Answer:
        return await answer_once(server.deps, citizen_id="c1", key="k", operation="submit", target="x", run=run)

    assert (await submit()).body == {"n": 1}
    clock.advance(hours=23)
    assert (await submit()).body == {"n": 1}
    clock.advance(hours=2)
    assert (await submit()).body == {"n": 2}
    assert (await submit()).body == {"n": 2}


@pytest.mark.asyncio
async def test_concurrent_slot_changes_all_land_and_clear_the_verdict(server: TestServer) -> None:
    token = await citizen(server)
    case = await draft(server, token, await live_guide(server.deps))
    citizen_id = (await server.get("/mp/v1/me", token=token)).json["id"]
    stored = await repository.get_case(server.deps.db, case["id"])
    assert stored is not None
    stored["materials"][ID_CARD] = {"files": [], "verdict": "problem", "verdict_reason": "看不清"}
    stored["version"] += 1
    assert await repository.replace_case(server.deps.db, stored, expected_version=stored["version"] - 1)

    def add(number: int, current: dict[str, Any], entry: dict[str, Any]) -> tuple[bool, int]:
        entry["files"] = [*entry["files"], {"id": f"p{number}", "source": "upload", "upload_size": 10,
                                            "sha256": str(number)}]
        return True, number

    await asyncio.gather(*(change_slot(server.deps, citizen_id, case["id"], ID_CARD, functools.partial(add, n))
                           for n in range(8)))
    updated = await repository.get_case(server.deps.db, case["id"])
    assert updated is not None
    entry = updated["materials"][ID_CARD]
    assert sorted(page["id"] for page in entry["files"]) == [f"p{n}" for n in range(8)]
    assert (entry["source"], entry["verdict"], entry["verdict_reason"]) == ("upload", None, None)
    assert updated["uploaded_bytes"] == 80
    assert missing_required_slots(updated) == [PHOTO]


def test_materials_may_change_in_a_draft_or_in_the_slots_a_supplement_lists() -> None:
    case = {"state": "draft", "guide": {"materials": [{"id": ID_CARD, "name": "a"}, {"id": HOUSEHOLD, "name": "b"}]},
            "supplement": None}
    require_slot_open(case, ID_CARD)
    waiting = {**case, "state": "supplement_requested", "supplement": {"items": [{"slot_id": HOUSEHOLD}]}}
    require_slot_open(waiting, HOUSEHOLD)
    with pytest.raises(MaterialsLocked):
        require_slot_open(waiting, ID_CARD)
    with pytest.raises(MaterialsLocked):
        require_slot_open({**case, "state": "submitted"}, ID_CARD)
