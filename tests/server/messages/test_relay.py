from __future__ import annotations

import pytest

from server.cases import repository as cases
from server.cases.states import Action
from server.cases.workflow import transition
from server.messages import repository
from server.messages.relay import relay_outboxes
from tests.conftest import StartServer
from tests.server.messages.factories import OFFICER, new_submitted_case


@pytest.mark.asyncio
async def test_relaying_is_idempotent_even_when_a_transition_writes_relayed_entries_back(
        start_server: StartServer) -> None:
    server = await start_server()
    case = await new_submitted_case(server, "c-relay")
    read_by_officer = await cases.get_case(server.deps.db, case["_id"])
    assert read_by_officer is not None
    assert await relay_outboxes(server.deps) == {"relayed": 1, "cases": 1}
    # The relay leaves the version alone, so the officer's transition from the earlier read still succeeds,
    # and writes the already relayed entry back next to its own.
    await transition(server.deps, read_by_officer, Action.PASS_PRE_REVIEW, OFFICER, as_role="officer")
    stored = await cases.get_case(server.deps.db, case["_id"])
    assert stored is not None
    assert [entry["kind"] for entry in stored["outbox"]] == ["submitted", "pre_review_passed"]

    assert await relay_outboxes(server.deps) == {"relayed": 1, "cases": 1}
    assert await relay_outboxes(server.deps) == {"relayed": 0, "cases": 0}
    messages = await repository.messages_of_case(server.deps.db, case["_id"])
    assert [(m["kind"], m["history_seq"], m["status"]) for m in messages] == [
        ("submitted", 1, "pending"), ("pre_review_passed", 2, "pending")]


@pytest.mark.asyncio
async def test_internal_steps_send_nothing_and_warnings_do(start_server: StartServer) -> None:
    server = await start_server()
    case = await new_submitted_case(server, "c-relay")
    for action in (Action.PASS_PRE_REVIEW, Action.ACCEPT, Action.START_PROCESSING, Action.RECORD_STEP):
        current = await cases.get_case(server.deps.db, case["_id"])
        assert current is not None
        await transition(server.deps, current, action, OFFICER, as_role="officer")
    current = await cases.get_case(server.deps.db, case["_id"])
    assert current is not None
    await transition(server.deps, current, Action.FLAG_WARNING, OFFICER, as_role="system", reason="即将超期")
    await relay_outboxes(server.deps)
    messages = await repository.messages_of_case(server.deps.db, case["_id"])
    assert [m["kind"] for m in messages] == ["submitted", "pre_review_passed", "accepted", "overdue_warning"]
