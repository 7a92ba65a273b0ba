"""/open/v1 for registered apps (signed, scoped, rate-limited) and /staff/v1/open-apps for admins."""

from __future__ import annotations

from typing import Any

from cms.guides.delivery import GUIDE_DETAIL, guide_detail
from cms.notices.delivery import NOTICE_SUMMARY, notice_list
from cms.search.service import MAX_QUERY_CHARS
from server.cases.staff_access import officer_actor
from server.cases.views import TIMELINE_ENTRY
from server.http.api import (
    DATETIME,
    PAGE_QUERY,
    Route,
    array,
    endpoint,
    integer,
    nullable,
    number_schema,
    obj,
    page_of,
    string,
)
from server.http.base import BaseHandler
from server.open import apps
from server.open.cases import case_progress_for_app
from server.open.webhooks import deliveries_of_app
from server.settings import Settings
from server.staff.roles import Role

OPEN_TAGS = ["open"]
ADMIN_TAGS = ["open-apps"]
_OPEN_ERRORS = (400, 401, 403, 429)
_SIGNED = ("Signed with HMAC-SHA256 (headers X-App-Id, X-Timestamp, X-Nonce, X-Signature); refusals: 401 "
           "open_signature_missing, open_app_unknown, open_timestamp_expired, open_signature_invalid, "
           "open_nonce_reused; 403 open_scope_missing; 429 open_rate_limited with Retry-After.")
_WEBHOOK = ("Each status change of a case submitted through the app is POSTed as JSON {event, delivery_id, "
            "case_number, from, to, at, ...} with headers X-Yiwang-Event, X-Yiwang-Delivery, X-Yiwang-Timestamp "
            "and X-Yiwang-Signature: hex HMAC-SHA256 with the app's secret over `<timestamp>.<body>`. Delivered at "
            "least once, retried with back-off on any non-2xx answer: de-duplicate on the body's delivery_id and "
            "refuse a timestamp more than 5 minutes off.")

_APP = obj({"app_id": string(), "name": string(), "scopes": array(string(enum=[s.value for s in apps.Scope])),
            "rate_limit_per_minute": integer(), "status": string(), "webhook_url": nullable(string()),
            "created_at": DATETIME},
           required=["app_id", "name", "scopes", "rate_limit_per_minute", "status", "webhook_url", "created_at"])
_REGISTER = obj({"name": string(minLength=1, maxLength=100),
                 "scopes": array(string(enum=[s.value for s in apps.Scope]), minItems=1, uniqueItems=True),
                 "rate_limit_per_minute": integer(minimum=1, maximum=100_000)},
                required=["name", "scopes", "rate_limit_per_minute"])
_DELIVERY = obj({"id": string(), "event": string(), "case_number": nullable(string()), "status": string(),
                 "attempts": integer(), "created_at": DATETIME, "delivered_at": nullable(DATETIME),
                 "next_attempt_at": nullable(DATETIME),
                 "attempt_log": array(obj({"at": DATETIME, "status_code": nullable(integer()),
                                           "error": nullable(string())}, required=["at", "status_code", "error"]))},
                required=["id", "event", "status", "attempts", "created_at", "attempt_log"])
_HIT = obj({"id": string(), "name": string(), "department": obj({"id": string(), "name": string()}),
            "score": number_schema()}, required=["id", "name", "department", "score"])
_PROGRESS = obj({"number": string(), "guide_name": string(), "state": string(), "state_label": string(),
                 "due_on": nullable(string()), "timeline": array(TIMELINE_ENTRY)},
                required=["number", "guide_name", "state", "state_label", "due_on", "timeline"])


class OpenAppsHandler(BaseHandler):
    @endpoint("Registered open-API apps", tags=ADMIN_TAGS, auth="staff", roles=(Role.ADMIN,),
              responses={200: obj({"items": array(_APP)}, required=["items"])}, errors=(401, 403))
    async def get(self) -> None:
        self.write_json({"items": [apps.app_view(app) for app in await apps.all_apps(self.deps)]})

    @endpoint("Register an app; its secret is in this answer only", tags=ADMIN_TAGS, auth="staff",
              roles=(Role.ADMIN,), request=_REGISTER,
              responses={201: obj({**_APP["properties"], "secret": string()}, required=["app_id", "secret"])},
              errors=(400, 401, 403, 422))
    async def post(self) -> None:
        app, secret = await apps.register_app(self.deps, officer_actor(self.principal), name=self.body["name"],
                                              scopes=self.body["scopes"],
                                              rate_limit_per_minute=self.body["rate_limit_per_minute"])
        self.write_json({**apps.app_view(app), "secret": secret}, 201)


class OpenAppHandler(BaseHandler):
    @endpoint("Suspend an app (inactive: its calls get 401 open_app_unknown and its webhooks stop) or let it back "
              "in", tags=ADMIN_TAGS, auth="staff", roles=(Role.ADMIN,),
              request=obj({"status": string(enum=[apps.ACTIVE, apps.INACTIVE])}, required=["status"]),
              responses={200: _APP}, errors=(400, 401, 403, 404))
    async def patch(self, app_id: str) -> None:
        app = await apps.set_status(self.deps, officer_actor(self.principal), app_id, self.body["status"])
        self.write_json(apps.app_view(app))


class WebhookDeliveriesHandler(BaseHandler):
    @endpoint("Webhook deliveries of an app, newest first, with every attempt", tags=ADMIN_TAGS, auth="staff",
              roles=(Role.ADMIN,), responses={200: obj({"items": array(_DELIVERY)}, required=["items"])},
              errors=(401, 403, 404))
    async def get(self, app_id: str) -> None:
        await apps.app_of(self.deps, app_id)
        self.write_json({"items": await deliveries_of_app(self.deps, app_id)})


class OpenSearchHandler(BaseHandler):
    @endpoint("Search service items", tags=OPEN_TAGS, auth="open", roles=(apps.Scope.GUIDES,),
              query={"q": string(minLength=1, maxLength=1000), "limit": integer(minimum=1, maximum=50, default=10)},
              required_query=("q",), responses={200: obj({"items": array(_HIT), "total": integer()},
                                                         required=["items", "total"])},
              errors=_OPEN_ERRORS, description=_SIGNED)
    async def get(self) -> None:
        search = self.deps.search
        await search.ready(self.deps)
        result = search.search(self.query["q"][:MAX_QUERY_CHARS], filters={}, offset=0, limit=self.query["limit"])
        items: list[dict[str, Any]] = []
        for hit in result.hits:
            card = search.cards.get(hit.doc_id)
            if card is not None:
                items.append({"id": card.id, "name": card.name, "score": round(hit.score, 4),
                              "department": {"id": card.department_id, "name": card.department}})
        self.write_json({"items": items, "total": result.total})


class OpenGuideHandler(BaseHandler):
    @endpoint("A live guide", tags=OPEN_TAGS, auth="open", roles=(apps.Scope.GUIDES,),
              responses={200: GUIDE_DETAIL}, errors=(*_OPEN_ERRORS, 404), description=_SIGNED)
    async def get(self, guide_id: str) -> None:
        cached = await guide_detail(self.deps, guide_id, if_none_match=None)
        self.write_json(cached.body or {})


class OpenNoticesHandler(BaseHandler):
    @endpoint("Published notices", tags=OPEN_TAGS, auth="open", roles=(apps.Scope.NOTICES,), query=PAGE_QUERY,
              responses={200: page_of(NOTICE_SUMMARY)}, errors=_OPEN_ERRORS, description=_SIGNED)
    async def get(self) -> None:
        cached = await notice_list(self.deps, category=None, offset=self.query["offset"], limit=self.query["limit"],
                                   if_none_match=None)
        self.write_json(cached.body or {})


class OpenCaseProgressHandler(BaseHandler):
    @endpoint("Progress of a case: one submitted through this app, or with the applicant's verification",
              tags=OPEN_TAGS, auth="open", roles=(apps.Scope.CASE_PROGRESS,),
              query={"name": string(maxLength=50), "id_last6": string(pattern=r"^[0-9Xx]{6}$")},
              responses={200: _PROGRESS}, errors=(*_OPEN_ERRORS, 404),
              description="Without `name` and `id_last6` matching the applicant, only cases submitted through "
                          "the calling app; 404 open_case_not_found otherwise. " + _SIGNED)
    async def get(self, case_number: str) -> None:
        self.write_json(await case_progress_for_app(self.deps, self.principal, case_number,
                                                    name=self.query.get("name"), id_last6=self.query.get("id_last6")))


class OpenWebhookHandler(BaseHandler):
    @endpoint("Subscribe to status changes of cases submitted through this app (url null: unsubscribe)",
              tags=OPEN_TAGS, auth="open", roles=(apps.Scope.CASE_PROGRESS,),
              request=obj({"url": nullable(string(pattern=r"^https?://", maxLength=500))}, required=["url"]),
              responses={200: _APP}, errors=(*_OPEN_ERRORS, 422), description=_WEBHOOK + " " + _SIGNED)
    async def put(self) -> None:
        self.write_json(await apps.subscribe_webhook(self.deps, self.principal.app_id, self.body["url"]))


def routes(settings: Settings) -> list[Route]:
    return [
        Route("/staff/v1/open-apps", OpenAppsHandler),
        Route("/staff/v1/open-apps/{app_id}", OpenAppHandler),
        Route("/staff/v1/open-apps/{app_id}/webhook-deliveries", WebhookDeliveriesHandler),
        Route("/open/v1/search", OpenSearchHandler),
        Route("/open/v1/guides/{guide_id}", OpenGuideHandler),
        Route("/open/v1/notices", OpenNoticesHandler),
        Route("/open/v1/cases/{case_number}/progress", OpenCaseProgressHandler),
        Route("/open/v1/webhook", OpenWebhookHandler),
    ]
