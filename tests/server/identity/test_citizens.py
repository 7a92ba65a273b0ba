"""Finishing merges: everything of the merged citizen ends on the survivor, however often a merge is resumed."""

from __future__ import annotations

import pytest

from server.identity import repository
from server.identity.citizens import complete_merge, find_citizen
from server.messages import repository as messages
from server.messages.consents import consent_id
from tests.miniprogram_api.factories import alipay_login, wechat_login
from tests.server.messages.factories import consent, identity_of
from tests.support.server import TestServer


@pytest.mark.asyncio
async def test_a_merge_carries_the_consents_to_the_survivor_and_is_safe_to_repeat(server: TestServer) -> None:
    wechat = await wechat_login(server, "alice")
    survivor_id = (await identity_of(server, wechat)).citizen_id
    alipay = await alipay_login(server, "alice-ali")
    await consent(server, alipay, times=2)
    account = await identity_of(server, alipay)
    merged_id = account.citizen_id
    # The merge recorded (binding the same person from a second account), and the process died before
    # completing it.
    assert await repository.mark_merged_if_unbound(server.deps.db, merged_id, survivor_id, server.deps.clock.now())

    for _ in range(2):
        await complete_merge(server.deps.db, merged_id, survivor_id)
    found = await find_citizen(server.deps.db, merged_id)  # and once more, as every look-up does
    assert found is not None
    assert found.id == survivor_id
    stored = await messages.get_consent(server.deps.db, consent_id(account.id, "ali-tpl-case-progress"))
    assert stored is not None
    assert (stored["citizen_id"], stored["identity_id"], stored["remaining"]) == (survivor_id, account.id, 2)
    response = await server.get("/mp/v1/messages/consents", token=alipay)
    assert response.json["consents"] == [{"channel": "alipay", "template_id": "ali-tpl-case-progress",
                                          "remaining": 2, "long_term": False}]
