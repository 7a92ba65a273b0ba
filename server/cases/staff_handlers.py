"""/staff/v1/cases: the window officer's queue, pre-review and processing of a case.

Officers see and act on the cases of their own departments only; any other case id answers 404.
Every state change goes through ``workflow.transition``; an action the state machine does not allow in
the case's current state answers 409 ``illegal_transition`` with that state.
"""

from __future__ import annotations

from typing import Any

from server.cases import archive, claims, prereview, processing
from server.cases.joint_views import STAFF_JOINT
from server.cases.staff_views import QUEUE_STATES, case_status, officer_case_detail, officer_material, officer_queue
from server.cases.timers import WarningLevel
from server.cases.views import CLOCK, PAGE
from server.http.api import (
    DATETIME,
    PAGE_QUERY,
    Route,
    Schema,
    array,
    boolean,
    endpoint,
    integer,
    nullable,
    obj,
    page_of,
    string,
)
from server.http.base import BaseHandler
from server.settings import Settings
from server.staff.principal import StaffPrincipal
from server.staff.roles import Role

# Comprehensive-window officers take joint cases in through the same endpoints (see staff_access).
OFFICER = (Role.OFFICER.value, Role.WINDOW.value)
_TAGS = ["cases (staff)"]

_TEXT = string(maxLength=2000)
_REASON = string(minLength=1, maxLength=2000, pattern=r"\S")
_DATE = string(format="date")
_ANY = obj({}, additional=True)
_ACTOR = obj({"kind": string(), "id": string(), "name": string()}, required=["kind", "id", "name"])

CLAIM: Schema = obj({"staff_id": string(), "name": string(), "until": DATETIME},
                    required=["staff_id", "name", "until"])
HISTORY_ENTRY: Schema = obj({
    "seq": integer(minimum=1), "at": DATETIME, "actor": _ACTOR, "action": string(), "from": string(),
    "to": string(), "reason": nullable(string()), "data": _ANY,
}, required=["seq", "at", "actor", "action", "from", "to", "reason", "data"])

_STATE_FIELDS: dict[str, Schema] = {
    "id": string(), "number": string(), "state": string(enum=list(QUEUE_STATES)), "state_label": string(),
    "version": integer(minimum=1),
    "guide": obj({"id": string(), "name": string()}, required=["id", "name"]),
    "department_id": nullable(string()),
    "due_on": nullable(_DATE), "warning_level": string(enum=[w.value for w in WarningLevel]),
    "warning_label": string(), "clock_stopped": boolean(), "claim": nullable(CLAIM),
    "submitted_at": nullable(DATETIME), "updated_at": DATETIME,
}
_PERSON = obj({"name": nullable(string()), "id_number": nullable(string()), "mobile": nullable(string())},
              required=["name", "id_number", "mobile"])

QUEUE_ITEM: Schema = obj({**_STATE_FIELDS, "applicant": _PERSON,
                          "joint": boolean(description="Approved jointly by several departments (联办)")},
                         required=[*_STATE_FIELDS, "applicant", "joint"])

_SUPPLEMENT_ITEM = obj({"slot_id": string(), "name": string(), "reason": string()},
                       required=["slot_id", "name", "reason"])
_ARCHIVE_FIELDS: dict[str, Schema] = {
    "key": string(description="The manifest's object key"), "sha256": string(description="The manifest's SHA-256"),
    "size": integer(minimum=0), "files": integer(minimum=0, description="Files listed with their SHA-256"),
    "at": DATETIME, "by": _ACTOR,
}
_STATUS_FIELDS: dict[str, Schema] = {
    **_STATE_FIELDS,
    "supplement": nullable(obj({"round": integer(minimum=1), "items": array(_SUPPLEMENT_ITEM),
                                "note": nullable(string()), "requested_at": DATETIME, "requested_by": _ACTOR},
                               required=["round", "items", "note", "requested_at", "requested_by"])),
    "originals_check": nullable(string(enum=list(prereview.ORIGINALS_CHECKS))),
    "acceptance": nullable(obj({
        "accepted": boolean(), "unit": string(), "officer": string(), "at": DATETIME,
        "document_no": string(), "promised_on": nullable(_DATE), "reason": nullable(string()),
        "deemed_accepted_on": nullable({**_DATE, "description": "Pre-review overran its limit: the case counts "
                                        "as accepted from this day (the materials arrived), and so does its "
                                        "clock. Absent on acceptances recorded before this field."}),
    }, required=["accepted", "unit", "officer", "at", "document_no", "promised_on", "reason"])),
    "steps": array(obj({
        "seq": integer(minimum=1), "name": string(), "action": string(enum=list(processing.STEP_ACTIONS)),
        "opinion": nullable(string()), "handler": _ACTOR, "started_at": nullable(DATETIME), "ended_at": DATETIME,
    }, required=["seq", "name", "action", "opinion", "handler", "started_at", "ended_at"])),
    "special_procedures": array(obj({
        "kind": string(enum=list(processing.SPECIAL_PROCEDURES)), "reason": string(), "started_at": DATETIME,
        "started_by": _ACTOR, "ended_at": nullable(DATETIME), "ended_by": nullable(_ACTOR),
    }, required=["kind", "reason", "started_at", "started_by", "ended_at", "ended_by"])),
    "decision": nullable(obj({
        "result": string(enum=["approved", "denied"]), "result_name": nullable(string()),
        "licence_no": nullable(string()), "valid_until": nullable(_DATE), "reason": nullable(string()),
        "at": DATETIME, "by": _ACTOR,
    }, required=["result", "result_name", "licence_no", "valid_until", "reason", "at", "by"])),
    "delivery": nullable(obj({
        "method": string(enum=list(processing.DELIVERY_METHODS)), "waybill_no": nullable(string()),
        "carrier": nullable(string()), "at": DATETIME, "by": _ACTOR,
    }, required=["method", "waybill_no", "carrier", "at", "by"])),
    "joint": nullable(STAFF_JOINT),
    "archive": nullable(obj(_ARCHIVE_FIELDS, required=list(_ARCHIVE_FIELDS),
                            description="The electronic archive (电子档案) once archived")),
    "history": array(HISTORY_ENTRY),
}
CASE_STATUS: Schema = obj(_STATUS_FIELDS, required=list(_STATUS_FIELDS))
ARCHIVE_CHECK: Schema = obj({
    **_ARCHIVE_FIELDS, "intact": boolean(), "checked_at": DATETIME,
    "problems": array(obj({"key": string(), "problem": string(enum=["missing", "changed"])},
                          required=["key", "problem"])),
}, required=[*_ARCHIVE_FIELDS, "intact", "checked_at", "problems"])

MATERIAL: Schema = obj({
    "slot_id": string(), "name": string(), "requirement": nullable(string()), "condition": nullable(string()),
    "source": nullable(string()), "present": boolean(),
    "verdict": nullable(string(enum=list(prereview.VERDICTS))), "verdict_reason": nullable(string()),
    "verdict_by": nullable(_ACTOR), "verdict_at": nullable(DATETIME), "pages": array(PAGE),
    "links_expire_in": integer(minimum=1),
}, required=["slot_id", "name", "requirement", "condition", "source", "present", "verdict", "verdict_reason",
             "verdict_by", "verdict_at", "pages", "links_expire_in"])
_CLOCK = {**CLOCK, "properties": {**CLOCK["properties"], "stopped_since": nullable(_DATE),
                                   "stopped_days": integer(minimum=0), "days_left": nullable(integer())},
          "required": [*CLOCK["required"], "stopped_since", "stopped_days", "days_left"]}
_DETAIL_FIELDS: dict[str, Schema] = {
    **_STATUS_FIELDS,
    "applicant": _PERSON, "channel": nullable(string()), "form": _ANY,
    "clocks": obj({"pre_review": _CLOCK, "completion": _CLOCK}, required=["pre_review", "completion"]),
    "materials": array(MATERIAL),
}
CASE_DETAIL: Schema = obj(_DETAIL_FIELDS, required=list(_DETAIL_FIELDS))

_ACTION_ERRORS = (404, 409)


class OfficerHandler(BaseHandler):
    @property
    def officer(self) -> StaffPrincipal:
        principal: StaffPrincipal = self.principal
        return principal

    def write_case(self, case: dict[str, Any]) -> None:
        self.write_json(case_status(case, self.deps.clock.now()))


class QueueHandler(OfficerHandler):
    @endpoint("Cases of the officer's departments, nearest deadline first", tags=_TAGS, auth="staff",
              roles=OFFICER, responses={200: page_of(QUEUE_ITEM)},
              query={**PAGE_QUERY, "state": array(string(enum=list(QUEUE_STATES))),
                     "guide_id": string(maxLength=64), "warning": array(string(enum=[w.value for w in WarningLevel]))},
              description="Default state: submitted (waiting for pre-review). Personal data is masked here.")
    async def get(self) -> None:
        offset, limit = self.query["offset"], self.query["limit"]
        items, total = await officer_queue(self.deps, self.officer, states=self.query.get("state"),
                                           guide_id=self.query.get("guide_id"), warnings=self.query.get("warning"),
                                           offset=offset, limit=limit)
        self.write_json({"items": items, "total": total, "offset": offset, "limit": limit})


class CaseHandler(OfficerHandler):
    @endpoint("One case in full: applicant, materials with signed page links, clocks, history", tags=_TAGS,
              auth="staff", roles=OFFICER, responses={200: CASE_DETAIL}, errors=(404,),
              description="The applicant's ID and mobile numbers are shown whole only here.")
    async def get(self, case_id: str) -> None:
        self.write_json(await officer_case_detail(self.deps, self.officer, case_id))


class MaterialHandler(OfficerHandler):
    @endpoint("One material of a case with fresh signed links to its pages", tags=_TAGS, auth="staff",
              roles=OFFICER, responses={200: MATERIAL}, errors=(404,))
    async def get(self, case_id: str, slot_id: str) -> None:
        self.write_json(await officer_material(self.deps, self.officer, case_id, slot_id))


class ClaimHandler(OfficerHandler):
    @endpoint("Claim the case for pre-review (or extend one's claim)", tags=_TAGS, auth="staff", roles=OFFICER,
              responses={200: CLAIM}, errors=_ACTION_ERRORS,
              description="409 case_claimed (naming the holder) while another officer's claim is unexpired; "
                          "409 not_in_pre_review unless the case is waiting for pre-review.")
    async def post(self, case_id: str) -> None:
        self.write_json(await claims.claim_case(self.deps, self.officer, case_id))

    @endpoint("Give the claim back", tags=_TAGS, auth="staff", roles=OFFICER, responses={204: None},
              errors=_ACTION_ERRORS)
    async def delete(self, case_id: str) -> None:
        await claims.release_claim(self.deps, self.officer, case_id)
        self.set_status(204)
        self.finish()


class VerdictHandler(OfficerHandler):
    @endpoint("Judge one material: ok, or problem with the reason", tags=_TAGS, auth="staff", roles=OFFICER,
              request=obj({"verdict": string(enum=list(prereview.VERDICTS)), "reason": _TEXT,
                           "version": integer(minimum=1, description="The case version the officer saw; "
                                                                     "409 case_changed if it moved on.")},
                          required=["verdict"]),
              responses={200: CASE_STATUS}, errors=_ACTION_ERRORS,
              description="Needs the caller's claim (409 claim_required). 422 reason_required for a problem "
                          "without a reason.")
    async def put(self, case_id: str, slot_id: str) -> None:
        self.write_case(await prereview.set_verdict(
            self.deps, self.officer, case_id, slot_id, self.body["verdict"], self.body.get("reason"),
            expected_version=self.body.get("version")))


class SupplementHandler(OfficerHandler):
    @endpoint("Ask for a supplement: one notice listing every problem at once", tags=_TAGS, auth="staff",
              roles=OFFICER, request=obj({"note": _TEXT}), responses={200: CASE_STATUS}, errors=_ACTION_ERRORS,
              description="Lists every material judged problem and every required material not submitted; "
                          "422 nothing_to_supplement if there is none. The pre-review clock stops.")
    async def post(self, case_id: str) -> None:
        self.write_case(await prereview.request_supplement(self.deps, self.officer, case_id, self.body.get("note")))


class PassHandler(OfficerHandler):
    @endpoint("Pass pre-review and say how the originals are checked", tags=_TAGS, auth="staff", roles=OFFICER,
              request=obj({"originals_check": string(enum=list(prereview.ORIGINALS_CHECKS))},
                          required=["originals_check"]),
              responses={200: CASE_STATUS}, errors=_ACTION_ERRORS,
              description="422 pre_review_incomplete (with unreviewed, problems and missing slot ids) unless "
                          "every material with pages is ok and every required material is present.")
    async def post(self, case_id: str) -> None:
        self.write_case(await prereview.pass_pre_review(self.deps, self.officer, case_id,
                                                        self.body["originals_check"]))


class AcceptHandler(OfficerHandler):
    @endpoint("Accept (受理): issues the acceptance notice number and the promised completion day",
              tags=_TAGS, auth="staff", roles=OFFICER, responses={200: CASE_STATUS}, errors=_ACTION_ERRORS)
    async def post(self, case_id: str) -> None:
        self.write_case(await processing.accept(self.deps, self.officer, case_id))


class NotAcceptHandler(OfficerHandler):
    @endpoint("Do not accept (不予受理), with the reason", tags=_TAGS, auth="staff", roles=OFFICER,
              request=obj({"reason": _REASON}, required=["reason"]), responses={200: CASE_STATUS},
              errors=_ACTION_ERRORS)
    async def post(self, case_id: str) -> None:
        self.write_case(await processing.not_accept(self.deps, self.officer, case_id, self.body["reason"]))


class StartHandler(OfficerHandler):
    @endpoint("Start processing an accepted case", tags=_TAGS, auth="staff", roles=OFFICER,
              responses={200: CASE_STATUS}, errors=_ACTION_ERRORS)
    async def post(self, case_id: str) -> None:
        self.write_case(await processing.start_processing(self.deps, self.officer, case_id))


class StepHandler(OfficerHandler):
    @endpoint("Record a processing step (handler, pass/return/other, opinion)", tags=_TAGS, auth="staff",
              roles=OFFICER,
              request=obj({"name": string(minLength=1, maxLength=100, pattern=r"\S"),
                           "action": string(enum=list(processing.STEP_ACTIONS)), "opinion": _TEXT},
                          required=["name", "action"]),
              responses={200: CASE_STATUS}, errors=_ACTION_ERRORS)
    async def post(self, case_id: str) -> None:
        self.write_case(await processing.record_step(self.deps, self.officer, case_id, name=self.body["name"],
                                                     action=self.body["action"], opinion=self.body.get("opinion")))


class SuspendHandler(OfficerHandler):
    @endpoint("Start a special procedure (特别程序): the completion clock stops", tags=_TAGS, auth="staff",
              roles=OFFICER,
              request=obj({"kind": string(enum=list(processing.SPECIAL_PROCEDURES)), "reason": _REASON},
                          required=["kind", "reason"]),
              responses={200: CASE_STATUS}, errors=_ACTION_ERRORS)
    async def post(self, case_id: str) -> None:
        self.write_case(await processing.suspend(self.deps, self.officer, case_id, kind=self.body["kind"],
                                                 reason=self.body["reason"]))


class ResumeHandler(OfficerHandler):
    @endpoint("End the special procedure: the completion clock runs again, the stopped days added",
              tags=_TAGS, auth="staff", roles=OFFICER, responses={200: CASE_STATUS}, errors=_ACTION_ERRORS)
    async def post(self, case_id: str) -> None:
        self.write_case(await processing.resume(self.deps, self.officer, case_id))


class ApproveHandler(OfficerHandler):
    @endpoint("Approve (准予): the result document, its number and validity", tags=_TAGS, auth="staff",
              roles=OFFICER,
              request=obj({"result_name": string(minLength=1, maxLength=200, pattern=r"\S"),
                           "licence_no": string(maxLength=100), "valid_until": nullable(_DATE)},
                          required=["result_name"]),
              responses={200: CASE_STATUS}, errors=_ACTION_ERRORS)
    async def post(self, case_id: str) -> None:
        self.write_case(await processing.approve(
            self.deps, self.officer, case_id, result_name=self.body["result_name"],
            licence_no=self.body.get("licence_no"), valid_until=self.body.get("valid_until")))


class DenyHandler(OfficerHandler):
    @endpoint("Deny (不予), with the reason", tags=_TAGS, auth="staff", roles=OFFICER,
              request=obj({"reason": _REASON}, required=["reason"]), responses={200: CASE_STATUS},
              errors=_ACTION_ERRORS)
    async def post(self, case_id: str) -> None:
        self.write_case(await processing.deny(self.deps, self.officer, case_id, self.body["reason"]))


class DeliverHandler(OfficerHandler):
    @endpoint("Deliver the result: express (waybill number required), pickup or electronic licence",
              tags=_TAGS, auth="staff", roles=OFFICER,
              request=obj({"method": string(enum=list(processing.DELIVERY_METHODS)),
                           "waybill_no": string(maxLength=64), "carrier": string(maxLength=64)},
                          required=["method"]),
              responses={200: CASE_STATUS}, errors=_ACTION_ERRORS)
    async def post(self, case_id: str) -> None:
        self.write_case(await processing.deliver(self.deps, self.officer, case_id, method=self.body["method"],
                                                 waybill_no=self.body.get("waybill_no"),
                                                 carrier=self.body.get("carrier")))


class ArchiveHandler(OfficerHandler):
    @endpoint("Archive a finished case (电子档案): materials, decisions and history fixed and checksummed",
              tags=_TAGS, auth="staff", roles=OFFICER, responses={200: CASE_STATUS}, errors=_ACTION_ERRORS,
              description="Writes the case's manifest (every file with its SHA-256 taken from the stored bytes) "
                          "and records the manifest's SHA-256 in the case. 409 archive_file_changed or "
                          "archive_file_missing when a stored file no longer matches its record.")
    async def post(self, case_id: str) -> None:
        self.write_case(await archive.archive(self.deps, self.officer, case_id))

    @endpoint("Check an archived case: the manifest and every file against their SHA-256", tags=_TAGS,
              auth="staff", roles=OFFICER, responses={200: ARCHIVE_CHECK}, errors=(404,),
              description="404 case_not_archived before archiving. ``intact`` is false when a file or the manifest "
                          "is missing or changed; ``problems`` names them.")
    async def get(self, case_id: str) -> None:
        self.write_json(await archive.verify(self.deps, self.officer, case_id))


def routes(settings: Settings) -> list[Route]:
    case = "/staff/v1/cases/{case_id}"
    return [
        Route("/staff/v1/cases", QueueHandler),
        Route(case, CaseHandler),
        Route(f"{case}/materials/{{slot_id}}", MaterialHandler),
        Route(f"{case}/materials/{{slot_id}}/verdict", VerdictHandler),
        Route(f"{case}/claim", ClaimHandler),
        Route(f"{case}/supplement", SupplementHandler),
        Route(f"{case}/pass", PassHandler),
        Route(f"{case}/accept", AcceptHandler),
        Route(f"{case}/not-accept", NotAcceptHandler),
        Route(f"{case}/start", StartHandler),
        Route(f"{case}/steps", StepHandler),
        Route(f"{case}/suspend", SuspendHandler),
        Route(f"{case}/resume", ResumeHandler),
        Route(f"{case}/approve", ApproveHandler),
        Route(f"{case}/deny", DenyHandler),
        Route(f"{case}/deliver", DeliverHandler),
        Route(f"{case}/archive", ArchiveHandler),
    ]
