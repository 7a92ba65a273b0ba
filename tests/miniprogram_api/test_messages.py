from __future__ import annotations

import pytest

from server.cases.states import Action
from tests.conftest import StartServer
from tests.miniprogram_api.factories import OTHER_VALID_ID, alipay_login, bind
from tests.server.messages.factories import (
    FAST_RETRIES,
    consenting_citizen,
    new_submitted_case,
    officer_does,
    run_delivery,
)


@pytest.mark.asyncio
async def test_templates_and_consents_are_per_channel(start_server: StartServer) -> None:
    server = await start_server()
    token, _ = await consenting_citizen(server, consents=2)
    templates = await server.get("/mp/v1/messages/templates", token=token)
    assert templates.json == {"templates": [{"template_id": "wx-tpl-case-progress", "long_term": False}]}
    consents = await server.get("/mp/v1/messages/consents", token=token)
    assert consents.json["consents"] == [{"channel": "wechat", "template_id": "wx-tpl-case-progress",
                                          "remaining": 2, "long_term": False}]
    rejected = await server.post("/mp/v1/messages/consents", json={"results": {"wx-tpl-case-progress": "reject"}},
                                 token=token)
    assert rejected.json["consents"][0]["remaining"] == 2
    # An Alipay template is not one the WeChat mini-program can have been asked about.
    foreign = await server.post("/mp/v1/messages/consents", json={"results": {"ali-tpl-case-progress": "accept"}},
                                token=token)
    assert foreign.status == 422
    assert foreign.error_code == "unknown_template"
    alipay = await alipay_login(server, "carol")
    alipay_templates = await server.get("/mp/v1/messages/templates", token=alipay)
    assert alipay_templates.json["templates"][0]["template_id"] == "ali-tpl-case-progress"
    assert (await server.get("/mp/v1/messages/templates")).status == 401


@pytest.mark.asyncio
async def test_the_progress_timeline_shows_the_messages_sent_and_queued(start_server: StartServer) -> None:
    server = await start_server(**FAST_RETRIES)
    token, citizen_id = await consenting_citizen(server, consents=1)
    case = await new_submitted_case(server, citizen_id)
    path = f"/mp/v1/cases/{case['_id']}/progress"

    queued = await server.get(path, token=token)
    assert queued.status == 200, queued.body
    assert [(m["kind"], m["status"]) for m in queued.json["messages"]] == [("submitted", "queued")]

    await run_delivery(server)
    await officer_does(server, case["_id"], Action.PASS_PRE_REVIEW)
    await run_delivery(server)
    progress = (await server.get(path, token=token)).json
    assert [entry["action"] for entry in progress["timeline"]] == ["submit", "pass_pre_review"]
    assert [(m["kind"], m["status"], m["history_seq"]) for m in progress["messages"]] == [
        ("submitted", "sent", 1), ("pre_review_passed", "no_consent", 2)]
    assert progress["messages"][0]["sent_at"] is not None
    assert progress["state_label"] == "预审通过"
    assert progress["number"] == case["number"]

    stranger = (await consenting_citizen(server, "bob", consents=0, id_number=OTHER_VALID_ID, name="李四"))[0]
    assert (await server.get(path, token=stranger)).error_code == "case_not_found"


@pytest.mark.asyncio
async def test_alipay_citizens_get_template_messages(start_server: StartServer) -> None:
    server = await start_server(**FAST_RETRIES)
    token = await alipay_login(server, "dora")
    assert (await bind(server, token)).status == 200
    me = await server.get("/mp/v1/me", token=token)
    citizen_id = me.json["id"] if "id" in me.json else me.json["citizen"]["id"]
    await server.post("/mp/v1/messages/consents", json={"results": {"ali-tpl-case-progress": "accept"}}, token=token)
    case = await new_submitted_case(server, citizen_id)
    await server.deps.db.cases.update_one({"_id": case["_id"]}, {"$set": {"channel": "alipay"}})
    assert await run_delivery(server) == {"sent": 1}
    phone = (await server.get("/_sandbox/messages?channel=alipay")).json["items"]
    assert len(phone) == 1
    assert phone[0]["template_id"] == "ali-tpl-case-progress"
    assert phone[0]["recipient"].startswith("2088")
    assert phone[0]["data"]["character_string1"]["value"] == case["number"]
