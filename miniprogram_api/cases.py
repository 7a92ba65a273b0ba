"""The citizen's applications (办件): drafts, form, submission, my cases, progress.

A case of another citizen answers 404 case_not_found, exactly like one that does not exist.
Submit, resubmit, withdraw and create take an optional ``Idempotency-Key`` header: the same key from
the same citizen for the same request gets the first successful answer again, even after the case
moved on (kept for a day); the key for a different request is 422 idempotency_key_reused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from server.cases import applications
from server.cases.citizen_access import case_of_citizen
from server.cases.idempotency import HEADER, Answer, answer_once
from server.cases.views import CASE_DETAIL, CASE_SUMMARY, case_detail, case_summary
from server.http.api import PAGE_QUERY, Route, endpoint, integer, obj, page_of, string
from server.http.base import BaseHandler
from server.settings import Settings

TAGS = ["cases"]
_IDEMPOTENT = (f" Send an `{HEADER}` header (1-200 visible ASCII characters) to make retries safe: the first "
               "successful answer is replayed.")
_FORM = {**obj({}, additional=True, description="The application form's fields (at most 64 KiB as JSON)"),
         "maxProperties": 500}

_CREATE = obj({"guide_id": string(minLength=1, maxLength=64), "form": _FORM,
               "via_app": string(minLength=1, maxLength=64,
                                 description="The third-party platform the citizen came from: the app id it put in "
                                             "the mini-program's launch link. That platform then hears of the "
                                             "case's status changes by webhook.")},
              required=["guide_id"])
_UPDATE_FORM = obj({"form": _FORM, "version": integer(minimum=1, description="The version you edited; 409 "
                                                       "case_changed if the case changed since")},
                   required=["form"])
_WITHDRAW = obj({"reason": string(maxLength=500)})


class CitizenCaseHandler(BaseHandler):
    async def answer(self, operation: str, target: str, run: Callable[[], Awaitable[Answer]]) -> None:
        answer = await answer_once(self.deps, citizen_id=self.principal.citizen_id,
                                   key=self.request.headers.get(HEADER), operation=operation, target=target, run=run)
        self.write_json(answer.body, answer.status)


class CasesHandler(CitizenCaseHandler):
    @endpoint("My cases, newest first", tags=TAGS, auth="citizen", query=PAGE_QUERY,
              responses={200: page_of(CASE_SUMMARY)})
    async def get(self) -> None:
        offset, limit = self.query["offset"], self.query["limit"]
        cases, total = await applications.my_cases(self.deps, self.principal.citizen_id, offset=offset, limit=limit)
        self.write_json({"items": [case_summary(case) for case in cases], "total": total, "offset": offset,
                         "limit": limit})

    @endpoint("Start an application (a draft) for a live guide", tags=TAGS, auth="citizen", request=_CREATE,
              responses={201: CASE_DETAIL}, errors=(400, 403, 404, 409, 413, 422),
              description="403 real_name_required until the caller has bound a real name; 404 guide_not_live; "
                          "422 unknown_platform when `via_app` is not a registered, active app allowed case "
                          "progress (send the application again without it). 409 too_many_drafts (with "
                          "`max_drafts`) while the caller already has that many drafts: submit or withdraw one. "
                          "The applicant is the caller as a natural person; the channel is the caller's."
                          + _IDEMPOTENT)
    async def post(self) -> None:
        async def run() -> Answer:
            case = await applications.create_draft(self.deps, self.principal, self.body["guide_id"],
                                                   self.body.get("form", {}), via_app=self.body.get("via_app"))
            return Answer(201, await case_detail(self.deps, case))

        await self.answer("create", self.body["guide_id"], run)


class CaseHandler(CitizenCaseHandler):
    @endpoint("One of my cases: materials (short-lived links), clocks, supplement notice, timeline", tags=TAGS,
              auth="citizen", responses={200: CASE_DETAIL}, errors=(404,))
    async def get(self, case_id: str) -> None:
        case = await case_of_citizen(self.deps, self.principal.citizen_id, case_id)
        self.write_json(await case_detail(self.deps, case))


class FormHandler(CitizenCaseHandler):
    @endpoint("Replace the form of a draft (or of a case waiting for a supplement)", tags=TAGS, auth="citizen",
              request=_UPDATE_FORM, responses={200: CASE_DETAIL}, errors=(400, 404, 409, 413, 422),
              description="409 form_locked once submitted; 409 case_changed if `version` is not current; "
                          "413 form_too_large.")
    async def put(self, case_id: str) -> None:
        case = await applications.update_form(self.deps, self.principal.citizen_id, case_id, self.body["form"],
                                              expected_version=self.body.get("version"))
        self.write_json(await case_detail(self.deps, case))


class SubmitHandler(CitizenCaseHandler):
    @endpoint("Submit a draft for pre-review", tags=TAGS, auth="citizen", responses={200: CASE_SUMMARY},
              errors=(400, 403, 404, 409, 422),
              description="422 materials_missing (with `slots`) while a required material has no page; 409 "
                          "illegal_transition unless the case is a draft." + _IDEMPOTENT)
    async def post(self, case_id: str) -> None:
        async def run() -> Answer:
            return Answer(200, case_summary(await applications.submit(self.deps, self.principal.citizen_id,
                                                                      case_id)))

        await self.answer("submit", case_id, run)


class ResubmitHandler(CitizenCaseHandler):
    @endpoint("Submit again after supplementing the materials the notice listed", tags=TAGS, auth="citizen",
              responses={200: CASE_SUMMARY}, errors=(400, 403, 404, 409, 422),
              description="409 illegal_transition unless a supplement was requested." + _IDEMPOTENT)
    async def post(self, case_id: str) -> None:
        async def run() -> Answer:
            return Answer(200, case_summary(await applications.resubmit(self.deps, self.principal.citizen_id,
                                                                        case_id)))

        await self.answer("resubmit", case_id, run)


class WithdrawHandler(CitizenCaseHandler):
    @endpoint("Withdraw an application before it is decided", tags=TAGS, auth="citizen", request=_WITHDRAW,
              responses={200: CASE_SUMMARY}, errors=(400, 403, 404, 409, 422),
              description="Body `{}` or `{\"reason\": ...}`. 409 illegal_transition once decided." + _IDEMPOTENT)
    async def post(self, case_id: str) -> None:
        async def run() -> Answer:
            return Answer(200, case_summary(await applications.withdraw(
                self.deps, self.principal.citizen_id, case_id, self.body.get("reason"))))

        await self.answer("withdraw", case_id, run)


def routes(settings: Settings) -> list[Route]:
    return [
        Route("/mp/v1/cases", CasesHandler),
        Route("/mp/v1/cases/{case_id}", CaseHandler),
        Route("/mp/v1/cases/{case_id}/form", FormHandler),
        Route("/mp/v1/cases/{case_id}/submit", SubmitHandler),
        Route("/mp/v1/cases/{case_id}/resubmit", ResubmitHandler),
        Route("/mp/v1/cases/{case_id}/withdraw", WithdrawHandler),
    ]
