"""Webhooks: status changes of cases submitted through an app, delivered signed to the app's URL.

The event is written into the case's outbox in the same write as the transition (see
``server.cases.workflow``); the relay stores it here under its outbox id, so it is made once. Deliveries
are leased like messages, retried with the progress messages' back-off on any non-2xx answer or network
error, and every attempt (time, HTTP status, error) is kept for the admin. At-least-once: a receiver
must de-duplicate on ``delivery_id``, which is in the signed body (a header alone could be changed by
whoever replays a captured delivery), and refuse a timestamp more than 5 minutes off its clock. An app
that was suspended or lost its case_progress scope is told nothing more (``app_inactive``).

Headers: ``X-Yiwang-Event``, ``X-Yiwang-Delivery`` (= ``delivery_id``), ``X-Yiwang-Timestamp`` and
``X-Yiwang-Signature`` (hex HMAC-SHA256 with the app's secret over ``<timestamp>.<body>``).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import tornado.httpclient

from server import jsonutil
from server.jsonutil import iso
from server.messages.backoff import retry_delay
from server.open import repository
from server.open.apps import app_secret, hears_of_cases
from server.open.destinations import WebhookUrlNotAllowed, refuse_internal_destination
from server.open.signing import webhook_signature
from server.worker.registry import job
from server.worker.runner import worker_name

if TYPE_CHECKING:
    from server.deps import Deps

_TIMEOUT_SECONDS = 10
_BUDGET_SECONDS = 30.0


async def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
    request = tornado.httpclient.HTTPRequest(url, method="POST", body=body, headers=headers,
                                             request_timeout=_TIMEOUT_SECONDS, follow_redirects=False)
    try:
        response = await tornado.httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
    except Exception as exc:
        # No answer at all (refused, timed out, hung up, a URL that no longer parses) is a failed attempt
        # like a 500: the delivery must back off and end, not stay leased and be sent again on every lease.
        return None, type(exc).__name__
    if response.code == 599:
        return None, type(response.error).__name__
    return response.code, None


async def _send(deps: Deps, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
    if not deps.settings.webhook_private_addresses:
        try:
            await refuse_internal_destination(url)  # again: the name may point elsewhere since subscribing
        except WebhookUrlNotAllowed as refused:
            return None, f"{refused.code}: {refused}"
    return await _post(url, body, headers)


async def deliver_one(deps: Deps, delivery: dict[str, Any], holder: str) -> str:
    now = deps.clock.now()
    app = await repository.get_app(deps.db, delivery["app_id"])
    webhook = (app or {}).get("webhook")
    if app is None or not webhook:
        await repository.finish_delivery(deps.db, delivery["_id"], holder, {"status": "no_subscription",
                                                                           "finished_at": now},
                                         {"at": now, "status_code": None, "error": "no webhook subscribed"})
        return "no_subscription"
    if not hears_of_cases(app):
        await repository.finish_delivery(deps.db, delivery["_id"], holder, {"status": "app_inactive",
                                                                           "finished_at": now},
                                         {"at": now, "status_code": None,
                                          "error": "app suspended or without the case_progress scope"})
        return "app_inactive"
    body = jsonutil.dumps({**delivery["payload"], "delivery_id": delivery["_id"]})
    timestamp = str(int(now.timestamp()))
    signature = webhook_signature(app_secret(deps, app), timestamp, body)
    status_code, error = await _send(deps, webhook["url"], body, {
        "Content-Type": "application/json", "X-Yiwang-Event": delivery["event"], "X-Yiwang-Delivery": delivery["_id"],
        "X-Yiwang-Timestamp": timestamp, "X-Yiwang-Signature": signature})
    attempt = {"at": now, "status_code": status_code, "error": error, "url": webhook["url"]}
    if status_code is not None and 200 <= status_code < 300:
        status, fields = "delivered", {"delivered_at": deps.clock.now()}
    elif int(delivery["attempts"]) >= deps.settings.message_max_attempts:
        status, fields = "failed", {"finished_at": deps.clock.now()}
    else:
        retry_at = deps.clock.now() + retry_delay(deps.settings, int(delivery["attempts"]))
        status, fields = "pending", {"next_attempt_at": retry_at}
    await repository.finish_delivery(deps.db, delivery["_id"], holder, {"status": status, **fields}, attempt)
    return status


async def deliver_due_webhooks(deps: Deps, holder: str, *, budget_seconds: float = _BUDGET_SECONDS) -> dict[str, int]:
    counts: dict[str, int] = {}
    started = time.monotonic()
    while time.monotonic() - started < budget_seconds:
        now = deps.clock.now()
        delivery = await repository.lease_next_delivery(
            deps.db, holder, now, now + timedelta(seconds=deps.settings.message_lease_seconds))
        if delivery is None:
            break
        status = await deliver_one(deps, delivery, holder)
        counts[status] = counts.get(status, 0) + 1
    return counts


@job("deliver_webhooks", every_seconds=1, timeout_seconds=_BUDGET_SECONDS + 30)
async def deliver_webhooks(deps: Deps) -> dict[str, Any]:
    """Deliver case status changes to the webhooks of open-API apps."""
    return dict(await deliver_due_webhooks(deps, f"{worker_name()}/webhooks"))


def delivery_view(delivery: dict[str, Any]) -> dict[str, Any]:
    return {"id": delivery["_id"], "event": delivery["event"], "case_number": delivery["payload"].get("case_number"),
            "status": delivery["status"], "attempts": int(delivery["attempts"]),
            "created_at": iso(delivery["created_at"]), "delivered_at": iso(delivery.get("delivered_at")),
            "next_attempt_at": iso(delivery["next_attempt_at"]) if delivery["status"] == "pending" else None,
            "attempt_log": [{"at": iso(a["at"]), "status_code": a.get("status_code"), "error": a.get("error")}
                            for a in delivery.get("attempt_log", [])]}


async def deliveries_of_app(deps: Deps, app_id: str, limit: int = 100) -> list[dict[str, Any]]:
    return [delivery_view(d) for d in await repository.deliveries_of_app(deps.db, app_id, limit)]
