from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from server.cases import repository as cases
from server.clock import FrozenClock
from server.messages import repository
from server.messages.consents import consent_id, identity_for_message, take_consent
from server.messages.delivery import deliver_due_messages
from server.messages.relay import relay_outboxes
from server.sandbox import messages_repo
from tests.conftest import StartServer
from tests.server.messages.factories import (
    FAST_RETRIES,
    consenting_citizen,
    new_submitted_case,
    received,
    run_delivery,
    walk_to_delivered,
)

WALKED = ["已提交", "需补正材料", "已提交", "预审通过", "已受理", "准予办理", "结果已送达"]


@pytest.mark.asyncio
async def test_a_case_walked_through_its_states_sends_exactly_the_expected_messages(start_server: StartServer) -> None:
    server = await start_server(**FAST_RETRIES)
    _, citizen_id = await consenting_citizen(server)
    case = await new_submitted_case(server, citizen_id)
    await walk_to_delivered(server, case["_id"])
    stored = await cases.get_case(server.deps.db, case["_id"])
    assert stored is not None
    assert len(stored["outbox"]) == 7

    assert await run_delivery(server) == {"sent": 7}
    phone = await received(server)
    assert [m["data"]["phrase3"]["value"] for m in phone] == WALKED
    assert all(m["accepted"] == "yes" and m["data"]["character_string1"]["value"] == case["number"] for m in phone)
    assert phone[1]["data"]["thing4"]["value"] == "营业执照不清晰"
    assert phone[-1]["data"]["thing4"]["value"] == "顺丰速运运单号SF1234567890"
    assert len({m["recipient"] for m in phone}) == 1
    # Relayed and removed from the case; running again sends nothing more.
    stored = await cases.get_case(server.deps.db, case["_id"])
    assert stored is not None
    assert stored["outbox"] == []
    assert stored["outbox_pending"] == 0
    assert await run_delivery(server) == {}
    assert len(await received(server)) == 7
    consents = (await server.get("/mp/v1/messages/consents", token=(await consenting_citizen(server, consents=0))[0]))
    assert consents.json["consents"][0]["remaining"] == 20 - 7


@pytest.mark.asyncio
async def test_temporary_failures_are_retried_with_back_off_until_it_arrives(start_server: StartServer) -> None:
    server = await start_server(**FAST_RETRIES)
    _, citizen_id = await consenting_citizen(server, consents=1)
    case = await new_submitted_case(server, citizen_id)
    await messages_repo.set_behaviour(server.deps.db, "wechat", "temporary", 3, 0)
    await relay_outboxes(server.deps)

    outcomes: Counter[str] = Counter()
    for _ in range(100):
        outcomes.update(await deliver_due_messages(server.deps, "w"))
        if outcomes["sent"]:
            break
        await asyncio.sleep(0.02)
    assert outcomes == {"pending": 3, "sent": 1}
    message = (await repository.messages_of_case(server.deps.db, case["_id"]))[0]
    assert message["status"] == "sent"
    assert message["attempts"] == 4
    assert message["sent_at"] is not None
    phone = await received(server)
    assert [m["accepted"] for m in phone] == ["no", "no", "no", "yes"]
    # One consent, four attempts: retries never spend a second one.
    assert message["consent"] == "reserved"


@pytest.mark.asyncio
async def test_back_off_doubles_and_gives_up_after_the_last_attempt(start_server: StartServer) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock, message_retry_base_seconds=10, message_max_attempts=3)
    _, citizen_id = await consenting_citizen(server, consents=1)
    case = await new_submitted_case(server, citizen_id)
    await messages_repo.set_behaviour(server.deps.db, "wechat", "temporary", 100, 0)
    await relay_outboxes(server.deps)
    message_id = (await repository.messages_of_case(server.deps.db, case["_id"]))[0]["_id"]

    delays = []
    for _ in range(3):
        before = clock.now()
        assert await deliver_due_messages(server.deps, "w") != {}
        assert await deliver_due_messages(server.deps, "w") == {}  # not due again before its back-off
        message = await repository.get_message(server.deps.db, message_id)
        assert message is not None
        if message["status"] == "pending":
            delays.append((message["next_attempt_at"] - before).total_seconds())
            clock.set(message["next_attempt_at"])
    assert delays == [10, 20]
    final = await repository.get_message(server.deps.db, message_id)
    assert final is not None
    assert final["status"] == "failed"
    assert final["error"] == "wechat errcode -1"


@pytest.mark.asyncio
@pytest.mark.parametrize(("mode", "status"), [("refused", "refused"), ("invalid_template", "invalid_template"),
                                              ("rejected", "rejected")])
async def test_permanent_failures_end_at_once(start_server: StartServer, mode: str, status: str) -> None:
    server = await start_server(**FAST_RETRIES)
    _, citizen_id = await consenting_citizen(server, consents=1)
    case = await new_submitted_case(server, citizen_id)
    await messages_repo.set_behaviour(server.deps.db, "wechat", mode, 1, 0)
    assert await run_delivery(server) == {status: 1}
    message = (await repository.messages_of_case(server.deps.db, case["_id"]))[0]
    assert message["status"] == status
    assert message["attempts"] == 1
    assert message["finished_at"] is not None


@pytest.mark.asyncio
async def test_without_consent_messages_end_in_no_consent_and_one_time_consents_are_spent(
        start_server: StartServer) -> None:
    server = await start_server(**FAST_RETRIES)
    _, citizen_id = await consenting_citizen(server, consents=2)
    case = await new_submitted_case(server, citizen_id)
    await walk_to_delivered(server, case["_id"])
    assert await run_delivery(server) == {"sent": 2, "no_consent": 5}
    assert len(await received(server)) == 2


@pytest.mark.asyncio
async def test_long_term_consent_is_not_spent(start_server: StartServer) -> None:
    server = await start_server(message_long_term_template_ids="wx-tpl-case-progress")
    _, citizen_id = await consenting_citizen(server, consents=1)
    case = await new_submitted_case(server, citizen_id)
    await walk_to_delivered(server, case["_id"])
    assert await run_delivery(server) == {"sent": 7}


@pytest.mark.asyncio
async def test_two_workers_deliver_each_message_once(start_server: StartServer) -> None:
    server = await start_server(**FAST_RETRIES)
    _, citizen_id = await consenting_citizen(server, consents=30)
    case = await new_submitted_case(server, citizen_id)
    await walk_to_delivered(server, case["_id"])
    await asyncio.gather(relay_outboxes(server.deps), relay_outboxes(server.deps))
    first, second = await asyncio.gather(deliver_due_messages(server.deps, "a"),
                                         deliver_due_messages(server.deps, "b"))
    assert first.get("sent", 0) + second.get("sent", 0) == 7
    assert len(await received(server)) == 7


@pytest.mark.asyncio
async def test_a_worker_that_died_after_spending_the_consent_does_not_cost_a_second_one(
        start_server: StartServer) -> None:
    server = await start_server(**FAST_RETRIES)
    _, citizen_id = await consenting_citizen(server, consents=1)
    await new_submitted_case(server, citizen_id)
    await relay_outboxes(server.deps)
    # The dead worker leased the message (its lease already over) and spent the one consent, then died
    # before the message recorded it.
    now = server.deps.clock.now()
    message = await repository.lease_next_message(server.deps.db, "dead-worker", now, now - timedelta(seconds=1))
    assert message is not None
    template_id = server.settings.wechat_progress_template_id
    identity = await identity_for_message(server.deps, citizen_id, "wechat", message["identity_id"])
    assert identity is not None
    assert await take_consent(server.deps, identity, template_id, message["_id"]) is not None

    assert await deliver_due_messages(server.deps, "next-worker") == {"sent": 1}
    assert len(await received(server)) == 1
    consent = await repository.get_consent(server.deps.db, consent_id(identity.id, template_id))
    assert consent is not None
    assert consent["remaining"] == 0
    assert not consent.get("spending")  # the note went once the message recorded its consent


@pytest.mark.asyncio
async def test_a_message_takes_one_consent_however_often_it_asks(start_server: StartServer) -> None:
    server = await start_server()
    _, citizen_id = await consenting_citizen(server, consents=2)
    template_id = server.settings.wechat_progress_template_id
    identity = await identity_for_message(server.deps, citizen_id, "wechat")
    assert identity is not None
    recipients = {await take_consent(server.deps, identity, template_id, "case-1:1:submitted") for _ in range(3)}
    assert recipients == {identity.subject}
    assert await take_consent(server.deps, identity, template_id, "case-1:2:accepted") is not None
    assert await take_consent(server.deps, identity, template_id, "case-1:3:approved") is None
