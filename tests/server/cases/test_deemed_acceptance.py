"""Deemed acceptance (Administrative Licensing Law art. 32(4)): pre-review that overruns its limit makes the
case count as accepted from the day its materials arrived, so its completion clock counts from then; the
limit and the warning days are settings."""

from __future__ import annotations

from typing import Any

import pytest

from server.actor import Actor
from server.cases import repository
from server.cases.states import Action
from server.cases.supervision import flag_case_warnings
from server.cases.workflow import transition
from server.clock import FrozenClock
from server.settings import Settings, SettingsError
from tests.conftest import StartServer
from tests.server.cases.staff_factories import (
    LONG_SESSIONS,
    china_morning,
    officer,
    prepare,
    publish_guide,
    started_on_monday,
    submitted_case,
    taken_in,
)
from tests.support.server import TestServer
from tests.support.staff import StaffBrowser

OFFICER = Actor("staff", "u-officer", "窗口甲")
CITIZEN = Actor("citizen", "c-test", "张三丰")


def frozen(server: TestServer) -> FrozenClock:
    assert isinstance(server.clock, FrozenClock)
    return server.clock


async def detail(window: StaffBrowser, case_id: str) -> dict[str, Any]:
    response = await window.get(f"/staff/v1/cases/{case_id}")
    assert response.status == 200, response.body
    return dict(response.json)


async def scene(start_server: StartServer) -> tuple[TestServer, StaffBrowser, dict[str, Any], dict[str, Any]]:
    """A 10-working-day guide and a case submitted Monday 16 November 2026: pre-review due Monday 23."""
    server = await started_on_monday(start_server)
    window = await officer(server, "window")
    guide = await publish_guide(server, promised_days=10)
    case = await submitted_case(server, guide)
    assert case["due_on"] == "2026-11-23"
    return server, window, guide, case


@pytest.mark.asyncio
async def test_a_pass_after_the_limit_counts_the_case_from_the_day_it_arrived(start_server: StartServer) -> None:
    server, window, guide, case = await scene(start_server)
    frozen(server).set(china_morning(2026, 11, 27))  # Friday, four days late
    accepted = await taken_in(window, guide, case["_id"], originals_check="by_mail")

    acceptance = accepted["acceptance"]
    assert (acceptance["promised_on"], acceptance["deemed_accepted_on"]) == ("2026-11-30", "2026-11-16")
    assert accepted["history"][-1]["data"] | {"document_no": None} == {
        "document_no": None, "promised_on": "2026-11-30", "deemed_accepted_on": "2026-11-16"}
    shown = await detail(window, case["_id"])
    assert (shown["clocks"]["completion"]["started_on"], shown["clocks"]["completion"]["due_on"]) == (
        "2026-11-16", "2026-11-30")
    # One working day left (30 November): the queue shows it at once.
    assert (shown["due_on"], shown["warning_level"]) == ("2026-11-30", "warning")


@pytest.mark.asyncio
async def test_a_pass_on_the_last_day_starts_the_clock_at_acceptance(start_server: StartServer) -> None:
    server, window, guide, case = await scene(start_server)
    frozen(server).set(china_morning(2026, 11, 23))
    accepted = await taken_in(window, guide, case["_id"], originals_check="by_mail")
    assert (accepted["acceptance"]["promised_on"], accepted["acceptance"]["deemed_accepted_on"]) == (
        "2026-12-07", None)
    assert (await detail(window, case["_id"]))["clocks"]["completion"]["started_on"] == "2026-11-23"


@pytest.mark.asyncio
async def test_after_a_timely_supplement_notice_the_resubmitted_materials_count(start_server: StartServer) -> None:
    server, window, guide, case = await scene(start_server)
    clock = frozen(server)
    clock.set(china_morning(2026, 11, 18))
    case = await transition(server.deps, case, Action.REQUEST_SUPPLEMENT, OFFICER, as_role="officer",
                            reason="请补正营业执照")
    clock.set(china_morning(2026, 11, 20))
    case = await transition(server.deps, case, Action.RESUBMIT, CITIZEN, as_role="citizen")
    assert case["due_on"] == "2026-11-25"  # 19 and 20 November stopped
    clock.set(china_morning(2026, 11, 27))
    accepted = await taken_in(window, guide, case["_id"], originals_check="by_mail")
    # Counted from Friday 20 November, the day the supplemented materials arrived.
    assert (accepted["acceptance"]["deemed_accepted_on"], accepted["acceptance"]["promised_on"]) == (
        "2026-11-20", "2026-12-04")


@pytest.mark.asyncio
async def test_a_late_supplement_notice_leaves_the_first_submission_counting(start_server: StartServer) -> None:
    server, window, guide, case = await scene(start_server)
    clock = frozen(server)
    clock.set(china_morning(2026, 11, 24))  # the notice comes a day after the limit
    case = await transition(server.deps, case, Action.REQUEST_SUPPLEMENT, OFFICER, as_role="officer",
                            reason="请补正营业执照")
    clock.set(china_morning(2026, 11, 25))
    case = await transition(server.deps, case, Action.RESUBMIT, CITIZEN, as_role="citizen")
    clock.set(china_morning(2026, 11, 26))
    accepted = await taken_in(window, guide, case["_id"], originals_check="by_mail")
    assert (accepted["acceptance"]["deemed_accepted_on"], accepted["acceptance"]["promised_on"]) == (
        "2026-11-16", "2026-11-30")


@pytest.mark.asyncio
async def test_the_pre_review_limit_and_the_warning_days_are_settings(start_server: StartServer) -> None:
    server = await start_server(clock=FrozenClock(china_morning(2026, 11, 16)), pre_review_limit_working_days=3,
                                case_warn_working_days=1, **LONG_SESSIONS)
    await prepare(server)
    case = await submitted_case(server, await publish_guide(server))
    assert (case["clocks"]["pre_review"]["limit"], case["due_on"]) == (3, "2026-11-19")

    clock = frozen(server)
    clock.set(china_morning(2026, 11, 17))  # two working days left: 预警 only at one
    await flag_case_warnings(server.deps)
    stored = await repository.get_case(server.deps.db, case["_id"])
    assert stored is not None
    assert stored["warning_flag"] is None
    clock.set(china_morning(2026, 11, 18))
    await flag_case_warnings(server.deps)
    stored = await repository.get_case(server.deps.db, case["_id"])
    assert stored is not None
    assert (stored["warning_level"], stored["warning_flag"]["level"]) == ("warning", "warning")


def test_the_settings_refuse_impossible_values() -> None:
    assert Settings.from_env({}).pre_review_limit_working_days == 5
    assert Settings.from_env({}).case_warn_working_days == 2
    with pytest.raises(SettingsError, match="PRE_REVIEW_LIMIT_WORKING_DAYS"):
        Settings.from_env({"PRE_REVIEW_LIMIT_WORKING_DAYS": "0"})
    with pytest.raises(SettingsError, match="CASE_WARN_WORKING_DAYS"):
        Settings.from_env({"CASE_WARN_WORKING_DAYS": "-1"})
