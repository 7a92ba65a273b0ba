"""Progress messages for the citizen: which templates to ask consent for, the consents given, and the
progress of a case with every message sent about it."""

from __future__ import annotations

from server.cases.views import TIMELINE_ENTRY
from server.http.api import DATETIME, Route, array, boolean, endpoint, integer, nullable, obj, string
from server.http.base import BaseHandler
from server.messages import consents
from server.messages.progress import STATUS_LABELS, case_progress
from server.messages.templates import progress_templates
from server.settings import Settings

TAGS = ["messages"]

_TEMPLATES = obj({"templates": array(obj({"template_id": string(), "long_term": boolean()},
                                         required=["template_id", "long_term"]))}, required=["templates"])
_CONSENT = obj({"channel": string(), "template_id": string(), "remaining": integer(), "long_term": boolean()},
               required=["channel", "template_id", "remaining", "long_term"])
_CONSENTS = obj({"consents": array(_CONSENT)}, required=["consents"])
_REPORT = obj({"results": {**obj({}, additional=True), "additionalProperties": string(enum=list(consents.RESULTS)),
                           "minProperties": 1, "maxProperties": 20,
                           "description": "What requestSubscribeMessage answered: template id -> accept, reject, "
                                          "ban or filter"}},
              required=["results"])
_MESSAGE = obj({"id": string(), "kind": string(), "title": string(), "history_seq": nullable(integer()),
                "status": string(enum=list(STATUS_LABELS)), "status_label": string(), "channel": nullable(string()),
                "queued_at": nullable(DATETIME), "sent_at": nullable(DATETIME)},
               required=["id", "kind", "title", "status", "status_label", "queued_at", "sent_at"])
_PROGRESS = obj({"id": string(), "number": string(), "state": string(), "state_label": string(),
                 "timeline": array(TIMELINE_ENTRY), "messages": array(_MESSAGE)},
                required=["id", "number", "state", "state_label", "timeline", "messages"])


class TemplatesHandler(BaseHandler):
    @endpoint("Templates to pass to requestSubscribeMessage on the caller's channel", tags=TAGS, auth="citizen",
              responses={200: _TEMPLATES})
    async def get(self) -> None:
        channel = self.principal.channel.value
        self.write_json({"templates": [{"template_id": t.template_id, "long_term": t.long_term}
                                       for t in progress_templates(self.deps.settings).values()
                                       if t.channel == channel]})


class ConsentsHandler(BaseHandler):
    @endpoint("My message consents", tags=TAGS, auth="citizen", responses={200: _CONSENTS}, errors=(404,),
              description="The consents the caller's own account (this WeChat or Alipay login) gave: only they "
                          "bring messages to it. Other accounts of the same citizen are not counted.")
    async def get(self) -> None:
        self.write_json({"consents": await consents.consents_view(self.deps, self.principal)})

    @endpoint("Report what requestSubscribeMessage answered", tags=TAGS, auth="citizen", request=_REPORT,
              responses={200: _CONSENTS}, errors=(400, 404, 422),
              description="Each accepted one-time template allows one more message; a long-term one allows "
                          "messages until refused. 422 unknown_template for a template of another app.")
    async def post(self) -> None:
        self.write_json({"consents": await consents.record_consents(self.deps, self.principal,
                                                                    self.body["results"])})


class ProgressHandler(BaseHandler):
    @endpoint("Progress of one of my cases: timeline and the messages sent about it", tags=TAGS, auth="citizen",
              responses={200: _PROGRESS}, errors=(404,))
    async def get(self, case_id: str) -> None:
        self.write_json(await case_progress(self.deps, self.principal.citizen_id, case_id))


def routes(settings: Settings) -> list[Route]:
    return [
        Route("/mp/v1/messages/templates", TemplatesHandler),
        Route("/mp/v1/messages/consents", ConsentsHandler),
        Route("/mp/v1/cases/{case_id}/progress", ProgressHandler),
    ]
