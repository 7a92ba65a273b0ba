"""Real-name binding needs a verification the provider passed, for the caller, that name and that number."""

from __future__ import annotations

from typing import Any

import pytest

from server.clock import FrozenClock
from server.identity import repository
from server.identity.citizens import ID_NUMBER_LABEL, reveal_mobile
from server.providers.wechat import WechatUnavailable
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import citizen, draft, live_guide
from tests.miniprogram_api.factories import (
    MOBILE,
    OTHER_VALID_ID,
    VALID_ID,
    alipay_login,
    bind,
    face_check,
    finish_binding,
    legacy_binding,
    openid_of,
    start_verification,
    wechat_login,
)
from tests.support.server import Response, TestServer

VERIFICATIONS = "/mp/v1/me/real-name/verifications"


async def me(server: TestServer, token: str) -> dict[str, Any]:
    response = await server.get("/mp/v1/me", token=token)
    assert response.status == 200
    return dict(response.json)


async def started(server: TestServer, token: str, name: str = "张三丰", id_number: str = VALID_ID) -> Response:
    response = await start_verification(server, token, name, id_number)
    assert response.status == 201, response.body
    return response


# ---------------------------------------------------------------------------------------------- the flows
@pytest.mark.asyncio
async def test_wechat_binding_goes_through_a_face_check_of_the_caller(server: TestServer) -> None:
    token = await wechat_login(server, "alice")
    step1 = await started(server, token)
    assert step1.json["channel"] == "wechat"
    assert step1.json["certify_id"] is None
    assert VALID_ID.encode() not in step1.body
    extra = await face_check(server, token, step1)
    bound = await finish_binding(server, token, step1.json["verification_id"], **extra)
    assert bound.status == 200, bound.body
    assert bound.json["real_name"]["id_number"] == "1101**********002X"
    citizen_doc = await repository.get_citizen(server.deps.db, bound.json["id"])
    assert citizen_doc is not None
    assert citizen_doc.real_name is not None
    assert citizen_doc.real_name.verification == "wechat_face"


@pytest.mark.asyncio
async def test_alipay_binding_goes_through_a_certification_and_joins_the_wechat_citizen(server: TestServer) -> None:
    wechat = await wechat_login(server, "alice")
    assert (await bind(server, wechat)).status == 200
    alipay = await alipay_login(server, "alice")
    step1 = await started(server, alipay)
    assert step1.json["channel"] == "alipay"
    assert step1.json["certify_id"]
    not_yet = await finish_binding(server, alipay, step1.json["verification_id"], mobile="13900001111")
    assert (not_yet.status, not_yet.error_code) == (409, "real_name_verification_failed")

    step1 = await started(server, alipay)
    assert await face_check(server, alipay, step1) == {}
    joined = await finish_binding(server, alipay, step1.json["verification_id"], mobile="13900001111")
    assert joined.status == 200, joined.body
    assert joined.json["id"] == (await me(server, wechat))["id"]
    assert sorted(i["channel"] for i in joined.json["identities"]) == ["alipay", "wechat"]
    assert joined.json["real_name"]["mobile"] == "138****5678"


# ---------------------------------------------------------------------------------------------- attacks
@pytest.mark.asyncio
async def test_knowing_name_and_number_no_longer_takes_over_an_account(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    victim = await citizen(server, "victim")
    case = await draft(server, victim, guide_id, form={"address": "北京市东城区某街1号"})
    victim_id = (await me(server, victim))["id"]
    attacker = await wechat_login(server, "attacker")

    # The old request shape binds nothing.
    old = await server.post("/mp/v1/me/real-name", token=attacker,
                            json={"name": "张三丰", "id_number": VALID_ID, "mobile": "13900009999"})
    assert (old.status, old.error_code) == (422, "validation_failed")
    # The attacker's face does not match the victim: WeChat says so.
    step1 = await started(server, attacker)
    failed = await finish_binding(server, attacker, step1.json["verification_id"], mobile="13900009999",
                                  **await face_check(server, attacker, step1, passed=False))
    assert (failed.status, failed.error_code) == (409, "real_name_verification_failed")
    # The attacker's own (passed) face check, as themselves, proves nothing about the victim.
    step1 = await started(server, attacker)
    own_face = await face_check(server, attacker, step1, name="李四", id_number=OTHER_VALID_ID)
    other_person = await finish_binding(server, attacker, step1.json["verification_id"], **own_face)
    assert (other_person.status, other_person.error_code) == (409, "real_name_verification_failed")

    assert (await me(server, attacker))["real_name"] is None
    assert (await me(server, attacker))["id"] != victim_id
    assert (await server.get("/mp/v1/cases", token=attacker)).json["items"] == []
    assert (await server.get(f"/mp/v1/cases/{case['id']}", token=attacker)).status == 404
    stored = await repository.get_citizen(server.deps.db, victim_id)
    assert reveal_mobile(server.deps.pii, stored) == MOBILE  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_another_accounts_verification_or_face_check_cannot_be_used(server: TestServer) -> None:
    victim = await wechat_login(server, "victim")
    attacker = await wechat_login(server, "attacker")
    victims = await started(server, victim)
    victims_face = await face_check(server, victim, victims)
    # The victim's verification id: not the attacker's to use (nor to learn about).
    stolen = await finish_binding(server, attacker, victims.json["verification_id"], **victims_face)
    assert (stolen.status, stolen.error_code) == (404, "real_name_verification_not_found")
    # The victim's verifyResult with the attacker's own verification: WeChat names the victim's openid.
    own = await started(server, attacker)
    replayed = await finish_binding(server, attacker, own.json["verification_id"], **victims_face)
    assert (replayed.status, replayed.error_code) == (409, "real_name_verification_failed")
    assert (await me(server, attacker))["real_name"] is None
    # The victim, untouched, still binds with both.
    bound = await finish_binding(server, victim, victims.json["verification_id"], **victims_face)
    assert bound.status == 200, bound.body
    unknown = await finish_binding(server, attacker, "0" * 32, verify_result="x")
    assert (unknown.status, unknown.error_code) == (404, "real_name_verification_not_found")


@pytest.mark.asyncio
async def test_a_verification_and_a_face_check_work_once(server: TestServer) -> None:
    token = await wechat_login(server, "alice")
    step1 = await started(server, token)
    face = await face_check(server, token, step1)
    assert (await finish_binding(server, token, step1.json["verification_id"], **face)).status == 200
    again = await finish_binding(server, token, step1.json["verification_id"], **face)
    assert (again.status, again.error_code) == (409, "real_name_verification_used")
    # The same verifyResult with a fresh verification: a face check proves one binding.
    fresh = await started(server, token)
    replayed = await finish_binding(server, token, fresh.json["verification_id"], **face)
    assert (replayed.status, replayed.error_code) == (409, "real_name_verification_failed")
    # A failed verification is spent too.
    failing = await started(server, token)
    bad_face = await face_check(server, token, failing, passed=False)
    assert (await finish_binding(server, token, failing.json["verification_id"], **bad_face)).status == 409
    retried = await finish_binding(server, token, failing.json["verification_id"], **face)
    assert (retried.status, retried.error_code) == (409, "real_name_verification_used")


@pytest.mark.asyncio
async def test_the_sixth_verification_of_a_day_is_refused(start_server: StartServer) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock)
    attacker = await wechat_login(server, "attacker")
    names = ["张三", "张四", "张五", "张六", "张七"]
    for name in names:
        await started(server, attacker, name=name)
    refused = await start_verification(server, attacker, name="张三丰")
    assert (refused.status, refused.error_code) == (429, "real_name_verification_limit")
    assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
    assert await server.deps.db[repository.VERIFICATIONS].count_documents({}) == len(names)
    # The next day (China time) counts afresh.
    clock.advance(seconds=int(refused.headers["Retry-After"]))
    assert (await start_verification(server, attacker, name="张三丰")).status == 201


@pytest.mark.asyncio
async def test_a_squatter_is_displaced_by_the_verified_owner(server: TestServer) -> None:
    squatter = await wechat_login(server, "squatter")
    squatter_id = (await me(server, squatter))["id"]
    await legacy_binding(server, squatter_id, "李鬼")
    owner = await alipay_login(server, "owner")
    owner_id = (await me(server, owner))["id"]

    bound = await bind(server, owner)
    assert bound.status == 200, bound.body
    assert bound.json["id"] == owner_id != squatter_id
    assert bound.json["real_name"]["name"] == "张*丰"
    squatter_now = await me(server, squatter)  # the squatter's token still works, unbound
    assert squatter_now["real_name"] is None
    claim = await repository.get_id_claim(server.deps.db, server.deps.pii.blind_index(ID_NUMBER_LABEL, VALID_ID))
    assert claim is not None
    assert claim.citizen_id == owner_id
    released = await server.deps.db[repository.CITIZENS].find_one({"_id": squatter_id})
    assert released["released_real_name"]["id_number_masked"] == "1101**********002X"
    assert VALID_ID not in repr(released)
    # The owner's second channel joins the owner; the squatter cannot get the number back.
    assert (await bind(server, await wechat_login(server, "owner"))).json["id"] == owner_id
    step1 = await started(server, squatter, name="李鬼")
    lost = await finish_binding(server, squatter, step1.json["verification_id"],
                                **await face_check(server, squatter, step1, name="李鬼", passed=False))
    assert lost.status == 409


@pytest.mark.asyncio
async def test_an_unproved_binding_under_the_same_name_is_joined_and_keeps_its_mobile(server: TestServer) -> None:
    first = await wechat_login(server, "alice")
    first_id = (await me(server, first))["id"]
    await legacy_binding(server, first_id, "张三丰")
    joined = await bind(server, await alipay_login(server, "alice"), mobile="13900001111")
    assert joined.status == 200
    assert joined.json["id"] == first_id
    assert joined.json["real_name"]["mobile"] == "138****5678"
    stored = await repository.get_citizen(server.deps.db, first_id)
    assert stored is not None
    assert stored.real_name is not None
    assert stored.real_name.verification == "alipay_certify"


@pytest.mark.asyncio
async def test_a_person_verified_under_a_new_name_stays_one_citizen(server: TestServer) -> None:
    before = await wechat_login(server, "alice")
    assert (await bind(server, before)).status == 200
    # Both bindings were proved for one number: the person changed name in between.
    after = await bind(server, await alipay_login(server, "alice"), name="张三")
    assert after.status == 200, after.body
    assert after.json["id"] == (await me(server, before))["id"]
    assert after.json["real_name"]["name"] == "张*"


# ---------------------------------------------------------------------------------------------- edges
@pytest.mark.asyncio
async def test_a_verification_expires(start_server: StartServer) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock)
    token = await wechat_login(server, "alice")
    step1 = await started(server, token)
    assert step1.json["expires_at"].startswith("2026-11-23T09:30:00")
    face = await face_check(server, token, step1)
    clock.advance(seconds=server.settings.real_name_verification_seconds + 1)
    late = await finish_binding(server, token, step1.json["verification_id"], **face)
    assert (late.status, late.error_code) == (409, "real_name_verification_expired")


@pytest.mark.asyncio
async def test_a_face_check_done_before_the_verification_started_proves_nothing(start_server: StartServer) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock)
    token = await wechat_login(server, "alice")
    early = await face_check(server, token, await started(server, token))
    clock.advance(minutes=10)
    step1 = await started(server, token)
    stale = await finish_binding(server, token, step1.json["verification_id"], **early)
    assert (stale.status, stale.error_code) == (409, "real_name_verification_failed")


@pytest.mark.asyncio
async def test_wechat_needs_the_verify_result_and_a_bad_mobile_spends_nothing(server: TestServer) -> None:
    token = await wechat_login(server, "alice")
    step1 = await started(server, token)
    verification_id = step1.json["verification_id"]
    missing = await finish_binding(server, token, verification_id)
    assert (missing.status, missing.error_code) == (422, "verify_result_required")
    face = await face_check(server, token, step1)
    bad_mobile = await finish_binding(server, token, verification_id, mobile="12812345678", **face)
    assert (bad_mobile.status, bad_mobile.error_code) == (422, "invalid_mobile")
    assert (await finish_binding(server, token, verification_id, **face)).status == 200


@pytest.mark.asyncio
async def test_a_provider_that_cannot_answer_leaves_the_verification_usable(
        server: TestServer, monkeypatch: pytest.MonkeyPatch) -> None:
    token = await wechat_login(server, "alice")
    step1 = await started(server, token)
    face = await face_check(server, token, step1)

    async def unreachable(verify_result: str) -> None:
        raise WechatUnavailable()

    with monkeypatch.context() as patch:
        patch.setattr(server.deps.wechat, "face_identification", unreachable)
        down = await finish_binding(server, token, step1.json["verification_id"], **face)
    assert (down.status, down.error_code) == (502, "wechat_unavailable")
    assert (await finish_binding(server, token, step1.json["verification_id"], **face)).status == 200


@pytest.mark.asyncio
async def test_a_bound_citizen_starts_no_verification_for_another_number(server: TestServer) -> None:
    token = await wechat_login(server, "alice")
    assert (await bind(server, token)).status == 200
    refused = await start_verification(server, token, "李四", OTHER_VALID_ID)
    assert (refused.status, refused.error_code) == (409, "real_name_already_bound")
    assert await server.deps.db[repository.VERIFICATIONS].count_documents({}) == 1
    assert await openid_of(server, token)
