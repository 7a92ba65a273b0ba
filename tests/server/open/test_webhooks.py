from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import tornado.web

from server.cases.states import Action
from server.clock import FrozenClock
from server.http.api import Route
from server.messages.relay import relay_outboxes
from server.open.signing import webhook_signature
from server.open.webhooks import deliver_due_webhooks
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import GOOD, ID_CARD, PHOTO, citizen, draft, live_guide, upload_ok
from tests.server.cases.staff_factories import prepare, publish_guide, submitted_case
from tests.server.messages.factories import officer_does
from tests.server.open.factories import App, call, register_app
from tests.support.server import TestServer
from tests.support.staff import signed_in_staff


class Receiver(tornado.web.RequestHandler):
    """An app's webhook endpoint: records what arrives, answers the next queued status (then 204)."""

    def initialize(self, inbox: list[dict[str, Any]], answers: list[int]) -> None:
        self.inbox = inbox
        self.answers = answers

    def post(self) -> None:
        self.inbox.append({"headers": dict(self.request.headers), "body": self.request.body})
        self.set_status(self.answers.pop(0) if self.answers else 204)


@pytest.mark.asyncio
async def test_status_changes_of_the_apps_cases_arrive_signed_and_are_retried(start_server: StartServer) -> None:
    inbox: list[dict[str, Any]] = []
    clock = FrozenClock()
    server = await start_server(clock=clock, message_retry_base_seconds=10, extra_routes=[
        Route("/hook", Receiver, {"inbox": inbox, "answers": [500]}, documented=False)])
    app = await register_app(server, "case_progress")
    subscribed = await call(server, app, "PUT", "/open/v1/webhook", json={"url": f"{server.url}/hook"})
    assert subscribed.status == 200, subscribed.body
    await prepare(server)
    guide = await publish_guide(server)
    mine = await submitted_case(server, guide)
    other = await submitted_case(server, guide)  # a case not submitted through the app: no webhook
    await server.deps.db.cases.update_one({"_id": mine["_id"]}, {"$set": {"open_app_id": app.app_id}})
    await officer_does(server, mine["_id"], Action.PASS_PRE_REVIEW)
    await officer_does(server, other["_id"], Action.PASS_PRE_REVIEW)

    await relay_outboxes(server.deps)
    assert await deliver_due_webhooks(server.deps, "w") == {"pending": 1}
    assert await deliver_due_webhooks(server.deps, "w") == {}  # waits for its back-off
    clock.advance(seconds=10)
    assert await deliver_due_webhooks(server.deps, "w") == {"delivered": 1}

    assert len(inbox) == 2
    for request in inbox:
        headers = request["headers"]
        assert headers["X-Yiwang-Signature"] == webhook_signature(app.secret, headers["X-Yiwang-Timestamp"],
                                                                  request["body"])
    payload = json.loads(inbox[1]["body"])
    assert (payload["event"], payload["case_number"], payload["from"], payload["to"]) == (
        "case.status_changed", mine["number"], "submitted", "pre_review_passed")
    assert inbox[0]["headers"]["X-Yiwang-Delivery"] == inbox[1]["headers"]["X-Yiwang-Delivery"]
    # What receivers de-duplicate on is signed: a replay cannot pass as a new delivery.
    assert payload["delivery_id"] == inbox[1]["headers"]["X-Yiwang-Delivery"]

    admin = await signed_in_staff(server, "root", roles=["admin"])
    deliveries = (await admin.get(f"/staff/v1/open-apps/{app.app_id}/webhook-deliveries")).json["items"]
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("delivered", 2)]
    assert [a["status_code"] for a in deliveries[0]["attempt_log"]] == [500, 204]


@pytest.mark.asyncio
async def test_an_unreachable_webhook_ends_failed_after_its_attempts(start_server: StartServer) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock, message_retry_base_seconds=10, message_max_attempts=2)
    app = await register_app(server, "case_progress")
    await call(server, app, "PUT", "/open/v1/webhook", json={"url": "http://127.0.0.1:9/hook"})
    await prepare(server)
    case = await submitted_case(server, await publish_guide(server))
    await server.deps.db.cases.update_one({"_id": case["_id"]}, {"$set": {"open_app_id": app.app_id}})
    await officer_does(server, case["_id"], Action.PASS_PRE_REVIEW)
    await relay_outboxes(server.deps)
    assert await deliver_due_webhooks(server.deps, "w") == {"pending": 1}
    clock.advance(seconds=10)
    assert await deliver_due_webhooks(server.deps, "w") == {"failed": 1}
    admin = await signed_in_staff(server, "root", roles=["admin"])
    delivery = (await admin.get(f"/staff/v1/open-apps/{app.app_id}/webhook-deliveries")).json["items"][0]
    assert delivery["status"] == "failed"
    assert [a["status_code"] for a in delivery["attempt_log"]] == [None, None]
    assert all(a["error"] for a in delivery["attempt_log"])


@pytest.mark.asyncio
async def test_a_case_applied_for_through_the_apps_link_reaches_its_webhook(start_server: StartServer) -> None:
    inbox: list[dict[str, Any]] = []
    server = await start_server(extra_routes=[
        Route("/hook", Receiver, {"inbox": inbox, "answers": []}, documented=False)])
    app = await register_app(server, "case_progress")
    await call(server, app, "PUT", "/open/v1/webhook", json={"url": f"{server.url}/hook"})
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    for via_app in (app.app_id, None):  # the second one came to the mini-program some other way
        case = await draft(server, token, guide_id, **({"via_app": via_app} if via_app else {}))
        await upload_ok(server, token, case["id"], ID_CARD, (GOOD / "hopper.jpg").read_bytes())
        await upload_ok(server, token, case["id"], PHOTO, (GOOD / "flower.jpg").read_bytes())
        submitted = await server.post(f"/mp/v1/cases/{case['id']}/submit", token=token)
        assert submitted.status == 200, submitted.body
        if via_app:
            through_app = submitted.json

    await relay_outboxes(server.deps)
    assert await deliver_due_webhooks(server.deps, "w") == {"delivered": 1}
    payload = json.loads(inbox[0]["body"])
    assert (payload["case_number"], payload["from"], payload["to"]) == (through_app["number"], "draft", "submitted")


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(100)
    writer.close()


@pytest.mark.asyncio
async def test_a_receiver_that_hangs_up_without_answering_counts_as_a_failed_attempt(
        start_server: StartServer) -> None:
    clock = FrozenClock()
    server = await start_server(clock=clock, message_retry_base_seconds=10, message_max_attempts=2)
    receiver = await asyncio.start_server(_hang_up, "127.0.0.1", 0)
    port = receiver.sockets[0].getsockname()[1]
    try:
        app = await register_app(server, "case_progress")
        await call(server, app, "PUT", "/open/v1/webhook", json={"url": f"http://127.0.0.1:{port}/hook"})
        await _app_case_changes(server, app)
        # Backs off like any failure, instead of staying leased and going out again on every lease.
        assert await deliver_due_webhooks(server.deps, "w") == {"pending": 1}
        assert await deliver_due_webhooks(server.deps, "w") == {}
        clock.advance(seconds=10)
        assert await deliver_due_webhooks(server.deps, "w") == {"failed": 1}
    finally:
        receiver.close()
        await receiver.wait_closed()
    admin = await signed_in_staff(server, "root", roles=["admin"])
    delivery = (await admin.get(f"/staff/v1/open-apps/{app.app_id}/webhook-deliveries")).json["items"][0]
    assert (delivery["status"], delivery["attempts"]) == ("failed", 2)
    assert [a["status_code"] for a in delivery["attempt_log"]] == [None, None]
    assert all(a["error"] for a in delivery["attempt_log"])


@pytest.mark.asyncio
async def test_a_suspended_app_is_refused_and_hears_of_no_case(start_server: StartServer) -> None:
    inbox: list[dict[str, Any]] = []
    server = await start_server(extra_routes=[
        Route("/hook", Receiver, {"inbox": inbox, "answers": []}, documented=False)])
    app = await register_app(server, "case_progress", "notices")
    await call(server, app, "PUT", "/open/v1/webhook", json={"url": f"{server.url}/hook"})
    admin = await signed_in_staff(server, "root", roles=["admin"])
    suspended = await admin.patch(f"/staff/v1/open-apps/{app.app_id}", json={"status": "inactive"})
    assert suspended.status == 200, suspended.body
    assert suspended.json["status"] == "inactive"

    assert (await call(server, app, "GET", "/open/v1/notices")).error_code == "open_app_unknown"
    await _app_case_changes(server, app)
    assert await deliver_due_webhooks(server.deps, "w") == {"app_inactive": 1}
    assert inbox == []
    delivery = (await admin.get(f"/staff/v1/open-apps/{app.app_id}/webhook-deliveries")).json["items"][0]
    assert delivery["status"] == "app_inactive"

    restored = await admin.patch(f"/staff/v1/open-apps/{app.app_id}", json={"status": "active"})
    assert restored.json["status"] == "active"
    assert (await call(server, app, "GET", "/open/v1/notices")).status == 200
    assert (await admin.patch("/staff/v1/open-apps/ya-nope", json={"status": "active"})).error_code == (
        "open_app_not_found")
    editor = await signed_in_staff(server, "editor1", roles=["editor"])
    assert (await editor.patch(f"/staff/v1/open-apps/{app.app_id}", json={"status": "inactive"})).status == 403


async def _app_case_changes(server: TestServer, app: App) -> None:
    """A case submitted through the app passes pre-review; its event is relayed for delivery."""
    await prepare(server)
    case = await submitted_case(server, await publish_guide(server))
    await server.deps.db.cases.update_one({"_id": case["_id"]}, {"$set": {"open_app_id": app.app_id}})
    await officer_does(server, case["_id"], Action.PASS_PRE_REVIEW)
    await relay_outboxes(server.deps)


@pytest.mark.asyncio
@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "https://10.1.2.3/hook", "http://169.254.169.254/latest",
                                 "http://[::1]/hook", "https://localhost/hook", "https://no-such-host.invalid/hook"])
async def test_webhook_urls_into_this_network_are_refused(start_server: StartServer, url: str) -> None:
    server = await start_server(webhook_private_addresses=False)
    app = await register_app(server, "case_progress")
    refused = await call(server, app, "PUT", "/open/v1/webhook", json={"url": url})
    assert (refused.status, refused.error_code) == (422, "webhook_url_not_allowed")
    admin = await signed_in_staff(server, "root", roles=["admin"])
    listed = (await admin.get("/staff/v1/open-apps")).json["items"]
    assert [a["webhook_url"] for a in listed if a["app_id"] == app.app_id] == [None]


@pytest.mark.asyncio
async def test_a_webhook_host_that_turned_internal_is_not_posted_to(start_server: StartServer) -> None:
    inbox: list[dict[str, Any]] = []
    server = await start_server(webhook_private_addresses=False, extra_routes=[
        Route("/hook", Receiver, {"inbox": inbox, "answers": []}, documented=False)])
    app = await register_app(server, "case_progress")
    public = await call(server, app, "PUT", "/open/v1/webhook", json={"url": "https://93.184.215.14/hook"})
    assert public.status == 200, public.body
    # Since subscribing, the name came to point inside (here: the stored URL itself changed).
    await server.deps.db.open_apps.update_one({"_id": app.app_id}, {"$set": {"webhook.url": f"{server.url}/hook"}})
    await _app_case_changes(server, app)
    assert await deliver_due_webhooks(server.deps, "w") == {"pending": 1}
    assert inbox == []
    admin = await signed_in_staff(server, "root", roles=["admin"])
    delivery = (await admin.get(f"/staff/v1/open-apps/{app.app_id}/webhook-deliveries")).json["items"][0]
    assert delivery["attempt_log"][0]["error"].startswith("webhook_url_not_allowed")
