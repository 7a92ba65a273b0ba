"""The warning job: flags 预警, 黄牌 and 红牌 as the days pass, once per level, never while a clock is stopped."""

from __future__ import annotations

from typing import Any

import pytest

from server.actor import Actor
from server.cases import repository
from server.cases.states import Action
from server.cases.supervision import JOB_NAME, flag_case_warnings
from server.cases.workflow import transition
from server.clock import FrozenClock
from server.worker.registry import registered_jobs
from server.worker.runner import run_due_jobs
from tests.conftest import StartServer
from tests.server.cases.staff_factories import (
    china_morning,
    officer,
    passed_case,
    prepare,
    publish_guide,
    submitted_case,
)
from tests.support.server import TestServer

OFFICER = Actor("staff", "u-officer", "窗口甲")
CITIZEN = Actor("citizen", "c-test", "张三丰")


async def started(start_server: StartServer) -> tuple[TestServer, FrozenClock]:
    clock = FrozenClock(china_morning(2026, 11, 16))  # Monday
    server = await start_server(clock=clock)
    await prepare(server)
    return server, clock


async def flags(server: TestServer, case_id: str) -> list[dict[str, Any]]:
    case = await repository.get_case(server.deps.db, case_id)
    assert case is not None
    return [entry for entry in case["history"] if entry["action"] == Action.FLAG_WARNING.value]


@pytest.mark.asyncio
async def test_each_level_is_flagged_once_as_the_clock_advances(start_server: StartServer) -> None:
    server, clock = await started(start_server)
    case = await submitted_case(server, await publish_guide(server))  # pre-review due Monday 23 November
    expected = {16: [], 18: [], 19: ["warning"], 20: ["warning"], 23: ["warning", "yellow"],
                24: ["warning", "yellow", "red"], 27: ["warning", "yellow", "red"]}
    for day, levels in expected.items():
        clock.set(china_morning(2026, 11, day))
        await flag_case_warnings(server.deps)
        await flag_case_warnings(server.deps)  # running twice changes nothing
        assert [entry["data"]["level"] for entry in await flags(server, case["_id"])] == levels, day

    recorded = await flags(server, case["_id"])
    assert [(e["from"], e["to"], e["actor"], e["reason"]) for e in recorded] == [
        ("submitted", "submitted", Actor.system(JOB_NAME).to_doc(), label) for label in ("预警", "黄牌", "红牌")]
    assert [e["data"]["previous"] for e in recorded] == ["none", "warning", "yellow"]
    assert {e["data"]["due_on"] for e in recorded} == {"2026-11-23"}
    stored = await repository.get_case(server.deps.db, case["_id"])
    assert stored is not None
    assert stored["warning_level"] == "red"


@pytest.mark.asyncio
async def test_a_stopped_clock_is_not_flagged_and_its_new_deadline_is(start_server: StartServer) -> None:
    server, clock = await started(start_server)
    case = await submitted_case(server, await publish_guide(server))
    clock.set(china_morning(2026, 11, 17))
    case = await transition(server.deps, case, Action.REQUEST_SUPPLEMENT, OFFICER, as_role="officer",
                            reason="请补正营业执照")
    clock.set(china_morning(2026, 11, 24))  # the original deadline has passed, but the clock is stopped
    result = await flag_case_warnings(server.deps)
    assert result is not None
    assert result["flagged"] == {"warning": 0, "yellow": 0, "red": 0}
    assert await flags(server, case["_id"]) == []

    clock.set(china_morning(2026, 11, 25))
    case = await transition(server.deps, case, Action.RESUBMIT, CITIZEN, as_role="citizen")
    # 18, 19, 20, 23, 24, 25 November stopped: due 6 working days after 23 November.
    assert case["due_on"] == "2026-12-01"
    await flag_case_warnings(server.deps)
    assert await flags(server, case["_id"]) == []
    clock.set(china_morning(2026, 11, 27))
    await flag_case_warnings(server.deps)
    assert [(e["data"]["level"], e["data"]["due_on"]) for e in await flags(server, case["_id"])] == [
        ("warning", "2026-12-01")]


@pytest.mark.asyncio
async def test_the_worker_runs_the_registered_job(start_server: StartServer) -> None:
    server, clock = await started(start_server)
    assert JOB_NAME in registered_jobs()
    case = await submitted_case(server, await publish_guide(server))
    clock.set(china_morning(2026, 11, 23))
    assert await run_due_jobs(server.deps, "test-worker", only=JOB_NAME, force=True) == 1
    assert [entry["data"]["level"] for entry in await flags(server, case["_id"])] == ["yellow"]


@pytest.mark.asyncio
async def test_a_natural_day_deadline_on_a_weekend_is_flagged_two_working_days_ahead(
        start_server: StartServer) -> None:
    server, clock = await started(start_server)
    window = await officer(server, "window")
    guide = await publish_guide(server, promised_days=5, unit="natural_days")
    case = await passed_case(server, window, guide)
    accepted = await window.post(f"/staff/v1/cases/{case['id']}/accept")  # Monday 16: due Saturday 21
    assert (accepted.status, accepted.json["due_on"]) == (200, "2026-11-21")

    clock.set(china_morning(2026, 11, 17))  # 18, 19 and 20 November still to work
    await flag_case_warnings(server.deps)
    assert await flags(server, case["id"]) == []
    clock.set(china_morning(2026, 11, 18))  # only 19 and 20 November left
    await flag_case_warnings(server.deps)
    assert [(e["data"]["level"], e["data"]["due_on"]) for e in await flags(server, case["id"])] == [
        ("warning", "2026-11-21")]
