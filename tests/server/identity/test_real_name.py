"""Binding survives crashes between its writes and races between requests (through HTTP, state via the repository)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from server.clock import FrozenClock
from server.identity import repository
from server.identity.citizens import ID_NUMBER_LABEL, NAME_LABEL
from server.identity.models import IdClaim
from server.identity.real_name import PENDING_CLAIM_SECONDS
from tests.conftest import StartServer
from tests.miniprogram_api.factories import (
    OTHER_VALID_ID,
    VALID_ID,
    alipay_login,
    bind,
    legacy_binding,
    wechat_login,
)
from tests.support.server import TestServer


async def citizen_id(server: TestServer, token: str) -> str:
    response = await server.get("/mp/v1/me", token=token)
    assert response.status == 200
    return str(response.json["id"])


def id_index(server: TestServer, number: str = VALID_ID) -> str:
    return str(server.deps.pii.blind_index(ID_NUMBER_LABEL, number))


async def claim_holder(server: TestServer) -> str | None:
    """The citizen that holds the test ID number's claim, if any."""
    claim = await repository.get_id_claim(server.deps.db, id_index(server))
    return claim.citizen_id if claim else None


async def crash_after_claim(server: TestServer, holder: str, name: str = "张三丰",
                            number: str = VALID_ID) -> None:
    """The state a binding leaves when the process dies right after claiming the number."""
    claim = IdClaim(id_index(server, number), holder, server.deps.pii.blind_index(NAME_LABEL, name),
                    server.deps.clock.now())
    assert await repository.claim_id_number(server.deps.db, claim)


@pytest.mark.asyncio
async def test_a_binding_cut_short_after_the_claim_is_finished_by_the_retry(server: TestServer) -> None:
    token = await wechat_login(server, "alice")
    me = await citizen_id(server, token)
    await crash_after_claim(server, me)
    response = await bind(server, token)
    assert response.status == 200
    assert response.json["id"] == me
    assert await claim_holder(server) == me


@pytest.mark.asyncio
async def test_a_second_channel_finishes_and_joins_a_binding_cut_short(server: TestServer) -> None:
    wechat = await wechat_login(server, "alice")
    holder = await citizen_id(server, wechat)
    await crash_after_claim(server, holder)
    alipay = await alipay_login(server, "alice")
    joined = await bind(server, alipay)
    assert joined.status == 200
    assert joined.json["id"] == holder
    assert joined.json["real_name"]["id_number"] == "1101**********002X"
    retried = await bind(server, wechat)
    assert retried.status == 200
    assert retried.json["id"] == holder


@pytest.mark.asyncio
async def test_an_abandoned_claim_under_another_name_blocks_only_for_a_while(start_server: StartServer) -> None:
    clock = FrozenClock(datetime.now(UTC))
    server = await start_server(clock=clock)
    abandoned = await citizen_id(server, await wechat_login(server, "typo"))
    await crash_after_claim(server, abandoned, name="张三")
    token = await alipay_login(server, "alice")
    early = await bind(server, token)
    assert (early.status, early.error_code) == (409, "real_name_mismatch")
    clock.advance(seconds=PENDING_CLAIM_SECONDS + 1)
    late = await bind(server, token)
    assert late.status == 200
    assert late.json["id"] == await citizen_id(server, token) != abandoned
    assert await claim_holder(server) == late.json["id"]


@pytest.mark.asyncio
async def test_a_claim_left_by_a_citizen_bound_to_another_number_is_taken_over(server: TestServer) -> None:
    first = await wechat_login(server, "alice")
    first_id = await citizen_id(server, first)
    # alice's process died after claiming VALID_ID; she then bound OTHER_VALID_ID instead.
    await crash_after_claim(server, first_id)
    await server.deps.db[repository.ID_CLAIMS].delete_one({"_id": id_index(server)})
    assert (await bind(server, first, name="李四", id_number=OTHER_VALID_ID)).status == 200
    await crash_after_claim(server, first_id)  # a leftover claim, as after a crash before the clean-up

    owner = await alipay_login(server, "bob")
    response = await bind(server, owner)
    assert response.status == 200
    assert response.json["id"] == await citizen_id(server, owner) != first_id
    assert (await server.get("/mp/v1/me", token=first)).json["real_name"]["id_number"] == "4405**********0014"


@pytest.mark.asyncio
async def test_a_merge_cut_short_is_finished_by_the_next_request(server: TestServer) -> None:
    wechat = await wechat_login(server, "alice")
    survivor = await citizen_id(server, wechat)
    assert (await bind(server, wechat)).status == 200
    alipay = await alipay_login(server, "alice")
    merged = await citizen_id(server, alipay)
    # The process died right after marking the Alipay citizen merged: identities and sessions still point at it.
    assert await repository.mark_merged_if_unbound(server.deps.db, merged, survivor, server.deps.clock.now())

    assert await citizen_id(server, alipay) == survivor
    assert await repository.identities_of(server.deps.db, merged) == []
    assert await server.deps.db[repository.SESSIONS].count_documents({"citizen_id": merged}) == 0
    assert await citizen_id(server, await alipay_login(server, "alice")) == survivor


@pytest.mark.asyncio
async def test_two_channels_binding_one_number_at_once_end_as_one_citizen(server: TestServer) -> None:
    wechat, alipay = await wechat_login(server, "alice"), await alipay_login(server, "alice")
    first, second = await asyncio.gather(bind(server, wechat), bind(server, alipay))
    assert first.status == second.status == 200
    assert first.json["id"] == second.json["id"]
    assert await citizen_id(server, wechat) == await citizen_id(server, alipay)


@pytest.mark.asyncio
async def test_one_citizen_binding_two_numbers_at_once_keeps_one(server: TestServer) -> None:
    token = await wechat_login(server, "alice")
    me = await citizen_id(server, token)
    outcomes = await asyncio.gather(bind(server, token), bind(server, token, id_number=OTHER_VALID_ID))
    assert sorted(o.status for o in outcomes) == [200, 409]
    assert [o.error_code for o in outcomes if o.status == 409] == ["real_name_already_bound"]
    claims = await server.deps.db[repository.ID_CLAIMS].find({"citizen_id": me}).to_list()
    assert len(claims) == 1
    citizen = await repository.get_citizen(server.deps.db, me)
    assert citizen is not None
    assert citizen.real_name is not None
    assert claims[0]["_id"] == citizen.real_name.id_number_index


@pytest.mark.asyncio
async def test_a_displacement_cut_short_after_the_release_is_finished_by_the_retry(server: TestServer) -> None:
    squatter = await citizen_id(server, await wechat_login(server, "squatter"))
    await legacy_binding(server, squatter, "李鬼")
    # The owner's process died right after releasing the squatter's real name: the claim is still the squatter's.
    squat = await repository.get_citizen(server.deps.db, squatter)
    assert squat is not None
    assert squat.real_name is not None
    assert await repository.release_real_name(server.deps.db, squatter, id_index(server), "李鬼",
                                              masked=squat.real_name.id_number_masked, now=server.deps.clock.now())

    owner = await alipay_login(server, "owner")
    retried = await bind(server, owner)
    assert retried.status == 200
    assert retried.json["id"] == await citizen_id(server, owner) != squatter
    assert await claim_holder(server) == retried.json["id"]


@pytest.mark.asyncio
async def test_the_owner_and_a_second_channel_displacing_a_squatter_at_once_end_as_one_citizen(
        server: TestServer) -> None:
    squatter = await citizen_id(server, await wechat_login(server, "squatter"))
    await legacy_binding(server, squatter, "李鬼")
    wechat, alipay = await wechat_login(server, "owner"), await alipay_login(server, "owner")
    first, second = await asyncio.gather(bind(server, wechat), bind(server, alipay))
    assert first.status == second.status == 200
    assert first.json["id"] == second.json["id"] != squatter
    squat = await repository.get_citizen(server.deps.db, squatter)
    assert squat is not None
    assert squat.real_name is None
