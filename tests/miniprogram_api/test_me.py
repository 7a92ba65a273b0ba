from __future__ import annotations

import pytest

from server.identity import repository
from server.identity.citizens import ID_NUMBER_LABEL, reveal_id_number, reveal_mobile
from tests.conftest import StartServer
from tests.miniprogram_api.factories import (
    INVALID_ID,
    MOBILE,
    OTHER_VALID_ID,
    VALID_ID,
    alipay_login,
    bind,
    start_verification,
    wechat_login,
)
from tests.support.server import TestServer


async def citizen_id(server: TestServer, token: str) -> str:
    response = await server.get("/mp/v1/me", token=token)
    assert response.status == 200
    return str(response.json["id"])


@pytest.mark.asyncio
async def test_real_name_binding_answers_the_masked_profile(server: TestServer) -> None:
    token = await wechat_login(server, "alice")
    response = await bind(server, token)
    assert response.status == 200
    real_name = response.json["real_name"]
    assert real_name["id_number"] == "1101**********002X"
    assert real_name["mobile"] == "138****5678"
    assert real_name["name"] == "张*丰"
    assert VALID_ID.encode() not in response.body
    assert MOBILE.encode() not in response.body
    me = await server.get("/mp/v1/me", token=token)
    assert me.json["real_name"] == real_name
    assert VALID_ID.encode() not in me.body
    assert MOBILE.encode() not in me.body


@pytest.mark.asyncio
async def test_numbers_are_stored_encrypted(server: TestServer) -> None:
    token = await wechat_login(server, "alice")
    assert (await bind(server, token)).status == 200
    citizen = await repository.get_citizen(server.deps.db, await citizen_id(server, token))
    assert citizen is not None
    assert citizen.real_name is not None
    stored = repr(await server.deps.db["citizens"].find_one({"_id": citizen.id}))
    assert VALID_ID not in stored
    assert MOBILE not in stored
    assert reveal_id_number(server.deps.pii, citizen) == VALID_ID
    assert reveal_mobile(server.deps.pii, citizen) == MOBILE


@pytest.mark.asyncio
async def test_the_same_id_from_wechat_and_alipay_is_one_citizen(server: TestServer) -> None:
    wechat = await wechat_login(server, "alice")
    alipay = await alipay_login(server, "alice-on-alipay")
    wechat_citizen, alipay_citizen = await citizen_id(server, wechat), await citizen_id(server, alipay)
    assert wechat_citizen != alipay_citizen

    assert (await bind(server, wechat)).status == 200
    joined = await bind(server, alipay, mobile="13900001111")
    assert joined.status == 200
    assert joined.json["id"] == wechat_citizen
    assert sorted(i["channel"] for i in joined.json["identities"]) == ["alipay", "wechat"]
    # Joining never changes the mobile the citizen bound first.
    assert joined.json["real_name"]["mobile"] == "138****5678"

    # Both tokens, and a fresh Alipay login, now see the one citizen.
    assert await citizen_id(server, wechat) == await citizen_id(server, alipay) == wechat_citizen
    assert await citizen_id(server, await alipay_login(server, "alice-on-alipay")) == wechat_citizen
    merged = await repository.get_citizen(server.deps.db, alipay_citizen)
    assert merged is not None
    assert merged.is_merged
    assert merged.merged_into == wechat_citizen
    assert await repository.identities_of(server.deps.db, alipay_citizen) == []


@pytest.mark.asyncio
async def test_binding_again_with_the_same_data_is_idempotent(server: TestServer) -> None:
    token = await wechat_login(server, "alice")
    first = await bind(server, token)
    second = await bind(server, token, name=" 张三丰 ", id_number=VALID_ID.lower())
    assert second.status == 200
    assert second.json == first.json


@pytest.mark.asyncio
async def test_a_bound_citizen_cannot_switch_to_another_id(server: TestServer) -> None:
    token = await wechat_login(server, "alice")
    assert (await bind(server, token)).status == 200
    other = await bind(server, token, id_number=OTHER_VALID_ID)
    assert (other.status, other.error_code) == (409, "real_name_already_bound")
    claim = await repository.get_id_claim(server.deps.db, server.deps.pii.blind_index(ID_NUMBER_LABEL, OTHER_VALID_ID))
    assert claim is None
    assert (await server.get("/mp/v1/me", token=token)).json["real_name"]["id_number"] == "1101**********002X"


@pytest.mark.asyncio
@pytest.mark.parametrize(("fields", "code"), [
    ({"id_number": INVALID_ID}, "invalid_id_number"),
    ({"id_number": "11010519491231002"}, "invalid_id_number"),
    ({"id_number": "110105194913310028"}, "invalid_id_number"),
    ({"mobile": "12812345678"}, "invalid_mobile"),
    ({"mobile": "1381234567"}, "invalid_mobile"),
    ({"name": "张三<script>"}, "invalid_name"),
])
async def test_invalid_real_name_data_is_refused_and_nothing_is_written(
        server: TestServer, fields: dict[str, str], code: str) -> None:
    token = await wechat_login(server, "alice")
    response = await bind(server, token, **fields)
    assert (response.status, response.error_code) == (422, code)
    assert INVALID_ID.encode() not in response.body
    assert (await server.get("/mp/v1/me", token=token)).json["real_name"] is None
    assert await server.deps.db[repository.ID_CLAIMS].count_documents({}) == 0


@pytest.mark.asyncio
async def test_numbers_sent_with_the_wrong_json_type_are_not_echoed(server: TestServer) -> None:
    token = await wechat_login(server, "alice")
    response = await server.post("/mp/v1/me/real-name/verifications", token=token,
                                 body=b'{"name": "\\u5f20\\u4e09", "id_number": 110105194912310021}',
                                 headers={"Content-Type": "application/json"})
    assert (response.status, response.error_code) == (422, "invalid_id_number")
    assert b"110105194912310021" not in response.body
    started = await start_verification(server, token)
    mobile = await server.post("/mp/v1/me/real-name", token=token, headers={"Content-Type": "application/json"},
                               body=b'{"verification_id": "%s", "mobile": 13812345678}' %
                               started.json["verification_id"].encode())
    assert (mobile.status, mobile.error_code) == (422, "invalid_mobile")
    assert b"13812345678" not in mobile.body


@pytest.mark.asyncio
async def test_real_name_request_bodies_are_checked(start_server: StartServer) -> None:
    server = await start_server(max_json_body_bytes=200)
    token = await wechat_login(server, "alice")
    for path, body in (("/mp/v1/me/real-name/verifications", {"name": "张三", "id_number": VALID_ID}),
                       ("/mp/v1/me/real-name", {"verification_id": "0" * 32, "mobile": MOBILE})):
        malformed = await server.post(path, token=token, body=b'{"name": "x", ',
                                      headers={"Content-Type": "application/json"})
        assert (malformed.status, malformed.error_code) == (400, "malformed_json")
        wrong_type = await server.post(path, token=token, body=b"name=x", headers={"Content-Type": "text/plain"})
        assert (wrong_type.status, wrong_type.error_code) == (415, "json_required")
        extra = await server.post(path, token=token, json={**body, "x": 1})
        assert (extra.status, extra.error_code) == (422, "validation_failed")
        anonymous = await server.post(path, json=body)
        assert (anonymous.status, anonymous.error_code) == (401, "token_missing")
    oversized = await start_verification(server, token, name="张" * 60 + "三")
    assert (oversized.status, oversized.error_code) == (413, "body_too_large")
    assert (await server.get("/mp/v1/me", token=token)).json["real_name"] is None
    assert await server.deps.db[repository.ID_CLAIMS].count_documents({}) == 0
    assert await server.deps.db[repository.VERIFICATIONS].count_documents({}) == 0


@pytest.mark.asyncio
async def test_legal_persons_need_a_real_name_and_a_valid_credit_code(server: TestServer) -> None:
    token = await wechat_login(server, "alice")
    body = {"credit_code": "91350100M000100Y43", "name": "福州某某有限公司"}
    refused = await server.post("/mp/v1/me/legal-persons", json=body, token=token)
    assert (refused.status, refused.error_code) == (403, "real_name_required")
    assert (await bind(server, token)).status == 200

    invalid = await server.post("/mp/v1/me/legal-persons", json={**body, "credit_code": "91350100M000100Y4Z"},
                                token=token)
    assert (invalid.status, invalid.error_code) == (422, "invalid_credit_code")
    created = await server.post("/mp/v1/me/legal-persons", json=body, token=token)
    assert created.status == 201
    assert created.json["credit_code"] == "91350100M000100Y43"
    again = await server.post("/mp/v1/me/legal-persons", json={**body, "credit_code": "91350100m000100y43"},
                              token=token)
    assert again.status == 200
    assert again.json["id"] == created.json["id"]
    second = await server.post("/mp/v1/me/legal-persons", token=token,
                               json={"credit_code": "91512081MA62K0260E", "name": "另一家公司"})
    assert second.status == 201
    listed = await server.get("/mp/v1/me/legal-persons", token=token)
    assert [item["credit_code"] for item in listed.json["items"]] == ["91350100M000100Y43", "91512081MA62K0260E"]
