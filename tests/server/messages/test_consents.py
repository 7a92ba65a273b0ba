"""Consents belong to the account (identity) that gave them: they survive merges, and one account's
consents never carry a message to another account of the same citizen."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.cases.states import Action
from server.messages import repository
from server.messages.consents import consent_id, take_consent
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import draft, live_guide
from tests.miniprogram_api.factories import alipay_login, bind, wechat_login
from tests.server.cases.staff_factories import prepare, publish_guide, submitted_case
from tests.server.messages.factories import (
    FAST_RETRIES,
    consent,
    consenting_citizen,
    identity_of,
    merge_into,
    new_submitted_case,
    officer_does,
    received,
    run_delivery,
    walk_to_delivered,
)
from tests.support.server import TestServer

WX = "wx-tpl-case-progress"
ALI = "ali-tpl-case-progress"


async def remaining(server: TestServer, token: str) -> list[tuple[str, int]]:
    response = await server.get("/mp/v1/messages/consents", token=token)
    assert response.status == 200, response.body
    return [(c["template_id"], c["remaining"]) for c in response.json["consents"]]


async def submitted_and_passed(server: TestServer, guide: dict[str, Any], citizen_id: str) -> None:
    """A case that queues two messages: submitted, then passed pre-review."""
    case = await submitted_case(server, guide, citizen_id=citizen_id)
    await officer_does(server, case["_id"], Action.PASS_PRE_REVIEW)


@pytest.mark.asyncio
async def test_consents_given_on_alipay_before_binding_survive_the_merge_and_are_spent_for_an_alipay_case(
        start_server: StartServer) -> None:
    server = await start_server(**FAST_RETRIES)
    _, citizen_id = await consenting_citizen(server, consents=0)
    alipay = await alipay_login(server, "alice-ali")
    await consent(server, alipay, times=3)
    assert (await bind(server, alipay)).status == 200  # the same person: the Alipay citizen merges into the WeChat one
    account = await identity_of(server, alipay)
    assert account.citizen_id == citizen_id
    assert await remaining(server, alipay) == [(ALI, 3)]
    stored = await repository.get_consent(server.deps.db, consent_id(account.id, ALI))
    assert stored is not None
    assert stored["citizen_id"] == citizen_id

    case = await new_submitted_case(server, citizen_id)
    await server.deps.db.cases.update_one({"_id": case["_id"]}, {"$set": {"channel": "alipay"}})
    await walk_to_delivered(server, case["_id"])
    assert await run_delivery(server) == {"sent": 3, "no_consent": 4}
    assert [m["recipient"] for m in await received(server, "alipay")] == [account.subject] * 3
    assert await remaining(server, alipay) == [(ALI, 0)]


@pytest.mark.asyncio
async def test_two_wechat_accounts_of_one_citizen_never_spend_each_others_consents(
        start_server: StartServer) -> None:
    server = await start_server(**FAST_RETRIES)
    first, citizen_id = await consenting_citizen(server, "alice", consents=3)
    second = await wechat_login(server, "alice-second")
    await merge_into(server, second, citizen_id)
    await consent(server, second, times=1)  # the last account to report: once the one recipient of all four
    a, b = await identity_of(server, first), await identity_of(server, second)
    assert a.citizen_id == b.citizen_id == citizen_id
    assert a.subject != b.subject
    assert await remaining(server, first) == [(WX, 3)]
    assert await remaining(server, second) == [(WX, 1)]
    await prepare(server)
    guide = await publish_guide(server)

    await wechat_login(server, "alice")  # the first account is the one used last: messages go to it
    await submitted_and_passed(server, guide, citizen_id)
    assert await run_delivery(server) == {"sent": 2}
    assert [m["recipient"] for m in await received(server)] == [a.subject] * 2
    assert await remaining(server, second) == [(WX, 1)]

    await wechat_login(server, "alice-second")  # now the second one: only its own consent counts
    await submitted_and_passed(server, guide, citizen_id)
    assert await run_delivery(server) == {"sent": 1, "no_consent": 1}
    assert [m["recipient"] for m in await received(server)] == [a.subject] * 2 + [b.subject]
    assert await remaining(server, first) == [(WX, 1)]
    assert await remaining(server, second) == [(WX, 0)]


@pytest.mark.asyncio
async def test_a_case_that_records_its_account_sends_to_that_account(start_server: StartServer) -> None:
    server = await start_server(**FAST_RETRIES)
    first, citizen_id = await consenting_citizen(server, "alice", consents=1)
    second = await wechat_login(server, "alice-second")
    await merge_into(server, second, citizen_id)
    await consent(server, second, times=1)
    a = await identity_of(server, first)
    case = await new_submitted_case(server, citizen_id)
    # The second account logged in last, but the case was made on the first one.
    await server.deps.db.cases.update_one({"_id": case["_id"]}, {"$set": {"identity_id": a.id}})
    assert await run_delivery(server) == {"sent": 1}
    assert [m["recipient"] for m in await received(server)] == [a.subject]
    message = (await repository.messages_of_case(server.deps.db, case["_id"]))[0]
    assert (message["identity_id"], message["recipient"]) == (a.id, a.subject)
    assert await remaining(server, second) == [(WX, 1)]


@pytest.mark.asyncio
async def test_consents_stored_per_citizen_are_adopted_once_by_the_account_they_went_to(
        start_server: StartServer) -> None:
    server = await start_server(**FAST_RETRIES)
    token, citizen_id = await consenting_citizen(server, "alice", consents=0)
    other, _ = await consenting_citizen(server, "bob", consents=0, name="李四", id_number="440524188001010014")
    account = await identity_of(server, token)
    legacy_id = f"{citizen_id}:wechat:{WX}"  # the format before consents were per identity
    await repository.add_one_time_consents(server.deps.db, legacy_id, {
        "citizen_id": citizen_id, "channel": "wechat", "template_id": WX, "recipient": account.subject,
        "updated_at": server.deps.clock.now()}, 3)
    # A worker died after spending one of them for this message, before the message recorded it.
    assert await repository.spend_one_time_consent(server.deps.db, legacy_id, "case-1:1:submitted") is not None
    legacy = await repository.get_consent(server.deps.db, legacy_id)

    assert await remaining(server, other) == []  # another account does not adopt them
    await asyncio.gather(*(remaining(server, token) for _ in range(3)))
    assert await remaining(server, token) == [(WX, 2)]
    assert await repository.get_consent(server.deps.db, legacy_id) is None
    # Cut short after adding the count, before removing the old document: the retry adds nothing.
    assert legacy is not None
    await server.deps.db[repository.CONSENTS].insert_one(legacy)
    assert await remaining(server, token) == [(WX, 2)]
    assert await repository.get_consent(server.deps.db, legacy_id) is None

    # The message that took the old consent takes no second one.
    assert await take_consent(server.deps, account, WX, "case-1:1:submitted") == account.subject
    assert await remaining(server, token) == [(WX, 2)]


@pytest.mark.asyncio
async def test_a_case_made_through_the_api_records_the_account_that_made_it(start_server: StartServer) -> None:
    server = await start_server(**FAST_RETRIES)
    first, citizen_id = await consenting_citizen(server, "alice", consents=1)
    second = await wechat_login(server, "alice-second")
    await merge_into(server, second, citizen_id)
    guide_id = await live_guide(server.deps)
    made = await draft(server, first, guide_id)
    await wechat_login(server, "alice-second")  # logging in later on another account changes nothing
    stored = await server.deps.db.cases.find_one({"_id": made["id"]})
    assert stored is not None
    assert stored["identity_id"] == (await identity_of(server, first)).id
