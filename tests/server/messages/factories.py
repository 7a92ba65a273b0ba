"""Plain factories for message tests: a citizen who consented, a case walked through its states."""

from __future__ import annotations

from typing import Any

from server.actor import Actor
from server.cases import repository
from server.cases.states import Action
from server.cases.workflow import transition
from server.identity import repository as identities
from server.identity.citizens import find_citizen
from server.identity.models import CitizenIdentity
from server.identity.sessions import authenticate_token
from server.messages.delivery import deliver_due_messages
from server.messages.relay import relay_outboxes
from server.sandbox import messages_repo
from tests.server.cases.staff_factories import prepare, publish_guide, real_name_citizen, submitted_case
from tests.support.server import TestServer

OFFICER = Actor("staff", "u-officer", "王小二")
# Every settings override a delivery test needs: retries after a blink, not half a minute.
FAST_RETRIES: dict[str, Any] = {"message_retry_base_seconds": 0.01, "message_retry_max_seconds": 0.05}


async def consenting_citizen(server: TestServer, user: str = "alice", consents: int = 20,
                             **real_name: str) -> tuple[str, str]:
    """(token, citizen id) of a WeChat citizen with a real name who accepted the progress template N times."""
    token, citizen_id = await real_name_citizen(server, user, **real_name)
    template_id = server.settings.wechat_progress_template_id
    for _ in range(consents):
        response = await server.post("/mp/v1/messages/consents", json={"results": {template_id: "accept"}},
                                     token=token)
        assert response.status == 200, response.body
    return token, citizen_id


async def new_submitted_case(server: TestServer, citizen_id: str) -> dict[str, Any]:
    await prepare(server)
    guide = await publish_guide(server)
    return await submitted_case(server, guide, citizen_id=citizen_id)


async def officer_does(server: TestServer, case_id: str, action: Action, *, reason: str | None = None,
                       record: dict[str, Any] | None = None) -> dict[str, Any]:
    case = await repository.get_case(server.deps.db, case_id)
    assert case is not None
    return await transition(server.deps, case, action, OFFICER, as_role="officer", reason=reason, record=record)


async def walk_to_delivered(server: TestServer, case_id: str) -> None:
    """From submitted through a supplement round to delivered by express."""
    await officer_does(server, case_id, Action.REQUEST_SUPPLEMENT, reason="营业执照不清晰")
    case = await repository.get_case(server.deps.db, case_id)
    assert case is not None
    await transition(server.deps, case, Action.RESUBMIT, Actor("citizen", case["applicant"]["citizen_id"], "张三丰"),
                     as_role="citizen")
    for action in (Action.PASS_PRE_REVIEW, Action.ACCEPT, Action.START_PROCESSING, Action.APPROVE):
        await officer_does(server, case_id, action)
    await officer_does(server, case_id, Action.DELIVER, record={"method": "express", "waybill_no": "SF1234567890",
                                                                "carrier": "顺丰速运"})


async def run_delivery(server: TestServer) -> dict[str, int]:
    """What the worker's jobs do: relay the outboxes, then deliver what is due."""
    await relay_outboxes(server.deps)
    return await deliver_due_messages(server.deps, "test-worker")


async def received(server: TestServer, channel: str = "wechat") -> list[dict[str, Any]]:
    return await messages_repo.received(server.deps.db, channel)


async def identity_of(server: TestServer, token: str) -> CitizenIdentity:
    """The account (WeChat openid, Alipay user) a citizen's token was issued to."""
    principal = await authenticate_token(server.deps, token)
    identity = await identities.get_identity(server.deps.db, principal.identity_id)
    assert identity is not None
    return identity


async def merge_into(server: TestServer, token: str, survivor_id: str) -> None:
    """Merge the unbound citizen behind ``token`` into ``survivor_id``, as binding does when the same person
    binds from a second account (the merge recorded, then completed on the next look-up)."""
    merged = await identity_of(server, token)
    assert await identities.mark_merged_if_unbound(server.deps.db, merged.citizen_id, survivor_id,
                                                   server.deps.clock.now())
    survivor = await find_citizen(server.deps.db, merged.citizen_id)
    assert survivor is not None
    assert survivor.id == survivor_id


async def consent(server: TestServer, token: str, times: int = 1, result: str = "accept") -> dict[str, Any]:
    """What the mini-program reports after requestSubscribeMessage, ``times`` times, for its channel's template."""
    template_id = (await server.get("/mp/v1/messages/templates", token=token)).json["templates"][0]["template_id"]
    response = None
    for _ in range(times):
        response = await server.post("/mp/v1/messages/consents", json={"results": {template_id: result}},
                                     token=token)
        assert response.status == 200, response.body
    assert response is not None
    return dict(response.json)
